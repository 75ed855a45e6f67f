/*
 * policy_allow.c - what each consumer does after it loads the filter and
 * before the command's first instruction, see policy.h.
 *
 * A profile of `syswho run -- CMD` starts at CMD's first instruction, so
 * it holds the dynamic loader's work but not the exec that started CMD,
 * nor what the consumer does between loading the filter and that exec.
 * These tables were read off strace runs of the Debian 12 packages
 * (bubblewrap 0.8.0, runc 1.1.5, systemd-nspawn 252), tracing from the
 * filter load to the exec; the README lists them with the same reasons.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>

#include "policy.h"

#define POLICY_N(t) (sizeof(t) / sizeof(*(t)))

/* The values of an allowance's filtered argument, and how many. */
#define POLICY_VALUES(...)                                                     \
	{__VA_ARGS__}, POLICY_N(((const uint64_t[]){__VA_ARGS__}))

struct policy_allow_values {
	const char *name;
	uint64_t values[4];
	size_t n_values;
};

/*
 * Every consumer: the exec, and what the tracer itself hides from a
 * profile. syswho returns from every signal and restarts every stopped
 * sleep through its own gate, and its own first allocation in a process
 * makes glibc's one-time malloc seeding call before the program's does.
 */
static const struct policy_allowance policy_allow_any[] = {
    {"execve", "the consumer execs the command after loading the filter"},
    {"rt_sigreturn", "returns from signal handlers; syswho returns through "
		     "its own gate, so profiles never show it"},
    {"getrandom", "glibc seeds malloc once per process; under syswho the "
		  "tracer's first allocation makes that call"},
    {"restart_syscall", "the kernel resumes a sleep stopped by SIGSTOP "
			"with it; syswho restarts through its own gate, so "
			"profiles never show it"},
};

static const struct policy_allowance policy_allow_bwrap[] = {
    {"execve", "bwrap execs the command after loading the filter"},
    {"wait4", "with --unshare-pid, bwrap's pid 1 loads the filter and "
	      "reaps the command"},
    {"write", "bwrap's pid 1 reports the exit status on an eventfd"},
    {"close", "bwrap's pid 1 closes its descriptors"},
    {"exit_group", "bwrap's pid 1 exits with the command"},
};

/*
 * runc's init is Go: it loads the filter on its own thread only, then
 * opens the exec fifo, writes to it, marks descriptors close-on-exec and
 * execs, while the Go runtime may still preempt, park or grow it.
 */
/* Limitation: runc is covered with noNewPrivileges only, and no hooks. */
static const struct policy_allowance policy_allow_runc[] = {
    {"execve", "runc init execs the command after loading the filter"},
    {"openat", "runc init opens the exec fifo and /proc/self/fd"},
    {"write", "runc init writes to the exec fifo"},
    {"close", "runc init closes the fifo and its descriptors"},
    {"getdents64", "runc init lists /proc/self/fd to mark them "
		   "close-on-exec"},
    {"fcntl", "runc init marks descriptors close-on-exec"},
    {"fstatfs", "runc init checks that /proc/self/fd is procfs"},
    {"getpid", "the Go runtime signals its own threads"},
    {"gettid", "the Go runtime names its threads"},
    {"tgkill", "the Go runtime preempts goroutines with SIGURG"},
    {"rt_sigreturn", "the Go runtime's SIGURG handler returns"},
    {"rt_sigprocmask", "the Go runtime masks signals around thread work"},
    {"sigaltstack", "the Go runtime sets each thread's signal stack"},
    {"futex", "the Go runtime parks and wakes threads"},
    {"nanosleep", "the Go runtime's spinning threads sleep"},
    {"sched_yield", "the Go runtime yields while spinning"},
    {"epoll_ctl", "the Go runtime registers descriptors with its poller"},
    {"epoll_pwait", "the Go runtime polls its descriptors"},
    {"mmap", "the Go runtime maps memory for its heap and stacks"},
    {"munmap", "the Go runtime returns memory"},
    {"madvise", "the Go runtime returns unused pages"},
    {"clone", "the Go runtime starts a thread when one blocks"},
    {"exit", "a Go runtime thread exits"},
};

/*
 * What runc init's thread passes where the policy filters an argument, so
 * that those filters stay closed. After the load it opens the exec fifo
 * write-only and /proc/self/fd read-only; the rest are what the same
 * thread passes before the load, should it make those calls after: fcntl
 * for close-on-exec and non-blocking flags, mmap for Go's heap and
 * glibc's thread stacks (never write+exec), and clone with the flags
 * glibc's pthread_create falls back to when clone3 answers ENOSYS.
 */
static const struct policy_allow_values policy_values_runc[] = {
    {"openat", POLICY_VALUES(O_RDONLY, O_WRONLY)},
    {"fcntl", POLICY_VALUES(F_SETFD, F_GETFL, F_SETFL)},
    {"mmap", POLICY_VALUES(PROT_NONE, PROT_READ | PROT_WRITE)},
    {"clone", POLICY_VALUES(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
			    CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS |
			    CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)},
};

/*
 * systemd-nspawn's inner child loads the filter, then drops privileges and
 * capabilities, fixes its standard streams and execs the command.
 */
static const struct policy_allowance policy_allow_nspawn[] = {
    {"execve", "nspawn execs the command after loading the filter"},
    {"prctl", "nspawn reads and drops capabilities (PR_CAPBSET_*, "
	      "PR_CAP_AMBIENT)"},
    {"capget", "nspawn reads its capabilities"},
    {"capset", "nspawn sets the container's capabilities"},
    {"setgroups", "nspawn clears supplementary groups"},
    {"setresgid", "nspawn sets the container's gid"},
    {"setresuid", "nspawn sets the container's uid"},
    {"getuid", "nspawn checks its uid"},
    {"openat", "nspawn reads /proc/self/setgroups and cap_last_cap"},
    {"newfstatat", "nspawn stats the files it reads"},
    {"read", "nspawn reads /proc files"},
    {"ioctl", "nspawn's stdio checks whether a descriptor is a terminal"},
    {"close", "nspawn closes what it read"},
    {"close_range", "nspawn closes every descriptor it does not pass"},
    {"write", "nspawn reports to its parent"},
    {"ppoll", "nspawn waits on its barrier with the parent when the "
	      "parent is slower"},
    {"seccomp", "nspawn loads its filters for the other ABIs and its "
		"restrictions after the first"},
    {"writev", "nspawn logs a failure before the exec"},
    {"brk", "nspawn's allocations grow the heap"},
    {"exit_group", "nspawn exits when the setup fails"},
    {"chdir", "nspawn changes to the directory of --chdir"},
};

size_t policy_allowances(enum policy_consumer c,
			 const struct policy_allowance **out)
{
	switch (c) {
	case POLICY_CONSUMER_BWRAP:
		*out = policy_allow_bwrap;
		return POLICY_N(policy_allow_bwrap);
	case POLICY_CONSUMER_RUNC:
		*out = policy_allow_runc;
		return POLICY_N(policy_allow_runc);
	case POLICY_CONSUMER_NSPAWN:
		*out = policy_allow_nspawn;
		return POLICY_N(policy_allow_nspawn);
	default:
		*out = policy_allow_any;
		return POLICY_N(policy_allow_any);
	}
}

size_t policy_allowance_values(enum policy_consumer c, const char *name,
			       const uint64_t **out)
{
	size_t i;

	/* bwrap's calls have no filtered argument; systemd filters none. */
	if (c != POLICY_CONSUMER_RUNC)
		return 0;
	for (i = 0; i < POLICY_N(policy_values_runc); i++) {
		if (strcmp(policy_values_runc[i].name, name) == 0) {
			*out = policy_values_runc[i].values;
			return policy_values_runc[i].n_values;
		}
	}

	return 0;
}
