/*
 * Reading the "#!" line of a script the way the kernel's exec does.
 */
#ifndef SYSWHO_SHEBANG_H
#define SYSWHO_SHEBANG_H

#include <stddef.h>

/* The "#!" scripts an exec may pass through: the kernel runs five
 * nested, then wants a binary (ELOOP). */
#define SHEBANG_MAX_DEPTH 5

/*
 * BUF holds the first LEN bytes of a file. For "#!INTERP [ARG]" write the
 * interpreter and the optional single argument (the rest of the line,
 * trimmed) and return 0; return -ENOEXEC for anything else, and for an
 * interpreter or argument longer than its buffer (-ENAMETOOLONG).
 */
int shebang_parse(const char *buf, size_t len, char *interp, size_t isize,
		  char *arg, size_t asize);

#endif
