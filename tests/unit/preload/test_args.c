/*
 * Which arguments are kept for policies: exactly the listed ones, raw.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sys/syscall.h>

#include "aggregate.h"
#include "args.h"

static const long args6[6] = {10, 11, 12, 13, 14, 15};

static void test_socket_keeps_domain_and_type(void **state)
{
	uint32_t idx[ARGS_MAX];
	uint64_t val[ARGS_MAX];

	assert_int_equal(args_pick(SYS_socket, args6, idx, val), 2);
	assert_int_equal(idx[0], 0);
	assert_int_equal(val[0], 10);
	assert_int_equal(idx[1], 1);
	assert_int_equal(val[1], 11);
}

static void test_one_argument_calls(void **state)
{
	static const struct {
		int nr;
		uint32_t index;
	} want[] = {
	    {SYS_fcntl, 1},	    {SYS_ioctl, 1}, {SYS_prctl, 0},
	    {SYS_personality, 0},   {SYS_clone, 0}, {SYS_mmap, 2},
	    {SYS_mprotect, 2},	    {SYS_open, 1},  {SYS_openat, 2},
	    {SYS_clock_gettime, 0},
	};
	uint32_t idx[ARGS_MAX];
	uint64_t val[ARGS_MAX];
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(*want); i++) {
		assert_int_equal(args_pick(want[i].nr, args6, idx, val), 1);
		assert_int_equal(idx[0], want[i].index);
		assert_int_equal(val[0], (uint64_t)args6[want[i].index]);
	}
}

static void test_others_keep_nothing(void **state)
{
	uint32_t idx[ARGS_MAX];
	uint64_t val[ARGS_MAX];

	assert_int_equal(args_pick(SYS_read, args6, idx, val), 0);
	assert_int_equal(args_pick(SYS_getppid, args6, idx, val), 0);
	assert_int_equal(args_pick(-1, args6, idx, val), 0);
}

/* A negative value is kept as its 64-bit pattern. */
static void test_values_are_raw(void **state)
{
	const long neg[6] = {-1, 0, 0, 0, 0, 0};
	uint32_t idx[ARGS_MAX];
	uint64_t val[ARGS_MAX];

	assert_int_equal(args_pick(SYS_prctl, neg, idx, val), 1);
	assert_int_equal(val[0], UINT64_MAX);
}

/* Distinct argument values make distinct call sites. */
static void test_values_split_sites(void **state)
{
	uint64_t a = 1, b = 2;
	uint64_t h = agg_hash(0, 1, 0, 0, NULL, 0);

	assert_int_not_equal(agg_hash_args(h, &a, 1), agg_hash_args(h, &b, 1));
	assert_int_not_equal(agg_hash_args(h, &a, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_socket_keeps_domain_and_type),
	    cmocka_unit_test(test_one_argument_calls),
	    cmocka_unit_test(test_others_keep_nothing),
	    cmocka_unit_test(test_values_are_raw),
	    cmocka_unit_test(test_values_split_sites),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
