/*
 * Signal pieces shared by the library and the exec loader.
 */
#include "sigcore.h"

#include "gate.h"
#include "passthrough.h"
#include "umem.h"

#include <errno.h>
#include <sys/syscall.h>

bool sigcore_is_handler(void *handler)
{
	return handler != SIG_DFL && handler != SIG_IGN;
}

static uint64_t *sigcore_saved_mask(ucontext_t *uc)
{
	return (uint64_t *)&uc->uc_sigmask;
}

uint64_t sigcore_handler_mask_from(uint64_t base, const struct ksigaction *act)
{
	uint64_t mask = base | act->mask;

	if (!(act->flags & SA_NODEFER))
		mask |= SIGCORE_SIGSYS;

	return mask;
}

uint64_t sigcore_handler_mask(const ucontext_t *uc,
			      const struct ksigaction *act)
{
	return sigcore_handler_mask_from(*(const uint64_t *)&uc->uc_sigmask,
					 act);
}

void sigcore_invoke(const struct ksigaction *act, int sig, siginfo_t *info,
		    ucontext_t *uc, uint64_t mask)
{
	mask &= ~SIGCORE_UNBLOCKABLE;
	gate_call4(SYS_rt_sigprocmask, SIG_SETMASK, &mask, NULL,
		   SIGCORE_SETSIZE);

	if (act->flags & SA_SIGINFO)
		((void (*)(int, siginfo_t *, void *))act->handler)(sig, info,
								   uc);
	else
		((void (*)(int))act->handler)(sig);
}

/*
 * syswho's handler must go first, or the signal would come back to it:
 * the kernel's default action then ends the process on the way out.
 */
void sigcore_die(ucontext_t *uc)
{
	struct ksigaction dfl = {0};

	gate_call4(SYS_rt_sigaction, SIGSYS, &dfl, NULL, SIGCORE_SETSIZE);
	gate_call3(SYS_tgkill, gate_call0(SYS_getpid), gate_call0(SYS_gettid),
		   SIGSYS);
	*sigcore_saved_mask(uc) &= ~SIGCORE_SIGSYS;
}

void sigcore_pass_temp_mask(ucontext_t *uc, const struct trap_call *call,
			    int arg, bool indirect)
{
	const void *umask = (const void *)call->args[arg];
	uint64_t pair[2], mask, *scratch;

	if (umask && indirect) {
		/* pselect6: a pointer to {const sigset_t *ss; size_t len}. */
		if (umem_read(pair, umask, sizeof(pair)) != 0)
			umask = NULL;
		else
			umask = (const void *)pair[0];
	}
	if (!umask || umem_read(&mask, umask, sizeof(mask)) != 0 ||
	    !(mask & SIGCORE_SIGSYS)) {
		/* Nothing to strip; a bad pointer fails in the kernel as usual.
		 */
		pass_via(uc, GATE_PASS);
		return;
	}

	scratch = pass_via(uc, GATE_PASS);
	scratch[0] = mask & ~SIGCORE_SIGSYS;
	if (indirect) {
		scratch[1] = (uint64_t)&scratch[0];
		scratch[2] = pair[1];
		pass_set_arg(uc, arg, (long)&scratch[1]);
		return;
	}
	pass_set_arg(uc, arg, (long)&scratch[0]);
}

bool sigcore_temp_mask_arg(int nr, int *arg, bool *indirect)
{
	*indirect = false;
	switch (nr) {
	case SYS_rt_sigsuspend:
		*arg = 0;
		return true;
	case SYS_ppoll:
		*arg = 3;
		return true;
	case SYS_pselect6:
		*arg = 5;
		*indirect = true;
		return true;
	case SYS_epoll_pwait:
	case SYS_epoll_pwait2:
		*arg = 4;
		return true;
	default:
		return false;
	}
}

bool sigcore_route_temp_mask(ucontext_t *uc, const struct trap_call *call)
{
	bool indirect;
	int arg;

	if (!sigcore_temp_mask_arg(call->nr, &arg, &indirect))
		return false;
	sigcore_pass_temp_mask(uc, call, arg, indirect);

	return true;
}

bool sigcore_read_temp_mask(const struct trap_call *call, uint64_t *mask)
{
	const void *umask;
	uint64_t pair[2];
	bool indirect;
	int arg;

	if (!sigcore_temp_mask_arg(call->nr, &arg, &indirect))
		return false;
	umask = (const void *)call->args[arg];
	/* A set of another size is the kernel's to refuse (EINVAL). */
	if (umask && indirect) {
		if (umem_read(pair, umask, sizeof(pair)) != 0 ||
		    pair[1] != SIGCORE_SETSIZE)
			return false;
		umask = (const void *)pair[0];
	} else if (umask && call->args[arg + 1] != SIGCORE_SETSIZE) {
		return false;
	}

	return umask && umem_read(mask, umask, sizeof(*mask)) == 0;
}

enum sigcore_temp sigcore_temp_effect(bool has_mask, uint64_t mask,
				      bool blocked, bool pending)
{
	if (!has_mask)
		return SIGCORE_TEMP_SAME;
	if (mask & SIGCORE_SIGSYS)
		return SIGCORE_TEMP_BLOCKS;
	if (!blocked)
		return SIGCORE_TEMP_SAME;

	return pending ? SIGCORE_TEMP_DELIVER : SIGCORE_TEMP_OPENS;
}

/* The syscall instruction is two bytes: the kernel resumes after it. */
#define SIGCORE_SYSCALL_LEN 2

bool sigcore_interrupted_pass(const ucontext_t *uc, uintptr_t frame)
{
	const greg_t *r = uc->uc_mcontext.gregs;

	return frame && (uintptr_t)r[REG_RSP] == frame &&
	       (uintptr_t)r[REG_RIP] ==
		   gate_stub_addr(GATE_PASS) + SIGCORE_SYSCALL_LEN &&
	       r[REG_RAX] == -EINTR;
}

/* Whether ADDR lies on the alternate stack UC was delivered with. */
static bool sigcore_on_altstack(const ucontext_t *uc, uintptr_t addr)
{
	uintptr_t base = (uintptr_t)uc->uc_stack.ss_sp;

	return !(uc->uc_stack.ss_flags & SS_DISABLE) && addr >= base &&
	       addr - base < uc->uc_stack.ss_size;
}

void *sigcore_pass_on_own_stack(ucontext_t *uc, const struct trap_call *call)
{
	if (sigcore_on_altstack(uc, (uintptr_t)uc) &&
	    !sigcore_on_altstack(uc, call->sp))
		return pass_via_own_stack(uc, GATE_PASS);
	return pass_via(uc, GATE_PASS);
}
