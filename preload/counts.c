/*
 * Shared count tables. Each table has its own stride of the memfd, which
 * is sized once for every table a process may have: a sparse file, whose
 * pages exist only where a thread has counted. Where the program's file
 * size limit forbids that, it grows by fallocate instead (it never
 * shrinks, whatever order threads claim in). A table is never reused for
 * another thread, so what an exited thread counted stays readable until
 * the collector has read it.
 */
#include "counts.h"

#include "encode.h"
#include "gate.h"
#include "transport.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define COUNTS_PAGE 4096UL
#define COUNTS_STRIDE                                                          \
	((sizeof(struct agg_table) + COUNTS_PAGE - 1) & ~(COUNTS_PAGE - 1))
/* Limitation: past 4096 threads in one process, counts only stream. */
#define COUNTS_MAX 4096
/* Where syswho's descriptors go, as the collector socket does. */
#define COUNTS_FD_FLOOR 800

static int counts_fd = -1;
static uint32_t counts_next;
static bool counts_sized; /* the memfd holds every table already */

/*
 * A pidfd of this process, for the collector: it keeps the process's
 * exit status once its parent has reaped it, so a process killed by a
 * signal, which sends no Exit record, still has its signal in the
 * profile. It rides on the Tables record BUF of LEN bytes, sent again.
 */
static void counts_send_pidfd(const uint8_t *buf, size_t len)
{
	long pidfd = gate_call2(SYS_pidfd_open, gate_call0(SYS_getpid), 0);

	if (pidfd < 0)
		return;
	transport_send_fd(buf, len, (int)pidfd, 100);
	gate_call1(SYS_close, pidfd);
}

int counts_init(void)
{
	uint8_t buf[64];
	size_t len = 0;
	long fd, moved;
	int ret;

	fd = gate_call2(SYS_memfd_create, "syswho-counts", MFD_CLOEXEC);
	if (fd < 0)
		return (int)fd;
	/* Out of the program's way: its first open must still get 3. */
	moved = gate_call3(SYS_fcntl, fd, F_DUPFD_CLOEXEC, COUNTS_FD_FLOOR);
	if (moved >= 0) {
		gate_call1(SYS_close, fd);
		fd = moved;
	}
	ret = encode_tables(buf, sizeof(buf), &len, AGG_TABLES_MAGIC,
			    COUNTS_STRIDE, AGG_SLOTS, sizeof(struct agg_entry),
			    offsetof(struct agg_table, slots));
	if (ret == 0)
		ret = transport_send_fd(buf, len, (int)fd, 100);
	if (ret < 0) {
		gate_call1(SYS_close, fd);
		return ret;
	}

	counts_fd = (int)fd;
	counts_sized =
	    counts_fit(COUNTS_MAX * COUNTS_STRIDE) &&
	    gate_call2(SYS_ftruncate, fd, COUNTS_MAX * COUNTS_STRIDE) == 0;
	__atomic_store_n(&counts_next, 0, __ATOMIC_RELAXED);
	counts_send_pidfd(buf, len);
	return 0;
}

static struct agg_table *counts_private(void)
{
	long p = gate_call6(SYS_mmap, 0, sizeof(struct agg_table),
			    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0);

	return p < 0 && p > -4096 ? NULL : (struct agg_table *)p;
}

struct agg_table *counts_table_new(void)
{
	uint32_t i;
	long off, p;

	if (counts_fd < 0)
		return counts_private();
	i = __atomic_fetch_add(&counts_next, 1, __ATOMIC_RELAXED);
	if (i >= COUNTS_MAX)
		return counts_private();

	off = (long)(i * COUNTS_STRIDE);
	if (!counts_sized &&
	    (!counts_fit((unsigned long)off + COUNTS_STRIDE) ||
	     gate_call4(SYS_fallocate, counts_fd, 0, off, COUNTS_STRIDE) < 0))
		return counts_private();
	p = gate_call6(SYS_mmap, 0, COUNTS_STRIDE, PROT_READ | PROT_WRITE,
		       MAP_SHARED, counts_fd, off);
	if (p < 0 && p > -4096)
		return counts_private();

	return (struct agg_table *)p;
}

int counts_after_fork(void)
{
	if (counts_fd >= 0)
		gate_call1(SYS_close, counts_fd);
	counts_fd = -1;
	return counts_init();
}
