/*
 * The connection to the collector: one SOCK_SEQPACKET socket per process,
 * used with non-blocking sends from any thread (each packet is delivered
 * whole or not at all, so threads never interleave).
 */
#ifndef SYSWHO_TRANSPORT_H
#define SYSWHO_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

/* Connect to the collector listening at PATH. 0 or a negative errno. */
int transport_open(const char *path);

/*
 * Send one packet, waiting at most WAIT_MS for room when the collector is
 * slow. 0, or a negative errno (the caller counts what was lost). After
 * the collector has gone, every send fails at once.
 */
int transport_send(const void *buf, size_t len, int wait_ms);

/* The same for the last records of a process: always waits WAIT_MS. */
int transport_send_final(const void *buf, size_t len, int wait_ms);

/* The same with FD passed along (SCM_RIGHTS). */
int transport_send_fd(const void *buf, size_t len, int fd, int wait_ms);

/* The socket's descriptor, or -1: the program must not close it. */
int transport_fd(void);

/* Move the socket to a new descriptor (the program wants this one). */
int transport_move(void);

/* In a forked child: drop the parent's connection and open our own. */
int transport_reopen(void);

/* Records that could not be sent so far. */
uint64_t transport_lost(void);
void transport_count_lost(uint64_t n);

#endif
