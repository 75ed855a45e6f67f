/*
 * static-spin - a statically linked program that makes N getppid calls,
 * says "spinning" and sleeps until it is killed.
 *
 *	static-spin N
 *
 * A static program has no libsyswho.so: its exec loader counts for it.
 * The test kills it with SIGKILL, so only counts the collector can read
 * without the program's help (the shared count table) reach the profile.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long i, n = argc > 1 ? atol(argv[1]) : 1000;

	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	printf("spinning\n");
	fflush(stdout);
	for (;;)
		pause();
}
