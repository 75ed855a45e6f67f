/*
 * filter: the classic-BPF program, run here by a small interpreter on
 * made-up seccomp_data, then installed for real in a child process.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "filter.h"
#include "gate.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1
#endif

#define GATE	 GATE_DEFAULT_ADDR
#define GATE_END (GATE_DEFAULT_ADDR + GATE_CODE_SIZE)
#define TRAP	 (SECCOMP_RET_TRAP | FILTER_TRAP_DATA)
#define ALLOW	 SECCOMP_RET_ALLOW
#define KILL	 SECCOMP_RET_KILL_PROCESS

#define I386_SIGRETURN	  119
#define I386_RT_SIGRETURN 173
#define I386_GETPID	  20
#define I386_OPEN	  5

/* Where the real-kernel children put their gate. */
#define CHILD_GATE_ADDR 0x200000000000UL

struct program {
	struct sock_filter insns[FILTER_MAX_INSNS];
	int len;
};

/*
 * Run PROG on D the way the kernel would, for the few instructions the
 * filter uses; anything else fails the test, as would a jump that leaves
 * the program or a load outside seccomp_data.
 */
static uint32_t bpf_run(const struct program *prog,
			const struct seccomp_data *d)
{
	uint32_t a = 0;
	int pc = 0;

	while (pc >= 0 && pc < prog->len) {
		const struct sock_filter *f = &prog->insns[pc];
		bool taken;

		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			assert_true(f->k % 4 == 0 && f->k + 4 <= sizeof(*d));
			memcpy(&a, (const char *)d + f->k, 4);
			pc++;
			continue;
		case BPF_RET | BPF_K:
			return f->k;
		case BPF_JMP | BPF_JA:
			pc += 1 + (int)f->k;
			continue;
		case BPF_JMP | BPF_JEQ | BPF_K:
			taken = a == f->k;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			taken = a >= f->k;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			taken = a > f->k;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			taken = (a & f->k) != 0;
			break;
		default:
			fail_msg("instruction %d: opcode %#x not expected", pc,
				 f->code);
			return 0;
		}
		pc += 1 + (taken ? f->jt : f->jf);
	}
	fail_msg("the program left its end at %d without returning", pc);

	return 0;
}

static void build(struct program *prog, uintptr_t gate, size_t size)
{
	memset(prog, 0, sizeof(*prog));
	prog->len = filter_build(prog->insns, gate, size);
	assert_true(prog->len > 0);
	assert_true(prog->len <= FILTER_MAX_INSNS);
}

static uint32_t verdict(const struct program *prog, uint32_t arch, int nr,
			uint64_t ip)
{
	struct seccomp_data d;

	memset(&d, 0, sizeof(d));
	d.arch = arch;
	d.nr = nr;
	d.instruction_pointer = ip;

	return bpf_run(prog, &d);
}

/* A call of the baseline with its first or second argument A0, A1. */
static uint32_t verdict_args(const struct program *prog, int nr, uint64_t a0,
			     uint64_t a1)
{
	struct seccomp_data d;

	memset(&d, 0, sizeof(d));
	d.arch = AUDIT_ARCH_X86_64;
	d.nr = nr;
	d.instruction_pointer = GATE - 0x1000;
	d.args[0] = a0;
	d.args[1] = a1;

	return bpf_run(prog, &d);
}

/*
 * Baseline mode: listed calls pass without a trap, others trap, the
 * calls the handler must see trap whatever the list, and close or dup2
 * naming syswho's socket trap while any other descriptor passes.
 */
static void test_baseline(void **state)
{
	static const uint32_t nrs[] = {SYS_read,   SYS_close,
				       SYS_dup2,   SYS_rt_sigprocmask,
				       SYS_execve, SYS_getpid};
	struct program p;

	memset(&p, 0, sizeof(p));
	p.len = filter_build_baseline(p.insns, GATE, GATE_CODE_SIZE, nrs, 6);
	assert_true(p.len > 0);
	assert_int_equal(verdict_args(&p, SYS_read, 0, 0), ALLOW);
	assert_int_equal(verdict_args(&p, SYS_getpid, 0, 0), ALLOW);
	assert_int_equal(verdict_args(&p, SYS_write, 0, 0), TRAP);
	assert_int_equal(verdict_args(&p, SYS_rt_sigprocmask, 0, 0), TRAP);
	assert_int_equal(verdict_args(&p, SYS_execve, 0, 0), TRAP);
	assert_int_equal(verdict_args(&p, SYS_close, 3, 0), ALLOW);
	assert_int_equal(verdict_args(&p, SYS_close, FILTER_GUARDED_FD, 0),
			 TRAP);
	assert_int_equal(
	    verdict_args(&p, SYS_close, FILTER_GUARDED_FD | (1ULL << 32), 0),
	    ALLOW);
	assert_int_equal(verdict_args(&p, SYS_dup2, 5, 4), ALLOW);
	assert_int_equal(verdict_args(&p, SYS_dup2, 5, FILTER_GUARDED_FD),
			 TRAP);
	assert_int_equal(verdict_args(&p, SYS_dup3, 5, 4), TRAP);
	/* The gate and rt_sigreturn behave as without a baseline. */
	assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, SYS_write, GATE),
			 ALLOW);
	assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, SYS_rt_sigreturn, 0),
			 ALLOW);
}

/* Hundreds of baseline calls still make a program every jump reaches. */
static void test_baseline_many(void **state)
{
	uint32_t nrs[450];
	struct program p;
	int i;

	for (i = 0; i < 450; i++)
		nrs[i] = (uint32_t)i;
	memset(&p, 0, sizeof(p));
	p.len = filter_build_baseline(p.insns, GATE, GATE_CODE_SIZE, nrs, 450);
	assert_true(p.len > 0);
	assert_int_equal(verdict_args(&p, 449, 0, 0), ALLOW);
	assert_int_equal(verdict_args(&p, 0, 0, 0), ALLOW);
	assert_int_equal(verdict_args(&p, 500, 0, 0), TRAP);
	assert_int_equal(verdict_args(&p, SYS_clone, 0, 0), TRAP);
	assert_int_equal(verdict_args(&p, SYS_close, 7, 0), ALLOW);
}

static void test_x86_64_gate(void **state)
{
	struct program p;

	build(&p, GATE, GATE_CODE_SIZE);
	assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, SYS_getpid, GATE),
			 ALLOW);
	assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, SYS_getpid, GATE + 2),
			 ALLOW);
	assert_int_equal(
	    verdict(&p, AUDIT_ARCH_X86_64, SYS_openat, GATE_END - 1), ALLOW);
	assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, SYS_getpid, GATE - 1),
			 TRAP);
	assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, SYS_getpid, GATE_END),
			 TRAP);
	assert_int_equal(
	    verdict(&p, AUDIT_ARCH_X86_64, SYS_getpid, 0x7f0012345678), TRAP);
	assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, SYS_getpid, 0), TRAP);
}

static void test_x86_64_high_half_differs(void **state)
{
	struct program p;

	/* The same low 32 bits in another 4 GiB block is not the gate. */
	build(&p, GATE, GATE_CODE_SIZE);
	assert_int_equal(
	    verdict(&p, AUDIT_ARCH_X86_64, SYS_getpid, GATE + (1ULL << 32) + 2),
	    TRAP);
	assert_int_equal(
	    verdict(&p, AUDIT_ARCH_X86_64, SYS_getpid, GATE - (1ULL << 32) + 2),
	    TRAP);
	assert_int_equal(
	    verdict(&p, AUDIT_ARCH_X86_64, SYS_getpid, (uint32_t)GATE + 2),
	    TRAP);
}

static void test_x86_64_sigreturn(void **state)
{
	struct program p;

	/* The handler's own return must never trap. */
	build(&p, GATE, GATE_CODE_SIZE);
	assert_int_equal(
	    verdict(&p, AUDIT_ARCH_X86_64, SYS_rt_sigreturn, 0x7f0000001000),
	    ALLOW);
	assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, SYS_rt_sigreturn, 0),
			 ALLOW);
	/* i386's numbers mean other calls on x86_64. */
	assert_int_equal(
	    verdict(&p, AUDIT_ARCH_X86_64, I386_RT_SIGRETURN, 0x7f0000001000),
	    TRAP);
	assert_int_equal(
	    verdict(&p, AUDIT_ARCH_X86_64, I386_SIGRETURN, 0x7f0000001000),
	    TRAP);
}

static void test_i386(void **state)
{
	struct program p;

	build(&p, GATE, GATE_CODE_SIZE);
	assert_int_equal(
	    verdict(&p, AUDIT_ARCH_I386, I386_RT_SIGRETURN, 0x401000), ALLOW);
	assert_int_equal(verdict(&p, AUDIT_ARCH_I386, I386_SIGRETURN, 0x401000),
			 ALLOW);
	assert_int_equal(verdict(&p, AUDIT_ARCH_I386, I386_GETPID, 0x401000),
			 TRAP);
	assert_int_equal(verdict(&p, AUDIT_ARCH_I386, I386_OPEN, 0x401000),
			 TRAP);
	/* x86_64's rt_sigreturn number is exit on i386. */
	assert_int_equal(verdict(&p, AUDIT_ARCH_I386, 15, 0x401000), TRAP);
	/* int 0x80 passed through from the gate. */
	assert_int_equal(verdict(&p, AUDIT_ARCH_I386, I386_GETPID, GATE + 2),
			 ALLOW);
	assert_int_equal(verdict(&p, AUDIT_ARCH_I386, I386_GETPID, GATE_END),
			 TRAP);
}

static void test_unknown_arch(void **state)
{
	struct program p;

	build(&p, GATE, GATE_CODE_SIZE);
	assert_int_equal(verdict(&p, 0, SYS_getpid, 0x401000), KILL);
	assert_int_equal(verdict(&p, AUDIT_ARCH_AARCH64, SYS_getpid, GATE + 2),
			 KILL);
	assert_int_equal(
	    verdict(&p, AUDIT_ARCH_X86_64 ^ 1, SYS_rt_sigreturn, GATE + 2),
	    KILL);
}

static void test_low_gate(void **state)
{
	struct program p;

	/* A gate in the first 4 GiB: the high word is 0. */
	build(&p, 0x10000, 0x2000);
	assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, 1, 0x10000), ALLOW);
	assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, 1, 0x11fff), ALLOW);
	assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, 1, 0x12000), TRAP);
	assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, 1, 0xffff), TRAP);
	assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, 1, 0x100010000), TRAP);
}

static void test_rejects_bad_ranges(void **state)
{
	struct sock_filter insns[FILTER_MAX_INSNS];

	assert_int_equal(filter_build(insns, GATE, 0), -EINVAL);
	/* Crosses from one 4 GiB block into the next. */
	assert_int_equal(filter_build(insns, 0x1fffff000, 0x2000), -EINVAL);
	assert_int_equal(filter_build(insns, 0xfffffff0, 0x20), -EINVAL);
	assert_int_equal(filter_build(insns, 0x100000000, 0x100000001),
			 -EINVAL);
}

static void test_gate_ending_at_block_end(void **state)
{
	struct program p;

	/*
	 * gate_map accepts the last page of a 4 GiB block, since the page
	 * does not cross into the next one; the filter must then be able to
	 * express it, or start-up maps the gate and still fails.
	 */
	build(&p, 0x1fffff000, GATE_CODE_SIZE);
	assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, 1, 0x1fffff002), ALLOW);
	assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, 1, 0x1ffffffff), ALLOW);
	assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, 1, 0x1ffffefff), TRAP);
	assert_int_equal(verdict(&p, AUDIT_ARCH_X86_64, 1, 0x200000000), TRAP);
}

/* What the child's SIGSYS handler saw. */
static volatile int seen_signo, seen_code, seen_errno, seen_nr;
static volatile unsigned int seen_arch;
static volatile uintptr_t seen_call_addr;

static void child_sigsys(int sig, siginfo_t *info, void *ucv)
{
	ucontext_t *uc = ucv;

	seen_signo = sig;
	seen_code = info->si_code;
	seen_errno = info->si_errno;
	seen_nr = info->si_syscall;
	seen_arch = info->si_arch;
	seen_call_addr = (uintptr_t)info->si_call_addr;
	/* What the trapped call returns: proof the handler decided it. */
	uc->uc_mcontext.gregs[REG_RAX] = 4242;
}

/* Map the gate and install the filter; exit with CODE on failure. */
static void child_enter_filter(int code)
{
	struct sock_filter insns[FILTER_MAX_INSNS];
	struct rlimit no_core = {0, 0};
	int len;

	/* The SIGSYS death below is expected: no core file for it. */
	setrlimit(RLIMIT_CORE, &no_core);
	if (gate_map(CHILD_GATE_ADDR) != 0)
		_exit(code);
	len = filter_build(insns, gate_base(), GATE_CODE_SIZE);
	if (len <= 0 || filter_install(insns, (unsigned short)len) != 0)
		_exit(code + 1);
}

/* Leave without a libc syscall, which would trap now. */
static void __attribute__((noreturn)) child_exit(int code)
{
	gate_call1(SYS_exit_group, code);
	__builtin_unreachable();
}

static void child_trap_and_gate(void)
{
	struct sigaction sa;
	long pid = getpid(), r;
	int bad = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = child_sigsys;
	sa.sa_flags = SA_SIGINFO;
	if (sigaction(SIGSYS, &sa, NULL) != 0)
		_exit(100);
	child_enter_filter(101);

	if (gate_call0(SYS_getpid) != pid)
		bad |= 1;
	r = syscall(SYS_getppid);
	if (r != 4242)
		bad |= 2;
	if (seen_signo != SIGSYS || seen_code != SYS_SECCOMP)
		bad |= 4;
	if ((seen_errno & 0xffff) != FILTER_TRAP_DATA)
		bad |= 8;
	if (seen_nr != SYS_getppid || seen_arch != AUDIT_ARCH_X86_64)
		bad |= 16;
	if (seen_call_addr >= CHILD_GATE_ADDR &&
	    seen_call_addr < CHILD_GATE_ADDR + GATE_CODE_SIZE)
		bad |= 32;
	/* The gate still works after a trap and its sigreturn. */
	if (gate_call0(SYS_getpid) != pid)
		bad |= 64;
	child_exit(bad);
}

static void test_kernel_traps_outside_gate(void **state)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		child_trap_and_gate();
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	/* Non-zero: the bits of child_trap_and_gate's failed checks. */
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_kernel_kills_without_handler(void **state)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		child_enter_filter(101);
		if (gate_call0(SYS_getpid) <= 0)
			child_exit(102);
		syscall(SYS_getppid);
		child_exit(103);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_x86_64_gate),
	    cmocka_unit_test(test_baseline),
	    cmocka_unit_test(test_baseline_many),
	    cmocka_unit_test(test_x86_64_high_half_differs),
	    cmocka_unit_test(test_x86_64_sigreturn),
	    cmocka_unit_test(test_i386),
	    cmocka_unit_test(test_unknown_arch),
	    cmocka_unit_test(test_low_gate),
	    cmocka_unit_test(test_rejects_bad_ranges),
	    cmocka_unit_test(test_gate_ending_at_block_end),
	    cmocka_unit_test(test_kernel_traps_outside_gate),
	    cmocka_unit_test(test_kernel_kills_without_handler),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
