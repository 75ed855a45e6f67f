/*
 * The "#!" parser, shared by the library (to check an exec before it
 * commits to it) and the exec loader (to run it). It allocates nothing
 * and calls nothing, so it works in both.
 */
#include "shebang.h"

#include <errno.h>

static int shebang_blank(char c)
{
	return c == ' ' || c == '\t';
}

int shebang_parse(const char *buf, size_t len, char *interp, size_t isize,
		  char *arg, size_t asize)
{
	size_t i = 2, n = 0, end;

	if (len < 2 || buf[0] != '#' || buf[1] != '!')
		return -ENOEXEC;
	for (end = 2; end < len && buf[end] != '\n'; end++)
		;
	while (i < end && shebang_blank(buf[i]))
		i++;
	if (i == end)
		return -ENOEXEC;

	while (i < end && !shebang_blank(buf[i])) {
		if (n + 1 >= isize)
			return -ENAMETOOLONG;
		interp[n++] = buf[i++];
	}
	interp[n] = '\0';

	while (i < end && shebang_blank(buf[i]))
		i++;
	while (end > i && shebang_blank(buf[end - 1]))
		end--;
	if (end - i >= asize)
		return -ENAMETOOLONG;
	for (n = 0; i < end; i++)
		arg[n++] = buf[i];
	arg[n] = '\0';

	return 0;
}
