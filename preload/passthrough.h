/*
 * Sending a trapped call on to the kernel through a gate stub.
 */
#ifndef SYSWHO_PASSTHROUGH_H
#define SYSWHO_PASSTHROUGH_H

#include "gate.h"

#include <ucontext.h>

/*
 * Rewrite UC so that, once the handler returns, the program makes its call
 * from STUB with its own registers and signal mask, then resumes after its
 * own syscall instruction with the argument registers restored. UC must
 * be the context the kernel handed to syswho_sigsys_entry. Returns the
 * frame's scratch area (GATE_FRAME_SCRATCH bytes on the program's stack)
 * where rewritten copies of arguments may be placed.
 */
void *pass_via(ucontext_t *uc, enum gate_stub stub);

/*
 * Like pass_via, with the frame below the red zone of the program's own
 * stack: the call is then made on the stack the program made it on, as
 * sigaltstack needs when the signal frame is on the alternate stack.
 * Only for a signal frame on a stack other than the program's.
 */
void *pass_via_own_stack(ucontext_t *uc, enum gate_stub stub);

/* Point argument register I (0..5, x86_64 order) at VALUE. */
void pass_set_arg(ucontext_t *uc, int i, long value);

#endif
