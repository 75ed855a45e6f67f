/*
 * test_session.c - records of connections into the model: merging, sums,
 * the first stack, unknown ids and protocol errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "aggregate.h"
#include "log.h"
#include "session.h"
#include "test_records.h"

/* Feed P to S; returns the result and frees any error. */
static int feed(struct session *s, const struct packet *p)
{
	struct error *err = NULL;
	int ret = session_feed_packet(s, p->buf, p->len, &err);

	assert_true((ret < 0) == (err != NULL));
	error_free(&err);

	return ret;
}

static int setup(void **state)
{
	/* The rejected-record warnings are expected here. */
	log_set_level(LOG_LEVEL_ERROR);

	return 0;
}

/* An entry of table T at slot I: hash, site id, state, owner and count. */
static void table_entry(struct agg_table *t, int i, uint32_t site,
			enum agg_site_state state, uint32_t owner,
			uint64_t count)
{
	struct agg_entry *e = &t->slots[i];

	e->hash = 0x1000 + (uint64_t)i;
	e->site = site;
	e->nr = 284;
	e->arch = 0;
	e->tid = 42;
	e->owner = owner;
	e->owner_offset = 0x44;
	e->count = count;
	e->site_state = state;
}

/*
 * A process killed with Site records still in its batch: the collector
 * rebuilds those sites from the shared table, owner and count, and keeps
 * ignoring entries that were never attributed.
 */
static void test_tables_rebuild_unsent_sites(void **state)
{
	const uint32_t mods[] = {1}, ids[] = {1};
	const uint64_t offs[] = {0x10}, deltas[] = {3};
	size_t size = (sizeof(struct agg_table) + 4095) & ~4095UL;
	struct packet p = {.len = 0};
	struct agg_table *t;
	struct session s;
	struct model m;
	int fd, i;

	fd = memfd_create("test-tables", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	t = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(t != MAP_FAILED);
	table_entry(t, 0, 1, AGG_SITE_SENT, 1, 7);
	table_entry(t, 1, 2, AGG_SITE_PENDING, 1, 2);
	/* socket(AF_UNIX, ...): the policy needs the domain. */
	t->slots[1].nargs = 1;
	t->slots[1].arg_index[0] = 0;
	t->slots[1].arg_values[0] = 1;
	table_entry(t, 2, 3, AGG_SITE_UNSENT, 1, 4);
	t->slots[2].owner_offset = 0x48;
	table_entry(t, 3, 4, AGG_SITE_NEW, 0, 5);
	table_entry(t, 4, 5, AGG_SITE_PENDING, 9, 1); /* unknown owner */

	model_init(&m);
	session_init(&s, &m, 5);
	pkt_hello(&p, 5, 1, "/bin/x");
	pkt_module(&p, 1, "/lib/plugin.so", "\xcc", 0x7f0000000000, false);
	pkt_tables(&p, AGG_TABLES_MAGIC, (uint32_t)size, AGG_SLOTS,
		   sizeof(struct agg_entry), offsetof(struct agg_table, slots));
	pkt_site(&p, 1, 284, 1, 0x10, "", 1, mods, offs);
	pkt_counts(&p, 1, ids, deltas);
	assert_int_equal(feed(&s, &p), 0);
	session_take_fd(&s, fd);
	session_end(&s, 2000);

	assert_int_equal(m.n_sites, 3);
	/* Streamed 3, the table counted 7: the rest comes from the table. */
	assert_int_equal(m.sites[0].count, 7);
	assert_int_equal(m.sites[0].owner_offset, 0x10);
	for (i = 1; i < 3; i++) {
		const struct model_site *site = &m.sites[i];
		uint64_t off = site->count == 2 ? 0x44 : 0x48;

		assert_int_equal(site->nr, 284);
		assert_int_equal(site->owner, 0);
		assert_int_equal(site->owner_offset, off);
		assert_int_equal(site->tid, 42);
		assert_int_equal(site->n_frames, 1);
		assert_int_equal(site->frames[0].module, 0);
		assert_int_equal(site->frames[0].offset, off);
		if (site->count == 2) {
			assert_int_equal(site->n_args, 1);
			assert_int_equal(site->args[0].index, 0);
			assert_int_equal(site->args[0].value, 1);
		} else {
			assert_int_equal(site->n_args, 0);
		}
	}
	assert_int_equal(m.sites[1].count + m.sites[2].count, 6);

	munmap(t, size);
	session_free(&s);
	model_free(&m);
}

static void test_record_before_hello(void **state)
{
	struct packet p = {.len = 0};
	struct error *err = NULL;
	struct session s;
	struct model m;

	model_init(&m);
	session_init(&s, &m, 5);
	pkt_module(&p, 1, "/lib/a.so", "", 0, false);
	pkt_hello(&p, 5, 1, "/bin/x");

	assert_int_equal(session_feed_packet(&s, p.buf, p.len, &err), -1);
	assert_non_null(strstr(error_message(err), "a record before Hello"));
	assert_int_equal(m.n_procs, 0);
	assert_int_equal(m.n_modules, 0);
	error_free(&err);
	session_free(&s);
	model_free(&m);
}

static void test_second_hello(void **state)
{
	struct packet p = {.len = 0};
	struct session s;
	struct model m;

	model_init(&m);
	session_init(&s, &m, 5);
	pkt_hello(&p, 5, 1, "/bin/x");
	pkt_hello(&p, 5, 1, "/bin/x");
	assert_int_equal(feed(&s, &p), -1);
	assert_int_equal(m.n_procs, 1);
	session_free(&s);
	model_free(&m);
}

static void test_merge_sites(void **state)
{
	struct packet p = {.len = 0}, c = {.len = 0};
	const uint32_t mods_a[] = {2, 1, 0}, mods_b[] = {1};
	const uint64_t offs_a[] = {0x10, 0x20, 0x7fff0000}, offs_b[] = {0x99};
	const uint32_t ids[] = {1, 2, 3};
	const uint64_t deltas[] = {5, 3, 4};
	const uint32_t ids2[] = {1};
	const uint64_t deltas2[] = {2};
	struct model_site *site;
	struct session s;
	struct model m;

	model_init(&m);
	session_init(&s, &m, 5);
	pkt_hello(&p, 5, 1, "/bin/x");
	pkt_module(&p, 1, "/lib/libc.so.6", "\xab\xcd", 0x7f00, true);
	pkt_module(&p, 2, "/plugins/p.so", "\x01", 0x7e00, false);
	/* Two threads found the same site: one site, the first stack. */
	pkt_site(&p, 1, 39, 2, 0x10, "", 3, mods_a, offs_a);
	pkt_site(&p, 2, 39, 2, 0x10, "", 1, mods_b, offs_b);
	/* Same place in another scope: a site of its own. */
	pkt_site(&p, 3, 39, 2, 0x10, "lua", 1, mods_b, offs_b);
	assert_int_equal(feed(&s, &p), 0);

	pkt_counts(&c, 3, ids, deltas);
	pkt_counts(&c, 1, ids2, deltas2);
	assert_int_equal(feed(&s, &c), 0);

	assert_int_equal(m.n_modules, 2);
	assert_string_equal(m.modules[0].build_id, "abcd");
	assert_true(m.modules[0].runtime);
	assert_int_equal(m.procs[0].n_maps, 2);
	assert_true(m.procs[0].maps[1].base == 0x7e00);
	assert_int_equal(m.n_sites, 2);

	site = &m.sites[0];
	assert_int_equal(site->count, 5 + 3 + 2);
	assert_int_equal(site->owner, 1);
	assert_int_equal(site->n_frames, 3);
	assert_true(site->frames[0].offset == 0x10);
	assert_int_equal(site->frames[1].module, 0);
	assert_true(site->frames[2].module == MODEL_NO_MODULE);
	assert_true(site->frames[2].offset == 0x7fff0000);
	assert_int_equal(site->arch, 0xc000003e);
	assert_string_equal(site->scope, "");

	assert_string_equal(m.sites[1].scope, "lua");
	assert_int_equal(m.sites[1].count, 4);
	assert_int_equal(s.rejected, 0);
	session_free(&s);
	model_free(&m);
}

static void test_unknown_ids(void **state)
{
	struct packet p = {.len = 0};
	const uint32_t bad_mods[] = {7}, good_mods[] = {1};
	const uint64_t offs[] = {0x10};
	const uint32_t ids[] = {42, 3}, torn_ids[] = {3};
	const uint64_t deltas[] = {100, 6};
	struct session s;
	struct model m;

	model_init(&m);
	session_init(&s, &m, 5);
	pkt_hello(&p, 5, 1, "/bin/x");
	pkt_module(&p, 0, "/lib/zero.so", "", 0, false); /* id 0 */
	pkt_module(&p, 1, "/lib/a.so", "", 0, false);
	pkt_module(&p, 1, "/lib/b.so", "", 0, false);	      /* twice */
	pkt_site(&p, 1, 39, 9, 0x10, "", 1, good_mods, offs); /* owner */
	pkt_site(&p, 2, 39, 1, 0x10, "", 1, bad_mods, offs);  /* frame */
	pkt_site(&p, 3, 39, 1, 0x10, "", 1, good_mods, offs);
	pkt_counts(&p, 2, ids, deltas); /* site 42 */
	{
		Syswho__Record r = SYSWHO__RECORD__INIT;
		Syswho__Counts c = SYSWHO__COUNTS__INIT;

		c.n_sites = 1;
		c.sites = (uint32_t *)torn_ids;
		r.kind_case = SYSWHO__RECORD__KIND_COUNTS;
		r.counts = &c;
		pkt_add(&p, &r); /* torn */
	}
	{
		Syswho__Record r = SYSWHO__RECORD__INIT;
		Syswho__Site site = SYSWHO__SITE__INIT;
		uint32_t index[] = {6};
		uint64_t value[] = {1};

		site.id = 4;
		site.nr = 41;
		site.n_arg_index = site.n_arg_values = 1;
		site.arg_index = index;
		site.arg_values = value;
		r.kind_case = SYSWHO__RECORD__KIND_SITE;
		r.site = &site;
		pkt_add(&p, &r); /* a seventh argument */
	}
	assert_int_equal(feed(&s, &p), 0);

	assert_int_equal(s.rejected, 7);
	assert_int_equal(m.n_modules, 1);
	assert_string_equal(m.modules[0].path, "/lib/a.so");
	assert_int_equal(m.n_sites, 1);
	assert_int_equal(m.sites[0].count, 6);
	session_free(&s);
	model_free(&m);
}

static void test_lost_exit_and_modules_across_processes(void **state)
{
	struct packet a = {.len = 0}, b = {.len = 0};
	struct session sa, sb;
	struct model m;

	model_init(&m);
	session_init(&sa, &m, 5);
	session_init(&sb, &m, 6);
	pkt_hello(&a, 5, 1, "/bin/x");
	pkt_module(&a, 1, "/lib/libc.so.6", "\x01", 0x1000, false);
	pkt_lost(&a, 5, 7);
	pkt_lost(&a, 3, 9);
	pkt_exit(&a, 7, false);
	pkt_hello(&b, 6, 5, "/bin/x");
	pkt_module(&b, 4, "/lib/libc.so.6", "\x01", 0x2000, true);
	pkt_module(&b, 5, "/lib/libc.so.6", "\x02", 0x3000, false);
	pkt_exit(&b, 0, true);
	assert_int_equal(feed(&sa, &a), 0);
	assert_int_equal(feed(&sb, &b), 0);
	session_end(&sa, 1234);

	assert_int_equal(m.n_procs, 2);
	assert_int_equal(m.procs[0].lost_records, 5);
	assert_int_equal(m.procs[0].lost_calls, 9);
	assert_true(m.procs[0].exited);
	assert_int_equal(m.procs[0].exit_code, 7);
	assert_int_equal(m.procs[0].end_ns, 1234);
	assert_int_equal(m.procs[0].argc, 2);
	assert_string_equal(m.procs[0].argv[1], "--flag");
	assert_true(m.procs[1].execed);
	assert_false(m.procs[1].exited);

	/* Same path and build-id: one module; another build-id: another. */
	assert_int_equal(m.n_modules, 2);
	assert_true(m.modules[0].runtime);
	assert_int_equal(m.procs[1].maps[0].module, 0);
	assert_int_equal(m.procs[1].maps[1].module, 1);

	/* waitpid's word goes to the image that really ended. */
	assert_int_equal(model_set_wait_status(&m, 6, SIGKILL), -1);
	assert_int_equal(model_set_wait_status(&m, 5, SIGTERM), 0);
	assert_false(m.procs[0].exited);
	assert_int_equal(m.procs[0].signal, SIGTERM);
	assert_int_equal(model_set_wait_status(&m, 5, 3 << 8), 0);
	assert_true(m.procs[0].exited);
	assert_int_equal(m.procs[0].exit_code, 3);
	assert_int_equal(m.procs[0].signal, 0);

	session_free(&sa);
	session_free(&sb);
	model_free(&m);
}
/*
 * Counts and loss totals that claim more than any run makes are held at
 * MODEL_COUNT_MAX: a hostile record cannot wrap a count, nor push the
 * profile's sums past SQLite's signed 64 bits.
 */
static void test_counts_held_at_the_maximum(void **state)
{
	struct packet p = {.len = 0}, c = {.len = 0};
	const uint32_t mods[] = {1};
	const uint64_t offs[] = {0x10};
	const uint32_t ids[] = {1, 1, 2};
	const uint64_t deltas[] = {UINT64_MAX - 1, 5, MODEL_COUNT_MAX - 1};
	const uint32_t ids2[] = {2};
	const uint64_t deltas2[] = {7};
	struct session s;
	struct model m;

	model_init(&m);
	session_init(&s, &m, 5);
	pkt_hello(&p, 5, 1, "/bin/x");
	pkt_module(&p, 1, "/lib/libc.so.6", "\x01", 0x1000, false);
	pkt_site(&p, 1, 39, 1, 0x10, "", 1, mods, offs);
	pkt_site(&p, 2, 40, 1, 0x10, "", 1, mods, offs);
	pkt_lost(&p, UINT64_MAX, UINT64_MAX);
	assert_int_equal(feed(&s, &p), 0);
	pkt_counts(&c, 3, ids, deltas);
	pkt_counts(&c, 1, ids2, deltas2);
	assert_int_equal(feed(&s, &c), 0);

	assert_int_equal(m.n_sites, 2);
	assert_true(m.sites[0].count == MODEL_COUNT_MAX);
	assert_true(m.sites[1].count == MODEL_COUNT_MAX);
	assert_true(m.procs[0].lost_records == MODEL_COUNT_MAX);
	assert_true(m.procs[0].lost_calls == MODEL_COUNT_MAX);
	session_free(&s);
	model_free(&m);
}

static void test_many_sites(void **state)
{
	struct model_site key = {.scope = (char *)""};
	struct error *err = NULL;
	struct model m;
	size_t i, idx;

	/* Enough to grow the site index several times. */
	model_init(&m);
	for (i = 0; i < 5000; i++) {
		key.nr = (uint32_t)(i % 300);
		key.owner_offset = i / 300;
		assert_int_equal(model_add_site(&m, &key, &idx, &err), 0);
		assert_int_equal(idx, i);
	}
	for (i = 0; i < 5000; i += 7) {
		key.nr = (uint32_t)(i % 300);
		key.owner_offset = i / 300;
		assert_int_equal(model_add_site(&m, &key, &idx, &err), 0);
		assert_int_equal(idx, i);
	}
	assert_int_equal(m.n_sites, 5000);
	model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_record_before_hello),
	    cmocka_unit_test(test_tables_rebuild_unsent_sites),
	    cmocka_unit_test(test_second_hello),
	    cmocka_unit_test(test_merge_sites),
	    cmocka_unit_test(test_unknown_ids),
	    cmocka_unit_test(test_lost_exit_and_modules_across_processes),
	    cmocka_unit_test(test_many_sites),
	    cmocka_unit_test(test_counts_held_at_the_maximum),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
