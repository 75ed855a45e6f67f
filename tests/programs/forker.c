/*
 * forker - a process that makes children.
 *
 *	forker fork    the child calls getsid and exits 7; the parent waits
 *	forker vfork   the vfork child naps 50 ms and exits 5; the parent
 *	               stays suspended until then
 *	forker exec    the fork child execs "exit-status 9" from this directory
 *	forker thread-exec  the fork child execs "exit-status 11" from a thread
 *	forker fexecve the fork child runs "exit-status 13" with fexecve
 *	forker spawn   posix_spawn runs "exit-status 9" from this directory;
 *	               the parent's SIGUSR1 handler still runs afterwards
 *
 * The forked child inherits syswho's filter and must be reported as a
 * process of its own, owning its own getsid.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <spawn.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

extern char **environ;

static void fk_expect_exit(pid_t pid, int code, const char *what)
{
	int status;

	CHECK(waitpid(pid, &status, 0) == pid, "waitpid: %m");
	CHECK(WIFEXITED(status), "%s child ended with status %#x", what,
	      status);
	CHECK(WEXITSTATUS(status) == code, "%s child exited %d, want %d", what,
	      WEXITSTATUS(status), code);
	printf("parent: %s child exited %d\n", what, code);
}

static void fk_fork(void)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		if (getsid(0) < 0) {
			perror("getsid");
			exit(1);
		}
		printf("child: getsid ok\n");
		exit(7);
	}
	fk_expect_exit(pid, 7, "fork");
}

static double fk_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* The parent stays suspended until the child exits, as vfork promises. */
static void fk_vfork(void)
{
	const struct timespec nap = {.tv_nsec = 50 * 1000 * 1000};
	double start = fk_now_ms(), waited;
	pid_t pid;

	fflush(stdout);
	pid = vfork();
	CHECK_OK(pid);
	if (pid == 0) {
		syscall(SYS_nanosleep, &nap, NULL);
		_exit(5);
	}
	waited = fk_now_ms() - start;
	CHECK(waited >= 45,
	      "vfork returned after %.1f ms, before its child "
	      "exited",
	      waited);
	fk_expect_exit(pid, 5, "vfork");
}

/* The exit-status program next to this one, in PATH. */
static void fk_sibling(char *path, size_t len)
{
	char self[PATH_MAX];
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	CHECK(n > 0, "readlink /proc/self/exe: %m");
	self[n] = '\0';
	snprintf(path, len, "%s/exit-status", dirname(self));
}

static void fk_exec(void)
{
	char path[PATH_MAX + 16];
	pid_t pid;

	fk_sibling(path, sizeof(path));
	fflush(stdout);
	pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		execl(path, "exit-status", "9", (char *)NULL);
		perror("execl");
		_exit(1);
	}
	fk_expect_exit(pid, 9, "exec");
}

/* The child execs from a second thread, which the kernel makes its leader. */
static void *fk_exec_thread(void *arg)
{
	const char *path = arg;

	execl(path, "exit-status", "11", (char *)NULL);
	perror("execl from a thread");
	_exit(1);
}

static void fk_thread_exec(void)
{
	char path[PATH_MAX + 16];
	pthread_t t;
	pid_t pid;

	fk_sibling(path, sizeof(path));
	fflush(stdout);
	pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		if (pthread_create(&t, NULL, fk_exec_thread, path) != 0)
			_exit(2);
		/* The main thread waits; the exec ends it. */
		for (;;)
			pause();
	}
	fk_expect_exit(pid, 11, "exec from a thread");
}

/* fexecve: glibc's execveat(fd, "", AT_EMPTY_PATH), fd close-on-exec. */
static void fk_fexecve(void)
{
	char path[PATH_MAX + 16];
	char *args[] = {"exit-status", "13", NULL};
	pid_t pid;
	int fd;

	fk_sibling(path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0, "open %s: %m", path);
	fflush(stdout);
	pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		fexecve(fd, args, environ);
		perror("fexecve");
		_exit(1);
	}
	close(fd);
	fk_expect_exit(pid, 13, "fexecve");
}

static volatile sig_atomic_t fk_usr1_seen;

static void fk_on_usr1(int sig)
{
	(void)sig;
	fk_usr1_seen = 1;
}

/*
 * glibc's spawn child shares the parent's memory and resets its own
 * handlers to SIG_DFL before the exec: the parent's must stay in place.
 */
static void fk_spawn(void)
{
	char path[PATH_MAX + 16];
	char *args[] = {"exit-status", "9", NULL};
	struct sigaction sa;
	pid_t pid;
	int err;

	tu_handle(SIGUSR1, fk_on_usr1, 0);
	fk_sibling(path, sizeof(path));
	fflush(stdout);
	err = posix_spawn(&pid, path, NULL, NULL, args, environ);
	CHECK(err == 0, "posix_spawn %s: %s", path, strerror(err));
	fk_expect_exit(pid, 9, "posix_spawn");

	CHECK_OK(sigaction(SIGUSR1, NULL, &sa));
	CHECK(sa.sa_handler == fk_on_usr1,
	      "SIGUSR1 handler after posix_spawn is %p, want %p",
	      (void *)sa.sa_handler, (void *)fk_on_usr1);
	CHECK_OK(raise(SIGUSR1));
	CHECK(fk_usr1_seen,
	      "the SIGUSR1 handler did not run after posix_spawn");
	printf("parent: SIGUSR1 handler kept across posix_spawn\n");
}

int main(int argc, char **argv)
{
	const char *mode = tu_mode(argc, argv, "fork");

	if (!strcmp(mode, "fork"))
		fk_fork();
	else if (!strcmp(mode, "vfork"))
		fk_vfork();
	else if (!strcmp(mode, "exec"))
		fk_exec();
	else if (!strcmp(mode, "spawn"))
		fk_spawn();
	else if (!strcmp(mode, "thread-exec"))
		fk_thread_exec();
	else if (!strcmp(mode, "fexecve"))
		fk_fexecve();
	else
		tu_fail("main", "unknown mode %s", mode);
	printf("forker %s: pass\n", mode);

	return 0;
}
