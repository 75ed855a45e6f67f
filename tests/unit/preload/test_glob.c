/*
 * glob_match: the matcher that classifies runtime modules by name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "glob.h"

static void test_literal(void **state)
{
	assert_true(glob_match("libc.so.6", "libc.so.6"));
	assert_false(glob_match("libc.so.6", "libc.so.7"));
	assert_false(glob_match("libc.so", "libc.so.6"));
	assert_false(glob_match("libc.so.6", "libc.so"));
}

static void test_star(void **state)
{
	assert_true(glob_match("*", "anything"));
	assert_true(glob_match("*", ""));
	assert_true(glob_match("lib*.so", "libfoo.so"));
	assert_true(glob_match("lib*.so", "lib.so"));
	assert_true(glob_match("*.so", "a.so.so"));
	assert_true(glob_match("a*b*c", "a-b-b-c"));
	assert_true(glob_match("**x", "x"));
	assert_false(glob_match("lib*.so", "libfoo.so.1"));
	assert_false(glob_match("a*b*c", "a-b-b-d"));
	/* A star also crosses '/', which full-path runtime globs rely on. */
	assert_true(glob_match("/opt/*", "/opt/a/b.so"));
}

static void test_trailing_star(void **state)
{
	assert_true(glob_match("libc.so*", "libc.so.6"));
	assert_true(glob_match("libc.so*", "libc.so"));
	assert_true(glob_match("abc**", "abc"));
	assert_false(glob_match("libc.so*", "libc-2.36.so"));
}

static void test_question(void **state)
{
	assert_true(glob_match("lib?.so", "libm.so"));
	assert_true(glob_match("???", "abc"));
	assert_false(glob_match("lib?.so", "lib.so"));
	assert_false(glob_match("lib?.so", "libmm.so"));
	assert_false(glob_match("???", "ab"));
	assert_false(glob_match("?", ""));
}

static void test_class_range(void **state)
{
	assert_true(glob_match("[a-z]", "q"));
	assert_true(glob_match("[a-z]", "a"));
	assert_true(glob_match("[a-z]", "z"));
	assert_false(glob_match("[a-z]", "A"));
	assert_false(glob_match("[a-z]", "0"));
	assert_true(glob_match("lib[cm].so.6", "libm.so.6"));
	assert_false(glob_match("lib[cm].so.6", "libz.so.6"));
	assert_true(glob_match("x[0-9a-f]y", "xby"));
	assert_false(glob_match("x[0-9a-f]y", "xgy"));
	/* A '-' at the end of a class is literal. */
	assert_true(glob_match("[a-]", "-"));
	assert_false(glob_match("[a-]", "b"));
	/* A ']' right after '[' is a member, not the end. */
	assert_true(glob_match("[]a]", "]"));
	assert_true(glob_match("[]a]", "a"));
	assert_false(glob_match("[a-z]", ""));
}

static void test_class_negated(void **state)
{
	assert_true(glob_match("[!x]", "y"));
	assert_false(glob_match("[!x]", "x"));
	assert_true(glob_match("[^x]", "y"));
	assert_false(glob_match("[^x]", "x"));
	assert_true(glob_match("lib[!c]*.so", "libm.so"));
	assert_false(glob_match("lib[!c]*.so", "libc.so"));
	assert_false(glob_match("[!a-z]", "k"));
	assert_true(glob_match("[!a-z]", "K"));
}

static void test_star_then_class(void **state)
{
	/* The star has to give back characters for the class to match. */
	assert_true(glob_match("*[0-9]", "libfoo9"));
	assert_false(glob_match("*[0-9]", "libfoo"));
	assert_true(glob_match("*.so.[0-9]", "libc.so.6"));
}

static void test_runtime_names(void **state)
{
	assert_true(glob_match("ld-linux*.so*", "ld-linux-x86-64.so.2"));
	assert_true(glob_match("libstdc++.so*", "libstdc++.so.6"));
	assert_true(glob_match("libunwind*.so*", "libunwind-x86_64.so.8"));
	assert_false(glob_match("ld-linux*.so*", "libld-linux.so"));
	assert_false(glob_match("libc.so*", "libcurl.so.4"));
}

static void test_empty(void **state)
{
	assert_true(glob_match("", ""));
	assert_false(glob_match("", "a"));
	assert_false(glob_match("a", ""));
	assert_true(glob_match("*", ""));
	assert_false(glob_match("*a", ""));
}

static void test_unterminated_class(void **state)
{
	/*
	 * "a[" and, after its terminator, bytes that would make a class:
	 * the matcher must stop at the end of the pattern, never read on.
	 */
	static const char pattern[] = {'a', '[', '\0', 'b', ']', '\0'};
	static const char negated[] = {'[', '!', '\0', 'x', ']', '\0'};

	assert_false(glob_match(pattern, "ab"));
	assert_false(glob_match(negated, "y"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_literal),
	    cmocka_unit_test(test_star),
	    cmocka_unit_test(test_trailing_star),
	    cmocka_unit_test(test_question),
	    cmocka_unit_test(test_class_range),
	    cmocka_unit_test(test_class_negated),
	    cmocka_unit_test(test_star_then_class),
	    cmocka_unit_test(test_runtime_names),
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_unterminated_class),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
