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
 * Write the interrupted stack, innermost first, to PCS (at most MAX):
 * PCS[0] is the interrupted instruction pointer of UC, the rest are return
 * addresses. Returns the number of frames, at least 1.
 */
int unwind_stack(const ucontext_t *uc, uintptr_t *pcs, int max);

#endif
