/*
 * sigcore: what a temporary mask does to the program's view of SIGSYS,
 * where each call keeps its mask, and how an interrupted pass-through is
 * told from one that finished.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "gate.h"
#include "process.h"
#include "sigcore.h"

#include <errno.h>
#include <linux/audit.h>
#include <sys/syscall.h>
#include <unistd.h>

#define TEST_GATE_ADDR 0x200000000000UL
#define SYS	       SIGCORE_SIGSYS
#define NOT_A_POINTER  ((void *)0xdead00000000UL)

/* Masks are read through the gate, on process.pid. */
static int gate_setup(void **state)
{
	process.pid = (uint32_t)getpid();
	return gate_map(TEST_GATE_ADDR) == 0 ? 0 : -1;
}

static void test_effect(void **state)
{
	const uint64_t open = SIGCORE_BIT(SIGUSR1), shut = open | SYS;

	/* No mask: the thread's view rules, pending or not. */
	assert_int_equal(sigcore_temp_effect(false, 0, true, true),
			 SIGCORE_TEMP_SAME);
	/* A mask that blocks SIGSYS, whatever the thread's view. */
	assert_int_equal(sigcore_temp_effect(true, shut, false, false),
			 SIGCORE_TEMP_BLOCKS);
	assert_int_equal(sigcore_temp_effect(true, shut, true, true),
			 SIGCORE_TEMP_BLOCKS);
	/* Open in both. */
	assert_int_equal(sigcore_temp_effect(true, open, false, false),
			 SIGCORE_TEMP_SAME);
	/* Open in the mask only: let in what waits, or what comes. */
	assert_int_equal(sigcore_temp_effect(true, open, true, false),
			 SIGCORE_TEMP_OPENS);
	assert_int_equal(sigcore_temp_effect(true, open, true, true),
			 SIGCORE_TEMP_DELIVER);
}

static void test_mask_arg(void **state)
{
	bool indirect = true;
	int arg = -1;

	assert_true(sigcore_temp_mask_arg(SYS_rt_sigsuspend, &arg, &indirect));
	assert_int_equal(arg, 0);
	assert_false(indirect);
	assert_true(sigcore_temp_mask_arg(SYS_ppoll, &arg, &indirect));
	assert_int_equal(arg, 3);
	assert_true(sigcore_temp_mask_arg(SYS_pselect6, &arg, &indirect));
	assert_int_equal(arg, 5);
	assert_true(indirect);
	assert_true(sigcore_temp_mask_arg(SYS_epoll_pwait, &arg, &indirect));
	assert_int_equal(arg, 4);
	assert_false(indirect);
	assert_true(sigcore_temp_mask_arg(SYS_epoll_pwait2, &arg, &indirect));
	assert_int_equal(arg, 4);
	/* A signalfd's mask picks what a read returns: it blocks nothing. */
	assert_false(sigcore_temp_mask_arg(SYS_signalfd4, &arg, &indirect));
	assert_false(
	    sigcore_temp_mask_arg(SYS_rt_sigprocmask, &arg, &indirect));
}

static void test_read_mask(void **state)
{
	uint64_t set = SYS | SIGCORE_BIT(SIGINT), got = 0;
	uint64_t pair[2] = {(uint64_t)&set, 8};
	struct trap_call call = {
	    .arch = AUDIT_ARCH_X86_64,
	    .nr = SYS_rt_sigsuspend,
	    .args = {(long)&set, 8},
	};

	assert_true(sigcore_read_temp_mask(&call, &got));
	assert_int_equal(got, set);

	call.nr = SYS_pselect6;
	call.args[5] = (long)pair;
	got = 0;
	assert_true(sigcore_read_temp_mask(&call, &got));
	assert_int_equal(got, set);
	pair[0] = 0;
	assert_false(sigcore_read_temp_mask(&call, &got));

	/* None, or none that can be read: the kernel has the last word. */
	call.nr = SYS_ppoll;
	call.args[3] = 0;
	assert_false(sigcore_read_temp_mask(&call, &got));
	call.args[3] = (long)NOT_A_POINTER;
	assert_false(sigcore_read_temp_mask(&call, &got));
	call.nr = SYS_getpid;
	assert_false(sigcore_read_temp_mask(&call, &got));
}

static void test_interrupted_pass(void **state)
{
	uintptr_t frame = 0x7ffc0000ff00UL;
	ucontext_t uc = {0};
	greg_t *r = uc.uc_mcontext.gregs;

	r[REG_RSP] = (greg_t)frame;
	r[REG_RIP] = (greg_t)(gate_stub_addr(GATE_PASS) + 2);
	r[REG_RAX] = -EINTR;
	assert_true(sigcore_interrupted_pass(&uc, frame));

	/* No call recorded, another frame, another stub, or it finished. */
	assert_false(sigcore_interrupted_pass(&uc, 0));
	assert_false(sigcore_interrupted_pass(&uc, frame + 64));
	r[REG_RIP] = (greg_t)(gate_stub_addr(GATE_FORK) + 2);
	assert_false(sigcore_interrupted_pass(&uc, frame));
	r[REG_RIP] = (greg_t)(gate_stub_addr(GATE_PASS) + 2);
	r[REG_RAX] = 1;
	assert_false(sigcore_interrupted_pass(&uc, frame));
}

static void test_handler_mask_from(void **state)
{
	struct ksigaction act = {.mask = SIGCORE_BIT(SIGINT)};
	const uint64_t base = SIGCORE_BIT(SIGUSR1);

	assert_int_equal(sigcore_handler_mask_from(base, &act),
			 base | SIGCORE_BIT(SIGINT) | SYS);
	act.flags = SA_NODEFER;
	assert_int_equal(sigcore_handler_mask_from(base, &act),
			 base | SIGCORE_BIT(SIGINT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_effect),
	    cmocka_unit_test(test_mask_arg),
	    cmocka_unit_test(test_read_mask),
	    cmocka_unit_test(test_interrupted_pass),
	    cmocka_unit_test(test_handler_mask_from),
	};

	return cmocka_run_group_tests(tests, gate_setup, NULL);
}
