/*
 * The seccomp filter: classic BPF written by hand, because the decision
 * depends on the instruction pointer, which libseccomp cannot compare.
 */
#ifndef SYSWHO_FILTER_H
#define SYSWHO_FILTER_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The descriptor syswho keeps its collector socket at when it can: in
 * baseline mode close, dup2 and dup3 naming it still trap.
 */
#define FILTER_GUARDED_FD 1000

/* SECCOMP_RET_DATA of syswho's traps, to tell them from other filters'. */
#define FILTER_TRAP_DATA 0x5157

#define FILTER_MAX_INSNS 1024

/*
 * Build the filter that allows calls made from [gate, gate + size) and
 * rt_sigreturn, and traps every other call of the x86_64 and i386 ABIs.
 * Anything else (an unknown architecture) kills the process, since no
 * handler could decode it. Returns the number of instructions written to
 * PROG (at most FILTER_MAX_INSNS) or -EINVAL for a gate range the filter
 * cannot express. Not thread-safe (it runs once, at start-up).
 */
int filter_build(struct sock_filter *prog, uintptr_t gate, size_t size);

/*
 * The same, letting the kernel allow the x86_64 syscalls NRS (N of them)
 * without a trap: the baseline mode, where only calls a previous profile
 * did not hold are traced.
 */
int filter_build_baseline(struct sock_filter *prog, uintptr_t gate, size_t size,
			  const uint32_t *nrs, int n);

/*
 * Parse SYSWHO_BASELINE, a comma-separated list of syscall numbers, into
 * NRS (at most MAX). Returns how many, or a negative errno.
 */
int filter_parse_baseline(const char *list, uint32_t *nrs, int max);

/*
 * Install PROG on every thread of the process (TSYNC), through the gate,
 * which must be mapped. 0 or -errno.
 */
int filter_install(struct sock_filter *prog, unsigned short len);

#endif
