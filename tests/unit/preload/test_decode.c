/*
 * decode: a trapped call read back from a hand-made siginfo and context.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "decode.h"
#include "filter.h"

#include <linux/audit.h>
#include <string.h>

#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1
#endif

static void fill_regs(ucontext_t *uc)
{
	greg_t *r = uc->uc_mcontext.gregs;

	memset(uc, 0, sizeof(*uc));
	r[REG_RDI] = 0x1111111111111101LL;
	r[REG_RSI] = 0x2222222222222202LL;
	r[REG_RDX] = 0x3333333333333303LL;
	r[REG_R10] = 0x4444444444444404LL;
	r[REG_R8] = 0x5555555555555505LL;
	r[REG_R9] = 0x6666666666666606LL;
	/* High halves set, so zero-extension of the i386 ones is visible. */
	r[REG_RBX] = (greg_t)0xaaaaaaaa8000000bULL;
	r[REG_RCX] = (greg_t)0xbbbbbbbbfffffffcULL;
	r[REG_RBP] = (greg_t)0xcccccccc0000000dULL;
	r[REG_RAX] = 39;
	r[REG_RIP] = 0x7f0000001236LL;
	r[REG_RSP] = 0x7ffc00000ff0LL;
}

static void fill_info(siginfo_t *info, uint32_t arch, int nr)
{
	memset(info, 0, sizeof(*info));
	info->si_signo = SIGSYS;
	info->si_code = SYS_SECCOMP;
	info->si_errno = FILTER_TRAP_DATA;
	info->si_arch = arch;
	info->si_syscall = nr;
}

static void test_x86_64_args(void **state)
{
	struct trap_call call;
	siginfo_t info;
	ucontext_t uc;

	fill_regs(&uc);
	fill_info(&info, AUDIT_ARCH_X86_64, 257);
	memset(&call, 0xee, sizeof(call));
	decode_call(&info, &uc, &call);

	assert_int_equal(call.arch, AUDIT_ARCH_X86_64);
	assert_int_equal(call.nr, 257);
	assert_int_equal(call.args[0], 0x1111111111111101LL);
	assert_int_equal(call.args[1], 0x2222222222222202LL);
	assert_int_equal(call.args[2], 0x3333333333333303LL);
	assert_int_equal(call.args[3], 0x4444444444444404LL);
	assert_int_equal(call.args[4], 0x5555555555555505LL);
	assert_int_equal(call.args[5], 0x6666666666666606LL);
	assert_int_equal(call.ip, 0x7f0000001236ULL);
	assert_int_equal(call.sp, 0x7ffc00000ff0ULL);
}

static void test_i386_args(void **state)
{
	struct trap_call call;
	siginfo_t info;
	ucontext_t uc;

	fill_regs(&uc);
	uc.uc_mcontext.gregs[REG_RSI] = (greg_t)0x12345678fffffff4ULL;
	uc.uc_mcontext.gregs[REG_RDI] = (greg_t)0x9abcdef000000005ULL;
	uc.uc_mcontext.gregs[REG_RDX] = (greg_t)0xffffffff00000003ULL;
	fill_info(&info, AUDIT_ARCH_I386, 5);
	memset(&call, 0xee, sizeof(call));
	decode_call(&info, &uc, &call);

	assert_int_equal(call.arch, AUDIT_ARCH_I386);
	assert_int_equal(call.nr, 5);
	/* ebx, ecx, edx, esi, edi, ebp: the low halves, never sign-extended. */
	assert_int_equal(call.args[0], 0x8000000bLL);
	assert_int_equal(call.args[1], 0xfffffffcLL);
	assert_int_equal(call.args[2], 0x00000003LL);
	assert_int_equal(call.args[3], 0xfffffff4LL);
	assert_int_equal(call.args[4], 0x00000005LL);
	assert_int_equal(call.args[5], 0x0000000dLL);
	assert_int_equal(call.ip, 0x7f0000001236ULL);
	assert_int_equal(call.sp, 0x7ffc00000ff0ULL);
}

static void test_is_ours(void **state)
{
	siginfo_t info;

	fill_info(&info, AUDIT_ARCH_X86_64, 1);
	assert_true(decode_is_ours(&info));

	/* Only the low 16 bits carry SECCOMP_RET_DATA. */
	info.si_errno = FILTER_TRAP_DATA | 0x10000;
	assert_true(decode_is_ours(&info));

	/* Another filter's trap. */
	info.si_errno = FILTER_TRAP_DATA + 1;
	assert_false(decode_is_ours(&info));
	info.si_errno = 0;
	assert_false(decode_is_ours(&info));
}

static void test_not_seccomp(void **state)
{
	siginfo_t info;

	/* A SIGSYS sent with kill() carries SI_USER, even with our data. */
	fill_info(&info, AUDIT_ARCH_X86_64, 1);
	info.si_code = SI_USER;
	assert_false(decode_is_ours(&info));
	info.si_code = SI_TKILL;
	assert_false(decode_is_ours(&info));
	info.si_code = SI_QUEUE;
	assert_false(decode_is_ours(&info));
}

static void test_set_return(void **state)
{
	ucontext_t uc;

	fill_regs(&uc);
	decode_set_return(&uc, -38);
	assert_int_equal(uc.uc_mcontext.gregs[REG_RAX], -38);
	decode_set_return(&uc, 0x7fffffffffffLL);
	assert_int_equal(uc.uc_mcontext.gregs[REG_RAX], 0x7fffffffffffLL);

	/* Nothing else moves. */
	assert_int_equal(uc.uc_mcontext.gregs[REG_RDI], 0x1111111111111101LL);
	assert_int_equal(uc.uc_mcontext.gregs[REG_RIP], 0x7f0000001236LL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_x86_64_args),
	    cmocka_unit_test(test_i386_args),
	    cmocka_unit_test(test_is_ours),
	    cmocka_unit_test(test_not_seccomp),
	    cmocka_unit_test(test_set_return),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
