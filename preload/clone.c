/*
 * clone, fork and vfork through the gate.
 */
#include "clone.h"

#include "passthrough.h"

#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>

/*
 * clone with a new stack: the child must leave the gate on that stack, so
 * the return address goes to its top and the stack argument points there.
 * Limitation: the child of a clone with a new stack starts with rsi 8 less.
 */
void clone_pass(ucontext_t *uc, const struct trap_call *call)
{
	unsigned long flags = (unsigned long)call->args[0];
	uintptr_t stack = (uintptr_t)call->args[1];
	greg_t rip = uc->uc_mcontext.gregs[REG_RIP];

	if (stack) {
		uint64_t *slot = (uint64_t *)(stack - 8);

		*slot = (uint64_t)rip;
		pass_via(uc,
			 (flags & CLONE_VM) ? GATE_CLONE_VM : GATE_CLONE_NOVM);
		pass_set_arg(uc, 1, (long)slot);
		return;
	}
	if (!(flags & CLONE_VM)) {
		pass_via(uc, GATE_FORK);
		return;
	}
	if (flags & CLONE_VFORK) {
		/*
		 * A vfork child on the parent's stack would overwrite the
		 * parent's pass-through frame with its own traps.
		 * Limitation: such a child gets a copy of memory, not a share.
		 */
		pass_via(uc, GATE_FORK);
		pass_set_arg(uc, 0, (long)(flags & ~(unsigned long)CLONE_VM));
		return;
	}
	pass_via(uc, GATE_PASS);
}

void clone_pass_vfork(ucontext_t *uc)
{
	int i;

	pass_via(uc, GATE_FORK);
	uc->uc_mcontext.gregs[REG_RAX] = SYS_clone;
	pass_set_arg(uc, 0, CLONE_VFORK | SIGCHLD);
	for (i = 1; i < 6; i++)
		pass_set_arg(uc, i, 0);
}
