/*
 * Building and installing the seccomp filter.
 */
#include "filter.h"

#include "gate.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#define I386_SIGRETURN	    119
#define I386_RT_SIGRETURN   173
#define X86_64_RT_SIGRETURN 15

#define DATA_OFF(field) offsetof(struct seccomp_data, field)
#define IP_LO		DATA_OFF(instruction_pointer)
#define IP_HI		(DATA_OFF(instruction_pointer) + 4)

/* Baseline syscalls are allowed in chunks, each with its own return. */
#define FILTER_CHUNK 100

/* Labels of the program; chunk labels follow these. */
enum {
	L_IP,
	L_NR,
	L_X86_64,
	L_ALLOW,
	L_TRAP,
	L_GUARDS,
	L_FIXED,
};

#define FILTER_LABELS (L_FIXED + 2 * (FILTER_MAX_INSNS / FILTER_CHUNK + 1))

/*
 * A tiny assembler: jumps name labels, resolved once the program is
 * written, so no offset is counted by hand. Classic BPF jumps only
 * forward, 255 instructions at most for a conditional one.
 */
struct filter_asm {
	struct sock_filter *prog;
	int n, error;
	int label[FILTER_LABELS];
	int jt[FILTER_MAX_INSNS], jf[FILTER_MAX_INSNS]; /* label, or -1 */
};

static void asm_emit(struct filter_asm *a, uint16_t code, uint32_t k, int jt,
		     int jf)
{
	if (a->n >= FILTER_MAX_INSNS) {
		a->error = -E2BIG;
		return;
	}
	a->prog[a->n] = (struct sock_filter){.code = code, .k = k};
	a->jt[a->n] = jt;
	a->jf[a->n] = jf;
	a->n++;
}

/* A plain statement: no jump. */
static void asm_stmt(struct filter_asm *a, uint16_t code, uint32_t k)
{
	asm_emit(a, code, k, -1, -1);
}

/*
 * Conditional jump to label JT or JF; -1 means the next instruction,
 * REL(k) the one k further (for fixed blocks).
 */
static void asm_jump(struct filter_asm *a, uint16_t op, uint32_t k, int jt,
		     int jf)
{
	asm_emit(a, BPF_JMP | op | BPF_K, k, jt, jf);
}

static void asm_label(struct filter_asm *a, int label)
{
	a->label[label] = a->n;
}

/* A jump's destination: -1 the next instruction, REL(k) k further. */
#define REL(k) (-(k)-2)

static int asm_target(const struct filter_asm *a, int ref, int i)
{
	if (ref == -1)
		return i + 1;
	if (ref < -1)
		return i + 1 + (-ref - 2);
	return a->label[ref];
}

/* Turn label references into offsets. */
static int asm_resolve(struct filter_asm *a)
{
	int i;

	for (i = 0; i < a->n && !a->error; i++) {
		struct sock_filter *f = &a->prog[i];
		int t = asm_target(a, a->jt[i], i);
		int e = asm_target(a, a->jf[i], i);

		if (BPF_CLASS(f->code) != BPF_JMP)
			continue;
		if (BPF_OP(f->code) == BPF_JA) {
			f->k = (uint32_t)(t - i - 1);
			continue;
		}
		if (t <= i || e <= i || t - i - 1 > 255 || e - i - 1 > 255)
			return -ERANGE;
		f->jt = (uint8_t)(t - i - 1);
		f->jf = (uint8_t)(e - i - 1);
	}
	return a->error ? a->error : a->n;
}

/*
 * Calls that must trap even in baseline mode: the handler keeps SIGSYS
 * deliverable (masks, actions), starts exec'd images and threads right,
 * guards its socket and module map, and reports how a process ends.
 */
static const uint32_t filter_always_trapped[] = {
    SYS_rt_sigprocmask, SYS_rt_sigaction, SYS_rt_sigsuspend, SYS_ppoll,
    SYS_pselect6,	SYS_epoll_pwait,  SYS_epoll_pwait2,  SYS_execve,
    SYS_execveat,	SYS_clone,	  SYS_clone3,	     SYS_fork,
    SYS_vfork,		SYS_exit,	  SYS_exit_group,    SYS_close,
    SYS_close_range,	SYS_dup2,	  SYS_dup3,	     SYS_munmap,
};

static bool filter_may_allow(uint32_t nr)
{
	size_t i;

	for (i = 0;
	     i < sizeof(filter_always_trapped) / sizeof(*filter_always_trapped);
	     i++)
		if (filter_always_trapped[i] == nr)
			return false;
	return true;
}

/*
 * A call the baseline holds that must still trap when its argument ARG
 * names syswho's socket: allow it otherwise, with returns of its own so
 * every jump stays short.
 */
static void filter_guard_fd(struct filter_asm *a, uint32_t nr, int arg)
{
	uint32_t lo = DATA_OFF(args) + 8 * (uint32_t)arg;

	/* The block is fixed, so its jumps count instructions. */
	asm_jump(a, BPF_JEQ, nr, -1, REL(6));
	asm_stmt(a, BPF_LD | BPF_W | BPF_ABS, lo);
	asm_jump(a, BPF_JEQ, FILTER_GUARDED_FD, -1, REL(3));
	asm_stmt(a, BPF_LD | BPF_W | BPF_ABS, lo + 4);
	asm_jump(a, BPF_JEQ, 0, -1, REL(1));
	asm_stmt(a, BPF_RET | BPF_K, SECCOMP_RET_TRAP | FILTER_TRAP_DATA);
	asm_stmt(a, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	asm_stmt(a, BPF_LD | BPF_W | BPF_ABS, DATA_OFF(nr));
}

/* Calls the kernel may allow without a trap: NRS, in chunks. */
static void filter_baseline(struct filter_asm *a, const uint32_t *nrs, int n)
{
	int chunk = 0, i = 0;

	while (i < n) {
		int allow = L_FIXED + 2 * chunk, end = allow + 1;
		int stop = i + FILTER_CHUNK < n ? i + FILTER_CHUNK : n;

		for (; i < stop; i++)
			if (filter_may_allow(nrs[i]))
				asm_jump(a, BPF_JEQ, nrs[i], allow, -1);
		asm_jump(a, BPF_JA, 0, end, end);
		asm_label(a, allow);
		asm_stmt(a, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
		asm_label(a, end);
		chunk++;
	}
}

/* The guarded calls among NRS: close, dup2 and dup3 (the target fd). */
static void filter_guards(struct filter_asm *a, const uint32_t *nrs, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (nrs[i] == SYS_close)
			filter_guard_fd(a, SYS_close, 0);
		else if (nrs[i] == SYS_dup2 || nrs[i] == SYS_dup3)
			filter_guard_fd(a, nrs[i], 1);
	}
}

/*
 * Limitation: vDSO calls (clock_gettime, gettimeofday, time, getcpu) and
 * io_uring operations never reach a seccomp filter, so they are not seen.
 */
int filter_build_baseline(struct sock_filter *prog, uintptr_t gate, size_t size,
			  const uint32_t *nrs, int n)
{
	static struct filter_asm a;
	uint32_t hi = (uint32_t)(gate >> 32);
	uint32_t lo = (uint32_t)gate;
	uint64_t end = (uint64_t)lo + size;

	/* The range may end exactly at the end of its 4 GiB block. */
	if (size == 0 || ((gate + size - 1) >> 32) != hi)
		return -EINVAL;
	if (n < 0 || n > FILTER_MAX_INSNS / 2)
		return -E2BIG;
	a.prog = prog;
	a.n = 0;
	a.error = 0;

	/*
	 * Every return sits next to the jumps that reach it, so that no
	 * conditional jump has to cross the baseline's chunks.
	 */
	asm_stmt(&a, BPF_LD | BPF_W | BPF_ABS, DATA_OFF(arch));
	asm_jump(&a, BPF_JEQ, AUDIT_ARCH_X86_64, L_X86_64, -1);
	asm_jump(&a, BPF_JEQ, AUDIT_ARCH_I386, -1, REL(1));
	asm_jump(&a, BPF_JA, 0, L_IP, L_IP);
	asm_stmt(&a, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);

	/*
	 * x86_64 calls allowed by number alone come first, before the
	 * instruction pointer is read: the kernel then proves them always
	 * allowed and skips the filter for them (its seccomp action cache),
	 * so baseline calls cost what they cost without syswho.
	 * rt_sigreturn must never trap, it ends the handler itself.
	 */
	asm_label(&a, L_X86_64);
	asm_stmt(&a, BPF_LD | BPF_W | BPF_ABS, DATA_OFF(nr));
	asm_jump(&a, BPF_JEQ, X86_64_RT_SIGRETURN, -1, REL(1));
	asm_stmt(&a, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	filter_baseline(&a, nrs, n);

	/* Made from the gate? */
	asm_label(&a, L_IP);
	asm_stmt(&a, BPF_LD | BPF_W | BPF_ABS, IP_HI);
	asm_jump(&a, BPF_JEQ, hi, -1, L_NR);
	asm_stmt(&a, BPF_LD | BPF_W | BPF_ABS, IP_LO);
	asm_jump(&a, BPF_JGE, lo, -1, L_NR);
	if (!(end >> 32))
		asm_jump(&a, BPF_JGE, (uint32_t)end, L_NR, -1);
	asm_stmt(&a, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);

	/* i386: rt_sigreturn and sigreturn pass, the rest traps. */
	asm_label(&a, L_NR);
	asm_stmt(&a, BPF_LD | BPF_W | BPF_ABS, DATA_OFF(arch));
	asm_jump(&a, BPF_JEQ, AUDIT_ARCH_I386, -1, L_GUARDS);
	asm_stmt(&a, BPF_LD | BPF_W | BPF_ABS, DATA_OFF(nr));
	asm_jump(&a, BPF_JEQ, I386_RT_SIGRETURN, L_ALLOW, -1);
	asm_jump(&a, BPF_JEQ, I386_SIGRETURN, L_ALLOW, L_TRAP);
	asm_label(&a, L_ALLOW);
	asm_stmt(&a, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	asm_label(&a, L_TRAP);
	asm_stmt(&a, BPF_RET | BPF_K, SECCOMP_RET_TRAP | FILTER_TRAP_DATA);

	/*
	 * x86_64, not from the gate, not allowed by number: the guarded
	 * calls pass unless they name syswho's socket (syswho's own close
	 * of it came from the gate, above); everything else traps.
	 */
	asm_label(&a, L_GUARDS);
	asm_stmt(&a, BPF_LD | BPF_W | BPF_ABS, DATA_OFF(nr));
	filter_guards(&a, nrs, n);
	asm_stmt(&a, BPF_RET | BPF_K, SECCOMP_RET_TRAP | FILTER_TRAP_DATA);

	return asm_resolve(&a);
}

int filter_build(struct sock_filter *prog, uintptr_t gate, size_t size)
{
	return filter_build_baseline(prog, gate, size, NULL, 0);
}

int filter_install(struct sock_filter *prog, unsigned short len)
{
	struct sock_fprog fprog = {.len = len, .filter = prog};
	long ret;

	/* Through the gate: the loader installs it with no libc at all. */
	ret = gate_call6(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0);
	if (ret < 0)
		return (int)ret;
	ret = gate_call3(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			 SECCOMP_FILTER_FLAG_TSYNC, &fprog);
	if (ret < 0)
		return (int)ret;
	/* TSYNC reports the id of a thread it could not synchronise. */
	if (ret > 0)
		return -EAGAIN;
	return 0;
}

int filter_parse_baseline(const char *list, uint32_t *nrs, int max)
{
	int n = 0;

	while (list && *list) {
		uint32_t v = 0;
		int digits = 0;

		for (; *list >= '0' && *list <= '9'; list++, digits++)
			v = v * 10 + (uint32_t)(*list - '0');
		if (!digits || (*list && *list != ',') || v >= 1024)
			return -EINVAL;
		if (n == max)
			return -E2BIG;
		nrs[n++] = v;
		if (*list == ',')
			list++;
	}

	return n;
}
