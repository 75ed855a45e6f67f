/*
 * Protobuf encoding by hand, see wire_encode.h. Each record's body is
 * written by one function run twice: first only counting its bytes, so
 * that the framing in front of it (Record{field N: body}, with the varint
 * length first) is known, then writing it in place. A record that does
 * not fit leaves the buffer untouched.
 */
#include "wire_encode.h"

#include <string.h>

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

/* A message being counted (P is NULL) or written. */
struct wire_msg {
	uint8_t *p;
	size_t len;
};

static void msg_byte(struct wire_msg *m, uint8_t v)
{
	if (m->p)
		m->p[m->len] = v;
	m->len++;
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

/* A packed repeated field of N varints: 32-bit ones from U32, else U64. */
static void msg_packed(struct wire_msg *m, int field, const uint32_t *u32,
		       const uint64_t *u64, int n)
{
	size_t len = 0;
	int i;

	if (n <= 0)
		return;
	for (i = 0; i < n; i++)
		len += varint_size(u32 ? u32[i] : u64[i]);
	msg_varint(m, (uint64_t)field << 3 | WIRE_LEN);
	msg_varint(m, len);
	for (i = 0; i < n; i++)
		msg_varint(m, u32 ? u32[i] : u64[i]);
}

/* The body of each record, from the arguments of its wire_ function. */
struct wire_hello_args {
	uint32_t pid, ppid, arch, setid;
	const char *exe;
	char *const *argv;
	int argc;
	uint64_t start_ns;
};

static void body_hello(struct wire_msg *m, const void *arg)
{
	const struct wire_hello_args *h = arg;
	int i;

	msg_uint(m, 1, h->pid);
	msg_uint(m, 2, h->ppid);
	msg_string(m, 3, h->exe);
	for (i = 0; i < h->argc; i++)
		msg_bytes(m, 4, h->argv[i], strlen(h->argv[i]));
	msg_uint(m, 5, h->start_ns);
	msg_uint(m, 6, h->arch);
	msg_uint(m, 7, 1);
	msg_uint(m, 8, h->setid);
}

static void body_module(struct wire_msg *m, const void *arg)
{
	const struct wire_module *mod = arg;

	msg_uint(m, 1, mod->id);
	msg_string(m, 2, mod->path);
	if (mod->build_id_len)
		msg_bytes(m, 3, mod->build_id, mod->build_id_len);
	msg_uint(m, 4, mod->load_bias);
	msg_uint(m, 5, mod->size);
	msg_uint(m, 6, mod->runtime ? 1 : 0);
}

static void body_site(struct wire_msg *m, const void *arg)
{
	const struct wire_site *s = arg;

	msg_uint(m, 1, s->id);
	msg_uint(m, 2, s->nr);
	msg_uint(m, 3, s->owner);
	msg_uint(m, 4, s->owner_offset);
	msg_string(m, 5, s->scope);
	msg_uint(m, 6, s->tid);
	msg_packed(m, 7, s->modules, NULL, s->depth);
	msg_packed(m, 8, NULL, s->offsets, s->depth);
	msg_uint(m, 9, s->arch);
	msg_packed(m, 10, s->arg_index, NULL, s->nargs);
	msg_packed(m, 11, NULL, s->arg_values, s->nargs);
}

struct wire_counts_args {
	const uint32_t *sites;
	const uint64_t *deltas;
	int n;
};

static void body_counts(struct wire_msg *m, const void *arg)
{
	const struct wire_counts_args *c = arg;

	msg_packed(m, 1, c->sites, NULL, c->n);
	msg_packed(m, 2, NULL, c->deltas, c->n);
}

/* Up to five scalars, fields 1 to 5 (Lost, Exit, Tables). */
struct wire_scalars {
	uint64_t v[5];
};

static void body_scalars(struct wire_msg *m, const void *arg)
{
	const struct wire_scalars *s = arg;
	int i;

	for (i = 0; i < 5; i++)
		msg_uint(m, i + 1, s->v[i]);
}

/* Append Record{KIND: BODY(ARG)} to B, whole or not at all. */
static void wire_record(struct wire_buf *b, int kind,
			void (*body)(struct wire_msg *, const void *),
			const void *arg)
{
	uint64_t tag = (uint64_t)kind << 3 | WIRE_LEN;
	struct wire_msg m = {0};
	size_t body_len, inner;

	body(&m, arg);
	body_len = m.len;
	inner = varint_size(tag) + varint_size(body_len) + body_len;
	if (b->overflow || b->len > b->cap ||
	    varint_size(inner) + inner > b->cap - b->len) {
		b->overflow = 1;
		return;
	}
	m.p = b->p + b->len;
	m.len = 0;
	msg_varint(&m, inner);
	msg_varint(&m, tag);
	msg_varint(&m, body_len);
	body(&m, arg);
	b->len += m.len;
}

void wire_hello(struct wire_buf *b, uint32_t pid, uint32_t ppid,
		const char *exe, char *const *argv, int argc, uint64_t start_ns,
		uint32_t arch, uint32_t setid)
{
	const struct wire_hello_args h = {
	    .pid = pid,
	    .ppid = ppid,
	    .arch = arch,
	    .setid = setid,
	    .exe = exe,
	    .argv = argv,
	    .argc = argc,
	    .start_ns = start_ns,
	};

	wire_record(b, REC_HELLO, body_hello, &h);
}

void wire_module(struct wire_buf *b, const struct wire_module *m)
{
	wire_record(b, REC_MODULE, body_module, m);
}

void wire_site(struct wire_buf *b, const struct wire_site *s)
{
	wire_record(b, REC_SITE, body_site, s);
}

void wire_counts(struct wire_buf *b, const uint32_t *sites,
		 const uint64_t *deltas, int n)
{
	const struct wire_counts_args c = {sites, deltas, n};

	wire_record(b, REC_COUNTS, body_counts, &c);
}

void wire_lost(struct wire_buf *b, uint64_t records, uint64_t calls)
{
	const struct wire_scalars s = {{records, calls}};

	wire_record(b, REC_LOST, body_scalars, &s);
}

void wire_exit(struct wire_buf *b, int code, int exec)
{
	/* int32 code: negative values are sign-extended, as proto3 does. */
	const struct wire_scalars s = {{(uint64_t)(int64_t)code, exec ? 1 : 0}};

	wire_record(b, REC_EXIT, body_scalars, &s);
}

void wire_tables(struct wire_buf *b, uint32_t magic, uint32_t stride,
		 uint32_t slots, uint32_t entry_size, uint32_t slots_offset)
{
	const struct wire_scalars s = {
	    {magic, stride, slots, entry_size, slots_offset}};

	wire_record(b, REC_TABLES, body_scalars, &s);
}
