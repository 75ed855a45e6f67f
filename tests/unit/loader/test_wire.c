/*
 * The loader's hand-written protobuf encoder (loader/wire.c), checked by
 * decoding every record with protobuf-c and the generated schema: a field
 * number or wire type that drifts from proto/syswho.proto fails here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <linux/audit.h>

#include "syswho.pb-c.h"
#include "wire_encode.h"

/* Unpack the record at *OFF of B and advance *OFF past it. */
static Syswho__Record *next_record(const struct wire_buf *b, size_t *off)
{
	uint64_t len = 0;
	int shift = 0;
	Syswho__Record *r;

	while (*off < b->len) {
		uint8_t c = b->p[(*off)++];

		len |= (uint64_t)(c & 0x7f) << shift;
		shift += 7;
		if (!(c & 0x80))
			break;
	}
	assert_true(*off + len <= b->len);
	r = syswho__record__unpack(NULL, len, b->p + *off);
	assert_non_null(r);
	*off += len;
	return r;
}

static void test_hello_and_module(void **state)
{
	uint8_t mem[4096], bid[] = {0xde, 0xad, 0xbe, 0xef};
	struct wire_buf b = {.p = mem, .cap = sizeof(mem)};
	char *argv[] = {"prog", "-x", "arg with space"};
	struct wire_module m = {.id = 1,
				.path = "/usr/bin/prog",
				.build_id = bid,
				.build_id_len = sizeof(bid),
				.load_bias = 0x400000,
				.size = 0x2000};
	Syswho__Record *r;
	size_t off = 0;

	wire_hello(&b, 42, 7, "/usr/bin/prog", argv, 3, 123456789ULL,
		   AUDIT_ARCH_X86_64, 3);
	wire_module(&b, &m);
	assert_false(b.overflow);

	r = next_record(&b, &off);
	assert_int_equal(r->kind_case, SYSWHO__RECORD__KIND_HELLO);
	assert_int_equal(r->hello->pid, 42);
	assert_int_equal(r->hello->ppid, 7);
	assert_string_equal(r->hello->exe, "/usr/bin/prog");
	assert_int_equal(r->hello->n_argv, 3);
	assert_string_equal(r->hello->argv[2], "arg with space");
	assert_int_equal(r->hello->start_ns, 123456789ULL);
	assert_int_equal(r->hello->arch, AUDIT_ARCH_X86_64);
	assert_int_equal(r->hello->version, 1);
	assert_int_equal(r->hello->setid, 3);
	syswho__record__free_unpacked(r, NULL);

	r = next_record(&b, &off);
	assert_int_equal(r->kind_case, SYSWHO__RECORD__KIND_MODULE);
	assert_int_equal(r->module->id, 1);
	assert_string_equal(r->module->path, "/usr/bin/prog");
	assert_int_equal(r->module->build_id.len, 4);
	assert_memory_equal(r->module->build_id.data, bid, 4);
	assert_int_equal(r->module->load_bias, 0x400000);
	assert_int_equal(r->module->size, 0x2000);
	assert_false(r->module->runtime);
	syswho__record__free_unpacked(r, NULL);
	assert_int_equal(off, b.len);
}

static void test_site_counts_exit(void **state)
{
	uint8_t mem[1024];
	struct wire_buf b = {.p = mem, .cap = sizeof(mem)};
	uint32_t sites[] = {1, 300, 70000};
	uint64_t deltas[] = {5, 1ULL << 40, 1};
	uint32_t arg_index[] = {0, 1};
	uint64_t arg_values[] = {2, UINT64_MAX};
	Syswho__Record *r;
	size_t off = 0;

	uint32_t module = 1;
	uint64_t offset = 0x1234;
	struct wire_site site = {
	    .id = 3,
	    .nr = 290,
	    .arch = AUDIT_ARCH_X86_64,
	    .owner = module,
	    .owner_offset = offset,
	    .tid = 99,
	    .modules = &module,
	    .offsets = &offset,
	    .depth = 1,
	    .arg_index = arg_index,
	    .arg_values = arg_values,
	    .nargs = 2,
	};

	wire_site(&b, &site);
	wire_counts(&b, sites, deltas, 3);
	wire_exit(&b, -1, 1);
	assert_false(b.overflow);

	r = next_record(&b, &off);
	assert_int_equal(r->kind_case, SYSWHO__RECORD__KIND_SITE);
	assert_int_equal(r->site->id, 3);
	assert_int_equal(r->site->nr, 290);
	assert_int_equal(r->site->owner, 1);
	assert_int_equal(r->site->owner_offset, 0x1234);
	assert_int_equal(r->site->tid, 99);
	assert_int_equal(r->site->arch, AUDIT_ARCH_X86_64);
	assert_int_equal(r->site->n_stack_modules, 1);
	assert_int_equal(r->site->stack_modules[0], 1);
	assert_int_equal(r->site->n_stack_offsets, 1);
	assert_int_equal(r->site->stack_offsets[0], 0x1234);
	assert_int_equal(r->site->n_arg_index, 2);
	assert_int_equal(r->site->arg_index[1], 1);
	assert_int_equal(r->site->n_arg_values, 2);
	assert_int_equal(r->site->arg_values[0], 2);
	assert_int_equal(r->site->arg_values[1], UINT64_MAX);
	syswho__record__free_unpacked(r, NULL);

	r = next_record(&b, &off);
	assert_int_equal(r->kind_case, SYSWHO__RECORD__KIND_COUNTS);
	assert_int_equal(r->counts->n_sites, 3);
	assert_int_equal(r->counts->n_deltas, 3);
	assert_int_equal(r->counts->sites[1], 300);
	assert_int_equal(r->counts->sites[2], 70000);
	assert_int_equal(r->counts->deltas[1], 1ULL << 40);
	syswho__record__free_unpacked(r, NULL);

	r = next_record(&b, &off);
	assert_int_equal(r->kind_case, SYSWHO__RECORD__KIND_EXIT);
	assert_int_equal(r->exit->code, -1);
	assert_true(r->exit->exec);
	syswho__record__free_unpacked(r, NULL);
	assert_int_equal(off, b.len);
}

static void test_tables(void **state)
{
	uint8_t mem[128];
	struct wire_buf b = {.p = mem, .cap = sizeof(mem)};
	Syswho__Record *r;
	size_t off = 0;

	wire_tables(&b, 0x53544232u, 8192, 2048, 56, 16);
	assert_false(b.overflow);
	r = next_record(&b, &off);
	assert_int_equal(r->kind_case, SYSWHO__RECORD__KIND_TABLES);
	assert_int_equal(r->tables->magic, 0x53544232u);
	assert_int_equal(r->tables->stride, 8192);
	assert_int_equal(r->tables->slots, 2048);
	assert_int_equal(r->tables->entry_size, 56);
	assert_int_equal(r->tables->slots_offset, 16);
	syswho__record__free_unpacked(r, NULL);
	assert_int_equal(off, b.len);
}

static void test_overflow_keeps_what_fit(void **state)
{
	uint8_t mem[40];
	struct wire_buf b = {.p = mem, .cap = sizeof(mem)};
	char *argv[] = {"a-rather-long-argument-that-cannot-fit-here"};
	size_t before;

	wire_exit(&b, 3, 0);
	assert_false(b.overflow);
	before = b.len;
	wire_hello(&b, 1, 1, "/a/long/path/to/a/program", argv, 1, 1,
		   AUDIT_ARCH_X86_64, 0);
	assert_true(b.overflow);
	assert_int_equal(b.len, before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hello_and_module),
	    cmocka_unit_test(test_site_counts_exit),
	    cmocka_unit_test(test_tables),
	    cmocka_unit_test(test_overflow_keeps_what_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
