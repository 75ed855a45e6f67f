/*
 * Rebuilding the initial stack. The strings stay where the kernel put
 * them for the loader; only the vectors are written anew.
 */
#include "stack.h"

#include "gate.h"
#include "sys.h"

#define AUXV_MAX 64

/* The auxiliary vector with the program's own entries. */
static int stack_auxv(const Elf64_auxv_t *in, const struct stack_image *img,
		      Elf64_auxv_t *out)
{
	int n = 0;

	for (; in->a_type != AT_NULL && n < AUXV_MAX - 2; in++) {
		out[n] = *in;
		switch (in->a_type) {
		case AT_PHDR:
			out[n].a_un.a_val = img->phdr;
			break;
		case AT_PHNUM:
			out[n].a_un.a_val = img->phnum;
			break;
		case AT_PHENT:
			out[n].a_un.a_val = sizeof(Elf64_Phdr);
			break;
		case AT_ENTRY:
			out[n].a_un.a_val = img->entry;
			break;
		case AT_BASE:
			out[n].a_un.a_val = img->base;
			break;
		case AT_EXECFN:
			out[n].a_un.a_val = (uintptr_t)img->execfn;
			break;
		default:
			break;
		}
		n++;
	}
	out[n].a_type = GATE_AT_LOADER;
	out[n].a_un.a_val = gate_base();
	n++;
	out[n].a_type = AT_NULL;
	out[n].a_un.a_val = 0;

	return n + 1;
}

uintptr_t stack_build(uintptr_t below, int argc, char *const *argv,
		      char *const *envp, const Elf64_auxv_t *auxv,
		      const struct stack_image *img)
{
	Elf64_auxv_t aux[AUXV_MAX];
	int envc = 0, auxc, i;
	uint64_t *sp;
	size_t words;

	while (envp[envc])
		envc++;
	auxc = stack_auxv(auxv, img, aux);

	words = 1 + (size_t)argc + 1 + (size_t)envc + 1 + 2 * (size_t)auxc;
	sp = (uint64_t *)((below - words * 8) & ~15UL);

	sp[0] = (uint64_t)argc;
	for (i = 0; i < argc; i++)
		sp[1 + i] = (uint64_t)argv[i];
	sp[1 + argc] = 0;
	for (i = 0; i < envc; i++)
		sp[2 + argc + i] = (uint64_t)envp[i];
	sp[2 + argc + envc] = 0;
	memcpy(&sp[3 + argc + envc], aux, (size_t)auxc * sizeof(*aux));

	return (uintptr_t)sp;
}
