/*
 * static-hop - a statically linked program (no dynamic loader, so
 * LD_PRELOAD does nothing for it) that makes a distinctive syscall and
 * then, given a command, execs it.
 *
 *	static-hop [CMD [ARG...]]
 *
 * Under syswho its calls must be owned by the executable, and what it
 * execs must be traced as well.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	/* getpriority: made by neither libc's start-up nor the loader. */
	if (syscall(SYS_getpriority, 0, 0) < 0) {
		perror("getpriority");
		return 1;
	}
	printf("static-hop: getpriority ok\n");
	fflush(stdout);
	if (argc < 2)
		return 0;
	execv(argv[1], argv + 1);
	perror("execv");
	return 1;
}
