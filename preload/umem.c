/*
 * Fault-free copies through process_vm_readv/writev on our own pid.
 */
#include "umem.h"

#include "gate.h"

#include <errno.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#define UMEM_PAGE  4096UL
#define UMEM_CHUNK 256UL

static int umem_copy(long nr, void *local, void *remote, size_t len)
{
	struct iovec l = {.iov_base = local, .iov_len = len};
	struct iovec r = {.iov_base = remote, .iov_len = len};
	long n = gate_call6(nr, umem_self_pid(), &l, 1, &r, 1, 0);

	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EFAULT;
}

int umem_read(void *dst, const void *src, size_t len)
{
	return umem_copy(SYS_process_vm_readv, dst, (void *)src, len);
}

int umem_write(void *dst, const void *src, size_t len)
{
	return umem_copy(SYS_process_vm_writev, (void *)src, dst, len);
}

/*
 * Bytes to read at P: up to UMEM_CHUNK, never past the end of its page,
 * so that a string ending just before an unmapped page is still read.
 */
static size_t umem_chunk(const char *p)
{
	size_t left = UMEM_PAGE - ((uintptr_t)p & (UMEM_PAGE - 1));

	return left < UMEM_CHUNK ? left : UMEM_CHUNK;
}

/*
 * Scan the string at SRC chunk by chunk, copying it into DST when DST is
 * not NULL (MAX bytes): its length, or MAX when there is no NUL in its
 * first MAX bytes, or -EFAULT.
 */
static long umem_scan(char *dst, const char *src, size_t max)
{
	char buf[UMEM_CHUNK], *to;
	size_t len = 0, n, i;
	int ret;

	while (len < max) {
		n = umem_chunk(src + len);
		if (n > max - len)
			n = max - len;
		to = dst ? dst + len : buf;
		ret = umem_read(to, src + len, n);
		if (ret < 0)
			return ret;
		for (i = 0; i < n; i++)
			if (!to[i])
				return (long)(len + i);
		len += n;
	}

	return (long)max;
}

long umem_strnlen(const char *src, size_t max)
{
	return umem_scan(NULL, src, max);
}

long umem_strcpy(char *dst, const char *src, size_t size)
{
	long len = umem_scan(dst, src, size);

	return len == (long)size ? -ENAMETOOLONG : len;
}
