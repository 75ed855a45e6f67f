/*
 * Mapping an ELF executable or shared object the way the kernel's exec
 * does: PT_LOAD segments at their addresses (ET_EXEC) or at a free base
 * (ET_DYN), the bss zeroed.
 */
#ifndef SYSWHO_LOADER_ELF_H
#define SYSWHO_LOADER_ELF_H

#include <elf.h>
#include <stdint.h>

#define ELF_INTERP_MAX 256

struct elf_image {
	uintptr_t bias;	      /* load address minus link address */
	uintptr_t entry;      /* in memory */
	uintptr_t phdr;	      /* the program headers in memory */
	uintptr_t start, end; /* the span of its segments in memory */
	uint16_t phnum;
	char interp[ELF_INTERP_MAX]; /* PT_INTERP, "" for none */
};

/*
 * Check that HDR (the first bytes of a file) is an ELF this loader can
 * start: 64-bit x86_64, executable or shared object. 0 or -ENOEXEC.
 */
int elf_check(const Elf64_Ehdr *hdr);

/* Map the ELF open at FD into memory. 0 or a negative errno. */
int elf_map(int fd, struct elf_image *img);

#endif
