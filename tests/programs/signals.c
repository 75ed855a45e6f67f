/*
 * signals - blocking calls interrupted by a signal handler.
 *
 *	signals restart    read on an empty pipe, SIGALRM with SA_RESTART:
 *	                   the read resumes and returns the byte a thread
 *	                   writes after the handler ran
 *	signals eintr      the same without SA_RESTART: read fails with EINTR
 *	signals nanosleep  nanosleep fails with EINTR and the time left, with
 *	                   and without SA_RESTART
 *	signals altstack   a handler on a SIGSTKSZ alternate stack makes
 *	                   syscalls, whose traps then run on that small stack
 *	signals temp-blocks
 *	                   sigsuspend, ppoll, pselect and epoll_pwait with a
 *	                   temporary mask that blocks SIGSYS, SIGSYS open
 *	                   outside: a SIGSYS from a child waits through the
 *	                   call, which SIGUSR1 ends, and arrives after it
 *	signals temp-opens the same calls with SIGSYS blocked outside and
 *	                   open in the temporary mask (the race-free wait):
 *	                   a SIGSYS from a child interrupts them
 *	signals temp-pending
 *	                   a SIGSYS pending while blocked is let in at once
 *	                   by the temporary mask of each of those calls
 *
 * A tracer that re-issues the call from inside its own signal handler can
 * make such calls uninterruptible, or restart what should fail. One that
 * keeps SIGSYS for itself must still honour the program's temporary masks
 * for a SIGSYS from elsewhere.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

static volatile sig_atomic_t alarm_count;
static int sig_fds[2];

static void sig_alarm(int sig)
{
	alarm_count++;
}

/* One SIGALRM to the process after MS milliseconds. */
static void sig_arm(long ms)
{
	struct itimerval it = {
	    .it_value = {ms / 1000, (ms % 1000) * 1000},
	};

	CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
}

/* Writes one byte once the alarm has interrupted the reader. */
static void *sig_writer(void *arg)
{
	int waited;

	for (waited = 0; !alarm_count && waited < 10000; waited += 10)
		tu_sleep_ms(10);
	CHECK(alarm_count, "no SIGALRM within 10 s");
	tu_sleep_ms(50);
	CHECK(write(sig_fds[1], "x", 1) == 1, "write: %m");

	return NULL;
}

/* Start the writer with SIGALRM blocked, so the alarm goes to main. */
static void sig_start_writer(pthread_t *thread)
{
	sigset_t alrm, old;

	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	CHECK_PT(pthread_sigmask(SIG_BLOCK, &alrm, &old));
	CHECK_PT(pthread_create(thread, NULL, sig_writer, NULL));
	CHECK_PT(pthread_sigmask(SIG_SETMASK, &old, NULL));
}

static void sig_restart(void)
{
	pthread_t writer;
	ssize_t n;
	char c = 0;

	tu_handle(SIGALRM, sig_alarm, SA_RESTART);
	CHECK_OK(pipe(sig_fds));
	sig_start_writer(&writer);

	sig_arm(100);
	n = read(sig_fds[0], &c, 1);
	CHECK(n == 1, "read returned %zd (%m), want the restarted read's byte",
	      n);
	CHECK(c == 'x', "read %#x, want 'x'", c);
	CHECK(alarm_count == 1, "SIGALRM ran %d times", alarm_count);
	CHECK_PT(pthread_join(writer, NULL));
	printf("read with SA_RESTART: restarted, got the byte\n");
}

static void sig_eintr(void)
{
	ssize_t n;
	char c;

	tu_handle(SIGALRM, sig_alarm, 0);
	CHECK_OK(pipe(sig_fds));

	sig_arm(100);
	n = read(sig_fds[0], &c, 1);
	CHECK(n == -1 && errno == EINTR, "read returned %zd (%m), want EINTR",
	      n);
	CHECK(alarm_count == 1, "SIGALRM ran %d times", alarm_count);
	printf("read without SA_RESTART: EINTR\n");
}

/* nanosleep is never restarted after a handler, SA_RESTART or not. */
static void sig_nanosleep_with(int flags, const char *label)
{
	struct timespec req = {5, 0}, rem = {0, 0};
	int ret;

	alarm_count = 0;
	tu_handle(SIGALRM, sig_alarm, flags);
	sig_arm(100);
	ret = nanosleep(&req, &rem);
	CHECK(ret == -1 && errno == EINTR, "%s: nanosleep returned %d (%m)",
	      label, ret);
	CHECK(alarm_count == 1, "%s: SIGALRM ran %d times", label, alarm_count);
	/* Interrupted after 0.1 s: between 3 and 5 s must be left. */
	CHECK(rem.tv_sec >= 3 && rem.tv_sec < 5, "%s: %ld.%09ld s left of 5 s",
	      label, (long)rem.tv_sec, rem.tv_nsec);
	printf("nanosleep %s: EINTR, time left reported\n", label);
}

static char *alt_base;
static size_t alt_size;
static volatile sig_atomic_t alt_on_stack;
static volatile sig_atomic_t alt_calls_ok;

static void sig_on_altstack(int sig)
{
	char here;
	int fds[2];
	char c = 0;

	alt_on_stack = &here >= alt_base && &here < alt_base + alt_size;
	if (pipe(fds) < 0)
		return;
	alt_calls_ok = write(fds[1], "a", 1) == 1 && read(fds[0], &c, 1) == 1 &&
		       c == 'a' && getppid() > 0;
	close(fds[0]);
	close(fds[1]);
}

static void sig_altstack(void)
{
	stack_t ss = {0};

	alt_size = SIGSTKSZ;
	alt_base = malloc(alt_size);
	CHECK(alt_base, "malloc: %m");
	ss.ss_sp = alt_base;
	ss.ss_size = alt_size;
	CHECK_OK(sigaltstack(&ss, NULL));
	tu_handle(SIGUSR1, sig_on_altstack, SA_ONSTACK);

	CHECK(raise(SIGUSR1) == 0, "raise: %m");
	CHECK(alt_on_stack, "the handler did not run on the alternate stack");
	CHECK(alt_calls_ok, "syscalls on the alternate stack failed");
	printf("altstack: handler made syscalls on a SIGSTKSZ stack\n");
}

static volatile sig_atomic_t sys_count;
static volatile sig_atomic_t usr1_count;
static volatile sig_atomic_t sys_at_usr1;

static void sig_sys(int sig)
{
	sys_count++;
}

static void sig_usr1(int sig)
{
	usr1_count++;
	sys_at_usr1 = sys_count;
}

static int sig_sigsuspend(const sigset_t *tmp)
{
	return sigsuspend(tmp);
}

static int sig_ppoll(const sigset_t *tmp)
{
	return ppoll(NULL, 0, NULL, tmp);
}

static int sig_pselect(const sigset_t *tmp)
{
	return pselect(0, NULL, NULL, NULL, NULL, tmp);
}

static int sig_epoll_pwait(const sigset_t *tmp)
{
	struct epoll_event ev;
	int ep = epoll_create1(EPOLL_CLOEXEC);
	int ret, err;

	CHECK_OK(ep);
	ret = epoll_pwait(ep, &ev, 1, -1, tmp);
	err = errno;
	close(ep);
	errno = err;

	return ret;
}

static const struct sig_wait {
	const char *name;
	int (*wait)(const sigset_t *tmp);
} sig_waits[] = {
    {"sigsuspend", sig_sigsuspend},
    {"ppoll", sig_ppoll},
    {"pselect", sig_pselect},
    {"epoll_pwait", sig_epoll_pwait},
};

/*
 * A child that sends SIGSYS, then SIGUSR1 if USR1, to this process, each
 * after 200 ms. A 5 s alarm (SIGALRM's default action) ends a wait that
 * nothing ends, so a regression fails instead of hanging.
 */
/* Wait up to 2 s for PID to sleep (state S): in the call under test. */
static void sig_wait_asleep(pid_t pid)
{
	char path[64], stat[256];
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (i = 0; i < 100; i++) {
		FILE *f = fopen(path, "r");
		const char *close = NULL;

		if (f && fgets(stat, sizeof(stat), f))
			close = strrchr(stat, ')');
		if (f)
			fclose(f);
		if (close && close[1] == ' ' && close[2] == 'S')
			return;
		tu_sleep_ms(20);
	}
}

static pid_t sig_kicker(bool usr1)
{
	pid_t parent = getpid(), pid = fork();

	CHECK_OK(pid);
	if (pid == 0) {
		tu_sleep_ms(200);
		sig_wait_asleep(parent);
		kill(parent, SIGSYS);
		if (usr1) {
			tu_sleep_ms(200);
			kill(parent, SIGUSR1);
		}
		_exit(0);
	}
	alarm(5);

	return pid;
}

static void sig_reap(pid_t pid)
{
	int status;

	alarm(0);
	CHECK(waitpid(pid, &status, 0) == pid, "waitpid: %m");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "the kicker failed: status %#x", status);
}

static void sig_temp_setup(void)
{
	tu_handle(SIGSYS, sig_sys, 0);
	tu_handle(SIGUSR1, sig_usr1, 0);
	signal(SIGALRM, SIG_DFL);
}

/* SIGSYS open, blocked by the temporary mask: it waits for the return. */
static void sig_temp_blocks(void)
{
	sigset_t tmp, empty;
	size_t i;

	sig_temp_setup();
	sigemptyset(&empty);
	sigemptyset(&tmp);
	sigaddset(&tmp, SIGSYS);
	for (i = 0; i < sizeof(sig_waits) / sizeof(sig_waits[0]); i++) {
		const struct sig_wait *w = &sig_waits[i];
		pid_t kicker;
		int ret, err;

		sys_count = usr1_count = sys_at_usr1 = 0;
		kicker = sig_kicker(true);
		ret = w->wait(&tmp);
		err = errno;
		CHECK(ret == -1 && err == EINTR, "%s returned %d (%s)", w->name,
		      ret, strerror(err));
		CHECK(usr1_count == 1,
		      "%s ended before SIGUSR1 (SIGSYS ran "
		      "%d times)",
		      w->name, sys_count);
		CHECK(sys_at_usr1 == 0,
		      "%s: SIGSYS got through the temporary "
		      "mask",
		      w->name);
		CHECK(sys_count == 1,
		      "%s: SIGSYS ran %d times after the "
		      "return",
		      w->name, sys_count);
		tu_check_mask(w->name, &empty);
		sig_reap(kicker);
		printf("%s: SIGSYS waited for the mask's return\n", w->name);
	}
}

/* SIGSYS blocked, let in by the temporary mask: it interrupts the call. */
static void sig_temp_opens(void)
{
	sigset_t sys, old;
	size_t i;

	sig_temp_setup();
	sigemptyset(&sys);
	sigaddset(&sys, SIGSYS);
	CHECK_OK(sigprocmask(SIG_BLOCK, &sys, &old));
	for (i = 0; i < sizeof(sig_waits) / sizeof(sig_waits[0]); i++) {
		const struct sig_wait *w = &sig_waits[i];
		pid_t kicker;
		int ret, err, calls = 0;

		sys_count = 0;
		kicker = sig_kicker(false);
		do {
			ret = w->wait(&old);
			err = errno;
			calls++;
		} while (!sys_count);
		CHECK(ret == -1 && err == EINTR, "%s returned %d (%s)", w->name,
		      ret, strerror(err));
		CHECK(calls == 1, "%s returned %d times", w->name, calls);
		CHECK(sys_count == 1, "%s: SIGSYS ran %d times", w->name,
		      sys_count);
		tu_check_mask(w->name, &sys);
		sig_reap(kicker);
		printf("%s: SIGSYS interrupted it\n", w->name);
	}
}

/* A SIGSYS pending while blocked, let in by the temporary mask. */
static void sig_temp_pending(void)
{
	sigset_t sys, empty;
	size_t i;

	sig_temp_setup();
	sigemptyset(&empty);
	sigemptyset(&sys);
	sigaddset(&sys, SIGSYS);
	CHECK_OK(sigprocmask(SIG_BLOCK, &sys, NULL));
	for (i = 0; i < sizeof(sig_waits) / sizeof(sig_waits[0]); i++) {
		const struct sig_wait *w = &sig_waits[i];
		int ret, err;

		sys_count = 0;
		CHECK_OK(kill(getpid(), SIGSYS));
		CHECK(sys_count == 0, "SIGSYS ran while blocked");
		alarm(5);
		ret = w->wait(&empty);
		err = errno;
		alarm(0);
		CHECK(ret == -1 && err == EINTR, "%s returned %d (%s)", w->name,
		      ret, strerror(err));
		CHECK(sys_count == 1, "%s: SIGSYS ran %d times", w->name,
		      sys_count);
		tu_check_mask(w->name, &sys);
		printf("%s: pending SIGSYS delivered at once\n", w->name);
	}
}

int main(int argc, char **argv)
{
	const char *mode = tu_mode(argc, argv, "restart");

	if (!strcmp(mode, "restart")) {
		sig_restart();
	} else if (!strcmp(mode, "eintr")) {
		sig_eintr();
	} else if (!strcmp(mode, "altstack")) {
		sig_altstack();
	} else if (!strcmp(mode, "temp-blocks")) {
		sig_temp_blocks();
	} else if (!strcmp(mode, "temp-opens")) {
		sig_temp_opens();
	} else if (!strcmp(mode, "temp-pending")) {
		sig_temp_pending();
	} else if (!strcmp(mode, "nanosleep")) {
		sig_nanosleep_with(0, "without SA_RESTART");
		sig_nanosleep_with(SA_RESTART, "with SA_RESTART");
	} else {
		tu_fail("main", "unknown mode %s", mode);
	}
	printf("signals %s: pass\n", mode);

	return 0;
}
