/*
 * bench_threads [T] [N] - T threads each making N getppid calls at once: the
 * handler's per-thread tables under contention.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static long calls;

static void *threads_run(void *arg)
{
	long i;

	for (i = 0; i < calls; i++)
		syscall(SYS_getppid);
	return arg;
}

int main(int argc, char **argv)
{
	int t = argc > 1 ? atoi(argv[1]) : 8;
	pthread_t tid[64];
	int i;

	calls = argc > 2 ? atol(argv[2]) : 5000;
	if (t < 1 || t > 64) {
		fprintf(stderr, "threads: 1 to 64 threads\n");
		return 2;
	}
	for (i = 0; i < t; i++)
		if (pthread_create(&tid[i], NULL, threads_run, NULL) != 0)
			return 1;
	for (i = 0; i < t; i++)
		pthread_join(tid[i], NULL);

	return 0;
}
