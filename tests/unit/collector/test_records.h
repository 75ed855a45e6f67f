/*
 * test_records.h - build wire packets the way libsyswho.so sends them,
 * for the collector unit tests. Include after <cmocka.h>.
 */
#ifndef SYSWHO_TEST_RECORDS_H
#define SYSWHO_TEST_RECORDS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "wire.h"

struct packet {
	uint8_t buf[1 << 16];
	size_t len;
};

static inline void pkt_add(struct packet *p, Syswho__Record *r)
{
	ssize_t n = wire_encode(r, p->buf + p->len, sizeof(p->buf) - p->len);

	assert_true(n > 0);
	p->len += (size_t)n;
}

static inline void pkt_hello(struct packet *p, uint32_t pid, uint32_t ppid,
			     const char *exe)
{
	Syswho__Record r = SYSWHO__RECORD__INIT;
	Syswho__Hello h = SYSWHO__HELLO__INIT;
	char *argv[] = {(char *)exe, (char *)"--flag"};

	h.pid = pid;
	h.ppid = ppid;
	h.exe = (char *)exe;
	h.argv = argv;
	h.n_argv = 2;
	h.start_ns = 1000;
	h.version = 1;
	r.kind_case = SYSWHO__RECORD__KIND_HELLO;
	r.hello = &h;
	pkt_add(p, &r);
}

static inline void pkt_module(struct packet *p, uint32_t id, const char *path,
			      const char *build_id, uint64_t bias, bool runtime)
{
	Syswho__Record r = SYSWHO__RECORD__INIT;
	Syswho__Module m = SYSWHO__MODULE__INIT;

	m.id = id;
	m.path = (char *)path;
	m.build_id.data = (uint8_t *)build_id;
	m.build_id.len = strlen(build_id);
	m.load_bias = bias;
	m.size = 0x1000;
	m.runtime = runtime;
	r.kind_case = SYSWHO__RECORD__KIND_MODULE;
	r.module = &m;
	pkt_add(p, &r);
}

/* A site whose stack is N frames of (MODS[i], OFFS[i]). */
static inline void pkt_site(struct packet *p, uint32_t id, uint32_t nr,
			    uint32_t owner, uint64_t off, const char *scope,
			    size_t n, const uint32_t *mods,
			    const uint64_t *offs)
{
	Syswho__Record r = SYSWHO__RECORD__INIT;
	Syswho__Site s = SYSWHO__SITE__INIT;

	s.id = id;
	s.nr = nr;
	s.owner = owner;
	s.owner_offset = off;
	s.scope = (char *)scope;
	s.tid = 77;
	s.n_stack_modules = n;
	s.stack_modules = (uint32_t *)mods;
	s.n_stack_offsets = n;
	s.stack_offsets = (uint64_t *)offs;
	r.kind_case = SYSWHO__RECORD__KIND_SITE;
	r.site = &s;
	pkt_add(p, &r);
}

static inline void pkt_counts(struct packet *p, size_t n, const uint32_t *ids,
			      const uint64_t *deltas)
{
	Syswho__Record r = SYSWHO__RECORD__INIT;
	Syswho__Counts c = SYSWHO__COUNTS__INIT;

	c.n_sites = n;
	c.sites = (uint32_t *)ids;
	c.n_deltas = n;
	c.deltas = (uint64_t *)deltas;
	r.kind_case = SYSWHO__RECORD__KIND_COUNTS;
	r.counts = &c;
	pkt_add(p, &r);
}

static inline void pkt_lost(struct packet *p, uint64_t records, uint64_t calls)
{
	Syswho__Record r = SYSWHO__RECORD__INIT;
	Syswho__Lost l = SYSWHO__LOST__INIT;

	l.records = records;
	l.calls = calls;
	r.kind_case = SYSWHO__RECORD__KIND_LOST;
	r.lost = &l;
	pkt_add(p, &r);
}

static inline void pkt_tables(struct packet *p, uint32_t magic, uint32_t stride,
			      uint32_t slots, uint32_t entry_size,
			      uint32_t slots_offset)
{
	Syswho__Record r = SYSWHO__RECORD__INIT;
	Syswho__Tables t = SYSWHO__TABLES__INIT;

	t.magic = magic;
	t.stride = stride;
	t.slots = slots;
	t.entry_size = entry_size;
	t.slots_offset = slots_offset;
	r.kind_case = SYSWHO__RECORD__KIND_TABLES;
	r.tables = &t;
	pkt_add(p, &r);
}

static inline void pkt_exit(struct packet *p, int32_t code, bool exec)
{
	Syswho__Record r = SYSWHO__RECORD__INIT;
	Syswho__Exit e = SYSWHO__EXIT__INIT;

	e.code = code;
	e.exec = exec;
	r.kind_case = SYSWHO__RECORD__KIND_EXIT;
	r.exit = &e;
	pkt_add(p, &r);
}

#endif
