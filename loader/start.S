/*
 * The loader's entry: hand the kernel's initial stack to loader_main, and
 * the return path of its SIGSYS handler (rt_sigreturn is allowed from
 * anywhere by the filter).
 */
	.text
	.globl _start
	.type _start, @function
_start:
	xorl %ebp, %ebp
	movq %rsp, %rdi
	andq $-16, %rsp
	call loader_main
	hlt

	.globl loader_restorer
	.hidden loader_restorer
	.type loader_restorer, @function
loader_restorer:
	movl $15, %eax
	syscall
	hlt

/* void loader_jump(void *sp, void *entry): start the program. */
	.globl loader_jump
	.hidden loader_jump
	.type loader_jump, @function
loader_jump:
	movq %rdi, %rsp
	xorl %edx, %edx
	xorl %ebp, %ebp
	jmp *%rsi

	.section .note.GNU-stack, "", @progbits
