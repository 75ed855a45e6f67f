/*
 * symbolize.c - ELF symbol lookup on a mapped file, see symbolize.h.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "symbolize.h"

struct symbolize_file {
	const uint8_t *data;
	size_t size;
	const Elf64_Ehdr *ehdr;
	const Elf64_Sym *syms; /* .symtab, else .dynsym */
	size_t n_syms;
	const char *strtab;
	size_t strtab_size;
};

/* Whether [OFF, OFF + LEN) lies inside the file. */
static int symbolize_in_file(const struct symbolize_file *f, uint64_t off,
			     uint64_t len)
{
	return off <= f->size && len <= f->size - off;
}

static const Elf64_Shdr *symbolize_section(const struct symbolize_file *f,
					   size_t i)
{
	const Elf64_Ehdr *eh = f->ehdr;

	if (i >= eh->e_shnum)
		return NULL;

	return (const Elf64_Shdr *)(f->data + eh->e_shoff +
				    i * sizeof(Elf64_Shdr));
}

/* Use the first section of TYPE with a sane string table, if any. */
static int symbolize_use_table(struct symbolize_file *f, uint32_t type)
{
	const Elf64_Shdr *sh, *str;
	size_t i;

	for (i = 0; i < f->ehdr->e_shnum; i++) {
		sh = symbolize_section(f, i);
		if (sh->sh_type != type || sh->sh_entsize != sizeof(Elf64_Sym))
			continue;
		str = symbolize_section(f, sh->sh_link);
		if (!str || str->sh_type != SHT_STRTAB || !str->sh_size ||
		    !symbolize_in_file(f, sh->sh_offset, sh->sh_size) ||
		    !symbolize_in_file(f, str->sh_offset, str->sh_size))
			continue;

		f->syms = (const Elf64_Sym *)(f->data + sh->sh_offset);
		f->n_syms = sh->sh_size / sizeof(Elf64_Sym);
		f->strtab = (const char *)(f->data + str->sh_offset);
		f->strtab_size = str->sh_size;
		return 0;
	}

	return -1;
}

/* Check the ELF header and the section header table of F. */
static int symbolize_check(struct symbolize_file *f)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f->data;

	if (f->size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return -1;
	f->ehdr = eh;

	if (eh->e_shnum &&
	    (eh->e_shentsize != sizeof(Elf64_Shdr) ||
	     !symbolize_in_file(f, eh->e_shoff,
				(uint64_t)eh->e_shnum * sizeof(Elf64_Shdr))))
		return -1;
	if (eh->e_phnum &&
	    (eh->e_phentsize != sizeof(Elf64_Phdr) ||
	     !symbolize_in_file(f, eh->e_phoff,
				(uint64_t)eh->e_phnum * sizeof(Elf64_Phdr))))
		return -1;

	return 0;
}

/*
 * Limitation: separate debug files (/usr/lib/debug) are not read, so a
 * stripped library is named by its exported symbols only.
 */
int symbolize_open(const char *path, struct symbolize_file **out,
		   struct error **err)
{
	struct symbolize_file *f;
	struct stat st;
	void *data;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error_set(err, errno, "open %s", path);
	if (fstat(fd, &st) < 0 || st.st_size <= 0) {
		error_set(err, st.st_size ? errno : 0, "%s: empty file", path);
		close(fd);
		return -1;
	}

	data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (data == MAP_FAILED)
		return error_set(err, errno, "map %s", path);

	f = calloc(1, sizeof(*f));
	if (!f) {
		munmap(data, (size_t)st.st_size);
		return error_set(err, ENOMEM, "symbolize %s", path);
	}
	f->data = data;
	f->size = (size_t)st.st_size;
	if (symbolize_check(f) < 0) {
		symbolize_close(f);
		return error_set(err, 0, "%s: not a 64-bit ELF file", path);
	}
	if (symbolize_use_table(f, SHT_SYMTAB) < 0)
		symbolize_use_table(f, SHT_DYNSYM);
	*out = f;

	return 0;
}

void symbolize_close(struct symbolize_file *f)
{
	if (!f)
		return;

	munmap((void *)f->data, f->size);
	free(f);
}

/* The name of SYM, NULL when it does not end inside the string table. */
static const char *symbolize_name(const struct symbolize_file *f,
				  const Elf64_Sym *sym)
{
	const char *name;

	if (sym->st_name >= f->strtab_size)
		return NULL;

	name = f->strtab + sym->st_name;
	if (!memchr(name, '\0', f->strtab_size - sym->st_name) || !*name)
		return NULL;

	return name;
}

/*
 * Whether SYM may contain OFFSET. A sized symbol must; an unsized one (as
 * hand-written assembly leaves) is trusted up to the end of its section.
 */
static bool symbolize_covers(const struct symbolize_file *f,
			     const Elf64_Sym *sym, uint64_t offset)
{
	const Elf64_Shdr *sh;

	if (sym->st_size)
		return offset - sym->st_value < sym->st_size;

	sh = symbolize_section(f, sym->st_shndx);

	return sh && offset - sh->sh_addr < sh->sh_size;
}

int symbolize_lookup(const struct symbolize_file *f, uint64_t offset,
		     const char **name, uint64_t *delta)
{
	const Elf64_Sym *best = NULL;
	size_t i;

	for (i = 0; i < f->n_syms; i++) {
		const Elf64_Sym *s = &f->syms[i];
		int type = ELF64_ST_TYPE(s->st_info);

		if ((type != STT_FUNC && type != STT_GNU_IFUNC) ||
		    s->st_shndx == SHN_UNDEF || s->st_value > offset ||
		    !symbolize_name(f, s))
			continue;
		if (!symbolize_covers(f, s, offset))
			continue;
		if (!best || s->st_value > best->st_value ||
		    (s->st_value == best->st_value && s->st_size &&
		     !best->st_size))
			best = s;
	}
	if (!best)
		return -1;

	*name = symbolize_name(f, best);
	*delta = offset - best->st_value;

	return 0;
}

/* Search the notes in [OFF, OFF + LEN) for a GNU build-id. */
static const uint8_t *symbolize_find_note(const struct symbolize_file *f,
					  uint64_t off, uint64_t len,
					  size_t *id_len)
{
	uint64_t end = off + len;

	while (off + sizeof(Elf64_Nhdr) <= end) {
		const uint8_t *name = f->data + off + sizeof(Elf64_Nhdr);
		uint64_t name_sz, desc_sz;
		Elf64_Nhdr n;

		/* A hostile file may misalign its notes: copy the header. */
		memcpy(&n, f->data + off, sizeof(n));
		name_sz = (n.n_namesz + 3ull) & ~3ull;
		desc_sz = (n.n_descsz + 3ull) & ~3ull;
		if (name_sz + desc_sz > end - off - sizeof(n))
			return NULL;
		if (n.n_type == NT_GNU_BUILD_ID && n.n_namesz == 4 &&
		    memcmp(name, "GNU", 4) == 0) {
			*id_len = n.n_descsz;
			return name + name_sz;
		}
		off += sizeof(n) + name_sz + desc_sz;
	}

	return NULL;
}

int symbolize_file_build_id(const struct symbolize_file *f, char *buf,
			    size_t cap)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(f->data + f->ehdr->e_phoff);
	const uint8_t *id = NULL;
	size_t i, len = 0;

	for (i = 0; i < f->ehdr->e_phnum && !id; i++) {
		if (ph[i].p_type == PT_NOTE &&
		    symbolize_in_file(f, ph[i].p_offset, ph[i].p_filesz))
			id = symbolize_find_note(f, ph[i].p_offset,
						 ph[i].p_filesz, &len);
	}
	if (cap < len * 2 + 1)
		return -1;

	buf[0] = '\0';
	for (i = 0; i < len; i++)
		snprintf(buf + 2 * i, cap - 2 * i, "%02x", id[i]);

	return 0;
}

int symbolize_build_id(const char *path, char *buf, size_t cap,
		       struct error **err)
{
	struct symbolize_file *f;
	int ret;

	if (symbolize_open(path, &f, err) < 0)
		return -1;

	ret = symbolize_file_build_id(f, buf, cap);
	symbolize_close(f);
	if (ret < 0)
		return error_set(err, ENAMETOOLONG, "build-id of %s", path);

	return 0;
}
