/*
 * The records a static program's loader sends to the collector, encoded
 * by hand: the loader has no protobuf-c (whose static library cannot be
 * linked at the gate's address). The field numbers are those of
 * proto/syswho.proto; a unit test decodes every record with protobuf-c.
 */
#ifndef SYSWHO_LOADER_WIRE_H
#define SYSWHO_LOADER_WIRE_H

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
};

/*
 * Each appends one length-delimited Record to B; on overflow B->overflow
 * is set and B->len is left where the record began.
 */
void wire_hello(struct wire_buf *b, uint32_t pid, uint32_t ppid,
		const char *exe, char *const *argv, int argc, uint64_t start_ns,
		uint32_t setid);
void wire_module(struct wire_buf *b, const struct wire_module *m);
void wire_site(struct wire_buf *b, uint32_t id, uint32_t nr, uint32_t arch,
	       uint32_t module, uint64_t offset, uint32_t tid,
	       const uint32_t *arg_index, const uint64_t *arg_values,
	       int nargs);
void wire_counts(struct wire_buf *b, const uint32_t *sites,
		 const uint64_t *deltas, int n);
void wire_exit(struct wire_buf *b, int code, int exec);
void wire_tables(struct wire_buf *b, uint32_t magic, uint32_t stride,
		 uint32_t slots, uint32_t entry_size, uint32_t slots_offset);

#endif
