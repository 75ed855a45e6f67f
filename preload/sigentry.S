/*
 * void syswho_sigsys_entry(int sig, siginfo_t *info, void *uc)
 *
 * Where the kernel delivers SIGSYS, in the library and in the loader alike.
 * The kernel writes its signal frame (registers, then the whole XSAVE area
 * up to the program's red zone) just below the interrupted stack pointer,
 * and reads it back on rt_sigreturn, PKRU and vector registers included.
 * The frame a pass-through stub pops must therefore not lie there: this
 * entry reserves GATE_FRAME_RESERVE bytes directly below the signal frame
 * (see pass_via), then calls syswho_sigsys, which each image defines.
 */
#include "gate_frame.h"

	.text
	.globl syswho_sigsys_entry
	.hidden syswho_sigsys_entry
	.type syswho_sigsys_entry, @function
syswho_sigsys_entry:
	.cfi_startproc
	subq $GATE_FRAME_RESERVE, %rsp
	.cfi_adjust_cfa_offset GATE_FRAME_RESERVE
	call syswho_sigsys
	addq $GATE_FRAME_RESERVE, %rsp
	.cfi_adjust_cfa_offset -GATE_FRAME_RESERVE
	ret
	.cfi_endproc
	.size syswho_sigsys_entry, . - syswho_sigsys_entry

	.section .note.GNU-stack, "", @progbits
