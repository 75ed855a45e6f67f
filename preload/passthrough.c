/*
 * The pass-through frame (see gate.S for its layout).
 */
#include "passthrough.h"

#include <stdint.h>

static const int pass_arg_regs[6] = {
    REG_RDI, REG_RSI, REG_RDX, REG_R10, REG_R8, REG_R9,
};

void *pass_via(ucontext_t *uc, enum gate_stub stub)
{
	greg_t *r = uc->uc_mcontext.gregs;
	uint64_t *frame = (uint64_t *)(r[REG_RSP] - GATE_FRAME_SIZE);
	int i;

	for (i = 0; i < 6; i++)
		frame[i] = (uint64_t)r[pass_arg_regs[i]];
	frame[6] = (uint64_t)r[REG_RIP];

	r[REG_RSP] = (greg_t)frame;
	r[REG_RIP] = (greg_t)gate_stub_addr(stub);

	return frame + GATE_FRAME_REGS + 1;
}

void pass_set_arg(ucontext_t *uc, int i, long value)
{
	uc->uc_mcontext.gregs[pass_arg_regs[i]] = value;
}
