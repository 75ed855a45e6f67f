/*
 * The gate: the only code whose syscalls the filter lets through.
 *
 * This block is position independent. gate.c copies it, byte for byte, to
 * the gate's fixed address (the code page) and maps a data page right after
 * it; the filter allows every syscall whose instruction pointer lies in the
 * code page. Nothing here may refer to anything outside the block.
 *
 * The pass-through stubs are entered by rt_sigreturn, not by a call: the
 * SIGSYS handler rewrites the interrupted context so that the program
 * resumes here with its own registers and mask, makes the syscall, restores
 * the argument registers the handler may have replaced, and returns to the
 * instruction after the program's own syscall. Restarts (SA_RESTART,
 * restart_syscall) and EINTR therefore behave exactly as they do natively.
 *
 * The handler builds the frame of gate_frame.h below the kernel's signal
 * frame. Each stub ends by popping it: the argument registers, the return
 * address into rcx (where the syscall instruction itself leaves it), and
 * the program's stack pointer.
 */
#define GATE_POP_ARGS \
	popq %rdi; popq %rsi; popq %rdx; popq %r10; popq %r8; popq %r9
#define GATE_RETURN \
	GATE_POP_ARGS; popq %rcx; popq %rsp; jmpq *%rcx

	.section .text.syswho_gate, "ax", @progbits
	.p2align 12
	.globl syswho_gate_image_start
	.hidden syswho_gate_image_start
syswho_gate_image_start:

/*
 * long gate_call(long nr, long a1, long a2, long a3, long a4, long a5,
 *		  long a6): syswho's own syscalls, called as a C function.
 */
	.globl syswho_gate_call
	.hidden syswho_gate_call
syswho_gate_call:
	movq %rdi, %rax
	movq %rsi, %rdi
	movq %rdx, %rsi
	movq %rcx, %rdx
	movq %r8, %r10
	movq %r9, %r8
	movq 8(%rsp), %r9
	syscall
	ret

/* Plain pass-through. */
	.globl syswho_gate_pass
	.hidden syswho_gate_pass
syswho_gate_pass:
	syscall
	GATE_RETURN

/* An int 0x80 (i386 ABI) call, passed through the same way. */
	.globl syswho_gate_pass_int80
	.hidden syswho_gate_pass_int80
syswho_gate_pass_int80:
	int $0x80
	GATE_RETURN

/*
 * fork, vfork and clone without a new stack into a new address space: the
 * child marks the data page so that its first trap knows it is a new
 * process; both then return like the plain stub.
 */
	.globl syswho_gate_fork
	.hidden syswho_gate_fork
syswho_gate_fork:
	syscall
	testq %rax, %rax
	jnz 1f
	movl $1, syswho_gate_image_start + 4096(%rip)
1:
	GATE_RETURN

/*
 * clone with a new stack: the handler stored the return address at the
 * top of the child's stack and passed that slot as the stack, so the child
 * leaves with a bare ret and starts with the stack pointer it asked for.
 */
	.globl syswho_gate_clone_vm
	.hidden syswho_gate_clone_vm
syswho_gate_clone_vm:
	syscall
	testq %rax, %rax
	jz 1f
	GATE_RETURN
1:
	ret

/* Same, for a child with its own address space (a new process). */
	.globl syswho_gate_clone_novm
	.hidden syswho_gate_clone_novm
syswho_gate_clone_novm:
	syscall
	testq %rax, %rax
	jz 1f
	GATE_RETURN
1:
	movl $1, syswho_gate_image_start + 4096(%rip)
	ret

	.globl syswho_gate_image_end
	.hidden syswho_gate_image_end
syswho_gate_image_end:

	.section .note.GNU-stack, "", @progbits
