/*
 * What happens to a trapped call once it is recorded: passed through the
 * gate unchanged, passed with rewritten arguments, or answered by syswho.
 */
#ifndef SYSWHO_ROUTE_H
#define SYSWHO_ROUTE_H

#include "decode.h"
#include "thread.h"

#include <stdbool.h>
#include <ucontext.h>

enum route_after {
	ROUTE_DONE,
	ROUTE_THREAD_EXIT, /* the thread is leaving: release its state */
};

/*
 * Route CALL (trapped with the registers in UC). TS is the thread's state
 * (NULL when none could be had); NESTED when syswho itself made the call.
 */
enum route_after route_call(struct thread_state *ts, ucontext_t *uc,
			    const struct trap_call *call, bool nested);

/* Whether syscall NR may block for long (counts are flushed first). */
bool route_may_block(int nr);

#endif
