/*
 * The frame a pass-through stub pops (shared by C and assembly).
 *
 *	+0	rdi, rsi, rdx, r10, r8, r9 as the program had them
 *	+48	the return address, after the program's own syscall
 *	+56	the program's stack pointer
 *	+64	64 bytes of scratch for rewritten argument copies
 *	+128	8 bytes of padding, keeping the handler's stack aligned
 *
 * It lives in the GATE_FRAME_RESERVE bytes that syswho_sigsys_entry keeps
 * free directly below the kernel's signal frame.
 */
#ifndef SYSWHO_GATE_FRAME_H
#define SYSWHO_GATE_FRAME_H

#define GATE_FRAME_REGS	   6
#define GATE_FRAME_RETURN  6
#define GATE_FRAME_SP	   7
#define GATE_FRAME_SCRATCH 64
#define GATE_FRAME_RESERVE 136

#endif
