/*
 * test_syscalls.c - syscall names and numbers through libseccomp.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "syscalls.h"

#define AUDIT_ARCH_I386_VALUE 0x40000003u

static void test_known(void **state)
{
	char name[64];

	assert_int_equal(syscalls_name(0, 39, name, sizeof(name)), 0);
	assert_string_equal(name, "getpid");
	assert_int_equal(
	    syscalls_name(SYSCALLS_ARCH_X86_64, 257, name, sizeof(name)), 0);
	assert_string_equal(name, "openat");
	assert_int_equal(syscalls_number(0, "openat"), 257);
	assert_int_equal(syscalls_number(0, "exit_group"), 231);
	/* i386 numbers differ: a site of a 32-bit call keeps its arch. */
	assert_int_equal(
	    syscalls_name(AUDIT_ARCH_I386_VALUE, 20, name, sizeof(name)), 0);
	assert_string_equal(name, "getpid");
}

static void test_unknown(void **state)
{
	char name[64];

	assert_int_equal(syscalls_number(0, "nosuchcall"), -1);
	assert_int_equal(syscalls_number(0, ""), -1);
	/* Exists on i386 only: libseccomp's pseudo-number is no answer. */
	assert_int_equal(syscalls_number(0, "socketcall"), -1);
	assert_int_equal(syscalls_name(0, 100000, name, sizeof(name)), -1);
	assert_int_equal(syscalls_name(0, UINT32_MAX, name, sizeof(name)), -1);
}

static void test_round_trip_table(void **state)
{
	char name[64];
	int nr, named = 0;

	for (nr = 0; nr < 512; nr++) {
		if (syscalls_name(0, (uint32_t)nr, name, sizeof(name)) < 0)
			continue;
		assert_int_equal(syscalls_number(0, name), nr);
		named++;
	}
	/* x86_64 has well over 300 syscalls. */
	assert_true(named > 300);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_known),
	    cmocka_unit_test(test_unknown),
	    cmocka_unit_test(test_round_trip_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
