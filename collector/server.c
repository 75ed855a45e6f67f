/*
 * server.c - accept, poll and read the traced processes, see server.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "array.h"
#include "exitinfo.h"
#include "log.h"
#include "server.h"
#include "wire.h"

/* Packets read from one connection before the others get a turn. */
#define SERVER_BATCH 32
/* How often a listener out of descriptors tries again. */
#define SERVER_ACCEPT_RETRY_MS 100
/* Pidfds of processes whose status is asked for again at the end. */
#define SERVER_MAX_UNSETTLED 1024

static int server_address(const char *path, struct sockaddr_un *sa,
			  struct error **err)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return error_set(err, ENAMETOOLONG, "socket path");
	strcpy(sa->sun_path, path);

	return 0;
}

/*
 * Decide what to do with a file already at PATH: remove a socket nobody
 * listens on any more, refuse anything else.
 */
static int server_clear_path(const char *path, const struct sockaddr_un *sa,
			     struct error **err)
{
	struct stat st;
	int fd, ret;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : error_set(err, errno, "stat");
	if (!S_ISSOCK(st.st_mode))
		return error_set(err, 0, "not a socket");

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return error_set(err, errno, "socket");
	ret = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (ret == 0)
		return error_set(err, 0, "another collector is listening");
	if (errno != ECONNREFUSED)
		return error_set(err, errno, "probe the socket");

	log_info("removing the stale socket %s", path);
	if (unlink(path) < 0)
		return error_set(err, errno, "remove the stale socket");

	return 0;
}

/*
 * Bind and listen under a temporary name beside PATH, then link it as
 * PATH, so that whoever waits for PATH to appear (a script, a supervisor)
 * finds a socket that already accepts: a socket bound but not yet
 * listening refuses connections. link, unlike rename, fails when PATH
 * exists, so two collectors started at once cannot both take it.
 */
static int server_bind(int fd, const char *path, const struct sockaddr_un *sa,
		       struct error **err)
{
	struct sockaddr_un tmp = *sa;
	const char *slash = strrchr(path, '/');
	int dir_len = slash ? (int)(slash - path + 1) : 0;
	bool linked = true;
	int n, saved;

	n = snprintf(tmp.sun_path, sizeof(tmp.sun_path), "%.*s.syswho-%d.tmp",
		     dir_len, path, (int)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp.sun_path)) {
		/* Limitation: a near-limit path is bound before it listens. */
		tmp = *sa;
		linked = false;
	} else {
		unlink(tmp.sun_path);
	}
	if (bind(fd, (const struct sockaddr *)&tmp, sizeof(tmp)) < 0)
		return error_set(err, errno, "bind");
	if (listen(fd, SOMAXCONN) < 0) {
		saved = errno;
		unlink(tmp.sun_path);
		return error_set(err, saved, "listen");
	}
	if (!linked)
		return 0;
	if (link(tmp.sun_path, path) < 0) {
		saved = errno;
		unlink(tmp.sun_path);
		return saved == EEXIST
			   ? error_set(err, 0, "another collector is listening")
			   : error_set(err, saved, "link %s", path);
	}
	unlink(tmp.sun_path);

	return 0;
}

int server_open(struct server *srv, const char *path, struct model *m,
		struct error **err)
{
	struct sockaddr_un sa;

	memset(srv, 0, sizeof(*srv));
	srv->listen_fd = -1;
	srv->event_fd = -1;
	srv->model = m;
	if (server_address(path, &sa, err) < 0 ||
	    server_clear_path(path, &sa, err) < 0)
		goto fail;

	srv->buf = malloc(WIRE_MAX_PACKET);
	srv->path = strdup(path);
	if (!srv->buf || !srv->path) {
		error_set(err, ENOMEM, "collector buffers");
		goto fail;
	}

	srv->listen_fd =
	    socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (srv->listen_fd < 0) {
		error_set(err, errno, "socket");
		goto fail;
	}
	if (server_bind(srv->listen_fd, path, &sa, err) < 0) {
		free(srv->path);
		srv->path = NULL;
		goto fail;
	}

	return 0;
fail:
	server_close(srv);

	return error_wrap(err, "listen on %s", path);
}

void server_watch(struct server *srv, int fd, server_event_fn fn, void *data)
{
	srv->event_fd = fd;
	srv->on_event = fn;
	srv->event_data = data;
}

void server_stop(struct server *srv)
{
	srv->stop = true;
}

void server_drain(struct server *srv, int timeout_ms)
{
	clock_gettime(CLOCK_MONOTONIC, &srv->deadline);
	srv->deadline.tv_sec += timeout_ms / 1000;
	srv->deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (srv->deadline.tv_nsec >= 1000000000) {
		srv->deadline.tv_sec++;
		srv->deadline.tv_nsec -= 1000000000;
	}
	srv->draining = true;
}

static uint64_t server_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);

	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Take every pending connection off the listen queue. */
static void server_accept(struct server *srv)
{
	struct server_conn *c;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd;

	while ((fd = accept4(srv->listen_fd, NULL, NULL,
			     SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
		if (array_reserve(&srv->conns, &srv->cap_conns,
				  srv->n_conns + 1, sizeof(*srv->conns)) < 0) {
			log_error("refusing a connection: out of memory");
			close(fd);
			continue;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
			cred.pid = 0;

		c = &srv->conns[srv->n_conns++];
		c->fd = fd;
		c->pidfd = exitinfo_open(cred.pid);
		session_init(&c->session, srv->model, cred.pid);
		srv->accepted++;
		log_debug("process %d connected", cred.pid);
	}
	if (errno == EMFILE || errno == ENFILE) {
		/* The queue keeps the listener readable: rest, say it once. */
		if (!srv->accept_paused)
			log_warn("accept: %s: new processes wait in the "
				 "queue until descriptors are free",
				 strerror(errno));
		srv->accept_paused = true;
		return;
	}
	srv->accept_paused = false;
	if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		log_warn("accept: %s", strerror(errno));
}

/*
 * Each traced process costs the collector two or three descriptors (its
 * socket, a pidfd, its count table), so take every descriptor the hard
 * limit allows: a tree of a few hundred processes would not fit in 1024.
 * The commands syswho starts get the limit they were given.
 */
static void server_raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/*
 * The connection ended without an Exit record: the process was killed,
 * or its record was lost. Ask the kernel how it ended.
 * Limitation: before Linux 6.15 (no PIDFD_INFO_EXIT), a process its
 * parent reaps before the collector looks keeps no exit code or signal.
 * The process's own pidfd (counts.c) survives its reaping; the one opened
 * at accept serves processes that sent none.
 */
static void server_set_status(struct model_process *p, int status)
{
	if (WIFSIGNALED(status)) {
		p->signal = WTERMSIG(status);
	} else if (WIFEXITED(status)) {
		p->exited = true;
		p->exit_code = WEXITSTATUS(status);
	}
}

/*
 * A status the kernel would not tell yet (the process caught between its
 * end and its parent's wait on a loaded machine) is asked for again when
 * the collector finishes, from the pidfd kept until then.
 */
static void server_note_exit(struct server *srv, struct server_conn *c)
{
	struct session *s = &c->session;
	struct model_process *p;
	int status;

	if (!s->hello)
		return;
	p = &s->model->procs[s->process];
	if (p->complete || p->exited || p->signal)
		return;
	if (exitinfo_status(c->pidfd, s->peer_pid, &status) == 0) {
		server_set_status(p, status);
		return;
	}
	if (c->pidfd < 0 || srv->n_unsettled >= SERVER_MAX_UNSETTLED ||
	    array_reserve(&srv->unsettled, &srv->cap_unsettled,
			  srv->n_unsettled + 1, sizeof(*srv->unsettled)) < 0)
		return;
	srv->unsettled[srv->n_unsettled++] =
	    (struct server_unsettled){c->pidfd, s->process};
	c->pidfd = -1;
}

/* Ask once more, now that the processes are long gone and reaped. */
static void server_settle(struct server *srv)
{
	struct server_unsettled *u;
	int status;
	size_t i;

	for (i = 0; i < srv->n_unsettled; i++) {
		u = &srv->unsettled[i];
		if (exitinfo_status(u->pidfd, 0, &status) == 0)
			server_set_status(&srv->model->procs[u->process],
					  status);
		close(u->pidfd);
	}
	srv->n_unsettled = 0;
}

static void server_hang_up(struct server *srv, struct server_conn *c)
{
	struct session *s = &c->session;

	server_note_exit(srv, c);
	if (c->pidfd >= 0)
		close(c->pidfd);
	c->pidfd = -1;
	session_end(s, server_now_ns());
	if (s->rejected)
		log_info("process %d: %llu records were ignored", s->peer_pid,
			 (unsigned long long)s->rejected);
	log_debug("process %d disconnected", s->peer_pid);
	session_free(s);
	close(c->fd);
	c->fd = -1;
}

/* Feed one packet of N bytes; a bad one costs the connection. */
static int server_packet(struct server *srv, struct server_conn *c, ssize_t n)
{
	struct error *err = NULL;

	if (n > (ssize_t)WIRE_MAX_PACKET) {
		log_warn("process %d: dropping the connection: a packet of "
			 "%zd bytes is over the %u byte limit",
			 c->session.peer_pid, n, WIRE_MAX_PACKET);
		srv->dropped++;
		return -1;
	}
	if (session_feed_packet(&c->session, srv->buf, (size_t)n, &err) < 0) {
		log_warn("process %d: dropping the connection: %s",
			 c->session.peer_pid, error_message(err));
		error_free(&err);
		srv->dropped++;
		return -1;
	}

	return 0;
}

/*
 * Receive one packet from C, and any descriptors that came with it (a
 * process passes its count tables so): the session keeps the first, the
 * others are closed. MSG_TRUNC makes the real size of a big packet known.
 */
static ssize_t server_recv(struct server *srv, struct server_conn *c)
{
	union {
		struct cmsghdr hdr;
		char space[CMSG_SPACE(4 * sizeof(int))];
	} ctl;
	struct iovec iov = {.iov_base = srv->buf, .iov_len = WIRE_MAX_PACKET};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl.space,
			     .msg_controllen = sizeof(ctl.space)};
	struct cmsghdr *cm;
	ssize_t n;

	n = recvmsg(c->fd, &msg, MSG_TRUNC | MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return n;
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		size_t k, nfd;
		int fd;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (k = 0; k < nfd; k++) {
			memcpy(&fd, CMSG_DATA(cm) + k * sizeof(int),
			       sizeof(fd));
			/* The process's own pidfd, opened while it surely ran.
			 */
			if (exitinfo_is_pidfd(fd)) {
				if (c->pidfd >= 0)
					close(c->pidfd);
				c->pidfd = fd;
				continue;
			}
			session_take_fd(&c->session, fd);
		}
	}

	return n;
}

/*
 * Read up to MAX packets from C, and hang up on EOF, error or a bad
 * packet. Returns 1 when C was closed.
 */
static int server_read(struct server *srv, struct server_conn *c, int max)
{
	ssize_t n;
	int i;

	for (i = 0; i < max; i++) {
		n = server_recv(srv, c);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0)
			log_warn("process %d: receive: %s", c->session.peer_pid,
				 strerror(errno));
		if (n <= 0 || server_packet(srv, c, n) < 0) {
			server_hang_up(srv, c);
			return 1;
		}
	}

	return 0;
}

/* Forget the connections that were closed during the last round. */
static void server_compact(struct server *srv)
{
	size_t i, j = 0;

	for (i = 0; i < srv->n_conns; i++) {
		if (srv->conns[i].fd >= 0)
			srv->conns[j++] = srv->conns[i];
	}
	srv->n_conns = j;
}

/* Milliseconds until the drain deadline, -1 when there is none. */
static int server_timeout(const struct server *srv)
{
	struct timespec now;
	long long ms;

	if (!srv->draining)
		return -1;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (srv->deadline.tv_sec - now.tv_sec) * 1000LL +
	     (srv->deadline.tv_nsec - now.tv_nsec) / 1000000;

	return ms < 0 ? 0 : (int)ms;
}

/*
 * Whether an image that was replaced by execve has yet to connect as its
 * successor: then no connection is open, yet more is on its way.
 */
static bool server_exec_pending(const struct server *srv)
{
	const struct model *m = srv->model;
	size_t i, j;

	for (i = 0; i < m->n_procs; i++) {
		if (!m->procs[i].execed)
			continue;
		for (j = i + 1; j < m->n_procs; j++) {
			if (m->procs[j].pid == m->procs[i].pid)
				break;
		}
		if (j == m->n_procs)
			return true;
	}

	return false;
}

static bool server_done(struct server *srv)
{
	if (srv->stop)
		return true;
	if (!srv->draining)
		return false;

	/* A process that exited may still wait in the listen queue. */
	if (srv->n_conns == 0)
		server_accept(srv);

	if (srv->n_conns == 0 && !server_exec_pending(srv))
		return true;

	return server_timeout(srv) == 0;
}

/* Lay out the poll set: listener, watched descriptor, connections. */
static int server_poll_set(struct server *srv, size_t *base)
{
	size_t n = 0, i;

	if (array_reserve(&srv->pfds, &srv->cap_pfds, srv->n_conns + 2,
			  sizeof(*srv->pfds)) < 0)
		return -1;

	srv->pfds[n++] = (struct pollfd){
	    .fd = srv->listen_fd, .events = srv->accept_paused ? 0 : POLLIN};
	if (srv->event_fd >= 0)
		srv->pfds[n++] =
		    (struct pollfd){.fd = srv->event_fd, .events = POLLIN};
	*base = n;
	for (i = 0; i < srv->n_conns; i++)
		srv->pfds[n++] =
		    (struct pollfd){.fd = srv->conns[i].fd, .events = POLLIN};

	return (int)n;
}

/* One round of poll and the work it found. */
static int server_round(struct server *srv, struct error **err)
{
	size_t base, i, polled = srv->n_conns;
	int n, timeout;

	n = server_poll_set(srv, &base);
	if (n < 0)
		return error_set(err, ENOMEM, "poll set");
	timeout = server_timeout(srv);
	/* A resting listener tries again a few times a second. */
	if (srv->accept_paused &&
	    (timeout < 0 || timeout > SERVER_ACCEPT_RETRY_MS))
		timeout = SERVER_ACCEPT_RETRY_MS;
	if (poll(srv->pfds, (nfds_t)n, timeout) < 0)
		return errno == EINTR ? 0 : error_set(err, errno, "poll");

	for (i = 0; i < polled; i++) {
		if (srv->pfds[base + i].revents)
			server_read(srv, &srv->conns[i], SERVER_BATCH);
	}
	if ((srv->pfds[0].revents & POLLIN) || srv->accept_paused)
		server_accept(srv);
	if (base > 1 && srv->pfds[1].revents &&
	    srv->on_event(srv, srv->event_data, err) < 0)
		return -1;
	server_compact(srv);

	return 0;
}

int server_run(struct server *srv, struct error **err)
{
	size_t i;
	int ret = 0;

	server_raise_fd_limit();

	while (!server_done(srv)) {
		ret = server_round(srv, err);
		if (ret < 0)
			break;
	}

	/* Keep what the remaining processes managed to send. */
	for (i = 0; i < srv->n_conns; i++) {
		if (server_read(srv, &srv->conns[i], INT32_MAX))
			continue;
		log_info("process %d: still connected at the end",
			 srv->conns[i].session.peer_pid);
		srv->cut++;
		server_hang_up(srv, &srv->conns[i]);
	}
	srv->n_conns = 0;
	server_settle(srv);

	return ret < 0 ? error_wrap(err, "collector") : 0;
}

void server_close(struct server *srv)
{
	size_t i;

	for (i = 0; i < srv->n_conns; i++)
		server_hang_up(srv, &srv->conns[i]);
	if (srv->listen_fd >= 0)
		close(srv->listen_fd);
	if (srv->path)
		unlink(srv->path);
	free(srv->path);
	server_settle(srv);
	free(srv->unsettled);
	free(srv->conns);
	free(srv->pfds);
	free(srv->buf);
	memset(srv, 0, sizeof(*srv));
	srv->listen_fd = -1;
	srv->event_fd = -1;
}
