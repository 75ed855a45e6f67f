/*
 * server.h - the collector loop: one listening SOCK_SEQPACKET socket, many
 * traced processes at once, every packet fed into one model.
 *
 * The loop also watches one extra descriptor for its owner (a signalfd in
 * the CLI, a pipe in tests); the owner's callback decides when to stop:
 * server_stop() ends at once, server_drain() ends when the last
 * connection closes or a timeout passes.
 */
#ifndef SYSWHO_SERVER_H
#define SYSWHO_SERVER_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "error.h"
#include "model.h"
#include "session.h"

struct server;

/* Called when the watched descriptor is readable; -1 stops with *ERR. */
typedef int (*server_event_fn)(struct server *srv, void *data,
			       struct error **err);

struct server_conn {
	int fd;
	int pidfd; /* of the peer, for its exit status (exitinfo.h), or -1 */
	struct session session;
};

/* A process that ended before the kernel would say how: asked again. */
struct server_unsettled {
	int pidfd;
	size_t process; /* model index */
};

struct server {
	int listen_fd;
	char *path; /* unlinked by server_close */
	struct model *model;
	struct server_conn *conns;
	size_t n_conns, cap_conns;
	struct pollfd *pfds;
	size_t cap_pfds;
	uint8_t *buf; /* one packet */
	int event_fd;
	server_event_fn on_event;
	void *event_data;
	bool stop;
	bool draining;
	struct timespec deadline; /* CLOCK_MONOTONIC, when draining */
	uint64_t accepted;
	uint64_t dropped;   /* connections cut for protocol errors */
	uint64_t cut;	    /* connections still open at the end */
	bool accept_paused; /* out of descriptors: the listener rests */
	struct server_unsettled *unsettled;
	size_t n_unsettled, cap_unsettled;
};

/*
 * Listen on PATH, feeding M. A stale socket file at PATH is removed; a
 * live one (another collector answers) or any other file is an error.
 */
int server_open(struct server *srv, const char *path, struct model *m,
		struct error **err);

/* Watch FD and call FN with DATA when it is readable. */
void server_watch(struct server *srv, int fd, server_event_fn fn, void *data);

/* Finish as soon as the loop regains control. */
void server_stop(struct server *srv);

/* Finish when no connection is left, or TIMEOUT_MS from now. */
void server_drain(struct server *srv, int timeout_ms);

/*
 * Run until stopped or drained. Whatever is still queued on the open
 * connections is read before they are closed.
 */
int server_run(struct server *srv, struct error **err);

/* Close everything and remove the socket file. */
void server_close(struct server *srv);

#endif
