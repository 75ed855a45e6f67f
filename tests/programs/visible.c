/*
 * visible - what a program can see of its own process, which must be the
 * same under syswho as without it.
 *
 *	visible fd     the descriptor the first open() returns
 *	visible argv   exec itself with a NULL argv: the kernel gives the new
 *	               image argc 1 and an empty argv[0]
 *	visible env    the environment, one variable a line
 *	visible errno  the errno of malformed rt_sigaction and
 *	               rt_sigprocmask calls, which syswho answers itself
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "testutil.h"

extern char **environ;

static void vis_fd(void)
{
	int fd = open("/dev/null", O_RDONLY);

	CHECK(fd >= 0, "open /dev/null: %m");
	printf("first open: %d\n", fd);
}

/* Stage two of "argv" is told apart by its environment, having no argv. */
static void vis_argv(int argc, char **argv)
{
	char *envp[] = {"VISIBLE_STAGE=2", NULL};
	const char *stage = getenv("VISIBLE_STAGE");

	if (stage && !strcmp(stage, "2")) {
		printf("after exec with no argv: argc %d, argv[0] \"%s\"\n",
		       argc, argc > 0 ? argv[0] : "(none)");
		return;
	}
	fflush(stdout);
	/* glibc's execve would pass NULL through too; be explicit. */
	syscall(SYS_execve, "/proc/self/exe", NULL, envp);
	tu_fail(__func__, "execve /proc/self/exe with no argv: %m");
}

static void vis_env(void)
{
	char **e;

	/* Not "_": the shell sets it to the command it ran (syswho, traced). */
	for (e = environ; *e; e++)
		if (strncmp(*e, "_=", 2) != 0)
			printf("%s\n", *e);
}

/* One malformed signal call by number, and the errno it got. */
static void vis_errno_of(const char *what, long nr, long a, long b, long c,
			 long d)
{
	long ret;

	errno = 0;
	ret = syscall(nr, a, b, c, d);
	printf("%s: %ld %s\n", what, ret,
	       ret < 0 ? strerrorname_np(errno) : "");
}

/*
 * The kernel checks the set size, then reads the new action, then the
 * signal number: a bad signal with a bad pointer is EFAULT.
 */
static void vis_errno(void)
{
	const long bad = 1, size = 8;
	struct sigaction sa = {0};

	vis_errno_of("bad size", SYS_rt_sigaction, SIGUSR1, 0, 0, 4);
	vis_errno_of("bad signal, bad act", SYS_rt_sigaction, 0, bad, 0, size);
	vis_errno_of("bad signal", SYS_rt_sigaction, 0, 0, 0, size);
	vis_errno_of("signal 65", SYS_rt_sigaction, 65, 0, 0, size);
	vis_errno_of("SIGKILL", SYS_rt_sigaction, SIGKILL, (long)&sa, 0, size);
	vis_errno_of("SIGSYS, bad act", SYS_rt_sigaction, SIGSYS, bad, 0, size);
	vis_errno_of("SIGSYS, bad old", SYS_rt_sigaction, SIGSYS, 0, bad, size);
	vis_errno_of("mask, bad how", SYS_rt_sigprocmask, 7, (long)&sa.sa_mask,
		     0, size);
	vis_errno_of("mask, bad set", SYS_rt_sigprocmask, SIG_BLOCK, bad, 0,
		     size);
	vis_errno_of("mask, bad size", SYS_rt_sigprocmask, SIG_BLOCK, 0, 0, 4);
	vis_errno_of("sigsuspend, bad size", SYS_rt_sigsuspend,
		     (long)&sa.sa_mask, 4, 0, 0);
}

int main(int argc, char **argv)
{
	const char *stage = getenv("VISIBLE_STAGE");
	const char *mode = stage ? "argv" : tu_mode(argc, argv, "fd");

	if (!strcmp(mode, "fd"))
		vis_fd();
	else if (!strcmp(mode, "argv"))
		vis_argv(argc, argv);
	else if (!strcmp(mode, "env"))
		vis_env();
	else if (!strcmp(mode, "errno"))
		vis_errno();
	else
		tu_fail("main", "unknown mode %s", mode);

	return 0;
}
