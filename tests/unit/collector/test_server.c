/*
 * test_server.c - the collector loop end to end: a server thread on a
 * socket in a temporary directory, fake traced processes that connect and
 * send real records, then the profile it leads to.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "exitinfo.h"
#include "log.h"
#include "profile.h"
#include "server.h"
#include "test_records.h"

struct fixture {
	char dir[64];
	char sock[128];
	char profile[128];
	int stop_pipe[2];
	struct model model;
	struct server srv;
	pthread_t thread;
	int ret;
};

/* The test writes to the pipe once every client is done. */
static int on_stop(struct server *srv, void *data, struct error **err)
{
	struct fixture *f = data;
	char c;

	if (read(f->stop_pipe[0], &c, 1) == 1)
		server_drain(srv, 2000);

	return 0;
}

static void *serve(void *data)
{
	struct fixture *f = data;
	struct error *err = NULL;

	f->ret = server_run(&f->srv, &err);
	error_free(&err);

	return NULL;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct error *err = NULL;

	assert_non_null(f);
	log_set_level(LOG_LEVEL_ERROR);
	strcpy(f->dir, "/tmp/syswho-server-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->sock, sizeof(f->sock), "%s/collector.sock", f->dir);
	snprintf(f->profile, sizeof(f->profile), "%s/p.db", f->dir);
	assert_int_equal(pipe(f->stop_pipe), 0);
	model_init(&f->model);
	assert_int_equal(server_open(&f->srv, f->sock, &f->model, &err), 0);
	server_watch(&f->srv, f->stop_pipe[0], on_stop, f);
	*state = f;

	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	server_close(&f->srv);
	model_free(&f->model);
	close(f->stop_pipe[0]);
	close(f->stop_pipe[1]);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);

	return 0;
}

static int client(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	strcpy(sa.sun_path, path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);

	return fd;
}

static void send_packet(int fd, const struct packet *p)
{
	assert_int_equal(send(fd, p->buf, p->len, MSG_NOSIGNAL),
			 (ssize_t)p->len);
}

/* A well-behaved process: its records over two packets, then Exit. */
static void good_client(const char *path, uint32_t pid, uint64_t calls)
{
	struct packet a = {.len = 0}, b = {.len = 0};
	const uint32_t mods[] = {1, 2}, ids[] = {1};
	const uint64_t offs[] = {0x1b, 0x40}, deltas[] = {calls};
	int fd = client(path);

	pkt_hello(&a, pid, 1, "/bin/prog");
	pkt_module(&a, 1, "/lib/libc.so.6", "\xaa", 0x7f0000000000, true);
	pkt_module(&a, 2, "/bin/prog", "\xbb", 0x555500000000, false);
	pkt_site(&a, 1, 39, 2, 0x40, "", 2, mods, offs);
	send_packet(fd, &a);
	pkt_counts(&b, 1, ids, deltas);
	pkt_exit(&b, (int32_t)pid % 256, false);
	send_packet(fd, &b);
	close(fd);
}

/* Stop the server once the clients are gone and wait for it. */
static void finish(struct fixture *f)
{
	assert_int_equal(write(f->stop_pipe[1], "x", 1), 1);
	assert_int_equal(pthread_join(f->thread, NULL), 0);
	assert_int_equal(f->ret, 0);
}

static void test_end_to_end(void **state)
{
	struct fixture *f = *state;
	struct packet bad = {.len = 0};
	struct error *err = NULL;
	struct model loaded;
	int held, rude, i;

	assert_int_equal(pthread_create(&f->thread, NULL, serve, f), 0);

	/* One client stays connected while the others come and go. */
	held = client(f->sock);
	for (i = 0; i < 5; i++)
		good_client(f->sock, 1000 + (uint32_t)i, 10 + (uint64_t)i);

	/* A record before Hello costs that connection only. */
	rude = client(f->sock);
	pkt_exit(&bad, 1, false);
	send_packet(rude, &bad);
	close(rude);

	bad.len = 0;
	pkt_hello(&bad, 2000, 1, "/bin/held");
	send_packet(held, &bad);
	close(held);
	finish(f);

	assert_int_equal(f->srv.accepted, 7);
	assert_int_equal(f->srv.dropped, 1);
	assert_int_equal(f->srv.cut, 0);
	assert_int_equal(profile_write(&f->model, f->profile, true, &err), 0);

	model_init(&loaded);
	assert_int_equal(profile_load(f->profile, &loaded, &err), 0);
	assert_int_equal(loaded.n_procs, 6);
	assert_int_equal(loaded.n_modules, 2);
	assert_int_equal(loaded.n_sites, 5);
	/* Processes are in the order their Hello was read: look them up. */
	for (i = 0; i < 6; i++) {
		const struct model_process *p = &loaded.procs[i];
		const struct model_site *s = NULL;
		size_t j;

		if (p->pid == 2000) {
			assert_false(p->exited);
			continue;
		}
		for (j = 0; j < loaded.n_sites; j++) {
			if (loaded.sites[j].process == (size_t)i)
				s = &loaded.sites[j];
		}
		assert_non_null(s);
		assert_in_range(p->pid, 1000, 1004);
		assert_true(p->exited);
		assert_int_equal(p->exit_code, p->pid % 256);
		assert_true(p->end_ns >= p->start_ns);
		assert_int_equal(s->count, 10 + p->pid - 1000);
		assert_int_equal(s->n_frames, 2);
		assert_true(s->frames[0].offset == 0x1b);
		assert_int_equal(s->frames[0].module, 0);
	}
	model_free(&loaded);
}

static void test_oversized_packet(void **state)
{
	struct fixture *f = *state;
	size_t len = WIRE_MAX_PACKET + 16;
	int fd, size = (int)len * 2;
	uint8_t *big;

	assert_int_equal(pthread_create(&f->thread, NULL, serve, f), 0);
	fd = client(f->sock);
	big = calloc(1, len);
	assert_non_null(big);
	/* Raising the send buffer that far needs privilege; try both ways. */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	if (send(fd, big, len, MSG_NOSIGNAL) < 0) {
		assert_int_equal(errno, EMSGSIZE);
		close(fd);
		free(big);
		finish(f);
		skip();
	}
	close(fd);
	free(big);
	finish(f);
	assert_int_equal(f->srv.dropped, 1);
	assert_int_equal(f->model.n_procs, 0);
}

static void test_cut_at_the_end(void **state)
{
	struct fixture *f = *state;
	struct packet p = {.len = 0};
	int fd;

	assert_int_equal(pthread_create(&f->thread, NULL, serve, f), 0);
	fd = client(f->sock);
	pkt_hello(&p, 42, 1, "/bin/slow");
	send_packet(fd, &p);
	/* The drain gives up on a process that never hangs up. */
	assert_int_equal(write(f->stop_pipe[1], "x", 1), 1);
	assert_int_equal(pthread_join(f->thread, NULL), 0);
	close(fd);
	assert_int_equal(f->srv.cut, 1);
	assert_int_equal(f->model.n_procs, 1);
	assert_int_equal(f->model.procs[0].pid, 42);
}

static void test_drain_waits_for_exec(void **state)
{
	struct fixture *f = *state;
	struct packet p = {.len = 0};
	int fd;

	assert_int_equal(pthread_create(&f->thread, NULL, serve, f), 0);
	fd = client(f->sock);
	pkt_hello(&p, 42, 1, "/bin/sh");
	pkt_exit(&p, 0, true);
	send_packet(fd, &p);
	close(fd);

	/* No connection is open, but the new image of 42 is on its way. */
	assert_int_equal(write(f->stop_pipe[1], "x", 1), 1);
	usleep(200 * 1000);
	fd = client(f->sock);
	p.len = 0;
	pkt_hello(&p, 42, 1, "/bin/sleep");
	pkt_exit(&p, 0, false);
	send_packet(fd, &p);
	close(fd);
	assert_int_equal(pthread_join(f->thread, NULL), 0);

	assert_int_equal(f->model.n_procs, 2);
	assert_true(f->model.procs[0].execed);
	assert_string_equal(f->model.procs[1].exe, "/bin/sleep");
	assert_int_equal(f->srv.cut, 0);
}

/* Whether this kernel tells a reaped process's status (Linux 6.15). */
static bool kernel_keeps_exit_status(void)
{
	pid_t pid = fork();
	int fd, status;

	if (pid == 0)
		_exit(3);
	fd = exitinfo_open(pid);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (fd < 0)
		return false;
	status = 0;
	if (exitinfo_status(fd, 0, &status) < 0) {
		close(fd);
		return false;
	}
	close(fd);

	return WIFEXITED(status) && WEXITSTATUS(status) == 3;
}

/*
 * A connection that ends while its process still lives (it closed the
 * socket), the process killed and reaped afterwards: its signal is asked
 * for again at the end, when the kernel can tell it.
 */
static void test_status_settled_at_the_end(void **state)
{
	struct fixture *f = *state;
	struct packet p = {.len = 0};
	int go[2], status, fd;
	pid_t pid;
	char c;

	if (!kernel_keeps_exit_status()) {
		printf("skipped: no PIDFD_INFO_EXIT before Linux 6.15\n");
		skip();
	}
	assert_int_equal(pthread_create(&f->thread, NULL, serve, f), 0);
	assert_int_equal(pipe(go), 0);
	pid = fork();
	if (pid == 0) {
		fd = client(f->sock);
		pkt_hello(&p, (uint32_t)getpid(), 1, "/bin/killed");
		send_packet(fd, &p);
		close(fd);
		/* Alive until killed. */
		while (read(go[0], &c, 1) < 0)
			;
		_exit(0);
	}
	close(go[0]);
	/* Let the collector see the hang-up while the process lives. */
	usleep(200 * 1000);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	close(go[1]);
	finish(f);

	assert_int_equal(f->model.n_procs, 1);
	assert_int_equal(f->model.procs[0].pid, (uint32_t)pid);
	assert_int_equal(f->model.procs[0].signal, SIGKILL);
}

static void test_socket_path_checks(void **state)
{
	struct fixture *f = *state;
	struct error *err = NULL;
	struct server other;
	struct model m;
	char path[160];
	int fd;

	model_init(&m);
	/* The fixture's server is live: a second one is refused. */
	assert_int_equal(server_open(&other, f->sock, &m, &err), -1);
	assert_non_null(strstr(error_message(err), "another collector"));
	error_free(&err);

	/* A socket nobody listens on is stale and replaced. */
	snprintf(path, sizeof(path), "%s/stale.sock", f->dir);
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	{
		struct sockaddr_un sa = {.sun_family = AF_UNIX};

		strcpy(sa.sun_path, path);
		assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)),
				 0);
	}
	close(fd);
	assert_int_equal(server_open(&other, path, &m, &err), 0);
	server_close(&other);
	assert_int_equal(access(path, F_OK), -1);

	/* Anything else at the path is left alone. */
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(server_open(&other, path, &m, &err), -1);
	assert_non_null(strstr(error_message(err), "not a socket"));
	error_free(&err);
	model_free(&m);
}

/*
 * The path appears only once the socket listens: the socket is made under
 * a temporary name, which is created first and gone afterwards, and then
 * linked as the path.
 */
static void test_socket_appears_listening(void **state)
{
	struct fixture *f = *state;
	struct error *err = NULL;
	struct server other;
	struct model m;
	char path[160], tmp[64], buf[4096];
	int order = 0, tmp_at = 0, path_at = 0;
	ssize_t n;
	int in;

	model_init(&m);
	snprintf(path, sizeof(path), "%s/ready.sock", f->dir);
	snprintf(tmp, sizeof(tmp), ".syswho-%d.tmp", (int)getpid());
	in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	assert_true(in >= 0);
	assert_true(inotify_add_watch(in, f->dir, IN_CREATE) >= 0);
	assert_int_equal(server_open(&other, path, &m, &err), 0);
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const void *)p;

			order++;
			if (ev->len && !strcmp(ev->name, tmp) && !tmp_at)
				tmp_at = order;
			if (ev->len && !strcmp(ev->name, "ready.sock"))
				path_at = order;
			p += sizeof(*ev) + ev->len;
		}
	}
	close(in);
	assert_true(tmp_at > 0);
	assert_true(path_at > tmp_at);
	snprintf(buf, sizeof(buf), "%s/%s", f->dir, tmp);
	assert_int_equal(access(buf, F_OK), -1);
	server_close(&other);
	assert_int_equal(access(path, F_OK), -1);
	model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_end_to_end, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_oversized_packet, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_cut_at_the_end, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_drain_waits_for_exec, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_status_settled_at_the_end,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_socket_path_checks, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_socket_appears_listening,
					    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
