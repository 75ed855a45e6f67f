/*
 * syscall_loop - the per-syscall cost workload: N getppid calls in a tight
 * loop; prints the mean cost of one call in nanoseconds.
 *
 *	syscall_loop [--allow-all] [COUNT]
 *
 * getppid is cheap and never served by the vDSO, so the figure is the
 * cost of the trap path itself under a tracer. With --allow-all the loop
 * first installs a seccomp filter that allows everything: the price the
 * kernel asks of any filter, below which no seccomp-based tracer (nor
 * syswho's baseline mode) can go.
 */
#define _GNU_SOURCE
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int loop_allow_all(void)
{
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = {.len = 1, .filter = &allow};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
		perror("syscall_loop: install an allow-all seccomp filter");
		return -1;
	}

	return 0;
}

int main(int argc, char **argv)
{
	struct timespec a, b;
	double ns;
	long n, i;

	if (argc > 1 && strcmp(argv[1], "--allow-all") == 0) {
		if (loop_allow_all() < 0)
			return 1;
		argc--;
		argv++;
	}
	n = argc > 1 ? atol(argv[1]) : 200000;
	if (n <= 0) {
		fprintf(stderr, "usage: syscall_loop [--allow-all] [COUNT]\n");
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
