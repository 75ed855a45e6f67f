/*
 * teardown - syscalls on the way out: from an atexit handler, a
 * destructor, and a handler of a fatal signal.
 *
 *	teardown exit     getpgrp in an atexit handler, getpriority in a
 *	                  destructor, then exit(0)
 *	teardown crash    a SIGSEGV handler calls getpgid and re-raises
 *
 * Under syswho each of these calls must be in the profile, owned by this
 * program.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void td_atexit(void)
{
	syscall(SYS_getpgrp);
}

__attribute__((destructor)) static void td_destructor(void)
{
	syscall(SYS_getpriority, 0, 0);
}

static void td_on_segv(int sig)
{
	syscall(SYS_getpgid, 0);
	signal(sig, SIG_DFL);
	raise(sig);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "exit";

	if (strcmp(mode, "exit") == 0) {
		atexit(td_atexit);
		printf("teardown: exiting\n");
		return 0;
	}
	if (strcmp(mode, "crash") == 0) {
		signal(SIGSEGV, td_on_segv);
		printf("teardown: crashing\n");
		fflush(stdout);
		raise(SIGSEGV);
		return 1;
	}
	fprintf(stderr, "teardown: unknown mode %s\n", mode);
	return 2;
}
