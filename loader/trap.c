/*
 * The loader-phase handler. It runs before the program has TLS, a libc or
 * anything else, so it keeps to the gate, the saved context and the
 * gate's data pages.
 */
#include "trap.h"

#include "args.h"
#include "clone.h"
#include "execprep.h"
#include "report.h"
#include "decode.h"
#include "passthrough.h"
#include "sigentry.h"
#include "sys.h"

#include <errno.h>
#include <linux/audit.h>
#include <signal.h>
#include <sys/syscall.h>

#define SIGSYS_BIT (1ULL << (SIGSYS - 1))
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

struct ksigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

extern void loader_restorer(void);

/* Set for a static program: the handler reports and routes execs itself. */
static const struct exec_setup *trap_exec;

void trap_go_static(const struct exec_setup *es)
{
	trap_exec = es;
}

/* A static program's exec: to the loader again, or failing as it would. */
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
 * A mask being set must never hold SIGSYS. Limitation: before the library
 * takes over, a program reading its mask back does not see SIGSYS in it.
 */
static void trap_pass_sigprocmask(ucontext_t *uc, const struct trap_call *call)
{
	const uint64_t *set = (const uint64_t *)call->args[1];
	uint64_t *scratch;

	if (!set || call->args[0] == SIG_UNBLOCK || !(*set & SIGSYS_BIT)) {
		pass_via(uc, GATE_PASS);
		return;
	}
	scratch = pass_via(uc, GATE_PASS);
	scratch[0] = *set & ~SIGSYS_BIT;
	pass_set_arg(uc, 1, (long)scratch);
}

void syswho_sigsys(int sig, siginfo_t *info, void *context)
{
	struct gate_early *early = NULL;
	ucontext_t *uc = context;
	struct trap_call call;

	/* Limitation: a SIGSYS from elsewhere before the library starts is
	 * lost. */
	if (!decode_is_ours(info))
		return;
	if (trap_exec && gate_data()->child_of_fork) {
		gate_data()->child_of_fork = 0;
		report_after_fork();
	}
	decode_call(info, uc, &call);
	if (!__atomic_load_n(&gate_data()->quiet, __ATOMIC_RELAXED))
		early = trap_note(&call);
	if (trap_exec)
		report_call(early);

	if (call.arch == AUDIT_ARCH_I386) {
		pass_via(uc, GATE_PASS_INT80);
		return;
	}
	switch (call.nr) {
	case SYS_rt_sigprocmask:
		trap_pass_sigprocmask(uc, &call);
		return;
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
		if (trap_exec)
			report_exit((int)call.args[0] & 0xff, 0);
		break;
	default:
		break;
	}
	pass_via(uc, GATE_PASS);
}

int trap_install(void)
{
	struct ksigaction act = {
	    .handler = (void *)syswho_sigsys_entry,
	    .flags = SA_SIGINFO | SA_NODEFER | SA_RESTORER,
	    .restorer = (void *)loader_restorer,
	    .mask = ~SIGSYS_BIT,
	};
	struct ksigaction old;
	long ret = gate_call4(SYS_rt_sigaction, SIGSYS, &act, &old, 8);

	/* exec kept an ignored SIGSYS: the program's, for the library. */
	if (ret == 0 && old.handler == SIG_IGN)
		gate_data()->sigsys_ignored = 1;

	return (int)ret;
}
