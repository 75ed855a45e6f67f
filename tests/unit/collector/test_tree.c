/*
 * The process tree: exec chains stay on their pid, forked children hang
 * from the image their parent ran when they started, strangers are roots.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tree.h"

/*
 * sh (10) forks 11 and 12; 11 execs sort; 12 execs head, which execs cat;
 * 99 is a stranger whose parent is not traced; 10 forks 13 after it too.
 */
static void test_shell_pipeline(void **state)
{
	struct tree_node n[] = {
	    {.pid = 10, .ppid = 1, .start_ns = 100},		      /* 0 sh */
	    {.pid = 11, .ppid = 10, .start_ns = 110, .execed = true}, /* 1 */
	    {.pid = 12, .ppid = 10, .start_ns = 120, .execed = true}, /* 2 */
	    {.pid = 11, .ppid = 10, .start_ns = 130}, /* 3 sort */
	    {.pid = 12,
	     .ppid = 10,
	     .start_ns = 140,
	     .execed = true},			      /* 4 head */
	    {.pid = 99, .ppid = 50, .start_ns = 150}, /* 5 */
	    {.pid = 12, .ppid = 10, .start_ns = 160}, /* 6 cat */
	    {.pid = 13, .ppid = 10, .start_ns = 170}, /* 7 */
	};
	size_t order[8];
	size_t want[] = {0, 1, 3, 2, 4, 6, 7, 5};
	int depth[] = {0, 1, 2, 1, 2, 3, 1, 0};
	size_t i;

	tree_link(n, 8);
	assert_int_equal(n[0].parent, -1);
	assert_int_equal(n[1].parent, 0);
	assert_false(n[1].by_exec);
	assert_int_equal(n[3].parent, 1);
	assert_true(n[3].by_exec);
	assert_int_equal(n[6].parent, 4);
	assert_true(n[6].by_exec);
	assert_int_equal(n[5].parent, -1);
	assert_int_equal(n[7].parent, 0);

	tree_order(n, 8, order);
	for (i = 0; i < 8; i++) {
		assert_int_equal(order[i], want[i]);
		assert_int_equal(n[order[i]].depth, depth[i]);
	}
}

/* A child hangs from the image its parent ran when it was forked. */
static void test_fork_after_exec(void **state)
{
	struct tree_node n[] = {
	    {.pid = 20, .ppid = 1, .start_ns = 100, .execed = true}, /* 0 */
	    {.pid = 21, .ppid = 20, .start_ns = 110},		     /* 1 */
	    {.pid = 20, .ppid = 1, .start_ns = 120},		     /* 2 */
	    {.pid = 22, .ppid = 20, .start_ns = 130},		     /* 3 */
	};

	tree_link(n, 4);
	assert_int_equal(n[1].parent, 0);
	assert_int_equal(n[2].parent, 0);
	assert_true(n[2].by_exec);
	assert_int_equal(n[3].parent, 2);
	assert_false(n[3].by_exec);
}

/* A new image of a pid that did not exec is a pid reused: not a chain. */
static void test_pid_reuse_is_no_exec(void **state)
{
	struct tree_node n[] = {
	    {.pid = 30, .ppid = 1, .start_ns = 100},
	    {.pid = 30, .ppid = 1, .start_ns = 200},
	};

	tree_link(n, 2);
	assert_int_equal(n[1].parent, -1);
	assert_false(n[1].by_exec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shell_pipeline),
	    cmocka_unit_test(test_fork_after_exec),
	    cmocka_unit_test(test_pid_reuse_is_no_exec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
