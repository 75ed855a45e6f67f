/*
 * chatty - a program that reaches many distinct call sites, in two phases
 * separated by a line read from stdin, so that a test can stall or kill
 * the collector in between.
 *
 *	chatty spin N	N getppid calls, then spins without syscalls
 *			until killed
 *	chatty		phase 1: a few calls; waits for a line on stdin;
 *			phase 2: about 1500 distinct stacks (depth x syscall
 *			x scope), more Site records than a socket buffer holds
 *
 * A stalled or vanished collector must neither block it for long nor
 * kill it (no SIGPIPE): it prints both phases and exits 0.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <syswho/syswho.h>

#include "testutil.h"

#define CHATTY_DEPTHS 50
#define CHATTY_SCOPES 5

static const long chatty_calls[] = {
    SYS_getppid, SYS_getuid, SYS_geteuid, SYS_getgid, SYS_getegid, SYS_getpgrp,
};

/* Recursion gives each depth its own stack, hence its own site. */
static int __attribute__((noinline)) chatty_at_depth(int depth, long nr)
{
	int r;

	if (depth > 0) {
		r = chatty_at_depth(depth - 1, nr);
		/* Keep the call from becoming a tail call. */
		__asm__ volatile("" ::: "memory");
		return r;
	}
	return syscall(nr) < 0 ? 1 : 0;
}

static int chatty_phase2(void)
{
	char scope[16];
	int failures = 0;
	size_t c;
	int s, d;

	for (s = 0; s < CHATTY_SCOPES; s++) {
		snprintf(scope, sizeof(scope), "chatty-%d", s);
		syswho_scope_enter(scope);
		for (c = 0; c < sizeof(chatty_calls) / sizeof(*chatty_calls);
		     c++)
			for (d = 0; d < CHATTY_DEPTHS; d++)
				failures += chatty_at_depth(d, chatty_calls[c]);
		syswho_scope_leave();
	}

	return failures;
}

/*
 * Make COUNT getppid calls from one place, say so, then compute forever
 * without a syscall: a test kills it there, before any count is flushed.
 */
static int chatty_spin(long count)
{
	volatile unsigned long x = 0;
	long i;

	for (i = 0; i < count; i++)
		syscall(SYS_getppid);
	printf("chatty: spinning\n");
	for (;;)
		x++;
	return 0;
}

int main(int argc, char **argv)
{
	char line[64];

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc == 3 && strcmp(argv[1], "spin") == 0)
		return chatty_spin(atol(argv[2]));
	CHECK(syscall(SYS_getppid) > 0, "getppid failed");
	printf("chatty: phase 1 done\n");

	if (!fgets(line, sizeof(line), stdin)) {
		fprintf(stderr, "chatty: no go-ahead on stdin\n");
		return 1;
	}
	CHECK(chatty_phase2() == 0, "a phase 2 call failed");
	printf("chatty: phase 2 done\n");

	return 0;
}
