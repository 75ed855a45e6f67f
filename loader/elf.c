/*
 * The ELF mapper.
 */
#include "elf.h"

#include "sys.h"

#include <errno.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define PAGE	     4096UL
#define PAGE_DOWN(x) ((x) & ~(PAGE - 1))
#define PAGE_UP(x)   PAGE_DOWN((x) + PAGE - 1)
/* As many as the kernel takes: a page of them (ELF_MIN_ALIGN). */
#define PHDRS_MAX (4096 / sizeof(Elf64_Phdr))

int elf_check(const Elf64_Ehdr *h)
{
	if (memcmp(h->e_ident, ELFMAG, SELFMAG) != 0 ||
	    h->e_ident[EI_CLASS] != ELFCLASS64 ||
	    h->e_ident[EI_DATA] != ELFDATA2LSB || h->e_machine != EM_X86_64 ||
	    (h->e_type != ET_EXEC && h->e_type != ET_DYN) ||
	    h->e_phentsize != sizeof(Elf64_Phdr) || h->e_phnum == 0 ||
	    h->e_phnum > PHDRS_MAX)
		return -ENOEXEC;
	return 0;
}

static int elf_prot(uint32_t flags)
{
	return ((flags & PF_R) ? PROT_READ : 0) |
	       ((flags & PF_W) ? PROT_WRITE : 0) |
	       ((flags & PF_X) ? PROT_EXEC : 0);
}

/* Map one PT_LOAD segment, with its bss, inside the reserved span. */
static int elf_map_segment(int fd, const Elf64_Phdr *ph, uintptr_t bias)
{
	uintptr_t start = PAGE_DOWN(bias + ph->p_vaddr);
	uintptr_t file_end = bias + ph->p_vaddr + ph->p_filesz;
	uintptr_t mem_end = bias + ph->p_vaddr + ph->p_memsz;
	int prot = elf_prot(ph->p_flags);
	long p;

	if (ph->p_filesz) {
		p = gate_call6(SYS_mmap, start, file_end - start,
			       prot | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd,
			       PAGE_DOWN(ph->p_offset));
		if (p < 0 && p > -4096)
			return (int)p;
		/* The rest of the last file page belongs to the bss. */
		if (ph->p_memsz > ph->p_filesz && (file_end & (PAGE - 1)))
			memset((void *)file_end, 0,
			       PAGE_UP(file_end) - file_end);
		if (!(prot & PROT_WRITE))
			gate_call3(SYS_mprotect, start, file_end - start, prot);
	}
	if (PAGE_UP(mem_end) > PAGE_UP(file_end)) {
		uintptr_t anon = ph->p_filesz ? PAGE_UP(file_end) : start;

		p = gate_call6(SYS_mmap, anon, PAGE_UP(mem_end) - anon, prot,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (p < 0 && p > -4096)
			return (int)p;
	}

	return 0;
}

/* Reserve the whole span: at its address for ET_EXEC, anywhere for ET_DYN. */
static long elf_reserve(const Elf64_Ehdr *h, uintptr_t lo, uintptr_t hi)
{
	if (h->e_type == ET_EXEC)
		return gate_call6(
		    SYS_mmap, lo, hi - lo, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	return gate_call6(SYS_mmap, 0, hi - lo, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

int elf_map(int fd, struct elf_image *img)
{
	Elf64_Phdr ph[PHDRS_MAX];
	uintptr_t lo = UINTPTR_MAX, hi = 0, phdr_vaddr = 0;
	Elf64_Ehdr h;
	long ret, base;
	int i;

	ret = sys_pread_all(fd, &h, sizeof(h), 0);
	if (ret == 0)
		ret = elf_check(&h);
	if (ret == 0)
		ret = sys_pread_all(fd, ph, h.e_phnum * sizeof(*ph), h.e_phoff);
	if (ret < 0)
		return (int)ret;

	img->interp[0] = '\0';
	for (i = 0; i < h.e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD) {
			if (PAGE_DOWN(ph[i].p_vaddr) < lo)
				lo = PAGE_DOWN(ph[i].p_vaddr);
			if (PAGE_UP(ph[i].p_vaddr + ph[i].p_memsz) > hi)
				hi = PAGE_UP(ph[i].p_vaddr + ph[i].p_memsz);
			if (ph[i].p_offset == 0)
				phdr_vaddr = ph[i].p_vaddr + h.e_phoff;
		} else if (ph[i].p_type == PT_INTERP) {
			if (ph[i].p_filesz >= ELF_INTERP_MAX)
				return -ENOEXEC;
			ret = sys_pread_all(fd, img->interp, ph[i].p_filesz,
					    ph[i].p_offset);
			if (ret < 0)
				return (int)ret;
			img->interp[ph[i].p_filesz] = '\0';
		}
	}
	for (i = 0; i < h.e_phnum; i++)
		if (ph[i].p_type == PT_PHDR)
			phdr_vaddr = ph[i].p_vaddr;
	if (lo >= hi)
		return -ENOEXEC;

	base = elf_reserve(&h, lo, hi);
	if (base < 0 && base > -4096)
		return (int)base;
	img->bias = (uintptr_t)base - lo;
	for (i = 0; i < h.e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		ret = elf_map_segment(fd, &ph[i], img->bias);
		if (ret < 0)
			return (int)ret;
	}

	img->start = img->bias + lo;
	img->end = img->bias + hi;
	img->entry = img->bias + h.e_entry;
	img->phdr = img->bias + phdr_vaddr;
	img->phnum = h.e_phnum;
	return 0;
}
