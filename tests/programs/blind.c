/*
 * blind - the calls seccomp never sees, made next to ones it does.
 *
 *	blind
 *
 * A hundred clock_gettime calls through libc (served by the vDSO, no
 * syscall) and one through syscall(2); an io_uring whose ring opens and
 * reads a file without an openat or read syscall of its own (skipped,
 * with the same words natively and traced, where the kernel refuses
 * io_uring). Under syswho the program behaves as natively, and the
 * profile holds one clock_gettime, and no openat or read of the
 * program's, while io_uring_setup and io_uring_enter are there.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

static void blind_clocks(void)
{
	struct timespec a, b;
	int i;

	for (i = 0; i < 100; i++)
		CHECK_OK(clock_gettime(CLOCK_MONOTONIC, &a));
	CHECK_OK(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b));
	CHECK(b.tv_sec > a.tv_sec ||
		  (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec),
	      "the clock went back");
	printf("clocks: ok\n");
}

struct blind_ring {
	int fd;
	struct io_uring_params p;
	unsigned char *sq, *cq;
	struct io_uring_sqe *sqes;
};

/* Submit SQE and wait for its completion; its result. */
static int blind_submit(struct blind_ring *r, const struct io_uring_sqe *sqe)
{
	unsigned *tail = (unsigned *)(r->sq + r->p.sq_off.tail);
	unsigned *mask = (unsigned *)(r->sq + r->p.sq_off.ring_mask);
	unsigned *array = (unsigned *)(r->sq + r->p.sq_off.array);
	unsigned *chead = (unsigned *)(r->cq + r->p.cq_off.head);
	unsigned *ctail = (unsigned *)(r->cq + r->p.cq_off.tail);
	unsigned *cmask = (unsigned *)(r->cq + r->p.cq_off.ring_mask);
	struct io_uring_cqe *cqes =
	    (struct io_uring_cqe *)(r->cq + r->p.cq_off.cqes);
	unsigned t = *tail, h;
	int res;

	r->sqes[t & *mask] = *sqe;
	array[t & *mask] = t & *mask;
	__atomic_store_n(tail, t + 1, __ATOMIC_RELEASE);
	CHECK(syscall(SYS_io_uring_enter, r->fd, 1, 1, IORING_ENTER_GETEVENTS,
		      NULL, 0) == 1,
	      "io_uring_enter: %m");
	h = *chead;
	CHECK(h != __atomic_load_n(ctail, __ATOMIC_ACQUIRE), "no completion");
	res = cqes[h & *cmask].res;
	__atomic_store_n(chead, h + 1, __ATOMIC_RELEASE);

	return res;
}

static void blind_io_uring(void)
{
	struct blind_ring r;
	struct io_uring_sqe sqe;
	char buf[64] = "";
	int fd, n;

	memset(&r, 0, sizeof(r));
	r.fd = (int)syscall(SYS_io_uring_setup, 4, &r.p);
	if (r.fd < 0) {
		CHECK(errno == ENOSYS || errno == EPERM, "io_uring_setup: %m");
		printf("io_uring: unavailable\n");
		return;
	}
	r.sq = mmap(NULL, r.p.sq_off.array + r.p.sq_entries * sizeof(unsigned),
		    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r.fd,
		    IORING_OFF_SQ_RING);
	r.cq =
	    mmap(NULL,
		 r.p.cq_off.cqes + r.p.cq_entries * sizeof(struct io_uring_cqe),
		 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r.fd,
		 IORING_OFF_CQ_RING);
	r.sqes = mmap(NULL, r.p.sq_entries * sizeof(struct io_uring_sqe),
		      PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r.fd,
		      IORING_OFF_SQES);
	CHECK(r.sq != MAP_FAILED && r.cq != MAP_FAILED && r.sqes != MAP_FAILED,
	      "mmap the rings: %m");

	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_OPENAT;
	sqe.fd = AT_FDCWD;
	sqe.addr = (unsigned long)"/proc/self/comm";
	sqe.open_flags = O_RDONLY | O_CLOEXEC;
	fd = blind_submit(&r, &sqe);
	CHECK(fd >= 0, "io_uring openat: %s", strerror(-fd));

	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_READ;
	sqe.fd = fd;
	sqe.addr = (unsigned long)buf;
	sqe.len = sizeof(buf) - 1;
	n = blind_submit(&r, &sqe);
	CHECK(n > 0, "io_uring read: %s", strerror(-n));
	CHECK(strncmp(buf, "blind", 5) == 0, "read '%s' from comm", buf);
	close(fd);
	close(r.fd);
	printf("io_uring: opened and read %.5s\n", buf);
}

int main(void)
{
	blind_clocks();
	blind_io_uring();

	return 0;
}
