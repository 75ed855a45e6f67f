/*
 * selfmaps: the kernel's path of a mapping, parsed from made-up lines of
 * /proc/self/maps and read from the real one, and the module map naming a
 * plugin opened by a relative path after the process changed directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "gate.h"
#include "modmap.h"
#include "selfmaps.h"

#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Far from where the loader and the heap put things. */
#define TEST_GATE_ADDR 0x200000000000UL

static int gate_setup(void **state)
{
	return gate_map(TEST_GATE_ADDR) == 0 ? 0 : -1;
}

static int match(const char *line, uintptr_t addr, char *buf, size_t len)
{
	return selfmaps_match_line(line, strlen(line), addr, buf, len);
}

static void test_match_line(void **state)
{
	const char *lib = "7f0000001000-7f0000003000 r-xp 00001000 08:01 "
			  "1234                       /usr/lib/libx.so.1";
	char buf[64];

	assert_int_equal(match(lib, 0x7f0000001000, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/usr/lib/libx.so.1");
	assert_int_equal(match(lib, 0x7f0000002fff, buf, sizeof(buf)), 0);
	/* The end is outside the range, and so is what lies before it. */
	assert_int_equal(match(lib, 0x7f0000003000, buf, sizeof(buf)), -1);
	assert_int_equal(match(lib, 0x7f0000000fff, buf, sizeof(buf)), -1);
}

static void test_match_line_not_a_file(void **state)
{
	char buf[64] = "";

	assert_int_equal(match("7f0000001000-7f0000003000 rw-p 00000000 "
			       "00:00 0 ",
			       0x7f0000001000, buf, sizeof(buf)),
			 -1);
	assert_int_equal(match("7ffd00000000-7ffd00021000 rw-p 00000000 "
			       "00:00 0                  [stack]",
			       0x7ffd00000000, buf, sizeof(buf)),
			 -1);
	assert_int_equal(match("garbage", 0, buf, sizeof(buf)), -1);
	assert_int_equal(match("10-", 0x10, buf, sizeof(buf)), -1);
}

static void test_match_line_deleted_and_cut(void **state)
{
	const char *gone =
	    "1000-2000 r-xp 00000000 08:01 7 /tmp/p.so (deleted)";
	char buf[64], small[6];

	assert_int_equal(match(gone, 0x1000, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/tmp/p.so");
	assert_int_equal(match(gone, 0x1000, small, sizeof(small)), 0);
	assert_string_equal(small, "/tmp/");
}

static void test_path_at_libc(void **state)
{
	char buf[PATH_MAX];
	Dl_info dli;

	assert_int_equal(selfmaps_path_at((uintptr_t)&getpid, buf, sizeof(buf)),
			 0);
	assert_true(dladdr((void *)&getpid, &dli) != 0);
	assert_string_equal(buf, realpath(dli.dli_fname, NULL));
	/* Nothing is mapped at the first page. */
	assert_int_equal(selfmaps_path_at(16, buf, sizeof(buf)), -1);
}

/*
 * Open the unit plugin by NAME from the plugin's own directory, move to
 * "/", and check that the module map names it by its real path.
 */
static void assert_named_by_kernel(const char *name)
{
	struct modmap *map = malloc(sizeof(*map));
	char dir[PATH_MAX], old[PATH_MAX];
	const struct module *m;
	void *handle, *fn;

	assert_non_null(map);
	modmap_init(map);
	assert_non_null(getcwd(old, sizeof(old)));
	strcpy(dir, UNIT_PLUGIN_PATH);
	assert_int_equal(chdir(dirname(dir)), 0);
	handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
	assert_non_null(handle);
	assert_int_equal(chdir("/"), 0);
	fn = dlsym(handle, "unit_plugin_answer");
	assert_non_null(fn);

	assert_true(modmap_refresh(map, "/test/exe", selfmaps_path_at) > 0);
	m = modmap_lookup(map, (uintptr_t)fn);
	assert_non_null(m);
	assert_string_equal(m->path, realpath(UNIT_PLUGIN_PATH, NULL));

	dlclose(handle);
	assert_int_equal(chdir(old), 0);
	free(map);
}

/* dlopen("./unit_plugin.so"), then a move to another directory. */
static void test_refresh_relative_name(void **state)
{
	assert_named_by_kernel("./unit_plugin.so");
}

/* An absolute name with "/./" in it: the file's own path all the same. */
static void test_refresh_dotted_name(void **state)
{
	char dotted[PATH_MAX], dir[PATH_MAX];

	strcpy(dir, UNIT_PLUGIN_PATH);
	snprintf(dotted, sizeof(dotted), "%s/./unit_plugin.so", dirname(dir));
	assert_named_by_kernel(dotted);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_match_line),
	    cmocka_unit_test(test_match_line_not_a_file),
	    cmocka_unit_test(test_match_line_deleted_and_cut),
	    cmocka_unit_test(test_path_at_libc),
	    cmocka_unit_test(test_refresh_relative_name),
	    cmocka_unit_test(test_refresh_dotted_name),
	};

	return cmocka_run_group_tests(tests, gate_setup, NULL);
}
