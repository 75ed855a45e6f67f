/*
 * static-signals - a statically linked program that manages its signals
 * the way Go's runtime does: an alternate signal stack for every thread,
 * a handler for many signals with a full sa_mask and SA_ONSTACK, its own
 * SIGSYS handler, and code running on small stacks.
 *
 *	static-signals handlers    full-mask SA_ONSTACK handlers that make
 *	                           syscalls run on the alternate stack
 *	static-signals sigsys      its own SIGSYS handler gets the SIGSYS it
 *	                           raises, SIG_IGN drops it, and sigaction
 *	                           hands its own actions back
 *	static-signals temp        sigsuspend, ppoll, pselect and epoll_pwait
 *	                           with SIGSYS in their temporary masks
 *	static-signals small-stack syscalls made on a 4 KiB stack above a
 *	                           guard page, as on a goroutine's stack
 *	static-signals threads     threads with stacks of their own raise
 *	                           signals at themselves, then disable
 *	                           their alternate stacks
 *
 * A static program loads no libsyswho.so, so under syswho the loader's
 * SIGSYS handler must keep all of this working for the program's life.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "testutil.h"

#define ALT_SIZE    (64 * 1024)
#define SMALL_STACK 4096
#define THREADS	    4

static const int handled[] = {SIGHUP,  SIGUSR1, SIGUSR2,  SIGPIPE, SIGALRM,
			      SIGCHLD, SIGURG,	SIGWINCH, SIGPROF, SIGIO};

/* Each thread's alternate stack, and what the handlers saw (atomic). */
static __thread char *thread_alt;
static int runs, off_stack, failed_calls;
static int sys_runs, sys_code, sys_off_stack;

static void bump(int *n)
{
	__atomic_fetch_add(n, 1, __ATOMIC_RELAXED);
}

static int seen(int *n)
{
	return __atomic_load_n(n, __ATOMIC_RELAXED);
}

static int on_alt_stack(void)
{
	char here;

	return thread_alt && &here >= thread_alt &&
	       &here < thread_alt + ALT_SIZE;
}

/* Syscalls from inside a handler whose sa_mask blocks everything. */
static void handler_calls(void)
{
	sigset_t cur;

	if (syscall(SYS_getppid) != getppid())
		bump(&failed_calls);
	if (sigprocmask(SIG_SETMASK, NULL, &cur) != 0)
		bump(&failed_calls);
	if (syscall(SYS_gettid) != gettid())
		bump(&failed_calls);
}

static void go_like_handler(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)si;
	(void)ctx;
	bump(&runs);
	if (!on_alt_stack())
		bump(&off_stack);
	handler_calls();
}

static void own_sigsys(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	bump(&sys_runs);
	sys_code = si->si_code;
	if (!on_alt_stack())
		bump(&sys_off_stack);
	handler_calls();
}

static void set_alt_stack(void)
{
	stack_t ss = {.ss_size = ALT_SIZE};

	ss.ss_sp = malloc(ALT_SIZE);
	CHECK(ss.ss_sp, "malloc of the alternate stack");
	CHECK_OK(sigaltstack(&ss, NULL));
	thread_alt = ss.ss_sp;
}

/* Like Go's runtime: every handler blocks every signal while it runs. */
static void install(int sig, void (*fn)(int, siginfo_t *, void *))
{
	struct sigaction sa, back;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	sigfillset(&sa.sa_mask);
	CHECK_OK(sigaction(sig, &sa, NULL));

	CHECK_OK(sigaction(sig, NULL, &back));
	CHECK(back.sa_sigaction == fn, "signal %d: another handler back", sig);
	CHECK((back.sa_flags & (SA_SIGINFO | SA_ONSTACK)) ==
		  (SA_SIGINFO | SA_ONSTACK),
	      "signal %d: flags %#x back", sig, back.sa_flags);
	CHECK(sigismember(&back.sa_mask, SIGSYS) == 1,
	      "signal %d: SIGSYS left the sa_mask handed back", sig);
}

static void install_all(void)
{
	size_t i;

	for (i = 0; i < sizeof(handled) / sizeof(handled[0]); i++)
		install(handled[i], go_like_handler);
	install(SIGSYS, own_sigsys);
}

static void expect_clean(const char *what, int want_runs)
{
	CHECK(seen(&runs) == want_runs, "%s: handler ran %d times, want %d",
	      what, seen(&runs), want_runs);
	CHECK(seen(&off_stack) == 0,
	      "%s: a handler ran off the alternate stack", what);
	CHECK(seen(&failed_calls) == 0, "%s: syscalls in a handler failed",
	      what);
	printf("%s: ok\n", what);
}

static void mode_handlers(void)
{
	size_t i;

	install_all();
	for (i = 0; i < sizeof(handled) / sizeof(handled[0]); i++)
		CHECK(raise(handled[i]) == 0, "raise %d: %m", handled[i]);
	expect_clean("handlers", (int)i);
}

/* Raise SIGSYS at this thread: the program's own handler must get it. */
static void expect_sigsys(const char *what)
{
	int before = sys_runs;

	CHECK(raise(SIGSYS) == 0, "%s: raise: %m", what);
	CHECK(sys_runs == before + 1, "%s: SIGSYS handler ran %d times", what,
	      sys_runs - before);
	CHECK(sys_code == SI_TKILL, "%s: si_code %d", what, sys_code);
	CHECK(sys_off_stack == 0, "%s: SIGSYS handler off the alternate stack",
	      what);
	CHECK(seen(&failed_calls) == 0, "%s: syscalls in the handler failed",
	      what);
	printf("%s: own handler ran\n", what);
}

static void mode_sigsys(void)
{
	struct sigaction sa, back;
	sigset_t usr1;

	install_all();
	expect_sigsys("raise");

	/* Blocked in the thread mask: it stays pending until unblocked. */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	CHECK_OK(sigprocmask(SIG_BLOCK, &usr1, NULL));
	CHECK(raise(SIGUSR1) == 0, "raise SIGUSR1");
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &usr1, NULL));
	expect_clean("unblocked", 1);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	CHECK_OK(sigaction(SIGSYS, &sa, &back));
	CHECK(back.sa_sigaction == own_sigsys, "old SIGSYS action lost");
	CHECK(back.sa_flags & SA_ONSTACK, "old SIGSYS flags lost");
	CHECK(sigismember(&back.sa_mask, SIGSYS) == 1, "old SIGSYS mask lost");
	CHECK(raise(SIGSYS) == 0, "raise an ignored SIGSYS");
	CHECK_OK(syscall(SYS_tgkill, getpid(), gettid(), SIGSYS));
	CHECK_OK(sigaction(SIGSYS, NULL, &back));
	CHECK(back.sa_handler == SIG_IGN, "SIG_IGN was not handed back");
	CHECK(sys_runs == 1, "an ignored SIGSYS reached the handler");
	printf("ignored: survived\n");

	install(SIGSYS, own_sigsys);
	expect_sigsys("again");
}

/* Each call waits with SIGSYS in its mask, woken by a pending SIGUSR2. */
static void pend_usr2(sigset_t *wait_mask)
{
	sigset_t usr2;

	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	CHECK_OK(sigprocmask(SIG_BLOCK, &usr2, NULL));
	CHECK(raise(SIGUSR2) == 0, "raise SIGUSR2");
	sigfillset(wait_mask);
	sigdelset(wait_mask, SIGUSR2);
}

static void expect_eintr(const char *what, int ret, int want_runs)
{
	CHECK(ret == -1 && errno == EINTR, "%s: returned %d (%m)", what, ret);
	expect_clean(what, want_runs);
}

static void mode_temp(void)
{
	struct epoll_event ev;
	sigset_t mask;
	int ep, ret;

	install_all();

	pend_usr2(&mask);
	ret = sigsuspend(&mask);
	expect_eintr("sigsuspend", ret, 1);

	pend_usr2(&mask);
	ret = ppoll(NULL, 0, NULL, &mask);
	expect_eintr("ppoll", ret, 2);

	pend_usr2(&mask);
	ret = pselect(0, NULL, NULL, NULL, NULL, &mask);
	expect_eintr("pselect", ret, 3);

	ep = epoll_create1(EPOLL_CLOEXEC);
	CHECK_OK(ep);
	pend_usr2(&mask);
	ret = epoll_pwait(ep, &ev, 1, -1, &mask);
	expect_eintr("epoll_pwait", ret, 4);
	close(ep);
}

static ucontext_t small_ctx, main_ctx;
static volatile long small_ppid, small_pid;
static volatile int small_writes;

/* Runs on the small stack: only syscalls, no stdio. */
static void small_body(void)
{
	int fds[2], i;
	char c;

	small_ppid = syscall(SYS_getppid);
	small_pid = getpid();
	if (pipe(fds) != 0)
		return;
	for (i = 0; i < 16; i++)
		if (write(fds[1], "g", 1) == 1 && read(fds[0], &c, 1) == 1)
			small_writes++;
	close(fds[0]);
	close(fds[1]);
}

/*
 * A stack as small as a goroutine's, right above a guard page: a signal
 * frame pushed onto it would run into the guard.
 */
static void mode_small_stack(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *map;

	install_all();
	map = mmap(NULL, (size_t)page + SMALL_STACK, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(map != MAP_FAILED, "mmap: %m");
	CHECK_OK(mprotect(map, (size_t)page, PROT_NONE));

	CHECK_OK(getcontext(&small_ctx));
	small_ctx.uc_stack.ss_sp = map + page;
	small_ctx.uc_stack.ss_size = SMALL_STACK;
	small_ctx.uc_link = &main_ctx;
	makecontext(&small_ctx, small_body, 0);
	CHECK_OK(swapcontext(&main_ctx, &small_ctx));

	CHECK(small_ppid == getppid(), "getppid on the small stack");
	CHECK(small_pid == getpid(), "getpid on the small stack");
	CHECK(small_writes == 16, "%d pipe round trips", small_writes);
	printf("small stack: ok\n");
}

static void *thread_main(void *arg)
{
	stack_t cur, off = {.ss_flags = SS_DISABLE};
	size_t i;

	(void)arg;
	set_alt_stack();
	for (i = 0; i < sizeof(handled) / sizeof(handled[0]); i++)
		syscall(SYS_tgkill, getpid(), gettid(), handled[i]);

	/* As Go's runtime does before a thread exits. */
	CHECK_OK(sigaltstack(NULL, &cur));
	CHECK(cur.ss_flags == 0, "alternate stack flags %#x", cur.ss_flags);
	CHECK_OK(sigaltstack(&off, NULL));
	CHECK_OK(sigaltstack(NULL, &cur));
	CHECK(cur.ss_flags == SS_DISABLE, "disabled: flags %#x", cur.ss_flags);
	return NULL;
}

static void mode_threads(void)
{
	pthread_t t[THREADS];
	int i;

	install_all();
	for (i = 0; i < THREADS; i++)
		CHECK_PT(pthread_create(&t[i], NULL, thread_main, NULL));
	for (i = 0; i < THREADS; i++)
		CHECK_PT(pthread_join(t[i], NULL));
	expect_clean("threads",
		     THREADS * (int)(sizeof(handled) / sizeof(handled[0])));
}

int main(int argc, char **argv)
{
	const char *mode = tu_mode(argc, argv, "handlers");

	set_alt_stack();
	if (!strcmp(mode, "handlers"))
		mode_handlers();
	else if (!strcmp(mode, "sigsys"))
		mode_sigsys();
	else if (!strcmp(mode, "temp"))
		mode_temp();
	else if (!strcmp(mode, "small-stack"))
		mode_small_stack();
	else if (!strcmp(mode, "threads"))
		mode_threads();
	else
		tu_fail("main", "unknown mode %s", mode);
	printf("static-signals %s: pass\n", mode);

	return 0;
}
