/*
 * aggregate: the per-thread table of calls counted by stack.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "aggregate.h"

#include <linux/audit.h>
#include <stdlib.h>

#define SLOT_MASK (AGG_SLOTS - 1)
/* How far aggregate.c probes before it gives up on a crowded slot. */
#define PROBE_LIMIT 256

static int table_setup(void **state)
{
	/* The table is large; the heap keeps it off cmocka's stack. */
	*state = calloc(1, sizeof(struct agg_table));
	return *state ? 0 : -1;
}

static int table_teardown(void **state)
{
	free(*state);
	return 0;
}

/* A hash that lands in SLOT, distinct for each TAG. */
static uint64_t hash_at(uint32_t slot, uint32_t tag)
{
	return ((uint64_t)(tag + 1) << 32) | slot;
}

/* Insert a counted entry whose Site reached the collector. */
static struct agg_entry *add_sent(struct agg_table *t, uint64_t hash,
				  uint32_t site, int calls)
{
	struct agg_entry *e = agg_insert(t, hash, 1);
	int i;

	assert_non_null(e);
	e->site = site;
	agg_set_site_state(e, AGG_SITE_SENT);
	for (i = 0; i < calls; i++)
		agg_count(e);

	return e;
}

static void test_hash_tells_paths_apart(void **state)
{
	const uintptr_t pcs[3] = {0x401000, 0x7f0000002000, 0x7f0000003000};
	const uintptr_t other[3] = {0x401000, 0x7f0000002001, 0x7f0000003000};
	uint64_t h = agg_hash(AUDIT_ARCH_X86_64, 1, 0, 0, pcs, 3);

	assert_int_equal(h, agg_hash(AUDIT_ARCH_X86_64, 1, 0, 0, pcs, 3));
	assert_int_not_equal(h, agg_hash(AUDIT_ARCH_I386, 1, 0, 0, pcs, 3));
	assert_int_not_equal(h, agg_hash(AUDIT_ARCH_X86_64, 2, 0, 0, pcs, 3));
	assert_int_not_equal(h, agg_hash(AUDIT_ARCH_X86_64, 1, 7, 0, pcs, 3));
	assert_int_not_equal(h, agg_hash(AUDIT_ARCH_X86_64, 1, 0, 0, other, 3));
	assert_int_not_equal(h, agg_hash(AUDIT_ARCH_X86_64, 1, 0, 0, pcs, 2));
	assert_int_not_equal(agg_hash(AUDIT_ARCH_X86_64, 1, 0, 0, pcs, 0),
			     agg_hash(AUDIT_ARCH_X86_64, 1, 0, 0, pcs, 1));
}

/* The same addresses under another module map generation: another path. */
static void test_hash_generation(void **state)
{
	const uintptr_t pcs[3] = {0x401000, 0x7f0000002000, 0x7f0000003000};
	uint64_t h = agg_hash(AUDIT_ARCH_X86_64, 1, 0, 0, pcs, 3);

	assert_int_not_equal(h, agg_hash(AUDIT_ARCH_X86_64, 1, 0, 1, pcs, 3));
	assert_int_not_equal(agg_hash(AUDIT_ARCH_X86_64, 1, 0, 1, pcs, 3),
			     agg_hash(AUDIT_ARCH_X86_64, 1, 0, 2, pcs, 3));
	/* Scope and generation are not mixed in as one number. */
	assert_int_not_equal(agg_hash(AUDIT_ARCH_X86_64, 1, 1, 0, pcs, 3),
			     agg_hash(AUDIT_ARCH_X86_64, 1, 0, 1, pcs, 3));
}

static void test_hash_order_matters(void **state)
{
	const uintptr_t ab[2] = {0x1000, 0x2000};
	const uintptr_t ba[2] = {0x2000, 0x1000};

	assert_int_not_equal(agg_hash(AUDIT_ARCH_X86_64, 0, 0, 0, ab, 2),
			     agg_hash(AUDIT_ARCH_X86_64, 0, 0, 0, ba, 2));
}

static void test_hash_never_zero(void **state)
{
	uintptr_t pc;
	uint32_t nr;

	/* 0 marks an empty slot, so no path may hash to it. */
	for (nr = 0; nr < 512; nr++)
		for (pc = 0; pc < 64; pc++) {
			assert_int_not_equal(
			    agg_hash(AUDIT_ARCH_X86_64, nr, 0, 0, &pc, 1), 0);
			assert_int_not_equal(
			    agg_hash(0, nr, (uint32_t)pc, 0, NULL, 0), 0);
		}
}

static void test_insert_find(void **state)
{
	struct agg_table *t = *state;
	struct agg_entry *a, *b;

	assert_null(agg_find(t, 12345));
	a = agg_insert(t, 12345, 39);
	assert_non_null(a);
	assert_int_equal(a->hash, 12345);
	assert_int_equal(a->nr, 39);
	assert_int_equal(a->count, 0);
	assert_int_equal(a->site_state, AGG_SITE_NEW);
	assert_int_equal(t->used, 1);
	assert_ptr_equal(agg_find(t, 12345), a);

	/* Same slot, another hash: probes on, both stay findable. */
	b = agg_insert(t, 12345 + AGG_SLOTS, 60);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_ptr_equal(agg_find(t, 12345), a);
	assert_ptr_equal(agg_find(t, 12345 + AGG_SLOTS), b);
	assert_null(agg_find(t, 12345 + 2 * AGG_SLOTS));
	assert_int_equal(t->used, 2);
}

static void test_count(void **state)
{
	struct agg_table *t = *state;
	struct agg_entry *e = agg_insert(t, 77, 0);
	int i;

	assert_non_null(e);
	for (i = 0; i < 1000; i++)
		agg_count(e);
	assert_int_equal(e->count, 1000);
	assert_int_equal(e->sent, 0);
}

static void test_collect_only_sent_and_changed(void **state)
{
	struct agg_table *t = *state;
	uint32_t sites[8], cursor = 0;
	uint64_t deltas[8];
	struct agg_entry *unsent;
	int n;

	add_sent(t, hash_at(10, 0), 100, 3);
	add_sent(t, hash_at(20, 0), 200, 5);
	/* Counted, but its Site never reached the collector. */
	unsent = agg_insert(t, hash_at(30, 0), 1);
	assert_non_null(unsent);
	unsent->site = 300;
	agg_count(unsent);
	/* Attributed, its Site still in a batch or to be sent again. */
	unsent = agg_insert(t, hash_at(31, 0), 1);
	assert_non_null(unsent);
	unsent->site = 310;
	agg_set_site_state(unsent, AGG_SITE_PENDING);
	agg_count(unsent);
	unsent = agg_insert(t, hash_at(32, 0), 1);
	assert_non_null(unsent);
	unsent->site = 320;
	agg_set_site_state(unsent, AGG_SITE_UNSENT);
	agg_count(unsent);
	/* Site sent, but no call counted yet. */
	add_sent(t, hash_at(40, 0), 400, 0);

	n = agg_collect(t, &cursor, sites, deltas, 8);
	assert_int_equal(n, 2);
	assert_int_equal(cursor, AGG_SLOTS);
	assert_int_equal(sites[0], 100);
	assert_int_equal(deltas[0], 3);
	assert_int_equal(sites[1], 200);
	assert_int_equal(deltas[1], 5);

	cursor = 0;
	assert_int_equal(agg_collect(t, &cursor, sites, deltas, 8), 0);
	assert_int_equal(cursor, AGG_SLOTS);
}

static void test_collect_deltas_since_last(void **state)
{
	struct agg_table *t = *state;
	struct agg_entry *e = add_sent(t, hash_at(5, 0), 55, 4);
	uint32_t sites[4], cursor = 0;
	uint64_t deltas[4];

	assert_int_equal(agg_collect(t, &cursor, sites, deltas, 4), 1);
	assert_int_equal(deltas[0], 4);
	agg_count(e);
	agg_count(e);
	cursor = 0;
	assert_int_equal(agg_collect(t, &cursor, sites, deltas, 4), 1);
	assert_int_equal(sites[0], 55);
	assert_int_equal(deltas[0], 2);
	assert_int_equal(e->sent, 6);
}

static void test_uncollect_restores(void **state)
{
	struct agg_table *t = *state;
	uint32_t sites[4], cursor = 0;
	uint64_t deltas[4];
	struct agg_entry *a = add_sent(t, hash_at(1, 0), 11, 2);
	struct agg_entry *b = add_sent(t, hash_at(2, 0), 22, 9);

	assert_int_equal(agg_collect(t, &cursor, sites, deltas, 4), 2);
	agg_uncollect(t, sites, deltas, 2);
	assert_int_equal(a->sent, 0);
	assert_int_equal(b->sent, 0);

	/* The undelivered deltas come back, plus what was counted since. */
	agg_count(b);
	cursor = 0;
	assert_int_equal(agg_collect(t, &cursor, sites, deltas, 4), 2);
	assert_int_equal(sites[0], 11);
	assert_int_equal(deltas[0], 2);
	assert_int_equal(sites[1], 22);
	assert_int_equal(deltas[1], 10);
}

static void test_collect_continues_from_cursor(void **state)
{
	struct agg_table *t = *state;
	uint32_t sites[2], cursor = 0, seen = 0;
	uint64_t deltas[2], total = 0;
	int i, n, rounds = 0;

	for (i = 0; i < 5; i++)
		add_sent(t, hash_at((uint32_t)i * 100, 0), (uint32_t)i + 1,
			 i + 1);

	while (cursor < AGG_SLOTS) {
		n = agg_collect(t, &cursor, sites, deltas, 2);
		assert_true(n <= 2);
		for (i = 0; i < n; i++) {
			/* In slot order, each site exactly once. */
			assert_int_equal(sites[i], seen + 1);
			assert_int_equal(deltas[i], seen + 1);
			seen++;
			total += deltas[i];
		}
		rounds++;
		assert_true(rounds <= 4);
	}
	assert_int_equal(seen, 5);
	assert_int_equal(total, 15);
	assert_int_equal(rounds, 3);
}

static void test_fill_spread(void **state)
{
	struct agg_table *t = *state;
	uint32_t i, inserted = 0;

	/* One slot each: only the fill limit stops the inserts. */
	for (i = 0; i < AGG_SLOTS; i++)
		if (agg_insert(t, hash_at(i, 0), 0))
			inserted++;
	assert_int_equal(inserted, AGG_SLOTS * 7 / 8);
	assert_int_equal(t->used, AGG_SLOTS * 7 / 8);
	assert_null(agg_insert(t, hash_at(AGG_SLOTS - 1, 1), 0));
	for (i = 0; i < inserted; i++)
		assert_non_null(agg_find(t, hash_at(i, 0)));
}

static void test_fill_one_cluster(void **state)
{
	struct agg_table *t = *state;
	uint32_t tag, inserted = 0;

	/* Every hash wants slot 7: probing gives up before the table fills. */
	for (tag = 0; tag < AGG_SLOTS; tag++) {
		struct agg_entry *e = agg_insert(t, hash_at(7, tag), 0);

		if (!e)
			break;
		inserted++;
	}
	assert_int_equal(inserted, PROBE_LIMIT);
	assert_int_equal(t->used, PROBE_LIMIT);
	for (tag = 0; tag < inserted; tag++)
		assert_non_null(agg_find(t, hash_at(7, tag)));
	assert_null(agg_find(t, hash_at(7, inserted)));

	/* Entries elsewhere still go in. */
	assert_non_null(agg_insert(t, hash_at(1000, 0), 0));
}

static void test_fill_wraps_around(void **state)
{
	struct agg_table *t = *state;
	struct agg_entry *a, *b;

	/* The last slot's neighbour is slot 0. */
	a = agg_insert(t, hash_at(SLOT_MASK, 0), 0);
	b = agg_insert(t, hash_at(SLOT_MASK, 1), 0);
	assert_ptr_equal(a, &t->slots[SLOT_MASK]);
	assert_ptr_equal(b, &t->slots[0]);
	assert_ptr_equal(agg_find(t, hash_at(SLOT_MASK, 1)), b);
}

static void test_reset(void **state)
{
	struct agg_table *t = *state;
	uint32_t sites[4], cursor = 0;
	uint64_t deltas[4];

	add_sent(t, hash_at(3, 0), 33, 4);
	t->dropped = 9;
	assert_true(agg_try_lock(t));
	agg_reset(t);

	assert_int_equal(t->used, 0);
	assert_int_equal(t->dropped, 0);
	assert_null(agg_find(t, hash_at(3, 0)));
	assert_int_equal(agg_collect(t, &cursor, sites, deltas, 4), 0);
	/* A forked child's flusher must not find the parent's lock held. */
	assert_true(agg_try_lock(t));
	assert_non_null(agg_insert(t, hash_at(3, 0), 0));
}

static void test_flush_lock(void **state)
{
	struct agg_table *t = *state;

	assert_true(agg_try_lock(t));
	assert_false(agg_try_lock(t));
	agg_unlock(t);
	assert_true(agg_try_lock(t));
	agg_unlock(t);
}

#define TABLE_TEST(fn)                                                         \
	cmocka_unit_test_setup_teardown(fn, table_setup, table_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hash_tells_paths_apart),
	    cmocka_unit_test(test_hash_generation),
	    cmocka_unit_test(test_hash_order_matters),
	    cmocka_unit_test(test_hash_never_zero),
	    TABLE_TEST(test_insert_find),
	    TABLE_TEST(test_count),
	    TABLE_TEST(test_collect_only_sent_and_changed),
	    TABLE_TEST(test_collect_deltas_since_last),
	    TABLE_TEST(test_uncollect_restores),
	    TABLE_TEST(test_collect_continues_from_cursor),
	    TABLE_TEST(test_fill_spread),
	    TABLE_TEST(test_fill_one_cluster),
	    TABLE_TEST(test_fill_wraps_around),
	    TABLE_TEST(test_reset),
	    TABLE_TEST(test_flush_lock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
