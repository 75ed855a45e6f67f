/*
 * test_wire.c - framing of records: well-formed packets, hostile ones and
 * a deterministic fuzz loop.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "test_records.h"
#include "wire.h"

/* What the decoder handed over. */
struct seen {
	int n;
	int kinds[16];
	int fail_at; /* make the callback fail at this record */
};

static int seen_record(const Syswho__Record *rec, void *data,
		       struct error **err)
{
	struct seen *s = data;

	if (s->n == s->fail_at)
		return error_set(err, EINVAL, "refused");
	if (s->n < 16)
		s->kinds[s->n] = rec->kind_case;
	s->n++;

	return 0;
}

/* Decode BUF and return the error message, or NULL on success. */
static char *decode(const uint8_t *buf, size_t len, struct seen *s, int *ret)
{
	static char msg[256];
	struct error *err = NULL;

	*ret = wire_decode(buf, len, seen_record, s, &err);
	if (!err)
		return NULL;

	snprintf(msg, sizeof(msg), "%s", error_message(err));
	error_free(&err);

	return msg;
}

static void test_round_trip(void **state)
{
	struct packet p = {.len = 0};
	struct seen s = {.fail_at = -1};
	char *msg;
	int ret;

	pkt_hello(&p, 10, 1, "/bin/x");
	pkt_lost(&p, 1, 2);
	pkt_exit(&p, 3, false);
	msg = decode(p.buf, p.len, &s, &ret);

	assert_null(msg);
	assert_int_equal(ret, 3);
	assert_int_equal(s.kinds[0], SYSWHO__RECORD__KIND_HELLO);
	assert_int_equal(s.kinds[1], SYSWHO__RECORD__KIND_LOST);
	assert_int_equal(s.kinds[2], SYSWHO__RECORD__KIND_EXIT);
}

static void test_empty_packet(void **state)
{
	struct seen s = {.fail_at = -1};
	int ret;

	assert_null(decode((const uint8_t *)"", 0, &s, &ret));
	assert_int_equal(ret, 0);
}

static void test_varint(void **state)
{
	const uint8_t v150[] = {0x96, 0x01};
	const uint8_t cut[] = {0x80, 0x80};
	const uint8_t max[] = {0xff, 0xff, 0xff, 0xff, 0xff,
			       0xff, 0xff, 0xff, 0xff, 0x01};
	const uint8_t over[] = {0xff, 0xff, 0xff, 0xff, 0xff,
				0xff, 0xff, 0xff, 0xff, 0x02};
	const uint8_t endless[12] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				     0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
	uint64_t v = 0;

	assert_int_equal(wire_read_varint(v150, 2, &v), 2);
	assert_int_equal(v, 150);
	assert_int_equal(wire_read_varint(cut, 2, &v), 0);
	assert_int_equal(wire_read_varint(max, 10, &v), 10);
	assert_true(v == UINT64_MAX);
	assert_int_equal(wire_read_varint(over, 10, &v), -1);
	assert_int_equal(wire_read_varint(endless, 12, &v), -1);
}

static void test_truncated_length(void **state)
{
	struct packet p = {.len = 0};
	struct seen s = {.fail_at = -1};
	char *msg;
	int ret;

	pkt_hello(&p, 10, 1, "/bin/x");
	p.buf[p.len++] = 0x80; /* a varint that never ends */
	msg = decode(p.buf, p.len, &s, &ret);

	assert_int_equal(ret, -1);
	assert_non_null(msg);
	assert_non_null(strstr(msg, "record 1: length cut short"));
	assert_int_equal(s.n, 1); /* the good record went through */
}

static void test_length_past_end(void **state)
{
	const uint8_t buf[] = {0x05, 0x0a, 0x00};
	struct seen s = {.fail_at = -1};
	char *msg;
	int ret;

	msg = decode(buf, sizeof(buf), &s, &ret);
	assert_int_equal(ret, -1);
	assert_non_null(strstr(msg, "runs 3 bytes past the packet"));
	assert_int_equal(s.n, 0);
}

static void test_oversized(void **state)
{
	/* 2 MiB as a varint, with nothing behind it. */
	const uint8_t buf[] = {0x80, 0x80, 0x80, 0x01};
	struct seen s = {.fail_at = -1};
	char *msg;
	int ret;

	msg = decode(buf, sizeof(buf), &s, &ret);
	assert_int_equal(ret, -1);
	assert_non_null(strstr(msg, "record 0: 2097152 bytes"));
}

static void test_garbage(void **state)
{
	/* Field 31 with the invalid wire type 7. */
	const uint8_t buf[] = {0x03, 0xff, 0xff, 0xff};
	struct seen s = {.fail_at = -1};
	char *msg;
	int ret;

	msg = decode(buf, sizeof(buf), &s, &ret);
	assert_int_equal(ret, -1);
	assert_non_null(strstr(msg, "cannot unpack 3 bytes"));
}

static void test_unknown_kind(void **state)
{
	/* Field 15, a varint: a kind from some future version. */
	const uint8_t future[] = {0x02, 0x78, 0x01};
	const uint8_t empty[] = {0x00};
	struct seen s = {.fail_at = -1};
	char *msg;
	int ret;

	msg = decode(future, sizeof(future), &s, &ret);
	assert_int_equal(ret, -1);
	assert_non_null(strstr(msg, "no known kind"));

	msg = decode(empty, sizeof(empty), &s, &ret);
	assert_int_equal(ret, -1);
	assert_non_null(strstr(msg, "no known kind"));
	assert_int_equal(s.n, 0);
}

static void test_callback_error(void **state)
{
	struct packet p = {.len = 0};
	struct seen s = {.fail_at = 1};
	char *msg;
	int ret;

	pkt_hello(&p, 10, 1, "/bin/x");
	pkt_exit(&p, 0, false);
	pkt_exit(&p, 0, false);
	msg = decode(p.buf, p.len, &s, &ret);

	assert_int_equal(ret, -1);
	assert_string_equal(msg, "record 1: refused: Invalid argument");
	assert_int_equal(s.n, 1);
}

static void test_encode_no_room(void **state)
{
	Syswho__Record r = SYSWHO__RECORD__INIT;
	Syswho__Exit e = SYSWHO__EXIT__INIT;
	uint8_t buf[4];

	e.code = 300;
	r.kind_case = SYSWHO__RECORD__KIND_EXIT;
	r.exit = &e;
	assert_int_equal(wire_encode(&r, buf, 0), -1);
	assert_int_equal(wire_encode(&r, buf, 3), -1);
}

static uint64_t fuzz_state = 0x9e3779b97f4a7c15ull;

/* xorshift64: the same sequence on every run. */
static uint64_t fuzz_next(void)
{
	fuzz_state ^= fuzz_state << 13;
	fuzz_state ^= fuzz_state >> 7;
	fuzz_state ^= fuzz_state << 17;

	return fuzz_state;
}

/* Decode one input; success and failure must be told apart cleanly. */
static int fuzz_one(const uint8_t *buf, size_t len)
{
	struct seen s = {.fail_at = -1};
	char *msg;
	int ret;

	msg = decode(buf, len, &s, &ret);
	if (ret < 0) {
		assert_non_null(msg);
		assert_true(strlen(msg) > 0);
		return 0;
	}
	assert_null(msg);
	assert_int_equal(ret, s.n);

	return 1;
}

static void test_fuzz(void **state)
{
	struct packet good = {.len = 0};
	uint32_t mods[] = {1, 0};
	uint64_t offs[] = {0x10, 0x7f0000001234};
	uint8_t buf[1024];
	int i, j, ok = 0, bad = 0;

	pkt_hello(&good, 10, 1, "/bin/x");
	pkt_module(&good, 1, "/lib/libz.so", "\x01\x02", 0x7f00, false);
	pkt_site(&good, 1, 39, 1, 0x10, "scope", 2, mods, offs);
	assert_true(good.len < sizeof(buf));

	for (i = 0; i < 20000; i++) {
		size_t len = fuzz_next() % sizeof(buf);

		if (i % 2) {
			/* Mutate a few bytes of a good packet, maybe cut it. */
			memcpy(buf, good.buf, good.len);
			len =
			    good.len -
			    (fuzz_next() % 3 == 0 ? fuzz_next() % good.len : 0);
			for (j = 0; j < 1 + (int)(fuzz_next() % 4); j++)
				buf[fuzz_next() % good.len] =
				    (uint8_t)fuzz_next();
		} else {
			for (j = 0; j < (int)len; j++)
				buf[j] = (uint8_t)fuzz_next();
		}
		if (fuzz_one(buf, len))
			ok++;
		else
			bad++;
	}
	/* Both outcomes must have been exercised, or the loop tests nothing. */
	assert_true(ok > 100);
	assert_true(bad > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_empty_packet),
	    cmocka_unit_test(test_varint),
	    cmocka_unit_test(test_truncated_length),
	    cmocka_unit_test(test_length_past_end),
	    cmocka_unit_test(test_oversized),
	    cmocka_unit_test(test_garbage),
	    cmocka_unit_test(test_unknown_kind),
	    cmocka_unit_test(test_callback_error),
	    cmocka_unit_test(test_encode_no_room),
	    cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
