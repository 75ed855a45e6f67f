/*
 * The SIGSYS handler: a short dispatcher over decode, record (unwind,
 * attribute, aggregate, encode) and route.
 *
 * Async-signal safety rules everything called from here: no malloc, no
 * stdio, no lock the interrupted code might hold, initial-exec TLS only,
 * and every syscall of syswho's own made from the gate. A trap raised by
 * syswho's own work (a library it calls) is nested: it passes straight
 * through, unrecorded.
 */
#include "handler.h"

#include "decode.h"
#include "gate.h"
#include "process.h"
#include "record.h"
#include "route.h"
#include "sigentry.h"
#include "signals.h"
#include "thread.h"

#include <errno.h>

bool handler_floor;

/* The first trap of a forked child: it is a new process for the collector. */
static void handler_after_fork(void)
{
	gate_data()->child_of_fork = 0;
	process_after_fork();
	thread_after_fork(thread_peek());
}

void syswho_sigsys(int sig, siginfo_t *info, void *context)
{
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
	struct thread_state *ts, *tls_owner;
	ucontext_t *uc = context;
	int saved_errno = errno;
	struct trap_call call;
	enum route_after after;
	bool shared;

	if (!decode_is_ours(info)) {
		signals_forward(thread_peek(), sig, info, uc);
		errno = saved_errno;
		return;
	}
	if (gate_data()->child_of_fork)
		handler_after_fork();

	decode_call(info, uc, &call);
	ts = tls_owner = thread_self_at(sp);
	shared = tls_owner && tls_owner->shares_tls;
	if (shared)
		ts = thread_by_tid(tls_owner, sp);
	if (!ts) {
		route_call(NULL, uc, &call, false);
		errno = saved_errno;
		return;
	}
	if (!thread_enter(ts, sp)) {
		route_call(ts, uc, &call, true);
		errno = saved_errno;
		return;
	}

	if (!handler_floor) {
		if (shared)
			thread_lock_tls(tls_owner);
		record_call(ts, uc, &call);
		record_maybe_flush(ts, route_may_block(call.nr));
		if (shared)
			thread_unlock_tls(tls_owner);
	}
	after = route_call(ts, uc, &call, false);
	thread_leave(ts);
	if (after == ROUTE_THREAD_EXIT)
		thread_release(ts);

	errno = saved_errno;
}
