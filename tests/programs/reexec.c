/*
 * reexec - a program that execs itself by the names a process has for
 * itself, and checks execveat's arguments as the kernel does.
 *
 *	reexec self      exec /proc/self/exe once, as "reexec again"
 *	reexec fd        exec /proc/self/fd/N of a close-on-exec descriptor;
 *	                 the new image must not have N open
 *	reexec execveat  execveat with AT_FDCWD and a relative path, unknown
 *	                 flags (EINVAL), AT_SYMLINK_NOFOLLOW on a symlink
 *	                 (ELOOP), AT_EXECVE_CHECK (no exec), then the
 *	                 relative exec itself
 *
 * Under syswho the library hands each exec to its loader, for which these
 * names would mean something else (the loader, a closed descriptor).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "testutil.h"

#define RX_EXECVE_CHECK 0x10000

extern char **environ;

/* The second image: say how it was reached and what it sees. */
static int rx_again(int argc, char **argv)
{
	char exe[PATH_MAX];
	ssize_t n;
	int fd;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	CHECK(n > 0, "readlink /proc/self/exe: %m");
	exe[n] = '\0';
	printf("again: argc %d, exe %s\n", argc, basename(exe));
	if (argc > 2) {
		fd = atoi(argv[2]);
		CHECK(fcntl(fd, F_GETFD) < 0 && errno == EBADF,
		      "close-on-exec descriptor %d is open after the exec", fd);
		printf("again: the descriptor is closed\n");
	}
	printf("reexec again: pass\n");

	return 0;
}

static void rx_self(char *argv0)
{
	char *args[] = {argv0, "again", NULL};

	printf("self: exec /proc/self/exe\n");
	fflush(stdout);
	execv("/proc/self/exe", args);
	tu_fail(__func__, "execv /proc/self/exe: %m");
}

static void rx_fd(char *argv0)
{
	char path[64], num[16];
	char *args[] = {argv0, "again", num, NULL};
	int fd;

	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0, "open /proc/self/exe: %m");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	snprintf(num, sizeof(num), "%d", fd);
	printf("fd: exec /proc/self/fd/N\n");
	fflush(stdout);
	execv(path, args);
	tu_fail(__func__, "execv %s: %m", path);
}

/* execveat must fail with WANT and leave the process as it was. */
static void rx_expect_fail(int dirfd, const char *path, int flags, int want,
			   const char *what)
{
	char *args[] = {"reexec", "again", NULL};

	errno = 0;
	CHECK(execveat(dirfd, path, args, environ, flags) < 0,
	      "%s: execveat returned", what);
	CHECK(errno == want, "%s: errno %d (%s), want %d (%s)", what, errno,
	      strerror(errno), want, strerror(want));
	printf("execveat %s: %s\n", what, strerror(errno));
}

static void rx_execveat(void)
{
	char self[PATH_MAX], dir[] = "/tmp/reexec.XXXXXX", link[PATH_MAX + 32];
	char *args[] = {"reexec", "again", NULL};
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	CHECK(n > 0, "readlink /proc/self/exe: %m");
	self[n] = '\0';
	CHECK(mkdtemp(dir), "mkdtemp: %m");
	snprintf(link, sizeof(link), "%s/link", dir);
	CHECK_OK(symlink(self, link));

	rx_expect_fail(AT_FDCWD, self, AT_SYMLINK_FOLLOW, EINVAL,
		       "unknown flag");
	rx_expect_fail(AT_FDCWD, link, AT_SYMLINK_NOFOLLOW, ELOOP,
		       "AT_SYMLINK_NOFOLLOW on a symlink");
	rx_expect_fail(AT_FDCWD, "no-such-program", 0, ENOENT,
		       "missing relative path");
	/* Linux 6.14 checks and execs nothing; older kernels say EINVAL. */
	errno = 0;
	printf("execveat AT_EXECVE_CHECK: %d, %s\n",
	       execveat(AT_FDCWD, self, args, environ, RX_EXECVE_CHECK),
	       strerror(errno));
	CHECK_OK(unlink(link));
	CHECK_OK(rmdir(dir));

	CHECK_OK(chdir(dirname(self)));
	printf("execveat: AT_FDCWD, relative path\n");
	fflush(stdout);
	execveat(AT_FDCWD, "reexec", args, environ, 0);
	tu_fail(__func__, "execveat AT_FDCWD reexec: %m");
}

int main(int argc, char **argv)
{
	const char *mode = tu_mode(argc, argv, "self");

	if (!strcmp(mode, "again"))
		return rx_again(argc, argv);
	if (!strcmp(mode, "self"))
		rx_self(argv[0]);
	else if (!strcmp(mode, "fd"))
		rx_fd(argv[0]);
	else if (!strcmp(mode, "execveat"))
		rx_execveat();
	tu_fail("main", "unknown mode %s", mode);
}
