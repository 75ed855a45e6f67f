/*
 * signals: rt_sigprocmask and rt_sigaction emulated on a hand-made saved
 * context, the way the SIGSYS handler does them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "gate.h"
#include "process.h"
#include "signals.h"

#include <errno.h>
#include <linux/audit.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define TEST_GATE_ADDR 0x200000000000UL

#define BIT(s)	      (1ULL << ((s)-1))
#define UNBLOCKABLE   (BIT(SIGSYS) | BIT(SIGKILL) | BIT(SIGSTOP))
#define KSIGSET_SIZE  8
#define ALL_SIGNALS   (~0ULL)
#define NOT_A_POINTER ((void *)0xdead00000000UL)

/* The kernel's struct sigaction on x86_64, as rt_sigaction reads it. */
struct ksigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

struct fixture {
	struct thread_state *ts;
	ucontext_t uc;
	uint64_t stack[1024];
};

/* The emulation reads and writes through the gate, on process.pid. */
static int gate_setup(void **state)
{
	process.pid = (uint32_t)getpid();
	return gate_map(TEST_GATE_ADDR) == 0 ? 0 : -1;
}

static int fixture_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	/* Big, as it is in the tracer; calloc'd here, mapped there. */
	f->ts = calloc(1, sizeof(*f->ts));
	if (!f->ts) {
		free(f);
		return -1;
	}
	f->uc.uc_mcontext.gregs[REG_RSP] = (greg_t)&f->stack[1000];
	f->uc.uc_mcontext.gregs[REG_RIP] = 0x401002;
	*state = f;

	return 0;
}

static int fixture_teardown(void **state)
{
	struct fixture *f = *state;

	free(f->ts);
	free(f);
	return 0;
}

static uint64_t *saved(struct fixture *f)
{
	return (uint64_t *)&f->uc.uc_sigmask;
}

static long sigprocmask_on(struct fixture *f, long how, const uint64_t *set,
			   uint64_t *old, long size, bool nested)
{
	struct trap_call call = {
	    .arch = AUDIT_ARCH_X86_64,
	    .nr = SYS_rt_sigprocmask,
	    .args = {how, (long)set, (long)old, size},
	};

	return signals_sigprocmask(f->ts, &f->uc, &call, nested);
}

static long procmask(struct fixture *f, long how, const uint64_t *set,
		     uint64_t *old)
{
	return sigprocmask_on(f, how, set, old, KSIGSET_SIZE, false);
}

static void test_block_all_keeps_sigsys_open(void **state)
{
	struct fixture *f = *state;
	const uint64_t all = ALL_SIGNALS, none = 0;
	uint64_t old = 0x1234;

	*saved(f) = BIT(SIGUSR1);
	assert_int_equal(procmask(f, SIG_BLOCK, &all, &old), 0);
	assert_int_equal(old, BIT(SIGUSR1));
	/* The kernel will never see SIGSYS blocked... */
	assert_int_equal(*saved(f), ALL_SIGNALS & ~UNBLOCKABLE);
	assert_true(f->ts->sigsys_blocked);

	/* ...while the program sees the mask it asked for. */
	assert_int_equal(procmask(f, SIG_BLOCK, &none, &old), 0);
	assert_int_equal(old, (ALL_SIGNALS & ~UNBLOCKABLE) | BIT(SIGSYS));
	assert_int_equal(*saved(f), ALL_SIGNALS & ~UNBLOCKABLE);
	assert_true(f->ts->sigsys_blocked);
}

static void test_query_keeps_virtual_bit(void **state)
{
	struct fixture *f = *state;
	const uint64_t sys = BIT(SIGSYS);
	uint64_t old = 0;

	assert_int_equal(procmask(f, SIG_BLOCK, &sys, NULL), 0);
	assert_int_equal(*saved(f), 0);
	assert_true(f->ts->sigsys_blocked);

	/* A pure query (no new set) changes nothing, in the kernel too. */
	assert_int_equal(procmask(f, SIG_BLOCK, NULL, &old), 0);
	assert_int_equal(old, BIT(SIGSYS));
	assert_true(f->ts->sigsys_blocked);
	old = 0;
	assert_int_equal(procmask(f, SIG_SETMASK, NULL, &old), 0);
	assert_int_equal(old, BIT(SIGSYS));
}

static void test_unblock(void **state)
{
	struct fixture *f = *state;
	const uint64_t all = ALL_SIGNALS;
	const uint64_t some = BIT(SIGSYS) | BIT(SIGUSR2);
	uint64_t old = 0;

	assert_int_equal(procmask(f, SIG_BLOCK, &all, NULL), 0);
	assert_int_equal(procmask(f, SIG_UNBLOCK, &some, &old), 0);
	assert_int_equal(old, (ALL_SIGNALS & ~UNBLOCKABLE) | BIT(SIGSYS));
	assert_int_equal(*saved(f), ALL_SIGNALS & ~UNBLOCKABLE & ~BIT(SIGUSR2));
	assert_false(f->ts->sigsys_blocked);

	assert_int_equal(procmask(f, SIG_UNBLOCK, &all, &old), 0);
	assert_int_equal(old, ALL_SIGNALS & ~UNBLOCKABLE & ~BIT(SIGUSR2));
	assert_int_equal(*saved(f), 0);
}

static void test_setmask(void **state)
{
	struct fixture *f = *state;
	const uint64_t set = BIT(SIGINT) | BIT(SIGSYS) | BIT(SIGKILL);
	const uint64_t other = BIT(SIGTERM);
	uint64_t old = 0;

	*saved(f) = BIT(SIGUSR1);
	assert_int_equal(procmask(f, SIG_SETMASK, &set, &old), 0);
	assert_int_equal(old, BIT(SIGUSR1));
	assert_int_equal(*saved(f), BIT(SIGINT));
	assert_true(f->ts->sigsys_blocked);

	assert_int_equal(procmask(f, SIG_SETMASK, &other, &old), 0);
	/* SIGKILL is not reported back, as the kernel never holds it. */
	assert_int_equal(old, BIT(SIGINT) | BIT(SIGSYS));
	assert_int_equal(*saved(f), BIT(SIGTERM));
	assert_false(f->ts->sigsys_blocked);
}

static void test_bad_how(void **state)
{
	struct fixture *f = *state;
	const uint64_t set = BIT(SIGINT);
	uint64_t old = 0x77;

	*saved(f) = BIT(SIGUSR1);
	assert_int_equal(procmask(f, 3, &set, &old), -EINVAL);
	assert_int_equal(procmask(f, -1, &set, &old), -EINVAL);
	assert_int_equal(*saved(f), BIT(SIGUSR1));
	assert_int_equal(old, 0x77);

	/* Without a new set the kernel never looks at how. */
	assert_int_equal(procmask(f, 3, NULL, &old), 0);
	assert_int_equal(old, BIT(SIGUSR1));
}

static void test_bad_size(void **state)
{
	struct fixture *f = *state;
	const uint64_t set = BIT(SIGINT);
	uint64_t old = 0x77;

	assert_int_equal(sigprocmask_on(f, SIG_BLOCK, &set, &old, 4, false),
			 -EINVAL);
	assert_int_equal(sigprocmask_on(f, SIG_BLOCK, &set, &old, 16, false),
			 -EINVAL);
	assert_int_equal(sigprocmask_on(f, SIG_BLOCK, NULL, &old, 0, false),
			 -EINVAL);
	assert_int_equal(*saved(f), 0);
	assert_int_equal(old, 0x77);
}

static void test_bad_set_pointer(void **state)
{
	struct fixture *f = *state;
	uint64_t old = 0x77;

	*saved(f) = BIT(SIGUSR1);
	assert_int_equal(procmask(f, SIG_BLOCK, NOT_A_POINTER, &old), -EFAULT);
	assert_int_equal(*saved(f), BIT(SIGUSR1));
	assert_int_equal(old, 0x77);
}

static void test_bad_old_pointer(void **state)
{
	struct fixture *f = *state;
	const uint64_t set = BIT(SIGINT);

	*saved(f) = BIT(SIGUSR1);
	assert_int_equal(procmask(f, SIG_BLOCK, NULL, NOT_A_POINTER), -EFAULT);
	assert_int_equal(*saved(f), BIT(SIGUSR1));

	/*
	 * The kernel installs the new mask before it writes the old one
	 * out, so the mask changes even though the call fails.
	 */
	assert_int_equal(procmask(f, SIG_BLOCK, &set, NOT_A_POINTER), -EFAULT);
	assert_int_equal(*saved(f), BIT(SIGUSR1) | BIT(SIGINT));
}

static void test_nested_has_no_virtual_bit(void **state)
{
	struct fixture *f = *state;
	const uint64_t all = ALL_SIGNALS, none = 0;
	uint64_t old = 0;

	/* syswho's own libraries: their masks never touch the program's view.
	 */
	assert_int_equal(
	    sigprocmask_on(f, SIG_BLOCK, &all, NULL, KSIGSET_SIZE, true), 0);
	assert_false(f->ts->sigsys_blocked);
	assert_int_equal(*saved(f), ALL_SIGNALS & ~UNBLOCKABLE);
	assert_int_equal(
	    sigprocmask_on(f, SIG_BLOCK, &none, &old, KSIGSET_SIZE, true), 0);
	assert_int_equal(old, ALL_SIGNALS & ~UNBLOCKABLE);
}

static void test_no_thread_state(void **state)
{
	struct fixture *f = *state;
	const uint64_t set = BIT(SIGSYS) | BIT(SIGINT);
	struct trap_call call = {
	    .arch = AUDIT_ARCH_X86_64,
	    .nr = SYS_rt_sigprocmask,
	    .args = {SIG_SETMASK, (long)&set, 0, KSIGSET_SIZE},
	};

	assert_int_equal(signals_sigprocmask(NULL, &f->uc, &call, false), 0);
	assert_int_equal(*saved(f), BIT(SIGINT));
}

static long sigaction_on(int sig, const void *act, void *old, long size)
{
	struct trap_call call = {
	    .arch = AUDIT_ARCH_X86_64,
	    .nr = SYS_rt_sigaction,
	    .args = {sig, (long)act, (long)old, size},
	};

	return signals_sigaction(&call);
}

static volatile int handled_sig;

static void program_handler(int sig)
{
	handled_sig = sig;
}

/*
 * The raw action glibc's sigaction would send for HANDLER: with its
 * restorer, without which the kernel cannot return from a handler.
 */
static struct ksigaction glibc_action(int sig, void (*handler)(int), int flags)
{
	struct ksigaction k;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sa.sa_flags = flags;
	assert_int_equal(sigaction(sig, &sa, NULL), 0);
	assert_int_equal(syscall(SYS_rt_sigaction, sig, NULL, &k, KSIGSET_SIZE),
			 0);

	return k;
}

static void test_sigaction_sigsys_is_virtual(void **state)
{
	struct ksigaction act = {
	    .handler = (void *)0x401234,
	    .flags = SA_SIGINFO,
	    .mask = BIT(SIGINT),
	};
	struct ksigaction old;
	struct sigaction before, after;

	assert_int_equal(sigaction(SIGSYS, NULL, &before), 0);
	assert_int_equal(sigaction_on(SIGSYS, &act, NULL, KSIGSET_SIZE), 0);
	memset(&old, 0xff, sizeof(old));
	assert_int_equal(sigaction_on(SIGSYS, NULL, &old, KSIGSET_SIZE), 0);
	assert_memory_equal(&old, &act, sizeof(act));

	/* The kernel keeps the disposition syswho (here cmocka) gave it. */
	assert_int_equal(sigaction(SIGSYS, NULL, &after), 0);
	assert_ptr_equal(after.sa_sigaction, before.sa_sigaction);
	assert_int_equal(after.sa_flags, before.sa_flags);

	/* Back to the default, and the old one reported on the way. */
	memset(&act, 0, sizeof(act));
	assert_int_equal(sigaction_on(SIGSYS, &act, &old, KSIGSET_SIZE), 0);
	assert_ptr_equal(old.handler, (void *)0x401234);
	assert_int_equal(old.mask, BIT(SIGINT));
}

static void test_sigaction_bad_arguments(void **state)
{
	struct ksigaction act = {.handler = (void *)program_handler};
	struct ksigaction old;

	assert_int_equal(sigaction_on(SIGUSR2, &act, NULL, 4), -EINVAL);
	assert_int_equal(sigaction_on(0, &act, NULL, KSIGSET_SIZE), -EINVAL);
	assert_int_equal(sigaction_on(65, NULL, &old, KSIGSET_SIZE), -EINVAL);
	assert_int_equal(sigaction_on(-1, NULL, &old, KSIGSET_SIZE), -EINVAL);
	assert_int_equal(sigaction_on(SIGKILL, &act, NULL, KSIGSET_SIZE),
			 -EINVAL);
	assert_int_equal(sigaction_on(SIGSTOP, &act, NULL, KSIGSET_SIZE),
			 -EINVAL);
	assert_int_equal(
	    sigaction_on(SIGUSR2, NOT_A_POINTER, NULL, KSIGSET_SIZE), -EFAULT);
	assert_int_equal(
	    sigaction_on(SIGSYS, NOT_A_POINTER, NULL, KSIGSET_SIZE), -EFAULT);
	assert_int_equal(
	    sigaction_on(SIGUSR2, NULL, NOT_A_POINTER, KSIGSET_SIZE), -EFAULT);
}

static void test_sigaction_other_strips_sigsys(void **state)
{
	struct ksigaction act = glibc_action(SIGUSR1, program_handler, 0);
	struct ksigaction old;
	struct sigaction kernel;

	act.mask = ALL_SIGNALS;
	assert_int_equal(sigaction_on(SIGUSR1, &act, NULL, KSIGSET_SIZE), 0);

	/* The kernel's copy keeps SIGSYS deliverable inside the handler. */
	assert_int_equal(sigaction(SIGUSR1, NULL, &kernel), 0);
	assert_int_equal(sigismember(&kernel.sa_mask, SIGSYS), 0);
	assert_int_equal(sigismember(&kernel.sa_mask, SIGINT), 1);
	assert_true(kernel.sa_flags & SA_SIGINFO);

	/* The program reads back exactly what it set. */
	memset(&old, 0, sizeof(old));
	assert_int_equal(sigaction_on(SIGUSR1, NULL, &old, KSIGSET_SIZE), 0);
	assert_ptr_equal(old.handler, (void *)program_handler);
	assert_int_equal(old.mask, ALL_SIGNALS);
	assert_int_equal(old.flags, act.flags);
	assert_ptr_equal(old.restorer, act.restorer);

	/* And its handler runs, behind whatever syswho put in front. */
	handled_sig = 0;
	assert_int_equal(raise(SIGUSR1), 0);
	assert_int_equal(handled_sig, SIGUSR1);

	memset(&act, 0, sizeof(act));
	assert_int_equal(sigaction_on(SIGUSR1, &act, NULL, KSIGSET_SIZE), 0);
	assert_int_equal(sigaction(SIGUSR1, NULL, &kernel), 0);
	assert_ptr_equal(kernel.sa_handler, SIG_DFL);
}

static void test_sigaction_reset_hand(void **state)
{
	struct ksigaction act =
	    glibc_action(SIGUSR2, program_handler, SA_RESETHAND);
	struct ksigaction old;

	/* Start from the default, so only the emulation installs it. */
	signal(SIGUSR2, SIG_DFL);
	assert_int_equal(sigaction_on(SIGUSR2, &act, NULL, KSIGSET_SIZE), 0);
	handled_sig = 0;
	assert_int_equal(raise(SIGUSR2), 0);
	assert_int_equal(handled_sig, SIGUSR2);

	/* One delivery, then the program sees the default again. */
	memset(&old, 0xff, sizeof(old));
	assert_int_equal(sigaction_on(SIGUSR2, NULL, &old, KSIGSET_SIZE), 0);
	assert_ptr_equal(old.handler, SIG_DFL);
}

/* A context with room below it for the pass-through frame. */
static struct {
	uint64_t below[64];
	ucontext_t uc;
} temp_ctx;

static long temp_sigsuspend(struct thread_state *ts, const uint64_t *mask)
{
	struct trap_call call = {
	    .arch = AUDIT_ARCH_X86_64,
	    .nr = SYS_rt_sigsuspend,
	    .args = {(long)mask, KSIGSET_SIZE},
	};
	greg_t *r = temp_ctx.uc.uc_mcontext.gregs;

	memset(&temp_ctx, 0, sizeof(temp_ctx));
	r[REG_RDI] = (greg_t)mask;
	r[REG_RIP] = 0x401002;
	r[REG_RAX] = SYS_rt_sigsuspend;
	assert_true(signals_route_temp_mask(ts, &temp_ctx.uc, &call));

	return r[REG_RAX];
}

static void temp_handle_sigsys(void (*handler)(int))
{
	struct ksigaction act = {.handler = (void *)handler};

	assert_int_equal(sigaction_on(SIGSYS, &act, NULL, KSIGSET_SIZE), 0);
}

/* The handler ran with the call's mask as the real one: undo both. */
static void temp_done(void)
{
	sigset_t empty;

	temp_handle_sigsys(SIG_DFL);
	sigemptyset(&empty);
	assert_int_equal(sigprocmask(SIG_SETMASK, &empty, NULL), 0);
}

/* A SIGSYS waiting while blocked is let in by the mask, with EINTR. */
static void test_temp_delivers_pending(void **state)
{
	struct fixture *f = *state;
	const uint64_t empty = 0;

	temp_handle_sigsys(program_handler);
	handled_sig = 0;
	f->ts->sigsys_blocked = true;
	f->ts->sigsys_pending = true;
	f->ts->sigsys_info.si_signo = SIGSYS;
	assert_int_equal(temp_sigsuspend(f->ts, &empty), -EINTR);
	assert_int_equal(handled_sig, SIGSYS);
	assert_false(f->ts->sigsys_pending);
	/* The mask the call restores still blocks it; the kernel's never. */
	assert_true(f->ts->sigsys_blocked);
	assert_int_equal(*(uint64_t *)&temp_ctx.uc.uc_sigmask & BIT(SIGSYS), 0);
	temp_done();
}

/* Let in by the mask, a SIGSYS that interrupts the call is delivered. */
static void test_temp_opens_for_the_call(void **state)
{
	struct fixture *f = *state;
	const uint64_t open = BIT(SIGUSR1);
	greg_t *r = temp_ctx.uc.uc_mcontext.gregs;
	siginfo_t info = {.si_signo = SIGSYS};
	ucontext_t during = {0};

	temp_handle_sigsys(program_handler);
	handled_sig = 0;
	f->ts->sigsys_blocked = true;
	temp_sigsuspend(f->ts, &open);
	assert_int_equal(r[REG_RIP], (greg_t)gate_stub_addr(GATE_PASS));
	assert_int_equal(f->ts->temp_frame, (uintptr_t)r[REG_RSP]);
	assert_int_equal(f->ts->temp_mask, open);
	assert_int_equal(handled_sig, 0);

	/* A SIGSYS that arrives while the call waits. */
	during.uc_mcontext.gregs[REG_RSP] = r[REG_RSP];
	during.uc_mcontext.gregs[REG_RIP] =
	    (greg_t)(gate_stub_addr(GATE_PASS) + 2);
	during.uc_mcontext.gregs[REG_RAX] = -EINTR;
	signals_forward(f->ts, SIGSYS, &info, &during);
	assert_int_equal(handled_sig, SIGSYS);
	assert_int_equal(f->ts->temp_frame, 0);
	assert_true(f->ts->sigsys_blocked);
	assert_false(f->ts->sigsys_pending);

	/* After the call, the thread's view rules again: it waits. */
	handled_sig = 0;
	signals_forward(f->ts, SIGSYS, &info, &during);
	assert_int_equal(handled_sig, 0);
	assert_true(f->ts->sigsys_pending);
	temp_done();
}

/* A mask that blocks SIGSYS reaches the kernel as it is. */
static void test_temp_blocks_in_the_kernel(void **state)
{
	struct fixture *f = *state;
	const uint64_t shut = BIT(SIGSYS) | BIT(SIGUSR1);
	greg_t *r = temp_ctx.uc.uc_mcontext.gregs;

	temp_sigsuspend(f->ts, &shut);
	assert_int_equal(r[REG_RIP], (greg_t)gate_stub_addr(GATE_PASS));
	assert_int_equal(r[REG_RDI], (greg_t)&shut);
	assert_int_equal(f->ts->temp_frame, 0);

	/* Without a thread state, SIGSYS is taken out as before. */
	temp_sigsuspend(NULL, &shut);
	assert_int_not_equal(r[REG_RDI], (greg_t)&shut);
	assert_int_equal(*(uint64_t *)r[REG_RDI], BIT(SIGUSR1));
}

#define FIXTURE_TEST(fn)                                                       \
	cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    FIXTURE_TEST(test_block_all_keeps_sigsys_open),
	    FIXTURE_TEST(test_query_keeps_virtual_bit),
	    FIXTURE_TEST(test_unblock),
	    FIXTURE_TEST(test_setmask),
	    FIXTURE_TEST(test_bad_how),
	    FIXTURE_TEST(test_bad_size),
	    FIXTURE_TEST(test_bad_set_pointer),
	    FIXTURE_TEST(test_bad_old_pointer),
	    FIXTURE_TEST(test_nested_has_no_virtual_bit),
	    FIXTURE_TEST(test_no_thread_state),
	    FIXTURE_TEST(test_temp_delivers_pending),
	    FIXTURE_TEST(test_temp_opens_for_the_call),
	    FIXTURE_TEST(test_temp_blocks_in_the_kernel),
	    cmocka_unit_test(test_sigaction_sigsys_is_virtual),
	    cmocka_unit_test(test_sigaction_bad_arguments),
	    cmocka_unit_test(test_sigaction_other_strips_sigsys),
	    cmocka_unit_test(test_sigaction_reset_hand),
	};

	return cmocka_run_group_tests(tests, gate_setup, NULL);
}
