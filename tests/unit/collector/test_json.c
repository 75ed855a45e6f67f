/*
 * test_json.c - JSON string escaping, which keeps reports parseable
 * whatever the paths and arguments of a traced program hold.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"

/* JSON for S as one string. */
static char *escaped(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	json_put_string(f, s);
	fclose(f);

	return buf;
}

static void expect(const char *in, const char *want)
{
	char *got = escaped(in);

	assert_string_equal(got, want);
	free(got);
}

static void test_escapes(void **state)
{
	expect("plain", "\"plain\"");
	expect("", "\"\"");
	expect("a\"b\\c", "\"a\\\"b\\\\c\"");
	expect("\n\t\x01\x1f\x7f", "\"\\n\\t\\u0001\\u001f\\u007f\"");
	expect("/usr/lib/\xc3\xbc.so", "\"/usr/lib/\xc3\xbc.so\"");
	expect("\xe2\x82\xac \xf0\x9f\x98\x80",
	       "\"\xe2\x82\xac \xf0\x9f\x98\x80\"");
}

static void test_invalid_utf8(void **state)
{
	/* A lone continuation, a cut sequence, overlong and surrogate forms. */
	expect("a\x80z", "\"a\\ufffdz\"");
	expect("a\xc3", "\"a\\ufffd\"");
	expect("\xc0\xaf", "\"\\ufffd\\ufffd\"");
	expect("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");
	expect("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
}

static void test_strings(void **state)
{
	const char *argv[] = {"sh", "-c", "echo \"hi\""};
	char *got = json_strings(argv, 3);

	assert_string_equal(got, "[\"sh\",\"-c\",\"echo \\\"hi\\\"\"]");
	free(got);
	got = json_strings(argv, 0);
	assert_string_equal(got, "[]");
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escapes),
	    cmocka_unit_test(test_invalid_utf8),
	    cmocka_unit_test(test_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
