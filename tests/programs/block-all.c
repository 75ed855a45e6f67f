/*
 * block-all - a program that blocks every signal, SIGSYS included.
 *
 *	block-all mask      sigprocmask and pthread_sigmask with a full set,
 *	                    syscalls made meanwhile, the mask read back exactly
 *	block-all handler   a handler whose sa_mask is full makes syscalls
 *	block-all suspend   sigsuspend, ppoll, pselect and epoll_pwait with a
 *	                    full temporary mask, woken by a signal
 *	block-all launch PROG [ARG...]
 *	                    block every signal, then exec PROG (as supervisors
 *	                    do before starting a service)
 *	block-all inherited started by "launch": the full mask is there from
 *	                    the first instruction, in main and in a thread
 *	block-all ucontext  handlers that edit the mask their return restores
 *	                    (uc_sigmask): SIGSYS in it stays blocked after
 *	block-all signalfd  a signalfd whose mask holds SIGSYS (as its fdinfo
 *	                    shows) reads other signals while syscalls go on
 *	                    around it
 *
 * The kernel kills a process whose trap fires while SIGSYS is blocked, so
 * syswho has to keep SIGSYS open behind the program's back while the
 * program still reads back the mask it asked for.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "testutil.h"

static volatile sig_atomic_t usr1_count;
static volatile sig_atomic_t usr2_count;
static volatile sig_atomic_t usr2_at_usr1;

/* A pipe round trip plus a raw getpid: syscalls with visible effects. */
static void ba_syscalls(const char *what)
{
	int fds[2];
	char c = 0;

	CHECK(syscall(SYS_getpid) == getpid(), "%s: raw getpid", what);
	CHECK_OK(pipe(fds));
	CHECK(write(fds[1], "b", 1) == 1, "%s: write: %m", what);
	CHECK(read(fds[0], &c, 1) == 1 && c == 'b', "%s: read: %m", what);
	close(fds[0]);
	close(fds[1]);
}

static void ba_usr1(int sig)
{
	usr1_count++;
	usr2_at_usr1 = usr2_count;
}

static void ba_usr2(int sig)
{
	usr2_count++;
}

static void *ba_thread_mask(void *arg)
{
	sigset_t full, want;

	sigfillset(&full);
	CHECK_PT(pthread_sigmask(SIG_SETMASK, &full, NULL));
	ba_syscalls("thread");
	tu_full_mask(&want);
	tu_check_mask("thread full mask", &want);

	return NULL;
}

static void ba_mask(void)
{
	sigset_t full, want, empty, pending;
	pthread_t thread;

	sigfillset(&full);
	sigemptyset(&empty);
	tu_full_mask(&want);

	CHECK_OK(sigprocmask(SIG_BLOCK, &full, NULL));
	ba_syscalls("blocked");
	tu_check_mask("sigprocmask full mask", &want);
	printf("sigprocmask: full mask kept, SIGSYS %s\n",
	       sigismember(&want, SIGSYS) ? "blocked" : "open");

	/* A signal raised now stays pending until the unblock. */
	tu_handle(SIGUSR1, ba_usr1, 0);
	CHECK(raise(SIGUSR1) == 0, "raise: %m");
	CHECK(usr1_count == 0, "SIGUSR1 delivered while blocked");
	CHECK_OK(sigpending(&pending));
	CHECK(sigismember(&pending, SIGUSR1) == 1, "SIGUSR1 not pending");

	CHECK_PT(pthread_create(&thread, NULL, ba_thread_mask, NULL));
	CHECK_PT(pthread_join(thread, NULL));
	printf("pthread_sigmask: full mask kept in a thread\n");

	CHECK_OK(sigprocmask(SIG_SETMASK, &empty, NULL));
	CHECK(usr1_count == 1, "SIGUSR1 ran %d times after unblock",
	      usr1_count);
	tu_check_mask("unblocked", &empty);
	printf("unblock: pending signal delivered\n");
}

static volatile sig_atomic_t handler_ok;
static char handler_why[160];

/* Runs with every signal blocked; records what it saw for main to check. */
static void ba_full_handler(int sig)
{
	sigset_t cur, want;

	ba_syscalls("handler");
	tu_full_mask(&want);
	CHECK_PT(pthread_sigmask(SIG_SETMASK, NULL, &cur));
	if (!tu_mask_equal(&cur, &want, handler_why, sizeof(handler_why)))
		return;
	/* Blocked here, so it must wait until this handler returns. */
	raise(SIGUSR2);
	handler_ok = usr2_count == 0;
	if (!handler_ok)
		snprintf(handler_why, sizeof(handler_why),
			 "SIGUSR2 ran inside a full-mask handler");
}

static void ba_handler(void)
{
	struct sigaction sa;
	sigset_t empty;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ba_full_handler;
	sigfillset(&sa.sa_mask);
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	tu_handle(SIGUSR2, ba_usr2, 0);

	CHECK(raise(SIGUSR1) == 0, "raise: %m");
	CHECK(handler_ok, "full-mask handler: %s", handler_why);
	CHECK(usr2_count == 1, "SIGUSR2 ran %d times after the handler",
	      usr2_count);
	sigemptyset(&empty);
	tu_check_mask("after handler", &empty);
	printf("full sa_mask handler: syscalls ok, mask restored\n");
}

struct ba_kick {
	pthread_t target;
};

/* Wait a little so the target is asleep, then SIGUSR2 and SIGUSR1. */
static void *ba_kicker(void *arg)
{
	struct ba_kick *k = arg;

	tu_sleep_ms(50);
	CHECK_PT(pthread_kill(k->target, SIGUSR2));
	CHECK_PT(pthread_kill(k->target, SIGUSR1));

	return NULL;
}

/* SIGUSR2 waited, blocked, through the sleep: let it in now. */
static void ba_take_usr2(const char *name)
{
	sigset_t usr2, pending;

	CHECK(usr2_count == 0, "%s: SIGUSR2 ran through a blocking mask", name);
	CHECK_OK(sigpending(&pending));
	CHECK(sigismember(&pending, SIGUSR2) == 1, "%s: SIGUSR2 not pending",
	      name);
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &usr2, NULL));
	CHECK(usr2_count == 1, "%s: SIGUSR2 ran %d times after unblock", name,
	      usr2_count);
	CHECK_OK(sigprocmask(SIG_BLOCK, &usr2, NULL));
}

/*
 * Run WAIT (which must sleep with the full-but-SIGUSR1 temporary mask) and
 * check it was woken by SIGUSR1 alone. Both signals are blocked outside
 * the wait, so the result does not depend on when the kicker runs.
 */
static void ba_woken(const char *name, int (*wait)(const sigset_t *tmp))
{
	struct ba_kick k = {.target = pthread_self()};
	sigset_t tmp, old;
	pthread_t kicker;
	int ret, err;

	usr1_count = usr2_count = usr2_at_usr1 = 0;
	sigfillset(&tmp);
	sigdelset(&tmp, SIGUSR1);
	CHECK_PT(pthread_sigmask(SIG_SETMASK, NULL, &old));

	CHECK_PT(pthread_create(&kicker, NULL, ba_kicker, &k));
	ret = wait(&tmp);
	err = errno;
	CHECK_PT(pthread_join(kicker, NULL));

	CHECK(ret == -1 && err == EINTR, "%s returned %d (%s), want EINTR",
	      name, ret, strerror(err));
	CHECK(usr1_count == 1, "%s: SIGUSR1 ran %d times", name, usr1_count);
	CHECK(usr2_at_usr1 == 0, "%s: SIGUSR2 got through the temporary mask",
	      name);
	tu_check_mask(name, &old);
	ba_take_usr2(name);
	printf("%s: woken by SIGUSR1, mask restored\n", name);
}

static int ba_fds[2];

static int ba_sigsuspend(const sigset_t *tmp)
{
	return sigsuspend(tmp);
}

static int ba_ppoll(const sigset_t *tmp)
{
	struct pollfd pfd = {.fd = ba_fds[0], .events = POLLIN};

	return ppoll(&pfd, 1, NULL, tmp);
}

static int ba_pselect(const sigset_t *tmp)
{
	fd_set rd;

	FD_ZERO(&rd);
	FD_SET(ba_fds[0], &rd);

	return pselect(ba_fds[0] + 1, &rd, NULL, NULL, NULL, tmp);
}

static int ba_epoll_pwait(const sigset_t *tmp)
{
	struct epoll_event ev = {.events = EPOLLIN};
	int ep = epoll_create1(EPOLL_CLOEXEC);
	int ret;

	CHECK_OK(ep);
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, ba_fds[0], &ev));
	ret = epoll_pwait(ep, &ev, 1, -1, tmp);
	close(ep);

	return ret;
}

static void ba_suspend(void)
{
	sigset_t usr;

	tu_handle(SIGUSR1, ba_usr1, 0);
	tu_handle(SIGUSR2, ba_usr2, 0);
	CHECK_OK(pipe(ba_fds));

	/* Either may arrive before the wait starts: keep them pending. */
	sigemptyset(&usr);
	sigaddset(&usr, SIGUSR1);
	sigaddset(&usr, SIGUSR2);
	CHECK_OK(sigprocmask(SIG_BLOCK, &usr, NULL));

	ba_woken("sigsuspend", ba_sigsuspend);
	ba_woken("ppoll", ba_ppoll);
	ba_woken("pselect", ba_pselect);
	ba_woken("epoll_pwait", ba_epoll_pwait);
}

/* Exec ARGV with every signal blocked. */
static void ba_launch(char **argv)
{
	sigset_t full;

	CHECK(argv[0], "launch: no program to exec");
	sigfillset(&full);
	CHECK_OK(sigprocmask(SIG_SETMASK, &full, NULL));
	execv(argv[0], argv);
	tu_fail("launch", "exec %s: %m", argv[0]);
}

static void *ba_thread_inherited(void *arg)
{
	sigset_t want;

	ba_syscalls("inherited thread");
	tu_full_mask(&want);
	tu_check_mask("inherited thread mask", &want);

	return NULL;
}

/* The mask "launch" left must be the one seen, SIGSYS included. */
static void ba_inherited(void)
{
	sigset_t old, want, empty;
	pthread_t thread;

	CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &old));
	printf("SIGSYS blocked at start: %d\n", sigismember(&old, SIGSYS));
	ba_syscalls("inherited");
	tu_full_mask(&want);
	tu_check_mask("inherited mask", &want);
	printf("inherited: full mask kept through syscalls\n");

	CHECK_PT(pthread_create(&thread, NULL, ba_thread_inherited, NULL));
	CHECK_PT(pthread_join(thread, NULL));
	printf("inherited: a thread has the full mask\n");

	sigemptyset(&empty);
	CHECK_OK(sigprocmask(SIG_SETMASK, &empty, NULL));
	ba_syscalls("unblocked");
	tu_check_mask("unblocked", &empty);
	printf("inherited: unblocked\n");
}

static volatile sig_atomic_t uc_saw_sigsys;

/* Whatever was blocked before, every signal is blocked after the return. */
static void ba_uc_fill(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	uc_saw_sigsys = sigismember(&uc->uc_sigmask, SIGSYS);
	sigfillset(&uc->uc_sigmask);
}

/* SIGSYS, blocked before, is let in by the return. */
static void ba_uc_open(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	uc_saw_sigsys = sigismember(&uc->uc_sigmask, SIGSYS);
	sigdelset(&uc->uc_sigmask, SIGSYS);
}

static void ba_uc_handle(void (*fn)(int, siginfo_t *, void *))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
}

static void ba_ucontext(void)
{
	sigset_t want, sys, empty;

	sigemptyset(&empty);
	ba_uc_handle(ba_uc_fill);
	CHECK(raise(SIGUSR1) == 0, "raise: %m");
	printf("fill: handler saw SIGSYS blocked: %d\n", uc_saw_sigsys);
	ba_syscalls("after fill");
	tu_full_mask(&want);
	tu_check_mask("after a handler filled uc_sigmask", &want);
	printf("fill: every signal blocked after the return\n");

	sigemptyset(&sys);
	sigaddset(&sys, SIGSYS);
	CHECK_OK(sigprocmask(SIG_SETMASK, &sys, NULL));
	ba_uc_handle(ba_uc_open);
	CHECK(raise(SIGUSR1) == 0, "raise: %m");
	printf("open: handler saw SIGSYS blocked: %d\n", uc_saw_sigsys);
	ba_syscalls("after open");
	tu_check_mask("after a handler took SIGSYS out of uc_sigmask", &empty);
	printf("open: SIGSYS unblocked by the return\n");
}

/* Read one signal from FD, which must be SIG. */
static void ba_sfd_read(int fd, int sig, const char *what)
{
	struct signalfd_siginfo si;
	ssize_t n = read(fd, &si, sizeof(si));

	CHECK(n == (ssize_t)sizeof(si), "%s: read returned %zd: %m", what, n);
	CHECK((int)si.ssi_signo == sig, "%s: read signal %u, want %d", what,
	      si.ssi_signo, sig);
}

/* The mask of signalfd FD as the kernel keeps it, from its fdinfo. */
static unsigned long long ba_sfd_mask(int fd)
{
	unsigned long long mask = 0;
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	CHECK(f, "open %s: %m", path);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "sigmask: %llx", &mask) == 1)
			break;
	fclose(f);

	return mask;
}

static void *ba_sfd_kicker(void *arg)
{
	pthread_t *target = arg;

	tu_sleep_ms(50);
	ba_syscalls("kicker");
	CHECK_PT(pthread_kill(*target, SIGUSR2));

	return NULL;
}

static void ba_signalfd(void)
{
	sigset_t set, want;
	pthread_t self = pthread_self(), kicker;
	int fd, i;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGSYS);
	CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));
	fd = signalfd(-1, &set, SFD_CLOEXEC);
	CHECK_OK(fd);
	CHECK(ba_sfd_mask(fd) == *(unsigned long long *)&set,
	      "the signalfd's mask is %#llx, want %#llx", ba_sfd_mask(fd),
	      *(unsigned long long *)&set);

	for (i = 0; i < 3; i++) {
		CHECK(raise(SIGUSR1) == 0, "raise: %m");
		ba_syscalls("signalfd");
		ba_sfd_read(fd, SIGUSR1, "raised");
	}
	printf("signalfd: its mask holds what was asked, SIGSYS too\n");
	printf("signalfd: SIGUSR1 read 3 times, syscalls between\n");

	/* A blocking read, woken from another thread. */
	CHECK_PT(pthread_create(&kicker, NULL, ba_sfd_kicker, &self));
	ba_sfd_read(fd, SIGUSR2, "from a thread");
	CHECK_PT(pthread_join(kicker, NULL));
	printf("signalfd: blocking read woken by SIGUSR2\n");

	/* Changing the descriptor's mask keeps it working. */
	sigdelset(&set, SIGUSR2);
	CHECK(signalfd(fd, &set, 0) == fd, "signalfd update: %m");
	CHECK(raise(SIGUSR1) == 0, "raise: %m");
	ba_sfd_read(fd, SIGUSR1, "after the update");
	close(fd);
	sigemptyset(&want);
	sigaddset(&want, SIGUSR1);
	sigaddset(&want, SIGUSR2);
	sigaddset(&want, SIGSYS);
	tu_check_mask("signalfd", &want);
	printf("signalfd: mask updated, SIGSYS still blocked\n");
}

int main(int argc, char **argv)
{
	const char *mode = tu_mode(argc, argv, "mask");

	if (!strcmp(mode, "launch"))
		ba_launch(argv + 2);
	else if (!strcmp(mode, "mask"))
		ba_mask();
	else if (!strcmp(mode, "handler"))
		ba_handler();
	else if (!strcmp(mode, "suspend"))
		ba_suspend();
	else if (!strcmp(mode, "inherited"))
		ba_inherited();
	else if (!strcmp(mode, "ucontext"))
		ba_ucontext();
	else if (!strcmp(mode, "signalfd"))
		ba_signalfd();
	else
		tu_fail("main", "unknown mode %s", mode);
	printf("block-all %s: pass\n", mode);

	return 0;
}
