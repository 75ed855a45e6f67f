/*
 * Signal-mask and SIGSYS-disposition emulation.
 */
#include "signals.h"

#include "decode.h"
#include "gate.h"
#include "passthrough.h"
#include "process.h"
#include "sigcore.h"
#include "umem.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>

#define SIGSYS_BIT   SIGCORE_SIGSYS
#define UNBLOCKABLE  SIGCORE_UNBLOCKABLE
#define KSIGSET_SIZE SIGCORE_SETSIZE
#define SIGNALS_MAX  SIGCORE_MAX

/*
 * The actions as the program set them, for every signal. The kernel holds
 * syswho's handler for SIGSYS, and for every other handled signal a
 * trampoline that shows the program's handler the SIGSYS bit of the mask
 * it asked for; sa_mask never holds SIGSYS in the kernel.
 */
static struct ksigaction signals_actions[SIGNALS_MAX + 1];
#define signals_virtual_sigsys signals_actions[SIGSYS]

static uint64_t *signals_saved_mask(ucontext_t *uc)
{
	return (uint64_t *)&uc->uc_sigmask;
}

static void signals_after_handler(struct thread_state *ts, ucontext_t *uc);

/*
 * Whether the kernel blocks SIGSYS for the handler that is starting: only
 * a temporary mask that blocks SIGSYS does (see signals_route_temp_mask).
 * Such a handler must open it before any syscall, which would kill.
 */
static bool signals_kernel_blocks_sigsys(void)
{
	uint64_t cur = 0;

	gate_call4(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &cur, KSIGSET_SIZE);

	return (cur & SIGSYS_BIT) != 0;
}

static void signals_kernel_open_sigsys(void)
{
	uint64_t sys = SIGSYS_BIT;

	gate_call4(SYS_rt_sigprocmask, SIG_UNBLOCK, &sys, NULL, KSIGSET_SIZE);
}

/*
 * The program's view of SIGSYS while a handler that interrupted UC runs,
 * before its sa_mask: a temporary mask's if it interrupted a call made
 * with one (HELD: the kernel blocks SIGSYS, so the mask blocked it), the
 * thread's otherwise.
 */
static bool signals_interrupted_view(struct thread_state *ts,
				     const ucontext_t *uc, bool held)
{
	if (held)
		return true;
	if (sigcore_interrupted_pass(uc, ts->temp_frame)) {
		ts->temp_frame = 0;
		return (ts->temp_mask & SIGSYS_BIT) != 0;
	}

	return ts->sigsys_blocked;
}

/*
 * Every handled signal arrives here first: the program's handler runs
 * with the virtual SIGSYS bit its sa_mask (or the mask it interrupted)
 * asked for, while the real mask keeps SIGSYS open. The mask its return
 * restores shows SIGSYS as the program had it.
 */
static void signals_trampoline(int sig, siginfo_t *info, void *ctx)
{
	struct ksigaction act = signals_actions[sig];
	struct thread_state *ts = thread_peek();
	bool held = signals_kernel_blocks_sigsys();
	ucontext_t *uc = ctx;

	if (act.flags & SA_RESETHAND)
		memset(&signals_actions[sig], 0, sizeof(signals_actions[sig]));
	if (!sigcore_is_handler(act.handler))
		return;
	if (ts) {
		bool during = signals_interrupted_view(ts, uc, held);

		if (ts->sigsys_blocked)
			*signals_saved_mask(uc) |= SIGSYS_BIT;
		ts->sigsys_blocked = during || (act.mask & SIGSYS_BIT);
	}
	/* A SIGSYS the mask held arrives now, into the view just set. */
	if (held)
		signals_kernel_open_sigsys();
	if (act.flags & SA_SIGINFO)
		((void (*)(int, siginfo_t *, void *))act.handler)(sig, info,
								  uc);
	else
		((void (*)(int))act.handler)(sig);
	signals_after_handler(ts, uc);
}

/* What the kernel gets for the program's action ACT. */
static void signals_kernel_action(const struct ksigaction *act,
				  struct ksigaction *out)
{
	*out = *act;
	out->mask &= ~SIGSYS_BIT;
	if (sigcore_is_handler(act->handler)) {
		out->handler = (void *)signals_trampoline;
		out->flags |= SA_SIGINFO;
	}
}

/*
 * SIGSYS as the program inherited it. Blocked, it must be opened in the
 * kernel before the first trap, and stays blocked in the thread's view;
 * ignored (exec keeps SIG_IGN), it stays ignored in the program's view.
 * Under the exec loader the kernel's state is the loader's: what the
 * program inherited is in the gate's data. KERNEL_IGNORED: the action
 * syswho's handler replaced was SIG_IGN.
 */
static void signals_adopt_sigsys(bool kernel_ignored)
{
	const struct gate_data *gd = gate_data();
	bool loader = gd->loader == GATE_LOADER_MAGIC;
	bool blocked = loader && gd->sigsys_blocked;
	uint64_t mask = 0, sys = SIGSYS_BIT;
	struct thread_state *ts;

	if (kernel_ignored || (loader && gd->sigsys_ignored))
		signals_virtual_sigsys.handler = SIG_IGN;
	if (gate_call4(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &mask,
		       KSIGSET_SIZE) == 0 &&
	    (mask & SIGSYS_BIT)) {
		gate_call4(SYS_rt_sigprocmask, SIG_UNBLOCK, &sys, NULL,
			   KSIGSET_SIZE);
		blocked = true;
	}
	if (!blocked)
		return;
	/* Limitation: out of thread states, the program sees SIGSYS open. */
	ts = thread_self();
	if (ts)
		ts->sigsys_blocked = true;
}

/* Take over the handlers installed before syswho started. */
static void signals_adopt(void)
{
	struct ksigaction act, kact;
	int sig;

	for (sig = 1; sig <= SIGNALS_MAX; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP || sig == SIGSYS)
			continue;
		if (gate_call4(SYS_rt_sigaction, sig, NULL, &act,
			       KSIGSET_SIZE) != 0)
			continue;
		signals_actions[sig] = act;
		if (!sigcore_is_handler(act.handler) &&
		    !(act.mask & SIGSYS_BIT))
			continue;
		signals_kernel_action(&act, &kact);
		gate_call4(SYS_rt_sigaction, sig, &kact, NULL, KSIGSET_SIZE);
	}
}

int signals_install(void (*handler)(int, siginfo_t *, void *))
{
	struct sigaction sa, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = handler;
	/*
	 * Everything but SIGSYS stays blocked while syswho works, so no
	 * program handler runs inside it; SIGSYS itself must stay open for
	 * the traps of syswho's own libraries.
	 */
	sigfillset(&sa.sa_mask);
	sigdelset(&sa.sa_mask, SIGSYS);
	sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_RESTART;
	if (sigaction(SIGSYS, &sa, &old) != 0)
		return -errno;
	signals_adopt();
	signals_adopt_sigsys(old.sa_handler == SIG_IGN);

	return 0;
}

bool signals_sigsys_ignored(void)
{
	return signals_virtual_sigsys.handler == SIG_IGN;
}

/*
 * Run the program's SIGSYS handler as the kernel would have, BASE being
 * the mask it interrupted. The mask its return restores shows SIGSYS as
 * the thread's view has it.
 */
static void signals_call_handler(struct thread_state *ts,
				 const struct ksigaction *act, int sig,
				 siginfo_t *info, ucontext_t *uc, uint64_t base)
{
	uint64_t mask = sigcore_handler_mask_from(base, act);

	if (act->flags & SA_RESETHAND)
		memset(&signals_virtual_sigsys, 0,
		       sizeof(signals_virtual_sigsys));
	if (ts && ts->sigsys_blocked)
		*signals_saved_mask(uc) |= SIGSYS_BIT;
	if (ts)
		ts->sigsys_blocked = (mask & SIGSYS_BIT) != 0;
	sigcore_invoke(act, sig, info, uc, mask);
	signals_after_handler(ts, uc);
}

/* Deliver INFO to the program's SIGSYS action, BASE being the mask. */
static void signals_deliver(struct thread_state *ts, int sig, siginfo_t *info,
			    ucontext_t *uc, uint64_t base)
{
	struct ksigaction act = signals_virtual_sigsys;

	if (act.handler == SIG_IGN)
		return;
	if (act.handler != SIG_DFL) {
		signals_call_handler(ts, &act, sig, info, uc, base);
		return;
	}
	sigcore_die(uc);
}

void signals_forward(struct thread_state *ts, int sig, siginfo_t *info,
		     ucontext_t *uc)
{
	uint64_t base = *signals_saved_mask(uc);
	bool blocked = ts && ts->sigsys_blocked;

	if (signals_virtual_sigsys.handler == SIG_IGN)
		return;
	/* A call whose temporary mask lets SIGSYS in: it ends with EINTR. */
	if (ts && sigcore_interrupted_pass(uc, ts->temp_frame)) {
		ts->temp_frame = 0;
		base = ts->temp_mask;
		blocked = false;
	}
	if (blocked) {
		/*
		 * Limitation: one pending SIGSYS is kept, like a standard
		 * signal, and only here: sigpending, sigwaitinfo and
		 * signalfd do not see it.
		 */
		ts->sigsys_info = *info;
		ts->sigsys_pending = true;
		return;
	}
	signals_deliver(ts, sig, info, uc, base);
}

/* The program blocked or unblocked SIGSYS: deliver what waited for it. */
static void signals_set_virtual(struct thread_state *ts, bool blocked,
				ucontext_t *uc)
{
	ts->sigsys_blocked = blocked;
	if (!blocked && ts->sigsys_pending) {
		ts->sigsys_pending = false;
		signals_forward(ts, SIGSYS, &ts->sigsys_info, uc);
	}
}

/*
 * A program handler returned, and rt_sigreturn will install the mask in
 * UC, which the handler may have edited: whether it holds SIGSYS is the
 * thread's view from now on, and the kernel must never get it.
 */
static void signals_after_handler(struct thread_state *ts, ucontext_t *uc)
{
	uint64_t *saved = signals_saved_mask(uc);
	bool blocked = (*saved & SIGSYS_BIT) != 0;

	*saved &= ~SIGSYS_BIT;
	if (ts)
		signals_set_virtual(ts, blocked, uc);
}

static long signals_apply_how(long how, uint64_t old, uint64_t set,
			      uint64_t *next)
{
	switch (how) {
	case SIG_BLOCK:
		*next = old | set;
		return 0;
	case SIG_UNBLOCK:
		*next = old & ~set;
		return 0;
	case SIG_SETMASK:
		*next = set;
		return 0;
	default:
		return -EINVAL;
	}
}

long signals_sigprocmask(struct thread_state *ts, ucontext_t *uc,
			 const struct trap_call *call, bool nested)
{
	uint64_t *saved = signals_saved_mask(uc);
	uint64_t old = *saved, set, next;
	const void *uset = (const void *)call->args[1];
	void *uold = (void *)call->args[2];
	bool virtual = ts && !nested;
	long ret;

	if (call->args[3] != KSIGSET_SIZE)
		return -EINVAL;
	if (virtual && ts->sigsys_blocked)
		old |= SIGSYS_BIT;
	if (uset) {
		if (umem_read(&set, uset, sizeof(set)) != 0)
			return -EFAULT;
		ret = signals_apply_how(call->args[0], old, set, &next);
		if (ret < 0)
			return ret;
		/* Like the kernel: the new mask holds even if oldset faults. */
		*saved = next & ~UNBLOCKABLE;
		if (virtual)
			signals_set_virtual(ts, (next & SIGSYS_BIT) != 0, uc);
	}
	if (uold && umem_write(uold, &old, sizeof(old)) != 0)
		return -EFAULT;

	return 0;
}

static bool signals_in_memory_child(void);

bool signals_route_temp_mask(struct thread_state *ts, ucontext_t *uc,
			     const struct trap_call *call)
{
	bool has, indirect;
	uint64_t mask = 0;
	int arg;

	if (!sigcore_temp_mask_arg(call->nr, &arg, &indirect))
		return false;
	if (!ts)
		return sigcore_route_temp_mask(uc, call);
	/* Ignoring SIGSYS discarded the one that waited, as the kernel does. */
	if (ts->sigsys_pending && signals_virtual_sigsys.handler == SIG_IGN)
		ts->sigsys_pending = false;
	has = sigcore_read_temp_mask(call, &mask);
	switch (sigcore_temp_effect(has, mask, ts->sigsys_blocked,
				    ts->sigsys_pending)) {
	case SIGCORE_TEMP_BLOCKS:
		/*
		 * Its handlers are the kernel's own, not behind the
		 * trampoline: SIGSYS must stay open for them.
		 * Limitation: there, a SIGSYS from elsewhere ends the call.
		 */
		if (signals_in_memory_child())
			return sigcore_route_temp_mask(uc, call);
		pass_via(uc, GATE_PASS);
		return true;
	case SIGCORE_TEMP_DELIVER:
		/*
		 * Limitation: a ppoll, pselect6 or epoll_pwait with ready
		 * descriptors returns EINTR here, not their count.
		 */
		ts->sigsys_pending = false;
		signals_deliver(ts, SIGSYS, &ts->sigsys_info, uc, mask);
		decode_set_return(uc, -EINTR);
		return true;
	case SIGCORE_TEMP_OPENS:
		pass_via(uc, GATE_PASS);
		ts->temp_mask = mask;
		ts->temp_frame = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
		return true;
	case SIGCORE_TEMP_SAME:
	default:
		sigcore_pass_temp_mask(uc, call, arg, indirect);
		return true;
	}
}

/*
 * A child that shares the parent's memory but is not one of its threads
 * (posix_spawn's, a clone with CLONE_VM and no CLONE_THREAD) sees the
 * parent's signals_actions, yet has handlers of its own in the kernel.
 * Limitation: a CLONE_SIGHAND child that is not a thread is taken for one
 * of these, so its actions no longer show in the parent's view.
 */
static bool signals_in_memory_child(void)
{
	return gate_call0(SYS_getpid) != (long)process.pid;
}

/*
 * rt_sigaction in such a child: glibc's spawn child resets every handler
 * to SIG_DFL before its exec, which must reach the child's kernel table
 * and never the shared view, or the parent would lose its handlers.
 * Limitation: a SIGSYS action set there is accepted but not kept, nor
 * carried into the child's exec.
 */
static long signals_sigaction_child(int sig, const struct ksigaction *act,
				    void *uold)
{
	struct ksigaction old, kact;
	long ret;

	ret = gate_call4(SYS_rt_sigaction, sig, NULL, &old, KSIGSET_SIZE);
	if (ret < 0)
		return ret;
	/* Inherited from the parent: the handler is the one in its view. */
	if (sig == SIGSYS || old.handler == (void *)signals_trampoline)
		old = signals_actions[sig];
	if (act && sig != SIGSYS) {
		kact = *act;
		kact.mask &= ~SIGSYS_BIT;
		ret = gate_call4(SYS_rt_sigaction, sig, &kact, NULL,
				 KSIGSET_SIZE);
		if (ret < 0)
			return ret;
	}
	if (uold && umem_write(uold, &old, sizeof(old)) != 0)
		return -EFAULT;

	return 0;
}

/*
 * syswho's SIGSYS frames land where the program said its own SIGSYS frames
 * go: with SA_ONSTACK, on the thread's alternate stack. Go's runtime makes
 * syscalls on goroutine stacks of a few KiB, which a signal frame would
 * overrun, and sets SA_ONSTACK on every signal, SIGSYS included.
 */
static void signals_follow_onstack(unsigned long program_flags)
{
	struct ksigaction cur;

	if (gate_call4(SYS_rt_sigaction, SIGSYS, NULL, &cur, KSIGSET_SIZE) !=
		0 ||
	    (cur.flags & SA_ONSTACK) == (program_flags & SA_ONSTACK))
		return;
	cur.flags = (cur.flags & ~(unsigned long)SA_ONSTACK) |
		    (program_flags & SA_ONSTACK);
	gate_call4(SYS_rt_sigaction, SIGSYS, &cur, NULL, KSIGSET_SIZE);
}

long signals_sigaction(const struct trap_call *call)
{
	int sig = (int)call->args[0];
	const void *uact = (const void *)call->args[1];
	void *uold = (void *)call->args[2];
	struct ksigaction act, kact, old;
	long ret = 0;

	/* In the kernel's order: the size, the new action, the signal. */
	if (call->args[3] != KSIGSET_SIZE)
		return -EINVAL;
	if (uact && umem_read(&act, uact, sizeof(act)) != 0)
		return -EFAULT;
	if (sig < 1 || sig > SIGNALS_MAX)
		return -EINVAL;
	if (signals_in_memory_child())
		return signals_sigaction_child(sig, uact ? &act : NULL, uold);

	old = signals_actions[sig];
	if (uact && sig != SIGSYS) {
		signals_kernel_action(&act, &kact);
		ret = gate_call4(SYS_rt_sigaction, sig, &kact, NULL,
				 KSIGSET_SIZE);
		if (ret < 0)
			return ret;
	}
	if (uact && sig == SIGSYS)
		signals_follow_onstack(act.flags);
	if (uact)
		signals_actions[sig] = act;
	if (uold && umem_write(uold, &old, sizeof(old)) != 0)
		return -EFAULT;

	return 0;
}
