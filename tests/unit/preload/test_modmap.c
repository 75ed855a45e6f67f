/*
 * modmap: which module holds an address and whether it is runtime,
 * first on made-up entries, then on what the loader really has mapped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "modmap.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TEST_EXE "/test/exe/for/modmap"

static int map_setup(void **state)
{
	/* Over a megabyte: keep it off cmocka's stack. */
	struct modmap *map = malloc(sizeof(*map));

	if (!map)
		return -1;
	modmap_init(map);
	*state = map;

	return 0;
}

static int map_teardown(void **state)
{
	free(*state);
	return 0;
}

static const struct module *add(struct modmap *map, const char *path,
				uintptr_t start, uintptr_t end)
{
	struct module_info info = {
	    .path = path,
	    .base = start & ~0xfffUL,
	    .start = start,
	    .end = end,
	};

	return modmap_add(map, &info);
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && strcmp(s + n - m, tail) == 0;
}

static void test_default_runtime(void **state)
{
	struct modmap *map = *state;

	assert_true(modmap_is_runtime(map, "/lib/x86_64-linux-gnu/libc.so.6"));
	assert_true(modmap_is_runtime(map, "libc.so.6"));
	assert_true(modmap_is_runtime(map, "/lib64/ld-linux-x86-64.so.2"));
	assert_true(
	    modmap_is_runtime(map, "/usr/lib/x86_64-linux-gnu/libstdc++.so.6"));
	assert_true(
	    modmap_is_runtime(map, "/lib/x86_64-linux-gnu/libgcc_s.so.1"));
	assert_true(
	    modmap_is_runtime(map, "/usr/lib/x86_64-linux-gnu/libunwind.so.8"));
	assert_true(modmap_is_runtime(map, "/opt/syswho/lib/libsyswho.so"));
	assert_true(modmap_is_runtime(map, "/lib/x86_64-linux-gnu/libm.so.6"));

	assert_false(modmap_is_runtime(map, "/usr/lib/libfoo.so"));
	assert_false(modmap_is_runtime(map, "/bin/prog"));
	assert_false(modmap_is_runtime(map, "/usr/lib/libcurl.so.4"));
	/* Only the file name counts for the defaults, not its directory. */
	assert_false(modmap_is_runtime(map, "/libc.so.6/plugin.so"));
}

static void test_glob_list(void **state)
{
	struct modmap *map = *state;
	int before = map->nglobs;

	assert_false(modmap_is_runtime(map, "/usr/lib/libpython3.11.so.1.0"));
	assert_false(modmap_is_runtime(map, "/opt/vendor/libx.so"));

	assert_int_equal(modmap_add_glob_list(map, "libpython3*.so*:/opt/*"),
			 2);
	assert_int_equal(map->nglobs, before + 2);

	assert_true(modmap_is_runtime(map, "/usr/lib/libpython3.11.so.1.0"));
	/* A glob with '/' matches the whole path... */
	assert_true(modmap_is_runtime(map, "/opt/vendor/libx.so"));
	/* ...so a file of that name elsewhere is not runtime. */
	assert_false(modmap_is_runtime(map, "/usr/lib/libx.so"));
	assert_false(modmap_is_runtime(map, "/usr/opt/libx.so"));
	assert_false(modmap_is_runtime(map, "/usr/lib/libpython2.7.so.1.0"));
}

static void test_glob_list_empty_parts(void **state)
{
	struct modmap *map = *state;
	int before = map->nglobs;

	assert_int_equal(modmap_add_glob_list(map, ""), 0);
	assert_int_equal(modmap_add_glob_list(map, NULL), 0);
	assert_int_equal(modmap_add_glob_list(map, "::libz.so*::"), 1);
	assert_int_equal(map->nglobs, before + 1);
	assert_true(modmap_is_runtime(map, "/lib/libz.so.1"));
}

static void test_glob_table_full(void **state)
{
	struct modmap *map = *state;

	while (map->nglobs < MODMAP_GLOBS_MAX)
		assert_int_equal(modmap_add_glob(map, "libx*.so"), 1);
	assert_int_equal(modmap_add_glob(map, "liby*.so"), -1);
	assert_int_equal(modmap_add_glob_list(map, "liby*.so:libz*.so"), 0);
	assert_int_equal(map->nglobs, MODMAP_GLOBS_MAX);
	assert_false(modmap_is_runtime(map, "/lib/liby1.so"));
	/* An empty glob is no glob, even when there is no room. */
	assert_int_equal(modmap_add_glob(map, ""), 0);
}

static void test_runtime_flag_set_on_add(void **state)
{
	struct modmap *map = *state;
	const struct module *libc, *exe;

	libc = add(map, "/lib/x86_64-linux-gnu/libc.so.6", 0x7f0000001000,
		   0x7f0000100000);
	exe = add(map, "/bin/prog", 0x401000, 0x402000);
	assert_non_null(libc);
	assert_non_null(exe);
	assert_true(libc->runtime);
	assert_false(exe->runtime);
}

static void test_add_dedup(void **state)
{
	struct modmap *map = *state;
	const struct module *a, *b, *c;

	a = add(map, "/usr/lib/libfoo.so", 0x7f0000001000, 0x7f0000002000);
	b = add(map, "/usr/lib/libfoo.so", 0x7f0000001000, 0x7f0000002000);
	assert_non_null(a);
	assert_ptr_equal(a, b);
	assert_int_equal(a->id, 1);
	assert_int_equal(map->count, 1);

	/* Another span, or the same span under another name: new modules. */
	c = add(map, "/usr/lib/libfoo.so", 0x7f0000003000, 0x7f0000004000);
	assert_non_null(c);
	assert_int_equal(c->id, 2);
	c = add(map, "/usr/lib/libbar.so", 0x7f0000001000, 0x7f0000002000);
	assert_non_null(c);
	assert_int_equal(c->id, 3);
	assert_int_equal(map->count, 3);
}

static void test_add_copies_info(void **state)
{
	struct modmap *map = *state;
	const uint8_t id[20] = {1,  2,	3,  4,	5,  6,	7,  8,	9,  10,
				11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
	char path[] = "/usr/lib/libfoo.so";
	struct module_info info = {
	    .path = path,
	    .base = 0x7f0000000000,
	    .start = 0x7f0000001000,
	    .end = 0x7f0000003000,
	    .build_id = id,
	    .build_id_len = 20,
	};
	const struct module *m = modmap_add(map, &info);

	/* The caller's buffers may go away: the map keeps copies. */
	path[1] = 'X';
	assert_non_null(m);
	assert_string_equal(m->path, "/usr/lib/libfoo.so");
	assert_int_equal(m->base, 0x7f0000000000);
	assert_int_equal(m->start, 0x7f0000001000);
	assert_int_equal(m->end, 0x7f0000003000);
	assert_int_equal(m->build_id_len, 20);
	assert_memory_equal(m->build_id, id, 20);
	assert_int_equal(m->dead, 0);
	assert_int_equal(m->announced, 0);
}

static void test_lookup(void **state)
{
	struct modmap *map = *state;
	const struct module *a, *b;

	a = add(map, "/a.so", 0x10000, 0x20000);
	b = add(map, "/b.so", 0x20000, 0x30000);
	assert_ptr_equal(modmap_lookup(map, 0x10000), a);
	assert_ptr_equal(modmap_lookup(map, 0x1ffff), a);
	/* The end is exclusive: it belongs to the next module or none. */
	assert_ptr_equal(modmap_lookup(map, 0x20000), b);
	assert_null(modmap_lookup(map, 0x30000));
	assert_null(modmap_lookup(map, 0xffff));
	assert_null(modmap_lookup(map, 0));
}

static void test_unmap_and_reload(void **state)
{
	struct modmap *map = *state;
	const struct module *old, *other, *fresh;

	old = add(map, "/plugins/a.so", 0x7f0000010000, 0x7f0000020000);
	other = add(map, "/plugins/b.so", 0x7f0000030000, 0x7f0000040000);
	assert_non_null(old);

	assert_int_equal(modmap_unmap(map, 0x7f000000f000, 0x2000), 1);
	assert_int_equal(old->dead, 1);
	assert_null(modmap_lookup(map, 0x7f0000018000));
	assert_ptr_equal(modmap_lookup(map, 0x7f0000038000), other);
	/* Already dead: nothing more to mark. */
	assert_int_equal(modmap_unmap(map, 0x7f0000010000, 0x10000), 0);

	/* Unloaded, then the same file loaded at the same place: new id. */
	fresh = add(map, "/plugins/a.so", 0x7f0000010000, 0x7f0000020000);
	assert_non_null(fresh);
	assert_ptr_not_equal(fresh, old);
	assert_int_equal(fresh->id, 3);
	assert_ptr_equal(modmap_lookup(map, 0x7f0000018000), fresh);
	/* And the old id still names the old module, for its old sites. */
	assert_ptr_equal(modmap_by_id(map, old->id), old);
	assert_string_equal(modmap_by_id(map, old->id)->path, "/plugins/a.so");
}

static void test_unmap_overlap_only(void **state)
{
	struct modmap *map = *state;

	add(map, "/a.so", 0x10000, 0x20000);
	add(map, "/b.so", 0x20000, 0x30000);
	add(map, "/c.so", 0x30000, 0x40000);
	/* Touching an end is not overlapping. */
	assert_int_equal(modmap_unmap(map, 0x0, 0x10000), 0);
	assert_int_equal(modmap_unmap(map, 0x40000, 0x1000), 0);
	assert_int_equal(modmap_unmap(map, 0x20000, 0x10000), 1);
	assert_int_equal(modmap_unmap(map, 0x2f000, 0x2000), 1);
	assert_non_null(modmap_lookup(map, 0x1ffff));
	assert_null(modmap_lookup(map, 0x20000));
	assert_null(modmap_lookup(map, 0x30000));
	assert_int_equal(modmap_unmap(map, 0x1f000, 0x22000), 1);
	assert_null(modmap_lookup(map, 0x10000));
}

static void test_by_id(void **state)
{
	struct modmap *map = *state;
	const struct module *a, *b;

	a = add(map, "/a.so", 0x10000, 0x20000);
	b = add(map, "/b.so", 0x20000, 0x30000);
	assert_ptr_equal(modmap_by_id(map, 1), a);
	assert_ptr_equal(modmap_by_id(map, 2), b);
	assert_int_equal(modmap_by_id(map, 2)->id, 2);
	assert_null(modmap_by_id(map, 0));
	assert_null(modmap_by_id(map, 3));
	assert_null(modmap_by_id(map, UINT32_MAX));
}

static void test_full_map(void **state)
{
	struct modmap *map = *state;
	uintptr_t i;

	for (i = 0; i < MODMAP_MAX; i++)
		assert_non_null(add(map, "/m.so", 0x10000 * (i + 1),
				    0x10000 * (i + 1) + 0x1000));
	assert_null(
	    add(map, "/m.so", 0x10000 * (i + 1), 0x10000 * (i + 1) + 0x1000));
	assert_int_equal(map->count, MODMAP_MAX);
	/* What is already there is still found. */
	assert_non_null(add(map, "/m.so", 0x10000, 0x11000));
}

/* Read the GNU build id from the ELF file at PATH into ID; its length. */
static size_t file_build_id(const char *path, uint8_t *id, size_t cap)
{
	static uint8_t file[1 << 20];
	const ElfW(Ehdr) *eh = (const void *)file;
	ssize_t size;
	int fd, i;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	size = read(fd, file, sizeof(file));
	close(fd);
	assert_true(size > (ssize_t)sizeof(*eh));
	assert_true(eh->e_phoff + (size_t)eh->e_phnum * sizeof(ElfW(Phdr)) <=
		    (size_t)size);

	for (i = 0; i < eh->e_phnum; i++) {
		const ElfW(Phdr) *ph =
		    (const ElfW(Phdr) *)(file + eh->e_phoff) + i;
		size_t off = ph->p_offset;

		if (ph->p_type != PT_NOTE)
			continue;
		while (off + sizeof(ElfW(Nhdr)) <=
		       ph->p_offset + ph->p_filesz) {
			const ElfW(Nhdr) *nh = (const void *)(file + off);
			size_t name = (nh->n_namesz + 3) & ~3UL;
			size_t desc = (nh->n_descsz + 3) & ~3UL;
			const uint8_t *d = file + off + sizeof(*nh) + name;

			if (nh->n_type == NT_GNU_BUILD_ID &&
			    nh->n_namesz == 4 && nh->n_descsz <= cap) {
				memcpy(id, d, nh->n_descsz);
				return nh->n_descsz;
			}
			off += sizeof(*nh) + name + desc;
		}
	}

	return 0;
}

static void test_refresh_finds_plugin(void **state)
{
	struct modmap *map = *state;
	uint8_t id[MODMAP_BUILD_ID_MAX];
	const struct module *m;
	void *handle, *fn;
	size_t id_len;
	Dl_info dli;

	handle = dlopen(UNIT_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
	assert_non_null(handle);
	fn = dlsym(handle, "unit_plugin_answer");
	assert_non_null(fn);
	assert_int_equal(((int (*)(void))fn)(), 42);

	assert_true(modmap_refresh(map, TEST_EXE, NULL) > 0);
	m = modmap_lookup(map, (uintptr_t)fn);
	assert_non_null(m);
	assert_true(ends_with(m->path, "/unit_plugin.so"));
	assert_string_equal(m->path, UNIT_PLUGIN_PATH);
	assert_false(m->runtime);
	assert_true(m->start <= (uintptr_t)fn && (uintptr_t)fn < m->end);
	assert_true(dladdr(fn, &dli) != 0);
	assert_int_equal(m->base, (uintptr_t)dli.dli_fbase);

	/* The build id is the one in the file on disk. */
	assert_true(m->build_id_len > 0);
	id_len = file_build_id(UNIT_PLUGIN_PATH, id, sizeof(id));
	assert_int_equal(m->build_id_len, id_len);
	assert_memory_equal(m->build_id, id, id_len);

	dlclose(handle);
}

static void test_refresh_exe_and_libc(void **state)
{
	struct modmap *map = *state;
	const struct module *m;

	assert_true(modmap_refresh(map, TEST_EXE, NULL) > 0);
	/* The loader calls the program ""; the map uses the name given. */
	m = modmap_lookup(map, (uintptr_t)&test_refresh_exe_and_libc);
	assert_non_null(m);
	assert_string_equal(m->path, TEST_EXE);
	assert_false(m->runtime);

	m = modmap_lookup(map, (uintptr_t)&getpid);
	assert_non_null(m);
	assert_true(ends_with(m->path, "/libc.so.6"));
	assert_true(m->runtime);

	/* Data is not code: the map holds executable segments only. */
	assert_null(modmap_lookup(map, (uintptr_t)map));
}

static void test_refresh_twice_adds_nothing(void **state)
{
	struct modmap *map = *state;
	uint32_t count;

	assert_true(modmap_refresh(map, TEST_EXE, NULL) > 0);
	count = map->count;
	assert_int_equal(modmap_refresh(map, TEST_EXE, NULL), 0);
	assert_int_equal(map->count, count);
}

static void test_refresh_after_dlclose(void **state)
{
	struct modmap *map = *state;
	const struct module *m;
	uintptr_t start, end;
	void *handle, *fn;

	handle = dlopen(UNIT_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
	assert_non_null(handle);
	fn = dlsym(handle, "unit_plugin_answer");
	modmap_refresh(map, TEST_EXE, NULL);
	m = modmap_lookup(map, (uintptr_t)fn);
	assert_non_null(m);
	start = m->start;
	end = m->end;
	assert_int_equal(dlclose(handle), 0);

	/* What munmap of the plugin's text reports to the map. */
	assert_int_equal(modmap_unmap(map, start, end - start), 1);
	assert_null(modmap_lookup(map, (uintptr_t)fn));
}

/* Add PATH at BASE with a one-byte build-id ID (0: none). */
static const struct module *add_id(struct modmap *map, const char *path,
				   uintptr_t base, uint8_t id)
{
	struct module_info info = {
	    .path = path,
	    .base = base,
	    .start = base + 0x1000,
	    .end = base + 0x3000,
	    .build_id = &id,
	    .build_id_len = id ? 1 : 0,
	};

	return modmap_add(map, &info);
}

static void unload(struct modmap *map, uintptr_t base)
{
	assert_int_equal(modmap_unmap(map, base, 0x4000), 1);
}

static void test_generation_same_module_reloaded(void **state)
{
	struct modmap *map = *state;
	int i;

	add_id(map, "/p/a.so", 0x10000, 1);
	/* A host reloading one plugin in a loop: the sites stay valid. */
	for (i = 0; i < 5; i++) {
		unload(map, 0x10000);
		assert_non_null(add_id(map, "/p/a.so", 0x10000, 1));
		assert_int_equal(modmap_generation(map), 0);
	}
	/* The same file elsewhere holds none of its old addresses. */
	unload(map, 0x10000);
	add_id(map, "/p/a.so", 0x40000, 1);
	assert_int_equal(modmap_generation(map), 0);
}

static void test_generation_other_module_in_place(void **state)
{
	struct modmap *map = *state;

	add_id(map, "/p/a.so", 0x10000, 1);
	unload(map, 0x10000);
	/* Another build-id at the same path and address. */
	add_id(map, "/p/a.so", 0x10000, 2);
	assert_int_equal(modmap_generation(map), 1);
	unload(map, 0x10000);
	/* Another path, same build-id. */
	add_id(map, "/p/b.so", 0x10000, 2);
	assert_int_equal(modmap_generation(map), 2);
	unload(map, 0x10000);
	/* Without a build-id against one with it. */
	add_id(map, "/p/b.so", 0x10000, 0);
	assert_int_equal(modmap_generation(map), 3);
}
/*
 * The same return addresses under two modules that took turns at one
 * address: each module gives them its own digest, again whenever it
 * comes back, and addresses outside the shared range none.
 */
static void test_stack_identity_takes_turns(void **state)
{
	struct modmap *map = *state;
	const uintptr_t in[] = {0x11234, 0x99999}, out[] = {0x99999};
	uint32_t first_a, b, a;

	add_id(map, "/p/a.so", 0x10000, 1);
	assert_int_equal(modmap_stack_identity(map, in, 2), 0);
	unload(map, 0x10000);
	add_id(map, "/p/b.so", 0x10000, 2);
	b = modmap_stack_identity(map, in, 2);
	assert_int_not_equal(b, 0);
	assert_int_equal(modmap_stack_identity(map, out, 1), 0);
	unload(map, 0x10000);
	add_id(map, "/p/a.so", 0x10000, 1);
	first_a = modmap_stack_identity(map, in, 2);
	assert_int_not_equal(first_a, 0);
	assert_int_not_equal(first_a, b);
	unload(map, 0x10000);
	add_id(map, "/p/b.so", 0x10000, 2);
	assert_int_equal(modmap_stack_identity(map, in, 2), b);
	unload(map, 0x10000);
	add_id(map, "/p/a.so", 0x10000, 1);
	a = modmap_stack_identity(map, in, 2);
	assert_int_equal(a, first_a);
}

static void test_generation_other_base(void **state)
{
	struct modmap *map = *state;

	add_id(map, "/p/a.so", 0x10000, 1);
	unload(map, 0x10000);
	/* The same file shifted by a page: its code is at other addresses. */
	add_id(map, "/p/a.so", 0x11000, 1);
	assert_int_equal(modmap_generation(map), 1);
}

static void test_generation_only_this_generations_dead(void **state)
{
	struct modmap *map = *state;

	/* a, then b in its place (a change), then a back (another). */
	add_id(map, "/p/a.so", 0x10000, 1);
	unload(map, 0x10000);
	add_id(map, "/p/b.so", 0x10000, 2);
	assert_int_equal(modmap_generation(map), 1);
	unload(map, 0x10000);
	add_id(map, "/p/a.so", 0x10000, 1);
	assert_int_equal(modmap_generation(map), 2);
	/*
	 * Reloading a from now on changes nothing, though b's and a's old
	 * entries are still in the map: they died before this generation.
	 */
	unload(map, 0x10000);
	add_id(map, "/p/a.so", 0x10000, 1);
	unload(map, 0x10000);
	add_id(map, "/p/a.so", 0x10000, 1);
	assert_int_equal(modmap_generation(map), 2);
	/* Nor does a new module where none was. */
	add_id(map, "/p/c.so", 0x80000, 3);
	assert_int_equal(modmap_generation(map), 2);
}

static void test_generation_live_neighbour(void **state)
{
	struct modmap *map = *state;

	/* A module added next to a live one, or over none, is no change. */
	add_id(map, "/p/a.so", 0x10000, 1);
	add_id(map, "/p/b.so", 0x13000, 2);
	assert_int_equal(modmap_generation(map), 0);
}

/* The loader's count of objects added, as dl_iterate_phdr reports it. */
static int loader_adds_one(struct dl_phdr_info *info, size_t size, void *data)
{
	*(unsigned long long *)data = info->dlpi_adds;
	return 1;
}

static void test_settle_after_exec_map(void **state)
{
	struct modmap *map = *state;
	unsigned long long adds = 0;
	void *handle, *fn;
	uint32_t count;

	add_id(map, "/p/old.so", 0x7f0000010000, 1);
	unload(map, 0x7f0000010000);
	/* Mapped where no module died: nothing to look at. */
	modmap_note_exec_map(map, 0x7f0000100000, 0x1000, true);
	assert_int_equal(map->pending, 0);
	/* Where one did: looked at once the loader has listed the object. */
	modmap_note_exec_map(map, 0x7f0000011000, 0x1000, true);
	dl_iterate_phdr(loader_adds_one, &adds);
	assert_int_equal(map->pending, adds + 1);
	count = map->count;
	assert_int_equal(modmap_settle(map, TEST_EXE, NULL), 0);
	assert_int_equal(map->count, count);
	assert_int_equal(map->pending, adds + 1);

	handle = dlopen(UNIT_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
	assert_non_null(handle);
	fn = dlsym(handle, "unit_plugin_answer");
	assert_non_null(fn);
	modmap_settle(map, TEST_EXE, NULL);
	assert_int_equal(map->pending, 0);
	assert_non_null(modmap_lookup(map, (uintptr_t)fn));
	dlclose(handle);
}

static void test_exec_map_anywhere(void **state)
{
	struct modmap *map = *state;

	/* Where the kernel picks: anywhere a module died in this generation. */
	modmap_note_exec_map(map, 0, 0x1000, false);
	assert_int_equal(map->pending, 0);
	add_id(map, "/p/old.so", 0x7f0000010000, 1);
	unload(map, 0x7f0000010000);
	modmap_note_exec_map(map, 0, 0x1000, false);
	assert_true(map->pending != 0);
}

#define MAP_TEST(fn)                                                           \
	cmocka_unit_test_setup_teardown(fn, map_setup, map_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    MAP_TEST(test_default_runtime),
	    MAP_TEST(test_glob_list),
	    MAP_TEST(test_glob_list_empty_parts),
	    MAP_TEST(test_glob_table_full),
	    MAP_TEST(test_runtime_flag_set_on_add),
	    MAP_TEST(test_add_dedup),
	    MAP_TEST(test_add_copies_info),
	    MAP_TEST(test_lookup),
	    MAP_TEST(test_unmap_and_reload),
	    MAP_TEST(test_unmap_overlap_only),
	    MAP_TEST(test_by_id),
	    MAP_TEST(test_full_map),
	    MAP_TEST(test_refresh_finds_plugin),
	    MAP_TEST(test_refresh_exe_and_libc),
	    MAP_TEST(test_refresh_twice_adds_nothing),
	    MAP_TEST(test_refresh_after_dlclose),
	    MAP_TEST(test_generation_same_module_reloaded),
	    MAP_TEST(test_generation_other_module_in_place),
	    MAP_TEST(test_stack_identity_takes_turns),
	    MAP_TEST(test_generation_other_base),
	    MAP_TEST(test_generation_only_this_generations_dead),
	    MAP_TEST(test_generation_live_neighbour),
	    MAP_TEST(test_settle_after_exec_map),
	    MAP_TEST(test_exec_map_anywhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
