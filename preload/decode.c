/*
 * Register decoding for the x86_64 and i386 syscall ABIs.
 */
#include "decode.h"

#include "filter.h"

#include <linux/audit.h>

#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1
#endif

bool decode_is_ours(const siginfo_t *info)
{
	return info->si_code == SYS_SECCOMP &&
	       (info->si_errno & 0xffff) == FILTER_TRAP_DATA;
}

void decode_call(const siginfo_t *info, const ucontext_t *uc,
		 struct trap_call *call)
{
	const greg_t *r = uc->uc_mcontext.gregs;

	call->arch = info->si_arch;
	call->nr = info->si_syscall;
	call->ip = (uintptr_t)r[REG_RIP];
	call->sp = (uintptr_t)r[REG_RSP];

	if (call->arch == AUDIT_ARCH_I386) {
		/* int 0x80: ebx, ecx, edx, esi, edi, ebp, zero-extended. */
		call->args[0] = (uint32_t)r[REG_RBX];
		call->args[1] = (uint32_t)r[REG_RCX];
		call->args[2] = (uint32_t)r[REG_RDX];
		call->args[3] = (uint32_t)r[REG_RSI];
		call->args[4] = (uint32_t)r[REG_RDI];
		call->args[5] = (uint32_t)r[REG_RBP];
		return;
	}

	call->args[0] = r[REG_RDI];
	call->args[1] = r[REG_RSI];
	call->args[2] = r[REG_RDX];
	call->args[3] = r[REG_R10];
	call->args[4] = r[REG_R8];
	call->args[5] = r[REG_R9];
}

void decode_set_return(ucontext_t *uc, long value)
{
	uc->uc_mcontext.gregs[REG_RAX] = value;
}
