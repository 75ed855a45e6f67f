/*
 * wire.c - length-delimited framing of syswho.Record, see wire.h.
 */
#include <errno.h>

#include "wire.h"

int wire_read_varint(const uint8_t *p, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < len && i < WIRE_VARINT_MAX; i++) {
		/* The tenth byte may only hold the top bit of 64. */
		if (i == WIRE_VARINT_MAX - 1 && p[i] > 1)
			return -1;
		v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			*out = v;
			return (int)i + 1;
		}
	}

	return i == WIRE_VARINT_MAX ? -1 : 0;
}

/* Whether REC carries one of the kinds this collector understands. */
static int wire_kind_known(const Syswho__Record *rec)
{
	switch (rec->kind_case) {
	case SYSWHO__RECORD__KIND_HELLO:
	case SYSWHO__RECORD__KIND_MODULE:
	case SYSWHO__RECORD__KIND_SITE:
	case SYSWHO__RECORD__KIND_COUNTS:
	case SYSWHO__RECORD__KIND_LOST:
	case SYSWHO__RECORD__KIND_EXIT:
	case SYSWHO__RECORD__KIND_TABLES:
		return 1;
	default:
		return 0;
	}
}

int wire_decode(const uint8_t *buf, size_t len, wire_record_fn fn, void *data,
		struct error **err)
{
	size_t pos = 0;
	int count = 0;

	while (pos < len) {
		Syswho__Record *rec;
		uint64_t n;
		int used, ret;

		used = wire_read_varint(buf + pos, len - pos, &n);
		if (used == 0)
			return error_set(err, EPROTO,
					 "record %d: length cut short", count);
		if (used < 0)
			return error_set(err, EPROTO,
					 "record %d: length is not a varint",
					 count);
		pos += (size_t)used;

		if (n > WIRE_MAX_RECORD)
			return error_set(err, EMSGSIZE, "record %d: %llu bytes",
					 count, (unsigned long long)n);
		if (n > len - pos)
			return error_set(err, EPROTO,
					 "record %d: length %llu runs %zu "
					 "bytes past the packet",
					 count, (unsigned long long)n,
					 (size_t)n - (len - pos));

		rec = syswho__record__unpack(NULL, (size_t)n, buf + pos);
		if (!rec)
			return error_set(err, EPROTO,
					 "record %d: cannot unpack %llu bytes",
					 count, (unsigned long long)n);
		/* Limitation: a kind added by a newer library costs the
		 * connection. */
		if (!wire_kind_known(rec)) {
			syswho__record__free_unpacked(rec, NULL);
			return error_set(err, EPROTO,
					 "record %d: no known kind", count);
		}

		ret = fn(rec, data, err);
		syswho__record__free_unpacked(rec, NULL);
		if (ret < 0)
			return error_wrap(err, "record %d", count);
		pos += (size_t)n;
		count++;
	}

	return count;
}

ssize_t wire_encode(const Syswho__Record *rec, uint8_t *buf, size_t cap)
{
	size_t size = syswho__record__get_packed_size(rec);
	size_t v = size, i = 0;

	do {
		if (i >= cap)
			return -1;
		buf[i] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
		i++;
	} while (v);

	if (size > cap - i)
		return -1;

	syswho__record__pack(rec, buf + i);

	return (ssize_t)(i + size);
}
