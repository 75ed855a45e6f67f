/*
 * risk.c - risk notes per syscall, see risk.h.
 */
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "risk.h"

static const struct {
	const char *name;
	enum risk_kind kind;
	const char *text;
} risk_table[] = {
    {"clock_gettime", RISK_TIMING,
     "high-resolution clock: enough to time cache and branch side channels"},
    {"gettimeofday", RISK_TIMING,
     "microsecond clock: enough to time side channels"},
    {"clock_getres", RISK_TIMING, "reveals the clocks' resolution"},
    {"clock_nanosleep", RISK_TIMING, "precise sleeps: a timing source"},
    {"timer_create", RISK_TIMING, "precise timers: a timing source"},
    {"timerfd_create", RISK_TIMING, "precise timers: a timing source"},
    {"getdents64", RISK_STATE_LEAK,
     "lists directories; on /proc it reveals every process"},
    {"getdents", RISK_STATE_LEAK,
     "lists directories; on /proc it reveals every process"},
    {"open", RISK_STATE_LEAK,
     "can read /proc/self (maps, environ, auxv): addresses and secrets"},
    {"openat", RISK_STATE_LEAK,
     "can read /proc/self (maps, environ, auxv): addresses and secrets"},
    {"readlink", RISK_STATE_LEAK,
     "can resolve /proc/self/exe and /proc/self/fd links"},
    {"readlinkat", RISK_STATE_LEAK,
     "can resolve /proc/self/exe and /proc/self/fd links"},
    {"process_vm_readv", RISK_STATE_LEAK,
     "reads the memory of processes it may ptrace"},
    {"kcmp", RISK_STATE_LEAK, "compares kernel objects of two processes"},
    {"sysinfo", RISK_STATE_LEAK, "reveals system load and memory use"},
    {"pipe", RISK_COVERT, "kernel buffers: a channel and memory pressure"},
    {"pipe2", RISK_COVERT, "kernel buffers: a channel and memory pressure"},
    {"eventfd", RISK_COVERT, "a counter shared across fork: a channel"},
    {"eventfd2", RISK_COVERT, "a counter shared across fork: a channel"},
    {"memfd_create", RISK_COVERT,
     "anonymous files: shared memory and unaccounted kernel memory"},
    {"memfd_secret", RISK_COVERT,
     "unswappable memory: kernel memory "
     "pressure"},
    {"socketpair", RISK_COVERT, "kernel buffers: a channel"},
    {"msgget", RISK_COVERT, "System V queues outlive the process"},
    {"shmget", RISK_COVERT, "System V shared memory outlives the process"},
    {"semget", RISK_COVERT, "System V semaphores outlive the process"},
    {"mq_open", RISK_COVERT, "POSIX queues outlive the process"},
    {"ptrace", RISK_DANGEROUS, "controls other processes"},
    {"process_vm_writev", RISK_DANGEROUS, "writes other processes' memory"},
    {"bpf", RISK_DANGEROUS, "loads programs into the kernel"},
    {"perf_event_open", RISK_DANGEROUS,
     "a large kernel surface and precise hardware counters"},
    {"userfaultfd", RISK_DANGEROUS,
     "stalls the kernel on page faults: exploit primitive"},
    {"keyctl", RISK_DANGEROUS, "the kernel keyring: shared secrets"},
    {"add_key", RISK_DANGEROUS, "the kernel keyring: shared secrets"},
    {"request_key", RISK_DANGEROUS, "the kernel keyring: shared secrets"},
    {"io_uring_setup", RISK_DANGEROUS,
     "io_uring work bypasses seccomp entirely"},
    {"io_uring_enter", RISK_DANGEROUS,
     "io_uring work bypasses seccomp entirely"},
    {"io_uring_register", RISK_DANGEROUS,
     "io_uring work bypasses seccomp entirely"},
    {"unshare", RISK_DANGEROUS,
     "new namespaces expose kernel code meant for root"},
    {"setns", RISK_DANGEROUS, "enters other namespaces"},
    {"mount", RISK_DANGEROUS, "changes the file system tree"},
    {"umount2", RISK_DANGEROUS, "changes the file system tree"},
    {"pivot_root", RISK_DANGEROUS, "changes the root of the tree"},
    {"move_mount", RISK_DANGEROUS, "changes the file system tree"},
    {"open_tree", RISK_DANGEROUS, "clones mounts"},
    {"fsopen", RISK_DANGEROUS, "configures new file systems"},
    {"kexec_load", RISK_DANGEROUS, "replaces the running kernel"},
    {"kexec_file_load", RISK_DANGEROUS, "replaces the running kernel"},
    {"init_module", RISK_DANGEROUS, "loads kernel code"},
    {"finit_module", RISK_DANGEROUS, "loads kernel code"},
    {"delete_module", RISK_DANGEROUS, "unloads kernel code"},
    {"reboot", RISK_DANGEROUS, "stops the machine"},
    {"swapon", RISK_DANGEROUS, "changes system memory"},
    {"iopl", RISK_DANGEROUS, "direct port access"},
    {"ioperm", RISK_DANGEROUS, "direct port access"},
    {"modify_ldt", RISK_DANGEROUS, "custom segments: exploit primitive"},
    {"open_by_handle_at", RISK_DANGEROUS,
     "opens files by handle, around the mount tree"},
    {"clock_settime", RISK_DANGEROUS, "sets the system clock"},
    {"settimeofday", RISK_DANGEROUS, "sets the system clock"},
    {"adjtimex", RISK_DANGEROUS, "adjusts the system clock"},
    {"syslog", RISK_DANGEROUS, "reads kernel messages and addresses"},
    {"acct", RISK_DANGEROUS, "switches process accounting"},
    {"quotactl", RISK_DANGEROUS, "changes disk quotas"},
    {"chroot", RISK_DANGEROUS, "changes the root directory"},
};

const char *risk_kind_name(enum risk_kind kind)
{
	switch (kind) {
	case RISK_TIMING:
		return "timing";
	case RISK_STATE_LEAK:
		return "state-leak";
	case RISK_COVERT:
		return "covert-channel";
	case RISK_WX:
		return "write+exec";
	default:
		return "dangerous";
	}
}

/* Whether every recorded clock id is a coarse clock. */
static bool risk_only_coarse(const struct policy_argset *a)
{
	size_t i;

	if (!a || a->open || !a->n_values)
		return false;
	for (i = 0; i < a->n_values; i++)
		if (a->values[i] != CLOCK_REALTIME_COARSE &&
		    a->values[i] != CLOCK_MONOTONIC_COARSE)
			return false;

	return true;
}

/* Whether a recorded protection is writable and executable at once. */
static bool risk_wx(const struct policy_argset *a)
{
	size_t i;

	for (i = 0; a && i < a->n_values; i++)
		if ((a->values[i] & (PROT_WRITE | PROT_EXEC)) ==
		    (PROT_WRITE | PROT_EXEC))
			return true;

	return false;
}

size_t risk_notes(const char *name, const struct policy_argset *args,
		  struct risk_note *out)
{
	size_t i, n = 0;

	for (i = 0; i < sizeof(risk_table) / sizeof(*risk_table); i++) {
		if (strcmp(risk_table[i].name, name) != 0)
			continue;
		out[n].kind = risk_table[i].kind;
		out[n++].text = risk_table[i].text;
		break;
	}
	if (strcmp(name, "clock_gettime") == 0 && risk_only_coarse(args))
		out[n++] = (struct risk_note){
		    RISK_TIMING, "only coarse clocks were used: allowing only "
				 "CLOCK_REALTIME_COARSE and "
				 "CLOCK_MONOTONIC_COARSE loses nothing"};
	else if (strcmp(name, "clock_gettime") == 0)
		out[n++] = (struct risk_note){
		    RISK_TIMING, "where coarse clocks do, allow only "
				 "CLOCK_REALTIME_COARSE and "
				 "CLOCK_MONOTONIC_COARSE"};
	if ((strcmp(name, "mmap") == 0 || strcmp(name, "mprotect") == 0) &&
	    risk_wx(args))
		out[n++] = (struct risk_note){
		    RISK_WX, "memory was mapped writable and executable at "
			     "once: code injection stays possible"};

	return n;
}
