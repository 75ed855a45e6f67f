/*
 * test_symbolize.c - ELF symbols and build-ids on real files: this test
 * binary (full .symtab), the system's stripped libc (.dynsym only), and
 * broken copies of them.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "symbolize.h"

/* The function the test looks up; noinline keeps it a symbol of its own. */
__attribute__((noinline)) int symbolize_test_target(int x);
__attribute__((noinline)) int symbolize_test_target(int x)
{
	return x * 3 + 1;
}

/* What dl_iterate_phdr knows about the object holding one address. */
struct found {
	uintptr_t addr;
	uintptr_t bias;
	char path[512];
	char build_id[128];
};

/* The build-id straight from the loaded notes, to compare with the file. */
static void note_build_id(const struct dl_phdr_info *info, struct found *f)
{
	const ElfW(Phdr) * ph;
	int i;

	for (i = 0; i < info->dlpi_phnum; i++) {
		const uint8_t *p, *end;

		ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_NOTE)
			continue;
		p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr);
		end = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)p;
			const uint8_t *desc =
			    p + sizeof(*n) + ((n->n_namesz + 3) & ~3u);
			uint32_t j;

			if (n->n_type == NT_GNU_BUILD_ID) {
				for (j = 0; j < n->n_descsz; j++)
					sprintf(f->build_id + 2 * j, "%02x",
						desc[j]);
				return;
			}
			p = desc + ((n->n_descsz + 3) & ~3u);
		}
	}
}

static int find_object(struct dl_phdr_info *info, size_t size, void *data)
{
	struct found *f = data;
	int i;

	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD || f->addr < lo ||
		    f->addr >= lo + ph->p_memsz)
			continue;
		f->bias = info->dlpi_addr;
		/* The main program has an empty name. */
		if (info->dlpi_name[0])
			snprintf(f->path, sizeof(f->path), "%s",
				 info->dlpi_name);
		else
			assert_true(realpath("/proc/self/exe", f->path));
		note_build_id(info, f);
		return 1;
	}

	return 0;
}

static void locate(const void *addr, struct found *f)
{
	memset(f, 0, sizeof(*f));
	f->addr = (uintptr_t)addr;
	assert_int_equal(dl_iterate_phdr(find_object, f), 1);
}

static void test_own_function(void **state)
{
	struct symbolize_file *sf = NULL;
	struct error *err = NULL;
	const char *name;
	uint64_t delta, off;
	struct found f;

	locate((const void *)symbolize_test_target, &f);
	off = (uint64_t)((uintptr_t)symbolize_test_target - f.bias);
	assert_int_equal(symbolize_test_target(1), 4);

	assert_int_equal(symbolize_open(f.path, &sf, &err), 0);
	assert_int_equal(symbolize_lookup(sf, off + 3, &name, &delta), 0);
	assert_string_equal(name, "symbolize_test_target");
	assert_int_equal(delta, 3);
	assert_int_equal(symbolize_lookup(sf, off, &name, &delta), 0);
	assert_int_equal(delta, 0);
	/* Far past every function of the file. */
	assert_int_equal(symbolize_lookup(sf, 1ull << 40, &name, &delta), -1);
	symbolize_close(sf);
}

static void test_stripped_libc(void **state)
{
	struct symbolize_file *sf = NULL;
	struct error *err = NULL;
	const char *name;
	uint64_t delta;
	struct found f;

	/* getpid lives in libc.so.6, whose .symtab Debian strips. */
	locate((const void *)getpid, &f);
	assert_non_null(strstr(f.path, "libc.so"));

	assert_int_equal(symbolize_open(f.path, &sf, &err), 0);
	assert_int_equal(
	    symbolize_lookup(sf, (uintptr_t)getpid - f.bias + 1, &name, &delta),
	    0);
	assert_non_null(strstr(name, "getpid"));
	assert_int_equal(delta, 1);
	symbolize_close(sf);
}

static void test_build_ids(void **state)
{
	struct error *err = NULL;
	char id[128];
	struct found f;

	locate((const void *)symbolize_test_target, &f);
	assert_true(strlen(f.build_id) > 0);
	assert_int_equal(symbolize_build_id(f.path, id, sizeof(id), &err), 0);
	assert_string_equal(id, f.build_id);

	locate((const void *)getpid, &f);
	assert_int_equal(symbolize_build_id(f.path, id, sizeof(id), &err), 0);
	assert_string_equal(id, f.build_id);

	assert_int_equal(symbolize_build_id(f.path, id, 8, &err), -1);
	error_free(&err);
}

/* Write LEN bytes of DATA to a new temporary file; returns its path. */
static char *temp_file(const void *data, size_t len)
{
	char *path = strdup("/tmp/syswho-elf-XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);

	return path;
}

/* The bytes of the test binary itself. */
static uint8_t *read_self(size_t *len)
{
	FILE *fp = fopen("/proc/self/exe", "rb");
	uint8_t *buf;
	long size;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	size = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)size);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)size, fp), (size_t)size);
	fclose(fp);
	*len = (size_t)size;

	return buf;
}

static void test_not_elf(void **state)
{
	struct symbolize_file *sf = NULL;
	struct error *err = NULL;
	char *path;

	path = temp_file("#!/bin/sh\necho not elf\n", 23);
	assert_int_equal(symbolize_open(path, &sf, &err), -1);
	assert_non_null(strstr(error_message(err), "not a 64-bit ELF file"));
	error_free(&err);
	unlink(path);
	free(path);

	path = temp_file("", 0);
	assert_int_equal(symbolize_open(path, &sf, &err), -1);
	assert_non_null(strstr(error_message(err), "empty file"));
	error_free(&err);
	unlink(path);
	free(path);

	assert_int_equal(symbolize_open("/nonexistent/lib.so", &sf, &err), -1);
	assert_non_null(strstr(error_message(err), "No such file"));
	error_free(&err);
}

/* Open, look up and read the build-id of a damaged copy: no crash. */
static void poke(const uint8_t *data, size_t len)
{
	struct symbolize_file *sf = NULL;
	struct error *err = NULL;
	char *path = temp_file(data, len), id[256];
	const char *name;
	uint64_t delta, off;

	if (symbolize_open(path, &sf, &err) == 0) {
		for (off = 0; off < 0x20000; off += 0x777)
			symbolize_lookup(sf, off, &name, &delta);
		symbolize_file_build_id(sf, id, sizeof(id));
		symbolize_close(sf);
	}
	error_free(&err);
	unlink(path);
	free(path);
}

static void test_damaged_files(void **state)
{
	uint64_t rng = 0x2545f4914f6cdd1dull;
	const Elf64_Ehdr *eh;
	size_t len, i, j;
	uint8_t *self, *copy;

	self = read_self(&len);
	copy = malloc(len);
	assert_non_null(copy);
	eh = (const Elf64_Ehdr *)self;

	/* Cut short at several places, headers included. */
	for (i = 64; i < len; i += len / 7)
		poke(self, i);

	/* Random bytes in the ELF header and the section header table. */
	for (i = 0; i < 300; i++) {
		memcpy(copy, self, len);
		for (j = 0; j < 8; j++) {
			size_t at;

			rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
			at = j % 2 ? rng % 64
				   : eh->e_shoff + rng % (eh->e_shnum * 64u);
			if (at < len)
				copy[at] = (uint8_t)(rng >> 24);
		}
		poke(copy, len);
	}
	free(copy);
	free(self);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_own_function),
	    cmocka_unit_test(test_stripped_libc),
	    cmocka_unit_test(test_build_ids),
	    cmocka_unit_test(test_not_elf),
	    cmocka_unit_test(test_damaged_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
