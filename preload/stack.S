/*
 * void syswho_call_on_stack(void *arg, void (*fn)(void *), void *top)
 *
 * Run FN(ARG) on another stack whose 16-byte aligned top is TOP. The
 * handler's own work (unwinding, attribution, nested traps from the
 * libraries it calls) then never eats into the program's stack, which may
 * be a small sigaltstack. The frame is a plain rbp frame so that an
 * unwinder started on the other stack walks back through it to the
 * signal frame.
 */
	.text
	.globl syswho_call_on_stack
	.hidden syswho_call_on_stack
	.type syswho_call_on_stack, @function
syswho_call_on_stack:
	.cfi_startproc
	pushq %rbp
	.cfi_def_cfa_offset 16
	.cfi_offset %rbp, -16
	movq %rsp, %rbp
	.cfi_def_cfa_register %rbp
	movq %rdx, %rsp
	call *%rsi
	movq %rbp, %rsp
	popq %rbp
	.cfi_def_cfa %rsp, 8
	ret
	.cfi_endproc
	.size syswho_call_on_stack, . - syswho_call_on_stack

	.section .note.GNU-stack, "", @progbits
