/*
 * The pass-through frame (see gate_frame.h for its layout).
 */
#include "passthrough.h"

#include <stdint.h>

#define PASS_RED_ZONE 128

static const int pass_arg_regs[6] = {
    REG_RDI, REG_RSI, REG_RDX, REG_R10, REG_R8, REG_R9,
};

/*
 * The kernel's x86_64 signal frame starts with the restorer's address
 * (pretcode), directly followed by the ucontext, and the handler is entered
 * with the stack pointer at pretcode. syswho_sigsys_entry keeps the
 * GATE_FRAME_RESERVE bytes under it free, so the frame written there
 * survives rt_sigreturn without touching what the kernel restores.
 * Limitation: a blocked call keeps a signal frame's depth of extra stack.
 */
static uint64_t *pass_frame(ucontext_t *uc)
{
	return (uint64_t *)((uintptr_t)uc - sizeof(void *) -
			    GATE_FRAME_RESERVE);
}

static void *pass_via_frame(ucontext_t *uc, enum gate_stub stub,
			    uint64_t *frame)
{
	greg_t *r = uc->uc_mcontext.gregs;
	int i;

	for (i = 0; i < GATE_FRAME_REGS; i++)
		frame[i] = (uint64_t)r[pass_arg_regs[i]];
	frame[GATE_FRAME_RETURN] = (uint64_t)r[REG_RIP];
	frame[GATE_FRAME_SP] = (uint64_t)r[REG_RSP];

	r[REG_RSP] = (greg_t)frame;
	r[REG_RIP] = (greg_t)gate_stub_addr(stub);

	return frame + GATE_FRAME_SP + 1;
}

void *pass_via(ucontext_t *uc, enum gate_stub stub)
{
	return pass_via_frame(uc, stub, pass_frame(uc));
}

/*
 * The frame on the program's own stack, under its red zone: only for a
 * signal frame that is on another stack, or the two would overlap.
 */
void *pass_via_own_stack(ucontext_t *uc, enum gate_stub stub)
{
	uintptr_t sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
	uintptr_t top = (sp - PASS_RED_ZONE) & ~(uintptr_t)15;

	return pass_via_frame(uc, stub, (uint64_t *)(top - GATE_FRAME_RESERVE));
}

void pass_set_arg(ucontext_t *uc, int i, long value)
{
	uc->uc_mcontext.gregs[pass_arg_regs[i]] = value;
}
