/*
 * syscall_loop - the per-syscall cost workload: N getppid calls in a tight
 * loop; prints the mean cost of one call in nanoseconds.
 *
 * getppid is cheap and never served by the vDSO, so the figure is the
 * cost of the trap path itself under a tracer.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200000;
	struct timespec a, b;
	double ns;
	long i;

	if (n <= 0) {
		fprintf(stderr, "usage: syscall_loop [COUNT]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	clock_gettime(CLOCK_MONOTONIC, &b);

	ns = (double)(b.tv_sec - a.tv_sec) * 1e9 +
	     (double)(b.tv_nsec - a.tv_nsec);
	printf("%.1f\n", ns / (double)n);

	return 0;
}
