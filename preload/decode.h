/*
 * Decoding a trapped call from the signal's siginfo and saved registers.
 */
#ifndef SYSWHO_DECODE_H
#define SYSWHO_DECODE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <ucontext.h>

struct trap_call {
	uint32_t arch; /* AUDIT_ARCH_X86_64 or AUDIT_ARCH_I386 */
	int nr;	       /* in the numbering of ARCH */
	long args[6];
	uintptr_t ip; /* just after the syscall instruction */
	uintptr_t sp;
};

/* Whether SIGSYS described by INFO was raised by syswho's filter. */
bool decode_is_ours(const siginfo_t *info);

/*
 * Fill CALL from INFO and the registers in UC. The number and the ABI come
 * from the kernel's siginfo; the arguments from the registers of that ABI.
 */
void decode_call(const siginfo_t *info, const ucontext_t *uc,
		 struct trap_call *call);

/* Set the value the interrupted syscall returns. */
void decode_set_return(ucontext_t *uc, long value);

#endif
