/*
 * The loader-phase handler. It runs before the program has TLS, a libc or
 * anything else, so it keeps to the gate, the saved context and the
 * gate's data pages. For a static program it stays the handler for the
 * program's life, and keeps the program's signals as the library would.
 */
#include "trap.h"

#include "altstack.h"
#include "args.h"
#include "clone.h"
#include "execprep.h"
#include "report.h"
#include "decode.h"
#include "passthrough.h"
#include "sigcore.h"
#include "sigentry.h"
#include "sys.h"
#include "umem.h"

#include <errno.h>
#include <linux/audit.h>
#include <signal.h>
#include <sys/syscall.h>

#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif
#define TRAP_FLAGS (SA_SIGINFO | SA_NODEFER | SA_RESTORER)

extern void loader_restorer(void);

/* Where execs go: set for every program the loader starts traced. */
static const struct exec_setup *trap_exec;
/* Set for a static program: the handler reports its calls itself. */
static bool trap_reports;

/*
 * A static program's signals (trap_keep): the handler stays for the
 * program's life, so it keeps what the library's signals.c keeps. The
 * program's SIGSYS action is virtual; for every other signal the kernel
 * holds the program's own action with SIGSYS out of its sa_mask, and a
 * bit here says whether the program had asked for SIGSYS in it.
 */
static bool trap_static;
static struct ksigaction trap_sigsys;
static uint64_t trap_mask_had_sigsys; /* atomic */
static unsigned long trap_kernel_flags = TRAP_FLAGS;
static uint32_t trap_pid;

uint32_t umem_self_pid(void)
{
	return trap_pid;
}

void trap_go_static(const struct exec_setup *es)
{
	trap_exec = es;
	trap_reports = true;
}

void trap_route_execs(const struct exec_setup *es)
{
	trap_exec = es;
}

void trap_keep(void)
{
	trap_static = true;
}

/* syswho's SIGSYS handler in the kernel, with FLAGS. */
static long trap_set_kernel(unsigned long flags, struct ksigaction *old)
{
	struct ksigaction act = {
	    .handler = (void *)syswho_sigsys_entry,
	    .flags = flags,
	    .restorer = (void *)loader_restorer,
	    .mask = ~SIGCORE_SIGSYS,
	};

	return gate_call4(SYS_rt_sigaction, SIGSYS, &act, old, SIGCORE_SETSIZE);
}

/*
 * The SIGSYS frames land where the program said its own SIGSYS frames
 * go: with SA_ONSTACK, on its alternate stack. A runtime like Go's makes
 * syscalls on stacks of a few KiB, which a signal frame would overrun,
 * and expects every signal on the stack it set for it.
 */
static void trap_follow_onstack(unsigned long program_flags)
{
	unsigned long flags = TRAP_FLAGS | (program_flags & SA_ONSTACK);

	if (flags == trap_kernel_flags)
		return;
	trap_kernel_flags = flags;
	trap_set_kernel(flags, NULL);
}

/*
 * A child that shares the program's memory without being one of its
 * threads (a clone with CLONE_VM and no CLONE_THREAD, as posix_spawn
 * makes) has actions of its own, which must not change the view kept
 * here for the program.
 */
static bool trap_in_memory_child(void)
{
	return gate_call0(SYS_getpid) != (long)trap_pid;
}

/* rt_sigaction(SIGSYS): answered from the virtual action alone. */
static long trap_sigaction_sigsys(const struct ksigaction *act, void *uold)
{
	struct ksigaction old = trap_sigsys;

	/* Limitation: a SIGSYS action set in a memory-sharing child is
	 * not kept. */
	if (act && !trap_in_memory_child()) {
		trap_sigsys = *act;
		trap_follow_onstack(act->flags);
	}
	if (uold && umem_write(uold, &old, sizeof(old)) != 0)
		return -EFAULT;

	return 0;
}

/* Whether the program's sa_mask for the signal of BIT holds SIGSYS. */
static void trap_note_mask(uint64_t bit, bool asked)
{
	if (asked)
		__atomic_fetch_or(&trap_mask_had_sigsys, bit, __ATOMIC_RELAXED);
	else
		__atomic_fetch_and(&trap_mask_had_sigsys, ~bit,
				   __ATOMIC_RELAXED);
}

/*
 * rt_sigaction of a static program: SIGSYS stays virtual, and every other
 * action reaches the kernel without SIGSYS in its sa_mask (a trap while
 * SIGSYS is blocked kills the process) while the program reads back the
 * mask it set.
 */
static long trap_sigaction(const struct trap_call *call)
{
	int sig = (int)call->args[0];
	const void *uact = (const void *)call->args[1];
	void *uold = (void *)call->args[2];
	uint64_t bit = SIGCORE_BIT(sig), had;
	struct ksigaction act = {0}, old;
	bool asked;
	long ret;

	/* In the kernel's order: the size, the new action, the signal. */
	if (call->args[3] != SIGCORE_SETSIZE)
		return -EINVAL;
	if (uact && umem_read(&act, uact, sizeof(act)) != 0)
		return -EFAULT;
	if (sig < 1 || sig > SIGCORE_MAX)
		return -EINVAL;
	if (sig == SIGSYS)
		return trap_sigaction_sigsys(uact ? &act : NULL, uold);

	had = __atomic_load_n(&trap_mask_had_sigsys, __ATOMIC_RELAXED) & bit;
	asked = uact && (act.mask & SIGCORE_SIGSYS);
	act.mask &= ~SIGCORE_SIGSYS;
	ret = gate_call4(SYS_rt_sigaction, sig, uact ? &act : NULL,
			 uold ? &old : NULL, SIGCORE_SETSIZE);
	if (ret < 0)
		return ret;
	if (uact && !trap_in_memory_child())
		trap_note_mask(bit, asked);
	if (uold && had)
		old.mask |= SIGCORE_SIGSYS;
	if (uold && umem_write(uold, &old, sizeof(old)) != 0)
		return -EFAULT;

	return 0;
}

/*
 * An exec before a library took over, or from a static program: to the
 * loader again, or failing as it would.
 */
static void trap_exec_route(ucontext_t *uc, const struct trap_call *call)
{
	const struct gate_data *gd = gate_data();
	unsigned int sigsys = (gd->sigsys_blocked ? EXEC_SIGSYS_BLOCKED : 0) |
			      (gd->sigsys_ignored ? EXEC_SIGSYS_IGNORED : 0);
	char **argv, **envp;
	long ret;

	/*
	 * Limitation: a static program execs with the SIGSYS state it
	 * started with, whatever it did to it since.
	 */
	ret = exec_prepare(trap_exec, call, sigsys, &argv, &envp);

	if (ret == 1 || ret == 2) {
		pass_via(uc, GATE_PASS);
		return;
	}
	if (ret < 0) {
		decode_set_return(uc, ret);
		return;
	}
	if (trap_reports)
		report_exit(0, 1);
	exec_apply(uc, trap_exec, argv, envp);
}

/* Count the call by where it was made, for the library to report. */
static struct gate_early *trap_note(const struct trap_call *call)
{
	struct gate_data *gd = gate_data();
	uint32_t n = __atomic_load_n(&gd->early_count, __ATOMIC_ACQUIRE);
	uint32_t index[ARGS_MAX];
	uint64_t values[ARGS_MAX];
	uint32_t i;
	int nargs = 0, k;

	if (call->arch == AUDIT_ARCH_X86_64)
		nargs = args_pick(call->nr, call->args, index, values);
	if (n > GATE_EARLY_MAX)
		n = GATE_EARLY_MAX;
	for (i = 0; i < n; i++) {
		struct gate_early *e = &gd->early[i];

		if (e->ip == call->ip && e->nr == (uint32_t)call->nr &&
		    e->arch == call->arch && e->nargs == (uint32_t)nargs &&
		    (nargs < 1 || e->arg_values[0] == values[0]) &&
		    (nargs < 2 || e->arg_values[1] == values[1])) {
			__atomic_fetch_add(&e->count, 1, __ATOMIC_RELAXED);
			return e;
		}
	}
	i = __atomic_fetch_add(&gd->early_count, 1, __ATOMIC_ACQ_REL);
	if (i >= GATE_EARLY_MAX) {
		__atomic_fetch_add(&gd->early_dropped, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	gd->early[i].nr = (uint32_t)call->nr;
	gd->early[i].arch = call->arch;
	gd->early[i].ip = call->ip;
	gd->early[i].nargs = (uint32_t)nargs;
	for (k = 0; k < nargs; k++) {
		gd->early[i].arg_index[k] = index[k];
		gd->early[i].arg_values[k] = values[k];
	}
	__atomic_store_n(&gd->early[i].count, 1, __ATOMIC_RELEASE);
	return &gd->early[i];
}

/*
 * A SIGSYS that syswho's filter did not raise, in a static program: it
 * goes where the program's virtual action says. Limitation: it arrives at
 * once even while a static program blocks SIGSYS.
 */
static void trap_forward(int sig, siginfo_t *info, ucontext_t *uc)
{
	struct ksigaction act = trap_sigsys;

	if (act.handler == SIG_IGN)
		return;
	if (act.handler == SIG_DFL) {
		sigcore_die(uc);
		return;
	}
	if (act.flags & SA_RESETHAND)
		memset(&trap_sigsys, 0, sizeof(trap_sigsys));
	sigcore_invoke(&act, sig, info, uc, sigcore_handler_mask(uc, &act));
}

/*
 * While a static program's SIGSYS frames go to the alternate stack, a
 * thread that disables its own gets one lent by syswho (altstack.h) and
 * is told it has none. Limitation: a thread keeps a lent stack once it
 * disabled its own, and more than 16 at once get none.
 */
static void trap_pass_sigaltstack(ucontext_t *uc, const struct trap_call *call)
{
	const void *uss = (const void *)call->args[0];
	void *uoss = (void *)call->args[1];
	stack_t ss, none = {.ss_flags = SS_DISABLE}, *scratch;
	bool lend = false, lent;

	lent = !(uc->uc_stack.ss_flags & SS_DISABLE) &&
	       altstack_is_lent(uc->uc_stack.ss_sp);
	if (trap_static && (trap_kernel_flags & SA_ONSTACK) && uss &&
	    umem_read(&ss, uss, sizeof(ss)) == 0 && ss.ss_flags == SS_DISABLE)
		lend = altstack_lend((int32_t)trap_pid,
				     (int32_t)gate_call0(SYS_gettid), &ss);
	if (lent && uoss && umem_write(uoss, &none, sizeof(none)) != 0) {
		decode_set_return(uc, -EFAULT);
		return;
	}
	if (lent && !uss) {
		decode_set_return(uc, 0);
		return;
	}

	scratch = sigcore_pass_on_own_stack(uc, call);
	if (lend) {
		*scratch = ss;
		pass_set_arg(uc, 0, (long)scratch);
	}
	if (lent)
		pass_set_arg(uc, 1, 0);
}

/*
 * The first trap of a new process: its own pid, and for a static program
 * its own report. Under a dynamic program the mark stays for the library.
 */
static void trap_after_fork(void)
{
	trap_pid = (uint32_t)gate_call0(SYS_getpid);
	if (!trap_static)
		return;
	gate_data()->child_of_fork = 0;
	if (trap_reports)
		report_after_fork();
}

/* Calls whose masks or actions hold SIGSYS. True when routed. */
static bool trap_route_signals(ucontext_t *uc, const struct trap_call *call)
{
	if (sigcore_route_temp_mask(uc, call))
		return true;
	switch (call->nr) {
	case SYS_rt_sigprocmask:
		/* Limitation: a mask read back here never shows SIGSYS. */
		sigcore_pass_temp_mask(uc, call, 1, false);
		return true;
	case SYS_rt_sigaction:
		if (!trap_static)
			return false;
		decode_set_return(uc, trap_sigaction(call));
		return true;
	case SYS_sigaltstack:
		trap_pass_sigaltstack(uc, call);
		return true;
	default:
		return false;
	}
}

void syswho_sigsys(int sig, siginfo_t *info, void *context)
{
	struct gate_early *early = NULL;
	ucontext_t *uc = context;
	struct trap_call call;

	if (!decode_is_ours(info)) {
		/* Limitation: a SIGSYS from elsewhere before the library
		 * starts is lost. */
		if (trap_static)
			trap_forward(sig, info, uc);
		return;
	}
	if (gate_data()->child_of_fork)
		trap_after_fork();
	decode_call(info, uc, &call);
	if (!__atomic_load_n(&gate_data()->quiet, __ATOMIC_RELAXED))
		early = trap_note(&call);
	if (trap_reports)
		report_call(early);

	if (call.arch == AUDIT_ARCH_I386) {
		pass_via(uc, GATE_PASS_INT80);
		return;
	}
	if (trap_route_signals(uc, &call))
		return;
	switch (call.nr) {
	case SYS_clone3:
		decode_set_return(uc, -ENOSYS);
		return;
	case SYS_clone:
		clone_pass(uc, &call);
		return;
	case SYS_fork:
		pass_via(uc, GATE_FORK);
		return;
	case SYS_vfork:
		clone_pass_vfork(uc);
		return;
	case SYS_execve:
	case SYS_execveat:
		if (trap_exec) {
			trap_exec_route(uc, &call);
			return;
		}
		break;
	case SYS_exit_group:
		if (trap_reports)
			report_exit((int)call.args[0] & 0xff, 0);
		break;
	default:
		break;
	}
	pass_via(uc, GATE_PASS);
}

/*
 * The action found for SIGSYS is what the exec'ing image left: only
 * SIG_IGN survives an exec, and the program starts with it.
 */
int trap_install(void)
{
	struct ksigaction old = {0};
	long ret;

	trap_pid = (uint32_t)gate_call0(SYS_getpid);
	ret = trap_set_kernel(TRAP_FLAGS, &old);
	/* exec kept an ignored SIGSYS: the program's, and the library's. */
	if (ret == 0 && old.handler == SIG_IGN) {
		trap_sigsys.handler = SIG_IGN;
		gate_data()->sigsys_ignored = 1;
	}

	return (int)ret;
}
