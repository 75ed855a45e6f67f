/*
 * Keeping SIGSYS deliverable while the program believes it controls it.
 *
 * A trap while SIGSYS is blocked kills the process, so SIGSYS is taken out
 * of every mask the program installs (its thread mask, its handlers'
 * sa_mask), while the program keeps seeing the masks it asked for. The
 * temporary masks of sigsuspend, ppoll, pselect6 and epoll_pwait reach the
 * kernel as they are: only signal handlers run while one is in force, and
 * the trampoline opens SIGSYS before a handler can make a syscall.
 * A signalfd's mask blocks nothing (it picks the pending signals a read
 * returns), so it keeps SIGSYS, as the program's fdinfo shows.
 * The program's own SIGSYS disposition is kept virtual and receives every
 * SIGSYS that syswho's filter did not raise.
 */
#ifndef SYSWHO_SIGNALS_H
#define SYSWHO_SIGNALS_H

#include "decode.h"
#include "thread.h"

#include <stdbool.h>
#include <ucontext.h>

/*
 * Install HANDLER for SIGSYS, taking over the program's actions and the
 * SIGSYS state it inherited (see gate_data). 0 or a negative errno.
 */
int signals_install(void (*handler)(int, siginfo_t *, void *));

/* Whether the program's SIGSYS action is SIG_IGN, which exec keeps. */
bool signals_sigsys_ignored(void);

/* Deliver a SIGSYS that syswho did not raise as the program asked. */
void signals_forward(struct thread_state *ts, int sig, siginfo_t *info,
		     ucontext_t *uc);

/*
 * rt_sigprocmask, done on the saved mask in UC (which rt_sigreturn
 * installs). NESTED: the caller is syswho's own code (no virtual bit).
 * Returns the syscall's result.
 */
long signals_sigprocmask(struct thread_state *ts, ucontext_t *uc,
			 const struct trap_call *call, bool nested);

/*
 * A call with a temporary mask (rt_sigsuspend, ppoll, pselect6,
 * epoll_pwait): the mask's SIGSYS bit, not the thread's view, rules a
 * SIGSYS from elsewhere while the call waits. One that blocks SIGSYS goes
 * to the kernel as it is (the trampoline opens SIGSYS before any program
 * handler runs in the call); one that lets in a pending SIGSYS delivers it
 * and fails with EINTR, as the kernel would. True when CALL was such a
 * call (routed); false, untouched, otherwise.
 */
bool signals_route_temp_mask(struct thread_state *ts, ucontext_t *uc,
			     const struct trap_call *call);

/*
 * rt_sigaction, answered from the program's view of its actions: SIGSYS
 * stays virtual; any other handler is installed behind a trampoline, with
 * SIGSYS taken out of its sa_mask. Returns the syscall's result.
 */
long signals_sigaction(const struct trap_call *call);

#endif
