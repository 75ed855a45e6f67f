/*
 * Protobuf encoding by hand. A record is built as its message body at
 * the end of the buffer's free room, then framed: Record{field N: body},
 * with the varint length in front.
 */
#include "wire.h"

#include "sys.h"

#include <linux/audit.h>

#define WIRE_VARINT 0
#define WIRE_LEN    2

/* Record's oneof fields, as in proto/syswho.proto. */
enum {
	REC_HELLO = 1,
	REC_MODULE,
	REC_SITE,
	REC_COUNTS,
	REC_LOST,
	REC_EXIT,
	REC_TABLES,
};

/* A message body being written into scratch room. */
struct wire_msg {
	uint8_t *p;
	size_t len, cap;
	int overflow;
};

static void msg_byte(struct wire_msg *m, uint8_t v)
{
	if (m->len >= m->cap) {
		m->overflow = 1;
		return;
	}
	m->p[m->len++] = v;
}

static void msg_varint(struct wire_msg *m, uint64_t v)
{
	while (v >= 0x80) {
		msg_byte(m, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	msg_byte(m, (uint8_t)v);
}

static size_t varint_size(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static void msg_uint(struct wire_msg *m, int field, uint64_t v)
{
	if (!v)
		return; /* proto3 leaves zero scalars out */
	msg_varint(m, (uint64_t)field << 3 | WIRE_VARINT);
	msg_varint(m, v);
}

static void msg_bytes(struct wire_msg *m, int field, const void *data,
		      size_t len)
{
	const uint8_t *d = data;

	msg_varint(m, (uint64_t)field << 3 | WIRE_LEN);
	msg_varint(m, len);
	while (len--)
		msg_byte(m, *d++);
}

static void msg_string(struct wire_msg *m, int field, const char *s)
{
	if (s && *s)
		msg_bytes(m, field, s, strlen(s));
}

/* The message body goes at the far end of the free room, then moves. */
static struct wire_msg wire_begin(struct wire_buf *b)
{
	struct wire_msg m = {0};
	size_t room = b->cap - b->len;

	m.cap = room / 2;
	m.p = b->p + b->len + (room - m.cap);
	return m;
}

/* Frame the body M as Record field KIND: length, tag, length, body. */
static void wire_end(struct wire_buf *b, struct wire_msg *m, int kind)
{
	size_t inner = varint_size((uint64_t)kind << 3 | WIRE_LEN) +
		       varint_size(m->len) + m->len;
	struct wire_msg out = {.p = b->p + b->len, .cap = b->cap - b->len};
	uint8_t *body = m->p;
	size_t i;

	if (m->overflow || varint_size(inner) + inner > out.cap ||
	    b->p + b->len + varint_size(inner) + inner > body + m->len) {
		b->overflow = 1;
		return;
	}
	msg_varint(&out, inner);
	msg_varint(&out, (uint64_t)kind << 3 | WIRE_LEN);
	msg_varint(&out, m->len);
	/* Forward copy: the body lies at or after where it goes. */
	for (i = 0; i < m->len; i++)
		out.p[out.len + i] = body[i];
	b->len += out.len + m->len;
}

void wire_hello(struct wire_buf *b, uint32_t pid, uint32_t ppid,
		const char *exe, char *const *argv, int argc, uint64_t start_ns,
		uint32_t setid)
{
	struct wire_msg m = wire_begin(b);
	int i;

	msg_uint(&m, 1, pid);
	msg_uint(&m, 2, ppid);
	msg_string(&m, 3, exe);
	for (i = 0; i < argc; i++)
		msg_bytes(&m, 4, argv[i], strlen(argv[i]));
	msg_uint(&m, 5, start_ns);
	msg_uint(&m, 6, AUDIT_ARCH_X86_64);
	msg_uint(&m, 7, 1);
	msg_uint(&m, 8, setid);
	wire_end(b, &m, REC_HELLO);
}

void wire_module(struct wire_buf *b, const struct wire_module *mod)
{
	struct wire_msg m = wire_begin(b);

	msg_uint(&m, 1, mod->id);
	msg_string(&m, 2, mod->path);
	if (mod->build_id_len)
		msg_bytes(&m, 3, mod->build_id, mod->build_id_len);
	msg_uint(&m, 4, mod->load_bias);
	msg_uint(&m, 5, mod->size);
	wire_end(b, &m, REC_MODULE);
}

void wire_site(struct wire_buf *b, uint32_t id, uint32_t nr, uint32_t arch,
	       uint32_t module, uint64_t offset, uint32_t tid,
	       const uint32_t *arg_index, const uint64_t *arg_values, int nargs)
{
	struct wire_msg m = wire_begin(b);
	uint8_t packed[16];
	struct wire_msg p = {.p = packed, .cap = sizeof(packed)};

	msg_uint(&m, 1, id);
	msg_uint(&m, 2, nr);
	msg_uint(&m, 3, module);
	msg_uint(&m, 4, offset);
	msg_uint(&m, 6, tid);
	/* One frame: packed stack_modules and stack_offsets. */
	msg_varint(&p, module);
	msg_bytes(&m, 7, packed, p.len);
	p.len = 0;
	msg_varint(&p, offset);
	msg_bytes(&m, 8, packed, p.len);
	msg_uint(&m, 9, arch);
	if (nargs > 0) {
		uint8_t args[2 * 10 * 2];
		struct wire_msg a = {.p = args, .cap = sizeof(args)};
		int i;

		for (i = 0; i < nargs && i < 2; i++)
			msg_varint(&a, arg_index[i]);
		msg_bytes(&m, 10, args, a.len);
		a.len = 0;
		for (i = 0; i < nargs && i < 2; i++)
			msg_varint(&a, arg_values[i]);
		msg_bytes(&m, 11, args, a.len);
	}
	wire_end(b, &m, REC_SITE);
}

void wire_counts(struct wire_buf *b, const uint32_t *sites,
		 const uint64_t *deltas, int n)
{
	struct wire_msg m = wire_begin(b);
	size_t len = 0;
	int i;

	for (i = 0; i < n; i++)
		len += varint_size(sites[i]);
	msg_varint(&m, 1 << 3 | WIRE_LEN);
	msg_varint(&m, len);
	for (i = 0; i < n; i++)
		msg_varint(&m, sites[i]);
	for (len = 0, i = 0; i < n; i++)
		len += varint_size(deltas[i]);
	msg_varint(&m, 2 << 3 | WIRE_LEN);
	msg_varint(&m, len);
	for (i = 0; i < n; i++)
		msg_varint(&m, deltas[i]);
	wire_end(b, &m, REC_COUNTS);
}

void wire_exit(struct wire_buf *b, int code, int exec)
{
	struct wire_msg m = wire_begin(b);

	msg_uint(&m, 1, (uint64_t)(int64_t)code);
	msg_uint(&m, 2, exec ? 1 : 0);
	wire_end(b, &m, REC_EXIT);
}

void wire_tables(struct wire_buf *b, uint32_t magic, uint32_t stride,
		 uint32_t slots, uint32_t entry_size, uint32_t slots_offset)
{
	struct wire_msg m = wire_begin(b);

	msg_uint(&m, 1, magic);
	msg_uint(&m, 2, stride);
	msg_uint(&m, 3, slots);
	msg_uint(&m, 4, entry_size);
	msg_uint(&m, 5, slots_offset);
	wire_end(b, &m, REC_TABLES);
}
