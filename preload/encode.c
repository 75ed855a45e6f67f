/*
 * Record encoding for libsyswho.so, over the hand encoder it shares with
 * the exec loader (wire_encode.c): it allocates nothing and calls no
 * library, so it is safe in the signal handler.
 */
#include "encode.h"

/* Start appending to BUF at *LEN. */
static struct wire_buf encode_at(uint8_t *buf, size_t cap, const size_t *len)
{
	return (struct wire_buf){.p = buf, .len = *len, .cap = cap};
}

/* The record fitted: take the new length. */
static int encode_done(const struct wire_buf *b, size_t *len)
{
	if (b->overflow)
		return -1;
	*len = b->len;
	return 0;
}

int encode_hello(uint8_t *buf, size_t cap, size_t *len, uint32_t pid,
		 uint32_t ppid, const char *exe, char *const *argv, int argc,
		 uint64_t start_ns, uint32_t arch, uint32_t setid)
{
	struct wire_buf b = encode_at(buf, cap, len);

	wire_hello(&b, pid, ppid, exe, argv, argc, start_ns, arch, setid);
	return encode_done(&b, len);
}

int encode_module(uint8_t *buf, size_t cap, size_t *len, const struct module *m)
{
	struct wire_buf b = encode_at(buf, cap, len);
	struct wire_module w = {
	    .id = m->id,
	    .path = m->path,
	    .build_id = m->build_id,
	    .build_id_len = m->build_id_len,
	    .load_bias = m->base,
	    .size = m->end - m->start,
	    .runtime = m->runtime,
	};

	wire_module(&b, &w);
	return encode_done(&b, len);
}

int encode_site(uint8_t *buf, size_t cap, size_t *len,
		const struct wire_site *s)
{
	struct wire_buf b = encode_at(buf, cap, len);

	wire_site(&b, s);
	return encode_done(&b, len);
}

int encode_counts(uint8_t *buf, size_t cap, size_t *len, const uint32_t *sites,
		  const uint64_t *deltas, int n)
{
	struct wire_buf b = encode_at(buf, cap, len);

	wire_counts(&b, sites, deltas, n);
	return encode_done(&b, len);
}

int encode_lost(uint8_t *buf, size_t cap, size_t *len, uint64_t records,
		uint64_t calls)
{
	struct wire_buf b = encode_at(buf, cap, len);

	wire_lost(&b, records, calls);
	return encode_done(&b, len);
}

int encode_tables(uint8_t *buf, size_t cap, size_t *len, uint32_t magic,
		  uint32_t stride, uint32_t slots, uint32_t entry_size,
		  uint32_t slots_offset)
{
	struct wire_buf b = encode_at(buf, cap, len);

	wire_tables(&b, magic, stride, slots, entry_size, slots_offset);
	return encode_done(&b, len);
}

int encode_exit(uint8_t *buf, size_t cap, size_t *len, int code, int exec)
{
	struct wire_buf b = encode_at(buf, cap, len);

	wire_exit(&b, code, exec);
	return encode_done(&b, len);
}
