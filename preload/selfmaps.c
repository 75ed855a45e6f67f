/*
 * selfmaps.c - the path of the file mapped at an address, see selfmaps.h.
 */
#include "selfmaps.h"

#include "gate.h"

#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/syscall.h>

/* A hexadecimal number at *P, which is moved past it. */
static int selfmaps_hex(const char **p, const char *end, uintptr_t *out)
{
	uintptr_t v = 0;
	const char *s = *p;
	int d;

	for (; s < end; s++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else
			break;
		v = v << 4 | (uintptr_t)d;
	}
	if (s == *p)
		return -1;
	*p = s;
	*out = v;

	return 0;
}

int selfmaps_match_line(const char *line, size_t len, uintptr_t addr, char *buf,
			size_t len_buf)
{
	const char *p = line, *end = line + len, *path;
	uintptr_t lo, hi;
	size_t n;

	if (selfmaps_hex(&p, end, &lo) < 0 || p >= end || *p++ != '-' ||
	    selfmaps_hex(&p, end, &hi) < 0 || addr < lo || addr >= hi)
		return -1;
	/* The path is the first field to start with '/'; the fields before
	 * it (perms, offset, device, inode) never do. */
	path = memchr(p, '/', (size_t)(end - p));
	if (!path || !len_buf)
		return -1;
	n = (size_t)(end - path);
	/* A file replaced on disk since it was mapped. */
	if (n >= 10 && memcmp(end - 10, " (deleted)", 10) == 0)
		n -= 10;
	if (n >= len_buf)
		n = len_buf - 1;
	memcpy(buf, path, n);
	buf[n] = '\0';

	return 0;
}

int selfmaps_path_at(uintptr_t addr, char *buf, size_t len_buf)
{
	char chunk[2048];
	size_t have = 0;
	bool skip = false;
	long fd, n;
	int ret = -1;

	fd = gate_call3(SYS_open, "/proc/self/maps", O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	while ((n = gate_call3(SYS_read, fd, chunk + have,
			       sizeof(chunk) - have)) > 0) {
		char *nl, *line = chunk;

		have += (size_t)n;
		while (
		    (nl = memchr(line, '\n', have - (size_t)(line - chunk)))) {
			if (!skip &&
			    selfmaps_match_line(line, (size_t)(nl - line), addr,
						buf, len_buf) == 0) {
				ret = 0;
				break;
			}
			skip = false;
			line = nl + 1;
		}
		if (ret == 0)
			break;
		/* Keep the start of a line cut by the read. A line longer
		 * than the chunk (a long path) is skipped to its end. */
		have -= (size_t)(line - chunk);
		if (have == sizeof(chunk)) {
			have = 0;
			skip = true;
		}
		memmove(chunk, line, have);
	}
	gate_call1(SYS_close, fd);

	return ret;
}
