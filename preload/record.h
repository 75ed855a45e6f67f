/*
 * Recording a trapped call: unwind, attribute, aggregate, and stream what
 * is new to the collector.
 */
#ifndef SYSWHO_RECORD_H
#define SYSWHO_RECORD_H

#include "decode.h"
#include "thread.h"

#include <stdbool.h>
#include <ucontext.h>

/* Count CALL, made with the registers in UC, in the table of TS. */
void record_call(struct thread_state *ts, const ucontext_t *uc,
		 const struct trap_call *call);

/*
 * Send the counts TS gathered since its last flush. WAIT_MS bounds how
 * long a slow collector may hold the thread.
 */
void record_flush(struct thread_state *ts, int wait_ms);

/* Flush when TS's counts have waited long enough (called on every call). */
void record_maybe_flush(struct thread_state *ts, bool about_to_block);

/* Report the calls the exec loader saw before the library started. */
void record_early(void);

/* Flush every thread and say why the process leaves. */
void record_exit(int code, bool exec);

/* Name scopes for the Site records (see scope.c). */
const char *scope_name(uint32_t id);

#endif
