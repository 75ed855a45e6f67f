/*
 * owner_pick: which frame of a stack owns the call.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "owner.h"

static const struct module libc_mod = {.id = 1, .runtime = true};
static const struct module ld_mod = {.id = 2, .runtime = true};
static const struct module plugin_mod = {.id = 3, .runtime = false};
static const struct module exe_mod = {.id = 4, .runtime = false};

static void test_first_non_runtime_wins(void **state)
{
	const struct module *const mods[] = {
	    &libc_mod,
	    &ld_mod,
	    &plugin_mod,
	    &exe_mod,
	};

	assert_int_equal(owner_pick(mods, 4), 2);
}

static void test_innermost_non_runtime(void **state)
{
	const struct module *const mods[] = {&exe_mod, &libc_mod, &plugin_mod};

	assert_int_equal(owner_pick(mods, 3), 0);
}

static void test_no_module_is_owner(void **state)
{
	/* JIT code or a hand-mapped blob: no module, but it made the call. */
	const struct module *const mods[] = {
	    &libc_mod,
	    NULL,
	    &plugin_mod,
	};

	assert_int_equal(owner_pick(mods, 3), 1);
}

static void test_all_runtime(void **state)
{
	const struct module *const mods[] = {&libc_mod, &ld_mod, &libc_mod};

	assert_int_equal(owner_pick(mods, 3), 0);
}

static void test_only_n_frames_count(void **state)
{
	/* The frame past N is not part of the stack. */
	const struct module *const mods[] = {&libc_mod, &ld_mod, &plugin_mod};

	assert_int_equal(owner_pick(mods, 2), 0);
	assert_int_equal(owner_pick(mods, 3), 2);
}

static void test_empty_stack(void **state)
{
	assert_int_equal(owner_pick(NULL, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_first_non_runtime_wins),
	    cmocka_unit_test(test_innermost_non_runtime),
	    cmocka_unit_test(test_no_module_is_owner),
	    cmocka_unit_test(test_all_runtime),
	    cmocka_unit_test(test_only_n_frames_count),
	    cmocka_unit_test(test_empty_stack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
