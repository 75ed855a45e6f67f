/*
 * The initial stack a program expects from exec: argc, argv, envp and the
 * auxiliary vector, rebuilt for the program the loader mapped.
 */
#ifndef SYSWHO_LOADER_STACK_H
#define SYSWHO_LOADER_STACK_H

#include <elf.h>
#include <stdint.h>

struct stack_image {
	uintptr_t phdr, entry, base;
	uint16_t phnum;
	const char *execfn;
};

/*
 * Write the stack below BELOW: ARGC strings of ARGV, the NULL-terminated
 * ENVP, and AUXV (the kernel's, for the loader) with the entries that
 * describe the program replaced by IMG. Returns the new stack pointer.
 */
uintptr_t stack_build(uintptr_t below, int argc, char *const *argv,
		      char *const *envp, const Elf64_auxv_t *auxv,
		      const struct stack_image *img);

#endif
