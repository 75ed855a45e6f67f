/*
 * Record encoding. protobuf_c_message_pack writes into a flat buffer and
 * allocates nothing, so it is safe in the signal handler; the messages
 * themselves live on the caller's stack.
 */
#include "encode.h"

#include "syswho.pb-c.h"

#include <string.h>

static size_t varint_size(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static size_t varint_put(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

static int encode_record(uint8_t *buf, size_t cap, size_t *len,
			 const Syswho__Record *rec)
{
	size_t size = protobuf_c_message_get_packed_size(&rec->base);
	size_t head = varint_size(size);

	if (*len + head + size > cap)
		return -1;
	*len += varint_put(buf + *len, size);
	*len += protobuf_c_message_pack(&rec->base, buf + *len);
	return 0;
}

int encode_hello(uint8_t *buf, size_t cap, size_t *len, uint32_t pid,
		 uint32_t ppid, const char *exe, char *const *argv, int argc,
		 uint64_t start_ns, uint32_t arch, uint32_t setid)
{
	Syswho__Record rec = SYSWHO__RECORD__INIT;
	Syswho__Hello hello = SYSWHO__HELLO__INIT;

	hello.pid = pid;
	hello.ppid = ppid;
	hello.exe = (char *)exe;
	hello.argv = (char **)argv;
	hello.n_argv = (size_t)argc;
	hello.start_ns = start_ns;
	hello.arch = arch;
	hello.version = 1;
	hello.setid = setid;
	rec.kind_case = SYSWHO__RECORD__KIND_HELLO;
	rec.hello = &hello;

	return encode_record(buf, cap, len, &rec);
}

int encode_module(uint8_t *buf, size_t cap, size_t *len, const struct module *m)
{
	Syswho__Record rec = SYSWHO__RECORD__INIT;
	Syswho__Module mod = SYSWHO__MODULE__INIT;

	mod.id = m->id;
	mod.path = (char *)m->path;
	mod.build_id.data = (uint8_t *)m->build_id;
	mod.build_id.len = m->build_id_len;
	mod.load_bias = m->base;
	mod.size = m->end - m->start;
	mod.runtime = m->runtime;
	rec.kind_case = SYSWHO__RECORD__KIND_MODULE;
	rec.module = &mod;

	return encode_record(buf, cap, len, &rec);
}

int encode_site(uint8_t *buf, size_t cap, size_t *len,
		const struct encode_site *s)
{
	Syswho__Record rec = SYSWHO__RECORD__INIT;
	Syswho__Site site = SYSWHO__SITE__INIT;

	site.id = s->id;
	site.nr = s->nr;
	site.arch = s->arch;
	site.owner = s->owner;
	site.owner_offset = s->owner_offset;
	site.scope = (char *)(s->scope ? s->scope : "");
	site.tid = s->tid;
	site.stack_modules = (uint32_t *)s->modules;
	site.n_stack_modules = (size_t)s->depth;
	site.stack_offsets = (uint64_t *)s->offsets;
	site.n_stack_offsets = (size_t)s->depth;
	site.arg_index = (uint32_t *)s->arg_index;
	site.n_arg_index = (size_t)s->nargs;
	site.arg_values = (uint64_t *)s->arg_values;
	site.n_arg_values = (size_t)s->nargs;
	rec.kind_case = SYSWHO__RECORD__KIND_SITE;
	rec.site = &site;

	return encode_record(buf, cap, len, &rec);
}

int encode_counts(uint8_t *buf, size_t cap, size_t *len, const uint32_t *sites,
		  const uint64_t *deltas, int n)
{
	Syswho__Record rec = SYSWHO__RECORD__INIT;
	Syswho__Counts counts = SYSWHO__COUNTS__INIT;

	counts.sites = (uint32_t *)sites;
	counts.n_sites = (size_t)n;
	counts.deltas = (uint64_t *)deltas;
	counts.n_deltas = (size_t)n;
	rec.kind_case = SYSWHO__RECORD__KIND_COUNTS;
	rec.counts = &counts;

	return encode_record(buf, cap, len, &rec);
}

int encode_lost(uint8_t *buf, size_t cap, size_t *len, uint64_t records,
		uint64_t calls)
{
	Syswho__Record rec = SYSWHO__RECORD__INIT;
	Syswho__Lost lost = SYSWHO__LOST__INIT;

	lost.records = records;
	lost.calls = calls;
	rec.kind_case = SYSWHO__RECORD__KIND_LOST;
	rec.lost = &lost;

	return encode_record(buf, cap, len, &rec);
}

int encode_tables(uint8_t *buf, size_t cap, size_t *len, uint32_t magic,
		  uint32_t stride, uint32_t slots, uint32_t entry_size,
		  uint32_t slots_offset)
{
	Syswho__Record rec = SYSWHO__RECORD__INIT;
	Syswho__Tables t = SYSWHO__TABLES__INIT;

	t.magic = magic;
	t.stride = stride;
	t.slots = slots;
	t.entry_size = entry_size;
	t.slots_offset = slots_offset;
	rec.kind_case = SYSWHO__RECORD__KIND_TABLES;
	rec.tables = &t;

	return encode_record(buf, cap, len, &rec);
}

int encode_exit(uint8_t *buf, size_t cap, size_t *len, int code, int exec)
{
	Syswho__Record rec = SYSWHO__RECORD__INIT;
	Syswho__Exit ex = SYSWHO__EXIT__INIT;

	ex.code = code;
	ex.exec = exec != 0;
	rec.kind_case = SYSWHO__RECORD__KIND_EXIT;
	rec.exit = &ex;

	return encode_record(buf, cap, len, &rec);
}
