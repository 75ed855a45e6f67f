/*
 * Encoding records for the collector: length-delimited protobuf
 * messages packed into a caller's buffer, with no allocation.
 */
#ifndef SYSWHO_ENCODE_H
#define SYSWHO_ENCODE_H

#include "modmap.h"
#include "wire_encode.h"

#include <stddef.h>
#include <stdint.h>

/*
 * Each encoder appends one record to BUF (of CAP bytes) at *LEN and
 * advances *LEN. Returns 0, or -1 when the record does not fit (BUF and
 * *LEN are then unchanged).
 */
int encode_hello(uint8_t *buf, size_t cap, size_t *len, uint32_t pid,
		 uint32_t ppid, const char *exe, char *const *argv, int argc,
		 uint64_t start_ns, uint32_t arch, uint32_t setid);
int encode_module(uint8_t *buf, size_t cap, size_t *len,
		  const struct module *m);
int encode_site(uint8_t *buf, size_t cap, size_t *len,
		const struct wire_site *site);
int encode_counts(uint8_t *buf, size_t cap, size_t *len, const uint32_t *sites,
		  const uint64_t *deltas, int n);
int encode_lost(uint8_t *buf, size_t cap, size_t *len, uint64_t records,
		uint64_t calls);
int encode_tables(uint8_t *buf, size_t cap, size_t *len, uint32_t magic,
		  uint32_t stride, uint32_t slots, uint32_t entry_size,
		  uint32_t slots_offset);
int encode_exit(uint8_t *buf, size_t cap, size_t *len, int code, int exec);

#endif
