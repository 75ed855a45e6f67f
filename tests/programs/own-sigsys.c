/*
 * own-sigsys - a program that uses SIGSYS itself.
 *
 *	own-sigsys signals   SIGSYS from kill, raise, tgkill and sigqueue
 *	                     reaches this program's handler with the right
 *	                     si_code; SIG_IGN ignores it; sigaction hands the
 *	                     program's own disposition back
 *	own-sigsys seccomp   the program stacks its own seccomp filter that
 *	                     traps one syscall and emulates it in its handler
 *	own-sigsys uc-block  the program's SIGSYS handler adds SIGSYS to the
 *	                     mask its return restores (uc_sigmask): it stays
 *	                     blocked after, through syscalls
 *	own-sigsys launch-ignored PROG [ARG...]
 *	                     ignore SIGSYS, then exec PROG
 *	own-sigsys ignored   started by "launch-ignored": SIGSYS is ignored
 *	                     from the start (exec keeps SIG_IGN), so raising
 *	                     it does nothing
 *	own-sigsys ignore-exec
 *	                     ignore SIGSYS with sigaction, then exec this
 *	                     program in mode "ignored"
 *
 * syswho owns the real SIGSYS disposition while it traces, so everything
 * here works only if it keeps the program's view separate and forwards
 * the signals its own filter did not raise.
 */
#define _GNU_SOURCE
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>
#include <unistd.h>

#include "testutil.h"

#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1
#endif

/* Return data of the program's own filter, seen in si_errno. */
#define OWN_TRAP_DATA 0x123
/* What the emulated syscall returns, in place of running. */
#define OWN_EMULATED_RET 4242

static volatile sig_atomic_t seen_count;
static volatile sig_atomic_t seen_code;
static volatile sig_atomic_t seen_pid;
static volatile sig_atomic_t seen_value;
static volatile sig_atomic_t seen_errno;
static volatile sig_atomic_t seen_syscall;

static void own_handler(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	seen_count++;
	seen_code = si->si_code;
	seen_pid = si->si_pid;
	seen_value = si->si_value.sival_int;
	if (si->si_code == SYS_SECCOMP) {
		seen_errno = si->si_errno;
		seen_syscall = si->si_syscall;
		uc->uc_mcontext.gregs[REG_RAX] = OWN_EMULATED_RET;
	}
}

static void own_install(void)
{
	struct sigaction sa, back;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = own_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	CHECK_OK(sigaction(SIGSYS, &sa, NULL));

	CHECK_OK(sigaction(SIGSYS, NULL, &back));
	CHECK(back.sa_sigaction == own_handler,
	      "sigaction(SIGSYS) returned another handler");
	CHECK(back.sa_flags & SA_SIGINFO, "SA_SIGINFO was lost");
}

/* Expect exactly one more call of own_handler, with CODE. */
static void own_expect(const char *how, int before, int code)
{
	CHECK(seen_count == before + 1, "%s: handler ran %d times, want 1", how,
	      seen_count - before);
	CHECK(seen_code == code, "%s: si_code %d, want %d", how, seen_code,
	      code);
	CHECK(seen_pid == getpid(), "%s: si_pid %d, want %d", how, seen_pid,
	      getpid());
	printf("%s: handler ran, si_code ok\n", how);
}

/* Ordinary syscalls still run for real after all of the above. */
static void own_ordinary_calls(void)
{
	int fds[2];
	char c = 0;

	CHECK(syscall(SYS_getpid) == getpid(), "raw getpid disagrees");
	CHECK_OK(pipe(fds));
	CHECK(write(fds[1], "s", 1) == 1, "write: %m");
	CHECK(read(fds[0], &c, 1) == 1 && c == 's', "read back: %m");
	close(fds[0]);
	close(fds[1]);
	printf("ordinary syscalls: ok\n");
}

static void own_ignore(void)
{
	struct sigaction sa, back;
	int before = seen_count;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	CHECK_OK(sigaction(SIGSYS, &sa, NULL));
	CHECK_OK(kill(getpid(), SIGSYS));
	CHECK_OK(sigaction(SIGSYS, NULL, &back));
	CHECK(back.sa_handler == SIG_IGN, "SIG_IGN was not handed back");
	CHECK(seen_count == before, "ignored SIGSYS reached the handler");
	printf("SIG_IGN: ignored\n");
	own_install();
}

static void own_signals(void)
{
	union sigval val = {.sival_int = 77};
	int before;

	own_install();

	before = seen_count;
	CHECK_OK(kill(getpid(), SIGSYS));
	own_expect("kill", before, SI_USER);

	before = seen_count;
	CHECK(raise(SIGSYS) == 0, "raise: %m");
	own_expect("raise", before, SI_TKILL);

	before = seen_count;
	CHECK_OK(syscall(SYS_tgkill, getpid(), gettid(), SIGSYS));
	own_expect("tgkill", before, SI_TKILL);

	before = seen_count;
	CHECK_OK(sigqueue(getpid(), SIGSYS, val));
	own_expect("sigqueue", before, SI_QUEUE);
	CHECK(seen_value == 77, "sigqueue value %d, want 77", seen_value);

	own_ignore();
	own_ordinary_calls();
}

/*
 * A filter that traps only sched_rr_get_interval, with OWN_TRAP_DATA.
 * Every other call is allowed by this filter (syswho's may still trap it).
 */
static void own_filter(void)
{
	struct sock_filter code[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		     offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_sched_rr_get_interval, 0,
		     1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP | OWN_TRAP_DATA),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
	    .len = sizeof(code) / sizeof(code[0]),
	    .filter = code,
	};

	CHECK_OK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	CHECK_OK(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog));
}

static void own_seccomp(void)
{
	struct timespec ts;
	int before;
	long ret;

	own_install();
	own_filter();
	printf("own filter: installed\n");

	before = seen_count;
	ret = syscall(SYS_sched_rr_get_interval, 0, &ts);
	CHECK(ret == OWN_EMULATED_RET, "emulated call returned %ld, want %d",
	      ret, OWN_EMULATED_RET);
	CHECK(seen_count == before + 1, "handler ran %d times, want 1",
	      seen_count - before);
	CHECK(seen_code == SYS_SECCOMP, "si_code %d, want SYS_SECCOMP",
	      seen_code);
	CHECK(seen_errno == OWN_TRAP_DATA, "si_errno %#x, want %#x", seen_errno,
	      OWN_TRAP_DATA);
	CHECK(seen_syscall == SYS_sched_rr_get_interval, "si_syscall %d",
	      seen_syscall);
	printf("own filter: trapped call emulated\n");

	own_ordinary_calls();
}

static void own_block_on_return(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	seen_count++;
	sigaddset(&uc->uc_sigmask, SIGSYS);
}

static void own_uc_block(void)
{
	struct sigaction sa;
	sigset_t cur;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = own_block_on_return;
	sa.sa_flags = SA_SIGINFO;
	CHECK_OK(sigaction(SIGSYS, &sa, NULL));
	CHECK_OK(kill(getpid(), SIGSYS));
	CHECK(seen_count == 1, "handler ran %d times, want 1", seen_count);
	own_ordinary_calls();
	CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &cur));
	CHECK(sigismember(&cur, SIGSYS) == 1, "SIGSYS is not blocked");
	printf("uc-block: SIGSYS blocked after the handler's return\n");
}

/* Exec ARGV with SIGSYS ignored. */
static void own_launch_ignored(char **argv)
{
	CHECK(argv[0], "launch-ignored: no program to exec");
	CHECK(signal(SIGSYS, SIG_IGN) != SIG_ERR, "signal: %m");
	execv(argv[0], argv);
	tu_fail("launch-ignored", "exec %s: %m", argv[0]);
}

static const char *own_disposition(void)
{
	struct sigaction sa;

	CHECK_OK(sigaction(SIGSYS, NULL, &sa));
	if (sa.sa_handler == SIG_IGN)
		return "ignored";
	if (sa.sa_handler == SIG_DFL)
		return "default";
	return "a handler";
}

static void own_ignored(void)
{
	printf("SIGSYS at start: %s\n", own_disposition());
	CHECK(raise(SIGSYS) == 0, "raise: %m");
	CHECK_OK(kill(getpid(), SIGSYS));
	printf("raised SIGSYS: survived\n");
	own_ordinary_calls();
}

static void own_ignore_exec(const char *self)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	CHECK_OK(sigaction(SIGSYS, &sa, NULL));
	execl(self, self, "ignored", (char *)NULL);
	tu_fail("ignore-exec", "exec %s: %m", self);
}

int main(int argc, char **argv)
{
	const char *mode = tu_mode(argc, argv, "signals");

	if (!strcmp(mode, "launch-ignored"))
		own_launch_ignored(argv + 2);
	else if (!strcmp(mode, "ignored"))
		own_ignored();
	else if (!strcmp(mode, "uc-block"))
		own_uc_block();
	else if (!strcmp(mode, "ignore-exec"))
		own_ignore_exec("/proc/self/exe");
	else if (!strcmp(mode, "signals"))
		own_signals();
	else if (!strcmp(mode, "seccomp"))
		own_seccomp();
	else
		tu_fail("main", "unknown mode %s", mode);
	printf("own-sigsys %s: pass\n", mode);

	return 0;
}
