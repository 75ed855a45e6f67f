/*
 * threads - syscalls from many threads at once.
 *
 *	threads pthreads   8 threads, started together, each doing pipe round
 *	                   trips and raw gettid
 *	threads clone      a raw clone(2) thread on its own stack, sharing the
 *	                   parent's TLS, calls sched_getparam and ends; the
 *	                   parent waits on the kernel's futex wake of its tid
 *	threads malloc     4 threads allocating and freeing, small and large
 *	                   (brk, mmap, munmap under malloc's own locks)
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "testutil.h"

#define TH_THREADS 8
#define TH_ROUNDS  200

static pthread_barrier_t th_start;

static void *th_worker(void *arg)
{
	long index = (long)(intptr_t)arg;
	int fds[2], round;
	long got;

	pthread_barrier_wait(&th_start);
	CHECK(syscall(SYS_gettid) != getpid(), "thread %ld has the pid", index);
	CHECK_OK(pipe(fds));
	for (round = 0; round < TH_ROUNDS; round++) {
		long want = index * TH_ROUNDS + round;

		CHECK(write(fds[1], &want, sizeof(want)) == sizeof(want),
		      "thread %ld: write: %m", index);
		CHECK(read(fds[0], &got, sizeof(got)) == sizeof(got),
		      "thread %ld: read: %m", index);
		CHECK(got == want, "thread %ld: read %ld, want %ld", index, got,
		      want);
	}
	close(fds[0]);
	close(fds[1]);

	return NULL;
}

static void th_pthreads(void)
{
	pthread_t threads[TH_THREADS];
	long i;

	CHECK_PT(pthread_barrier_init(&th_start, NULL, TH_THREADS));
	for (i = 0; i < TH_THREADS; i++)
		CHECK_PT(pthread_create(&threads[i], NULL, th_worker,
					(void *)(intptr_t)i));
	for (i = 0; i < TH_THREADS; i++)
		CHECK_PT(pthread_join(threads[i], NULL));
	pthread_barrier_destroy(&th_start);
	printf("pthreads: %d threads x %d round trips ok\n", TH_THREADS,
	       TH_ROUNDS);
}

#define TH_CLONE_STACK (256 * 1024)

static volatile int clone_tid;
static volatile long clone_result = -1;
static volatile long clone_tid_seen;

/*
 * Runs on a bare stack with the parent's TLS: it may only make raw
 * syscalls, and must not touch errno unless a call fails.
 */
static int th_clone_main(void *arg)
{
	struct sched_param param;

	clone_tid_seen = syscall(SYS_gettid);
	clone_result = syscall(SYS_sched_getparam, 0, &param);

	return 0;
}

static void th_clone(void)
{
	int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
		    CLONE_THREAD | CLONE_SYSVSEM | CLONE_PARENT_SETTID |
		    CLONE_CHILD_CLEARTID;
	char *stack;
	int tid, seen;

	stack = mmap(NULL, TH_CLONE_STACK, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	CHECK(stack != MAP_FAILED, "mmap stack: %m");

	tid = clone(th_clone_main, stack + TH_CLONE_STACK, flags, NULL,
		    &clone_tid, NULL, &clone_tid);
	CHECK_OK(tid);

	/* The kernel zeroes clone_tid and wakes it when the thread ends. */
	while ((seen = clone_tid) != 0)
		syscall(SYS_futex, &clone_tid, FUTEX_WAIT, seen, NULL, NULL, 0);

	CHECK(clone_result == 0, "sched_getparam in the clone returned %ld",
	      clone_result);
	CHECK(clone_tid_seen == tid, "clone saw tid %ld, clone returned %d",
	      clone_tid_seen, tid);
	CHECK(tid != getpid(), "clone thread has the pid");
	munmap(stack, TH_CLONE_STACK);
	printf("clone: thread ran sched_getparam and ended\n");
}

#define TH_MALLOC_THREADS 4
#define TH_MALLOC_ROUNDS  3000
#define TH_MALLOC_SLOTS	  64

/* Sizes from 16 bytes to 512 KiB, so both brk and mmap paths run. */
static size_t th_size(unsigned int *seed)
{
	unsigned int r = rand_r(seed);

	return r % 8 == 0 ? 128 * 1024 + r % (384 * 1024) : 16 + r % 4096;
}

static void *th_mallocer(void *arg)
{
	unsigned int seed = (unsigned int)(intptr_t)arg;
	unsigned char *slot[TH_MALLOC_SLOTS] = {NULL};
	size_t len[TH_MALLOC_SLOTS] = {0};
	int round, i;

	for (round = 0; round < TH_MALLOC_ROUNDS; round++) {
		i = rand_r(&seed) % TH_MALLOC_SLOTS;
		if (slot[i]) {
			CHECK(slot[i][0] == (unsigned char)i &&
				  slot[i][len[i] - 1] == (unsigned char)i,
			      "block %d was overwritten", i);
			free(slot[i]);
		}
		len[i] = th_size(&seed);
		slot[i] = malloc(len[i]);
		CHECK(slot[i], "malloc %zu: %m", len[i]);
		memset(slot[i], i, len[i]);
	}
	for (i = 0; i < TH_MALLOC_SLOTS; i++)
		free(slot[i]);

	return NULL;
}

static void th_malloc(void)
{
	pthread_t threads[TH_MALLOC_THREADS];
	long i;

	for (i = 0; i < TH_MALLOC_THREADS; i++)
		CHECK_PT(pthread_create(&threads[i], NULL, th_mallocer,
					(void *)(intptr_t)(i + 1)));
	th_mallocer((void *)(intptr_t)99);
	for (i = 0; i < TH_MALLOC_THREADS; i++)
		CHECK_PT(pthread_join(threads[i], NULL));
	printf("malloc: %d threads x %d allocations ok\n",
	       TH_MALLOC_THREADS + 1, TH_MALLOC_ROUNDS);
}

int main(int argc, char **argv)
{
	const char *mode = tu_mode(argc, argv, "pthreads");

	if (!strcmp(mode, "pthreads"))
		th_pthreads();
	else if (!strcmp(mode, "clone"))
		th_clone();
	else if (!strcmp(mode, "malloc"))
		th_malloc();
	else
		tu_fail("main", "unknown mode %s", mode);
	printf("threads %s: pass\n", mode);

	return 0;
}
