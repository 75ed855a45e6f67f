/*
 * static-spin - a statically linked program that makes N getppid calls,
 * says "spinning" and sleeps until it is killed.
 *
 *	static-spin N
 *	static-spin env    print the environment, one variable a line
 *
 * A static program has no libsyswho.so: its exec loader counts for it.
 * The test kills it with SIGKILL, so only counts the collector can read
 * without the program's help (the shared count table) reach the profile.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	long i, n = argc > 1 ? atol(argv[1]) : 1000;
	char **e;

	if (argc > 1 && !strcmp(argv[1], "env")) {
		/* Not "_": the shell sets it to the command it ran. */
		for (e = environ; *e; e++)
			if (strncmp(*e, "_=", 2) != 0)
				printf("%s\n", *e);
		return 0;
	}
	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	printf("spinning\n");
	fflush(stdout);
	for (;;)
		pause();
}
