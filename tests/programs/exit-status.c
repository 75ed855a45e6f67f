/*
 * exit-status - end with a chosen status.
 *
 *	exit-status N        exit with code N
 *	exit-status -s SIG   die by signal SIG (default action, unblocked)
 *
 * syswho run must hand the same status to its caller: N, or 128 + SIG.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

static void es_die_by(int sig)
{
	sigset_t set;

	fflush(stdout);
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	tu_fail("main", "still alive after signal %d", sig);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "-s")) {
		printf("exit-status: signal %d\n", atoi(argv[2]));
		es_die_by(atoi(argv[2]));
	}
	if (argc != 2) {
		fprintf(stderr, "usage: exit-status N | exit-status -s SIG\n");
		return 2;
	}
	printf("exit-status: code %d\n", atoi(argv[1]));

	return atoi(argv[1]);
}
