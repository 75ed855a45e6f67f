/*
 * The pieces of keeping SIGSYS deliverable that the library (signals.c)
 * and the exec loader's handler for static programs (loader/trap.c)
 * share: neither keeps per-thread state here, and every syscall goes
 * through the gate.
 */
#ifndef SYSWHO_SIGCORE_H
#define SYSWHO_SIGCORE_H

#include "decode.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <ucontext.h>

#define SIGCORE_BIT(s) (1ULL << ((s)-1))
#define SIGCORE_SIGSYS SIGCORE_BIT(SIGSYS)
#define SIGCORE_UNBLOCKABLE                                                    \
	(SIGCORE_SIGSYS | SIGCORE_BIT(SIGKILL) | SIGCORE_BIT(SIGSTOP))
#define SIGCORE_SETSIZE 8
#define SIGCORE_MAX	64

/* The kernel's struct sigaction on x86_64. */
struct ksigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

/* A handler, as opposed to SIG_DFL or SIG_IGN. */
bool sigcore_is_handler(void *handler);

/*
 * The mask the program's SIGSYS handler ACT runs with, as the kernel
 * would block it: the interrupted mask in UC, sa_mask and, without
 * SA_NODEFER, SIGSYS itself. SIGSYS may be set: it is the program's view.
 */
uint64_t sigcore_handler_mask(const ucontext_t *uc,
			      const struct ksigaction *act);

/* The same with BASE for the interrupted mask (a temporary mask, say). */
uint64_t sigcore_handler_mask_from(uint64_t base, const struct ksigaction *act);

/*
 * Call the program's handler ACT for SIG as the kernel would have, with
 * MASK (less what must stay open) as the thread's real mask. UC's saved
 * mask is what rt_sigreturn restores afterwards.
 */
void sigcore_invoke(const struct ksigaction *act, int sig, siginfo_t *info,
		    ucontext_t *uc, uint64_t mask);

/*
 * The default action of a SIGSYS syswho did not raise: the process ends
 * by SIGSYS, as it would have, once the handler returns.
 */
void sigcore_die(ucontext_t *uc);

/*
 * A call with a mask at argument ARG (a pointer to a sigset, or for
 * pselect6 to a {sigset pointer, size} pair): routed through the gate
 * with SIGSYS removed from the mask.
 */
void sigcore_pass_temp_mask(ucontext_t *uc, const struct trap_call *call,
			    int arg, bool indirect);

/*
 * The calls that take a temporary mask (rt_sigsuspend, ppoll, pselect6,
 * epoll_pwait, epoll_pwait2): routed with SIGSYS removed from it, true.
 * Any other call: false, untouched.
 */
bool sigcore_route_temp_mask(ucontext_t *uc, const struct trap_call *call);

/*
 * Where syscall NR takes a temporary mask: argument *ARG, through a
 * {sigset pointer, size} pair when *INDIRECT (pselect6). False for a call
 * that takes none.
 */
bool sigcore_temp_mask_arg(int nr, int *arg, bool *indirect);

/*
 * The temporary mask CALL passes, into *MASK. False when it passes none
 * (a NULL pointer) or one that cannot be read (the kernel fails it).
 */
bool sigcore_read_temp_mask(const struct trap_call *call, uint64_t *mask);

/* What a temporary mask does to the program's own view of SIGSYS. */
enum sigcore_temp {
	SIGCORE_TEMP_SAME,    /* no mask, or SIGSYS in it as in the thread's */
	SIGCORE_TEMP_BLOCKS,  /* it blocks SIGSYS */
	SIGCORE_TEMP_OPENS,   /* it lets in the SIGSYS the thread blocks */
	SIGCORE_TEMP_DELIVER, /* and one is pending: it arrives at once */
};

/*
 * The effect of temporary mask MASK (HAS_MASK false: none) on a thread
 * whose view has SIGSYS BLOCKED, with a SIGSYS PENDING in it or not.
 */
enum sigcore_temp sigcore_temp_effect(bool has_mask, uint64_t mask,
				      bool blocked, bool pending);

/*
 * Whether UC was interrupted inside a call passed through the plain stub
 * (GATE_PASS) from the pass-through frame FRAME, the call having been cut
 * short by the signal (-EINTR) rather than having finished.
 */
bool sigcore_interrupted_pass(const ucontext_t *uc, uintptr_t frame);

/*
 * Pass the call in UC through the gate from the program's own stack when
 * the signal frame went to the alternate stack and the call was not made
 * there: sigaltstack looks at the stack pointer it is called with, and
 * from the alternate stack would fail to change it (EPERM) and report it
 * in use. Returns the scratch space of the pass-through frame.
 */
void *sigcore_pass_on_own_stack(ucontext_t *uc, const struct trap_call *call);

#endif
