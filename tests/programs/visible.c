/*
 * visible - what a program can see of its own process, which must be the
 * same under syswho as without it.
 *
 *	visible fd     the descriptor the first open() returns
 *	visible argv   exec itself with a NULL argv: the kernel gives the new
 *	               image argc 1 and an empty argv[0]
 *	visible env    the environment, one variable a line
 */
#define _GNU_SOURCE
#include <fcntl.h>
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
	else
		tu_fail("main", "unknown mode %s", mode);

	return 0;
}
