/*
 * encode: records written by libsyswho.so must read back, field for
 * field, through the same schema the collector uses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "encode.h"
#include "syswho.pb-c.h"

#include <linux/audit.h>
#include <string.h>

/* Read the varint length prefix at BUF[*POS]; -1 if malformed. */
static int64_t read_varint(const uint8_t *buf, size_t len, size_t *pos)
{
	uint64_t v = 0;
	int shift;

	for (shift = 0; shift < 64 && *pos < len; shift += 7) {
		uint8_t b = buf[(*pos)++];

		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return (int64_t)v;
	}

	return -1;
}

/* Unpack the record at *POS and move past it; fails the test if bad. */
static Syswho__Record *next_record(const uint8_t *buf, size_t len, size_t *pos)
{
	int64_t size = read_varint(buf, len, pos);
	Syswho__Record *rec;

	assert_true(size >= 0);
	assert_true(*pos + (size_t)size <= len);
	rec = syswho__record__unpack(NULL, (size_t)size, buf + *pos);
	assert_non_null(rec);
	*pos += (size_t)size;

	return rec;
}

static void test_hello(void **state)
{
	char *const argv[] = {"/usr/bin/prog", "-v", "", "last arg"};
	uint8_t buf[512];
	size_t len = 0, pos = 0;
	Syswho__Record *rec;
	Syswho__Hello *h;
	size_t i;

	assert_int_equal(
	    encode_hello(buf, sizeof(buf), &len, 4321, 1234, "/usr/bin/prog",
			 argv, 4, 1700000000123456789ULL, AUDIT_ARCH_X86_64, 5),
	    0);
	rec = next_record(buf, len, &pos);
	assert_int_equal(pos, len);
	assert_int_equal(rec->kind_case, SYSWHO__RECORD__KIND_HELLO);
	h = rec->hello;
	assert_int_equal(h->pid, 4321);
	assert_int_equal(h->ppid, 1234);
	assert_string_equal(h->exe, "/usr/bin/prog");
	assert_int_equal(h->n_argv, 4);
	for (i = 0; i < 4; i++)
		assert_string_equal(h->argv[i], argv[i]);
	assert_int_equal(h->start_ns, 1700000000123456789ULL);
	assert_int_equal(h->arch, AUDIT_ARCH_X86_64);
	assert_int_equal(h->setid, 5);
	assert_int_equal(h->version, 1);
	syswho__record__free_unpacked(rec, NULL);
}

static void test_module(void **state)
{
	struct module m = {
	    .id = 7,
	    .runtime = true,
	    .base = 0x7f1200000000,
	    .start = 0x7f1200001000,
	    .end = 0x7f1200005800,
	    .build_id = {0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02,
			 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09,
			 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f},
	    .build_id_len = 20,
	    .path = "/usr/lib/x86_64-linux-gnu/libc.so.6",
	};
	uint8_t buf[512];
	size_t len = 0, pos = 0;
	Syswho__Record *rec;
	Syswho__Module *mod;

	assert_int_equal(encode_module(buf, sizeof(buf), &len, &m), 0);
	rec = next_record(buf, len, &pos);
	assert_int_equal(pos, len);
	assert_int_equal(rec->kind_case, SYSWHO__RECORD__KIND_MODULE);
	mod = rec->module;
	assert_int_equal(mod->id, 7);
	assert_string_equal(mod->path, m.path);
	assert_int_equal(mod->build_id.len, 20);
	assert_memory_equal(mod->build_id.data, m.build_id, 20);
	assert_int_equal(mod->load_bias, 0x7f1200000000ULL);
	assert_int_equal(mod->size, 0x4800);
	assert_true(mod->runtime);
	syswho__record__free_unpacked(rec, NULL);
}

static void test_module_without_build_id(void **state)
{
	struct module m = {.id = 1, .path = "/bin/prog", .end = 0x10};
	uint8_t buf[128];
	size_t len = 0, pos = 0;
	Syswho__Record *rec;

	assert_int_equal(encode_module(buf, sizeof(buf), &len, &m), 0);
	rec = next_record(buf, len, &pos);
	assert_int_equal(rec->kind_case, SYSWHO__RECORD__KIND_MODULE);
	assert_int_equal(rec->module->build_id.len, 0);
	assert_false(rec->module->runtime);
	assert_int_equal(rec->module->size, 0x10);
	syswho__record__free_unpacked(rec, NULL);
}

static void test_site(void **state)
{
	const uint32_t modules[3] = {2, 0, 5};
	const uint64_t offsets[3] = {0x1234, 0x7f0012345678, 0x99};
	struct wire_site s = {
	    .id = 12,
	    .nr = 257,
	    .arch = AUDIT_ARCH_I386,
	    .owner = 5,
	    .tid = 4444,
	    .owner_offset = 0x99,
	    .scope = "parser",
	    .modules = modules,
	    .offsets = offsets,
	    .depth = 3,
	};
	uint8_t buf[256];
	size_t len = 0, pos = 0;
	Syswho__Record *rec;
	Syswho__Site *site;

	assert_int_equal(encode_site(buf, sizeof(buf), &len, &s), 0);
	rec = next_record(buf, len, &pos);
	assert_int_equal(pos, len);
	assert_int_equal(rec->kind_case, SYSWHO__RECORD__KIND_SITE);
	site = rec->site;
	assert_int_equal(site->id, 12);
	assert_int_equal(site->nr, 257);
	assert_int_equal(site->arch, AUDIT_ARCH_I386);
	assert_int_equal(site->owner, 5);
	assert_int_equal(site->owner_offset, 0x99);
	assert_string_equal(site->scope, "parser");
	assert_int_equal(site->tid, 4444);
	assert_int_equal(site->n_stack_modules, 3);
	assert_int_equal(site->n_stack_offsets, 3);
	assert_memory_equal(site->stack_modules, modules, sizeof(modules));
	assert_memory_equal(site->stack_offsets, offsets, sizeof(offsets));
	syswho__record__free_unpacked(rec, NULL);
}

static void test_site_without_scope(void **state)
{
	const uint32_t modules[1] = {1};
	const uint64_t offsets[1] = {0x10};
	struct wire_site s = {
	    .id = 1,
	    .nr = 0,
	    .modules = modules,
	    .offsets = offsets,
	    .depth = 1,
	};
	uint8_t buf[64];
	size_t len = 0, pos = 0;
	Syswho__Record *rec;

	assert_int_equal(encode_site(buf, sizeof(buf), &len, &s), 0);
	rec = next_record(buf, len, &pos);
	assert_int_equal(rec->kind_case, SYSWHO__RECORD__KIND_SITE);
	assert_string_equal(rec->site->scope, "");
	assert_int_equal(rec->site->nr, 0);
	assert_int_equal(rec->site->n_stack_modules, 1);
	syswho__record__free_unpacked(rec, NULL);
}

static void test_counts(void **state)
{
	const uint32_t sites[3] = {1, 300, 70000};
	const uint64_t deltas[3] = {1, 5000000000ULL, 127};
	uint8_t buf[128];
	size_t len = 0, pos = 0;
	Syswho__Record *rec;

	assert_int_equal(
	    encode_counts(buf, sizeof(buf), &len, sites, deltas, 3), 0);
	rec = next_record(buf, len, &pos);
	assert_int_equal(pos, len);
	assert_int_equal(rec->kind_case, SYSWHO__RECORD__KIND_COUNTS);
	assert_int_equal(rec->counts->n_sites, 3);
	assert_int_equal(rec->counts->n_deltas, 3);
	assert_memory_equal(rec->counts->sites, sites, sizeof(sites));
	assert_memory_equal(rec->counts->deltas, deltas, sizeof(deltas));
	syswho__record__free_unpacked(rec, NULL);
}

static void test_lost(void **state)
{
	uint8_t buf[64];
	size_t len = 0, pos = 0;
	Syswho__Record *rec;

	assert_int_equal(encode_lost(buf, sizeof(buf), &len, 3, 1ULL << 40), 0);
	rec = next_record(buf, len, &pos);
	assert_int_equal(pos, len);
	assert_int_equal(rec->kind_case, SYSWHO__RECORD__KIND_LOST);
	assert_int_equal(rec->lost->records, 3);
	assert_int_equal(rec->lost->calls, 1ULL << 40);
	syswho__record__free_unpacked(rec, NULL);
}

static void test_exit(void **state)
{
	uint8_t buf[64];
	size_t len = 0, pos = 0;
	Syswho__Record *rec;

	assert_int_equal(encode_exit(buf, sizeof(buf), &len, -3, 1), 0);
	assert_int_equal(encode_exit(buf, sizeof(buf), &len, 42, 0), 0);
	rec = next_record(buf, len, &pos);
	assert_int_equal(rec->kind_case, SYSWHO__RECORD__KIND_EXIT);
	assert_int_equal(rec->exit->code, -3);
	assert_true(rec->exit->exec);
	syswho__record__free_unpacked(rec, NULL);
	rec = next_record(buf, len, &pos);
	assert_int_equal(pos, len);
	assert_int_equal(rec->exit->code, 42);
	assert_false(rec->exit->exec);
	syswho__record__free_unpacked(rec, NULL);
}

static void test_records_in_order(void **state)
{
	char *const argv[] = {"prog"};
	const uint32_t sites[1] = {9};
	const uint64_t deltas[1] = {2};
	struct module m = {.id = 3, .path = "/lib/x.so", .end = 1};
	const Syswho__Record__KindCase want[] = {
	    SYSWHO__RECORD__KIND_HELLO,	 SYSWHO__RECORD__KIND_MODULE,
	    SYSWHO__RECORD__KIND_COUNTS, SYSWHO__RECORD__KIND_LOST,
	    SYSWHO__RECORD__KIND_EXIT,
	};
	uint8_t buf[1024];
	size_t len = 0, pos = 0, i;
	Syswho__Record *rec;

	assert_int_equal(encode_hello(buf, sizeof(buf), &len, 1, 0, "prog",
				      argv, 1, 0, AUDIT_ARCH_X86_64, 0),
			 0);
	assert_int_equal(encode_module(buf, sizeof(buf), &len, &m), 0);
	assert_int_equal(
	    encode_counts(buf, sizeof(buf), &len, sites, deltas, 1), 0);
	assert_int_equal(encode_lost(buf, sizeof(buf), &len, 1, 2), 0);
	assert_int_equal(encode_exit(buf, sizeof(buf), &len, 0, 0), 0);

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		rec = next_record(buf, len, &pos);
		assert_int_equal(rec->kind_case, want[i]);
		if (want[i] == SYSWHO__RECORD__KIND_MODULE)
			assert_int_equal(rec->module->id, 3);
		if (want[i] == SYSWHO__RECORD__KIND_COUNTS)
			assert_int_equal(rec->counts->sites[0], 9);
		syswho__record__free_unpacked(rec, NULL);
	}
	assert_int_equal(pos, len);
}

static void test_long_record_prefix(void **state)
{
	static uint32_t sites[100];
	static uint64_t deltas[100];
	static uint8_t buf[4096];
	size_t len = 0, pos = 0;
	Syswho__Record *rec;
	int i;

	/* Over 127 bytes: the length prefix takes two varint bytes. */
	for (i = 0; i < 100; i++) {
		sites[i] = (uint32_t)i + 1;
		deltas[i] = 1000000 + (uint64_t)i;
	}
	assert_int_equal(
	    encode_counts(buf, sizeof(buf), &len, sites, deltas, 100), 0);
	assert_true(buf[0] & 0x80);
	rec = next_record(buf, len, &pos);
	assert_int_equal(pos, len);
	assert_int_equal(rec->counts->n_sites, 100);
	assert_int_equal(rec->counts->sites[99], 100);
	assert_int_equal(rec->counts->deltas[99], 1000099);
	syswho__record__free_unpacked(rec, NULL);
}

static void test_too_small(void **state)
{
	uint8_t buf[64], copy[64];
	size_t len = 0, first, cap;
	struct module m = {.id = 3, .path = "/lib/x.so", .end = 1};

	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(encode_lost(buf, sizeof(buf), &len, 1, 2), 0);
	first = len;
	memcpy(copy, buf, sizeof(buf));

	/* Room for all but the last byte of the next record. */
	assert_int_equal(encode_exit(buf, sizeof(buf), &len, 7, 0), 0);
	cap = len - 1;
	len = first;
	memcpy(buf, copy, sizeof(buf));
	assert_int_equal(encode_exit(buf, cap, &len, 7, 0), -1);
	assert_int_equal(len, first);
	assert_memory_equal(buf, copy, sizeof(buf));

	assert_int_equal(encode_module(buf, first, &len, &m), -1);
	assert_int_equal(len, first);
	assert_int_equal(encode_lost(buf, 0, &len, 1, 2), -1);
	assert_int_equal(len, first);
	assert_memory_equal(buf, copy, sizeof(buf));
}

static void test_exact_fit(void **state)
{
	uint8_t buf[64];
	size_t len = 0, need;

	assert_int_equal(encode_lost(buf, sizeof(buf), &len, 5, 6), 0);
	need = len;
	len = 0;
	assert_int_equal(encode_lost(buf, need, &len, 5, 6), 0);
	assert_int_equal(len, need);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hello),
	    cmocka_unit_test(test_module),
	    cmocka_unit_test(test_module_without_build_id),
	    cmocka_unit_test(test_site),
	    cmocka_unit_test(test_site_without_scope),
	    cmocka_unit_test(test_counts),
	    cmocka_unit_test(test_lost),
	    cmocka_unit_test(test_exit),
	    cmocka_unit_test(test_records_in_order),
	    cmocka_unit_test(test_long_record_prefix),
	    cmocka_unit_test(test_too_small),
	    cmocka_unit_test(test_exact_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
