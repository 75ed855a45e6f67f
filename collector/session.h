/*
 * session.h - turn the records of one connection into the model.
 *
 * Module and site ids are local to a connection; the session maps them
 * onto model indexes. A record that references an unknown id is rejected
 * (counted, and warned about once per connection) while the rest of the
 * stream is kept. A stream that does not start with Hello, or says Hello
 * twice, is a protocol error: the caller drops the connection.
 */
#ifndef SYSWHO_SESSION_H
#define SYSWHO_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "syswho.pb-c.h"

#include "error.h"
#include "model.h"

/*
 * Ids above this are rejected, which bounds the id maps of a session.
 * Limitation: a process with more than 2^20 sites loses the rest.
 */
#define SESSION_MAX_ID (1u << 20)

/* A syscall has six arguments: a site may name no other. */
#define SESSION_SYSCALL_ARGS 6

struct session {
	struct model *model;
	int peer_pid; /* from SO_PEERCRED, for the log */
	bool hello;
	size_t process;	 /* model index, valid after Hello */
	size_t *modules; /* module id -> model index + 1, 0 unknown */
	size_t n_modules;
	size_t *sites; /* site id -> model index + 1, 0 unknown */
	size_t n_sites;
	uint64_t *streamed; /* site id -> calls its Counts records added */
	size_t n_streamed;
	int tables_fd;	       /* the process's count tables (memfd), or -1 */
	Syswho__Tables layout; /* how they are laid out, once announced */
	uint64_t rejected;     /* records or entries that were refused */
};

void session_init(struct session *s, struct model *m, int peer_pid);
void session_free(struct session *s);

/* Apply one record. Returns -1 on a protocol error. */
int session_feed(struct session *s, const Syswho__Record *rec,
		 struct error **err);

/* Decode a whole packet and apply its records. -1 on any error. */
int session_feed_packet(struct session *s, const uint8_t *buf, size_t len,
			struct error **err);

/*
 * The process passed FD (its count tables) with a packet; the session
 * owns it from now on. A second one is closed.
 */
void session_take_fd(struct session *s, int fd);

/*
 * The connection is gone: note when its process ended, and add what its
 * count tables hold beyond what was streamed (all of it, for a process
 * killed before it could send its last counts).
 */
void session_end(struct session *s, uint64_t end_ns);

#endif
