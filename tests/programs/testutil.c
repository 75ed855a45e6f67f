/*
 * testutil.c - checks shared by the syswho test programs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testutil.h"

void tu_fail(const char *where, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "FAIL: %s: ", where);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/*
 * glibc reserves the signals from __SIGRTMIN up to SIGRTMIN for thread
 * cancellation and set*id broadcasts and silently drops them from every
 * mask a program sets.
 */
static bool tu_reserved(int sig)
{
	return sig == SIGKILL || sig == SIGSTOP ||
	       (sig >= __SIGRTMIN && sig < SIGRTMIN);
}

void tu_full_mask(sigset_t *set)
{
	int sig;

	sigemptyset(set);
	for (sig = 1; sig <= 64; sig++)
		if (!tu_reserved(sig))
			sigaddset(set, sig);
}

bool tu_mask_equal(const sigset_t *got, const sigset_t *want, char *why,
		   unsigned long len)
{
	int sig;

	for (sig = 1; sig <= 64; sig++) {
		int g = sigismember(got, sig);
		int w = sigismember(want, sig);

		if (g != w) {
			snprintf(
			    why, len, "signal %d (%s) is %s but should %s", sig,
			    sigabbrev_np(sig) ? sigabbrev_np(sig) : "RT",
			    g ? "blocked" : "not blocked", w ? "be" : "not be");
			return false;
		}
	}

	return true;
}

void tu_check_mask(const char *what, const sigset_t *want)
{
	sigset_t cur;
	char why[128];

	CHECK_PT(pthread_sigmask(SIG_SETMASK, NULL, &cur));
	if (!tu_mask_equal(&cur, want, why, sizeof(why)))
		tu_fail(what, "%s", why);
}

void tu_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void tu_handle(int sig, void (*handler)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	CHECK_OK(sigaction(sig, &sa, NULL));
}

const char *tu_mode(int argc, char **argv, const char *def)
{
	return argc > 1 ? argv[1] : def;
}
