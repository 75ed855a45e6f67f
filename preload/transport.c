/*
 * The collector connection. Every syscall goes through the gate, so the
 * same code works before the filter is installed, inside the handler and
 * in a freshly forked child.
 */
#include "transport.h"

#include "filter.h"
#include "gate.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>

/* Keep clear of the low descriptors programs like to assume are free. */
#define TRANSPORT_FD_FLOOR 800

/* After a send timed out, later sends do not wait for this long. */
#define TRANSPORT_STALL_NS (1000 * 1000 * 1000ULL)

static int transport_sock = -1;
static uint64_t transport_stalled_until; /* atomic, CLOCK_MONOTONIC ns */
static int transport_gone;
static uint64_t transport_lost_records;
static struct sockaddr_un transport_addr;

/*
 * Move FD to FILTER_GUARDED_FD when it is free (the baseline filter lets
 * close and dup2 through without a trap, unless they name that one), else
 * to the lowest free descriptor at or above the floor.
 */
static int transport_raise(int fd)
{
	long moved = -EBADF;

	if (gate_call2(SYS_fcntl, FILTER_GUARDED_FD, F_GETFD) == -EBADF)
		moved = gate_call3(SYS_dup3, fd, FILTER_GUARDED_FD, O_CLOEXEC);
	/* Limitation: elsewhere, a baseline run cannot guard the socket. */
	if (moved < 0)
		moved = gate_call3(SYS_fcntl, fd, F_DUPFD_CLOEXEC,
				   TRANSPORT_FD_FLOOR);
	if (moved < 0)
		return fd; /* a low RLIMIT_NOFILE: keep where it is */
	gate_call1(SYS_close, fd);
	return (int)moved;
}

static int transport_connect(void)
{
	long fd, ret;

	fd = gate_call3(SYS_socket, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return (int)fd;
	ret = gate_call3(SYS_connect, fd, &transport_addr,
			 sizeof(transport_addr));
	if (ret < 0) {
		gate_call1(SYS_close, fd);
		return (int)ret;
	}

	transport_sock = transport_raise((int)fd);
	transport_gone = 0;
	return 0;
}

int transport_open(const char *path)
{
	size_t n = strlen(path);

	if (n >= sizeof(transport_addr.sun_path))
		return -ENAMETOOLONG;
	memset(&transport_addr, 0, sizeof(transport_addr));
	transport_addr.sun_family = AF_UNIX;
	memcpy(transport_addr.sun_path, path, n);

	return transport_connect();
}

static uint64_t transport_now_ns(void)
{
	struct timespec t;

	/* The vDSO answers this without a syscall. */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

/*
 * Wait up to WAIT_MS for room, unless the collector has recently let a
 * wait run out: a stalled collector then costs the program one timeout a
 * second, not one per record. FINAL waits regardless (once per process).
 */
static long transport_wait_and_send(const void *buf, size_t len, int wait_ms,
				    bool final)
{
	struct pollfd pfd = {.fd = transport_sock, .events = POLLOUT};
	uint64_t until;
	long ret;

	until = __atomic_load_n(&transport_stalled_until, __ATOMIC_RELAXED);
	if (!final && transport_now_ns() < until)
		return -EAGAIN;
	gate_call3(SYS_poll, &pfd, 1, wait_ms);
	ret = gate_call6(SYS_sendto, transport_sock, buf, len,
			 MSG_DONTWAIT | MSG_NOSIGNAL, 0, 0);
	if (ret == -EAGAIN)
		__atomic_store_n(&transport_stalled_until,
				 transport_now_ns() + TRANSPORT_STALL_NS,
				 __ATOMIC_RELAXED);

	return ret;
}

static int transport_send_waiting(const void *buf, size_t len, int wait_ms,
				  bool final)
{
	long ret;

	if (transport_sock < 0 || transport_gone)
		return -ENOTCONN;

	ret = gate_call6(SYS_sendto, transport_sock, buf, len,
			 MSG_DONTWAIT | MSG_NOSIGNAL, 0, 0);
	if (ret == -EAGAIN && wait_ms > 0)
		ret = transport_wait_and_send(buf, len, wait_ms, final);
	if (ret == -EPIPE || ret == -ECONNRESET || ret == -ENOTCONN ||
	    ret == -ECONNREFUSED || ret == -EBADF)
		transport_gone = 1;

	return ret < 0 ? (int)ret : 0;
}

int transport_send_fd(const void *buf, size_t len, int fd, int wait_ms)
{
	union {
		struct cmsghdr hdr;
		char space[CMSG_SPACE(sizeof(int))];
	} ctl = {0};
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl.space,
			     .msg_controllen = sizeof(ctl.space)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	struct pollfd pfd = {.fd = transport_sock, .events = POLLOUT};
	long ret;

	if (transport_sock < 0 || transport_gone)
		return -ENOTCONN;
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));

	ret = gate_call3(SYS_sendmsg, transport_sock, &msg,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
	if (ret == -EAGAIN) {
		gate_call3(SYS_poll, &pfd, 1, wait_ms);
		ret = gate_call3(SYS_sendmsg, transport_sock, &msg,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
	}
	return ret < 0 ? (int)ret : 0;
}

int transport_send(const void *buf, size_t len, int wait_ms)
{
	return transport_send_waiting(buf, len, wait_ms, false);
}

int transport_send_final(const void *buf, size_t len, int wait_ms)
{
	return transport_send_waiting(buf, len, wait_ms, true);
}

int transport_fd(void)
{
	return transport_sock;
}

int transport_move(void)
{
	long moved;

	if (transport_sock < 0)
		return -EBADF;
	moved = gate_call3(SYS_fcntl, transport_sock, F_DUPFD_CLOEXEC,
			   transport_sock + 1);
	if (moved < 0)
		return (int)moved;
	gate_call1(SYS_close, transport_sock);
	transport_sock = (int)moved;
	return 0;
}

int transport_reopen(void)
{
	if (transport_sock >= 0)
		gate_call1(SYS_close, transport_sock);
	transport_sock = -1;
	transport_lost_records = 0;
	transport_stalled_until = 0;
	if (!transport_addr.sun_path[0])
		return -ENOTCONN;
	return transport_connect();
}

uint64_t transport_lost(void)
{
	return __atomic_load_n(&transport_lost_records, __ATOMIC_RELAXED);
}

void transport_count_lost(uint64_t n)
{
	__atomic_fetch_add(&transport_lost_records, n, __ATOMIC_RELAXED);
}
