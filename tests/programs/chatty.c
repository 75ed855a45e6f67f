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
 *	chatty resume	as chatty, then phase 3: five new getpid stacks;
 *			waits for a second line; then getppid calls from one
 *			place for 200 ms, and spins without syscalls until
 *			killed (no exit to flush what phase 3 left behind)
 *
 * A stalled or vanished collector must neither block it for long nor
 * kill it (no SIGPIPE): it prints both phases and exits 0.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
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

/* Calls from one place for about MS milliseconds (the clock is the vDSO's). */
static void chatty_busy(long ms)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		syscall(SYS_getppid);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((now.tv_sec - start.tv_sec) * 1000 +
		     (now.tv_nsec - start.tv_nsec) / 1000000 <
		 ms);
}

static void chatty_wait_line(void)
{
	char line[64];

	if (!fgets(line, sizeof(line), stdin)) {
		fprintf(stderr, "chatty: no go-ahead on stdin\n");
		exit(1);
	}
}

int main(int argc, char **argv)
{
	bool resume = argc == 2 && strcmp(argv[1], "resume") == 0;
	int d;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc == 3 && strcmp(argv[1], "spin") == 0)
		return chatty_spin(atol(argv[2]));
	CHECK(syscall(SYS_getppid) > 0, "getppid failed");
	printf("chatty: phase 1 done\n");

	chatty_wait_line();
	CHECK(chatty_phase2() == 0, "a phase 2 call failed");
	printf("chatty: phase 2 done\n");
	if (!resume)
		return 0;

	for (d = 0; d < 5; d++)
		CHECK(chatty_at_depth(d, SYS_getpid) == 0, "getpid failed");
	printf("chatty: phase 3 done\n");
	chatty_wait_line();
	chatty_busy(200);
	return chatty_spin(0);
}
