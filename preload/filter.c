/*
 * Building and installing the seccomp filter.
 */
#include "filter.h"

#include "gate.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#define I386_SIGRETURN	    119
#define I386_RT_SIGRETURN   173
#define X86_64_RT_SIGRETURN 15

#define DATA_OFF(field) offsetof(struct seccomp_data, field)
#define IP_LO		DATA_OFF(instruction_pointer)
#define IP_HI		(DATA_OFF(instruction_pointer) + 4)

#define STMT(code, k) ((struct sock_filter)BPF_STMT((code), (k)))
#define JUMP(code, k, jt, jf)                                                  \
	((struct sock_filter)BPF_JUMP((code), (k), (jt), (jf)))

/*
 * The program; each jump offset counts the instructions it skips:
 *
 *  0     A = arch
 *  1-2   x86_64 or i386 go on to 3; any other ABI goes to 18 (kill)
 *  3-7   a call whose instruction pointer lies in the gate goes to 16
 *  8-12  x86_64: rt_sigreturn goes to 16, everything else traps
 *  13-17 i386: rt_sigreturn and sigreturn go to 16, the rest to 17
 *  16    allow; 17 trap; 18 kill
 */
/*
 * Limitation: vDSO calls (clock_gettime, gettimeofday, time, getcpu) and
 * io_uring operations never reach a seccomp filter, so they are not seen.
 */
int filter_build(struct sock_filter *prog, uintptr_t gate, size_t size)
{
	uint32_t hi = (uint32_t)(gate >> 32);
	uint32_t lo = (uint32_t)gate;
	int n = 0;

	uint64_t end = (uint64_t)lo + size;

	/* The range may end exactly at the end of its 4 GiB block. */
	if (size == 0 || ((gate + size - 1) >> 32) != hi)
		return -EINVAL;

	/* clang-format off */
	/* Which ABI? */
	prog[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, DATA_OFF(arch));		/* 0 */
	prog[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);	/* 1 */
	prog[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386, 0, 15);	/* 2 */

	/* Made from the gate? */
	prog[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, IP_HI);			/* 3 */
	prog[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, hi, 0, 3);			/* 4 */
	prog[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, IP_LO);			/* 5 */
	prog[n++] = JUMP(BPF_JMP | BPF_JGE | BPF_K, lo, 0, 1);			/* 6 */
	if (end >> 32)
		prog[n++] = STMT(BPF_JMP | BPF_JA, 8);				/* 7 */
	else
		prog[n++] = JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)end, 0, 8); /* 7 */

	/* rt_sigreturn must never trap: it ends the handler itself. */
	prog[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, DATA_OFF(arch));		/* 8 */
	prog[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 3);	/* 9 */
	prog[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, DATA_OFF(nr));		/* 10 */
	prog[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, X86_64_RT_SIGRETURN, 4, 0);	/* 11 */
	prog[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP | FILTER_TRAP_DATA);	/* 12 */
	prog[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, DATA_OFF(nr));		/* 13 */
	prog[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, I386_RT_SIGRETURN, 1, 0);	/* 14 */
	prog[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, I386_SIGRETURN, 0, 1);	/* 15 */
	prog[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);			/* 16 */
	prog[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP | FILTER_TRAP_DATA);	/* 17 */
	prog[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);		/* 18 */
	/* clang-format on */

	return n;
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
