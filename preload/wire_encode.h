/*
 * The wire format's records, encoded by hand into a caller's buffer: no
 * allocation, no library, one pass. libsyswho.so encodes with it inside
 * the SIGSYS handler, and the exec loader, which has no libc, for static
 * programs. The field numbers are those of proto/syswho.proto; unit tests
 * decode every record with protobuf-c.
 */
#ifndef SYSWHO_WIRE_ENCODE_H
#define SYSWHO_WIRE_ENCODE_H

#include <stddef.h>
#include <stdint.h>

struct wire_buf {
	uint8_t *p;
	size_t len, cap;
	int overflow;
};

struct wire_module {
	uint32_t id;
	const char *path;
	const uint8_t *build_id;
	size_t build_id_len;
	uint64_t load_bias, size;
	int runtime;
};

struct wire_site {
	uint32_t id, nr, arch, owner, tid;
	uint64_t owner_offset;
	const char *scope;	 /* NULL or "" for none */
	const uint32_t *modules; /* per frame; 0 for an address in none */
	const uint64_t *offsets;
	int depth;
	const uint32_t *arg_index;
	const uint64_t *arg_values;
	int nargs;
};

/*
 * Each appends one length-delimited Record to B; on overflow B->overflow
 * is set and B->len is left where the record began.
 */
void wire_hello(struct wire_buf *b, uint32_t pid, uint32_t ppid,
		const char *exe, char *const *argv, int argc, uint64_t start_ns,
		uint32_t arch, uint32_t setid);
void wire_module(struct wire_buf *b, const struct wire_module *m);
void wire_site(struct wire_buf *b, const struct wire_site *s);
void wire_counts(struct wire_buf *b, const uint32_t *sites,
		 const uint64_t *deltas, int n);
void wire_lost(struct wire_buf *b, uint64_t records, uint64_t calls);
void wire_exit(struct wire_buf *b, int code, int exec);
void wire_tables(struct wire_buf *b, uint32_t magic, uint32_t stride,
		 uint32_t slots, uint32_t entry_size, uint32_t slots_offset);

#endif
