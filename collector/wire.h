/*
 * wire.h - the framing of the records that libsyswho.so sends.
 *
 * A SOCK_SEQPACKET packet holds one or more syswho.Record messages, each
 * preceded by its length as a protobuf varint. The peer is a traced
 * program, so every byte is treated as hostile: a bad varint, a length
 * past the end of the packet, an oversized record, a record protobuf-c
 * cannot unpack or one without a known kind is reported as an error.
 */
#ifndef SYSWHO_WIRE_H
#define SYSWHO_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "syswho.pb-c.h"

#include "error.h"

/* Largest record and largest packet the collector accepts. */
#define WIRE_MAX_RECORD (1u << 20)
#define WIRE_MAX_PACKET (1u << 20)

/* Longest varint: 64 bits in 7-bit groups. */
#define WIRE_VARINT_MAX 10

/*
 * Called for each record in order; the record is freed after the call.
 * Returning -1 (with *ERR set) stops the decoding.
 */
typedef int (*wire_record_fn)(const Syswho__Record *rec, void *data,
			      struct error **err);

/*
 * Split the packet BUF of LEN bytes into records and hand each to FN.
 * Returns the number of records handed over, or -1 with *ERR set. Records
 * before a bad one have already been handed over.
 */
int wire_decode(const uint8_t *buf, size_t len, wire_record_fn fn, void *data,
		struct error **err);

/*
 * Read a varint from P (at most LEN bytes) into *OUT. Returns the number
 * of bytes used, 0 when the varint is cut short, -1 when it is longer than
 * 64 bits.
 */
int wire_read_varint(const uint8_t *p, size_t len, uint64_t *out);

/*
 * Append REC with its length prefix to BUF of CAP bytes. Returns the bytes
 * written, or -1 when they do not fit. Used by tests and feeders.
 */
ssize_t wire_encode(const Syswho__Record *rec, uint8_t *buf, size_t cap);

#endif
