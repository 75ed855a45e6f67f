/*
 * Unwinding the interrupted program's stack from inside the SIGSYS
 * handler.
 */
#ifndef SYSWHO_UNWIND_H
#define SYSWHO_UNWIND_H

#include <stdint.h>
#include <ucontext.h>

#define UNWIND_MAX_FRAMES 64

/*
 * Load the unwinder (outside signal context) and warm it up. Returns 0, or
 * a negative errno when no unwinder can be had; unwind_stack then only
 * reports the interrupted frame.
 */
int unwind_init(void);

/*
 * Write the interrupted stack, innermost first, to PCS (at most MAX):
 * PCS[0] is the interrupted instruction pointer of UC, the rest are return
 * addresses. Returns the number of frames, at least 1.
 */
int unwind_stack(const ucontext_t *uc, uintptr_t *pcs, int max);

/*
 * Find the interrupted frame in a backtrace taken inside the handler: the
 * first entry equal to IP. Returns its index or -1. (Split out to be
 * tested on its own.)
 */
int unwind_skip_handler(void *const *trace, int n, uintptr_t ip);

#endif
