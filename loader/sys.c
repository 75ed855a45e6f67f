/*
 * Freestanding helpers for the loader.
 */
#include "sys.h"

#include <errno.h>
#include <sys/syscall.h>

/* rep movsb: the loader copies whole pages of itself (exe.c). */
void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep movsb"
			 : "+D"(d), "+S"(src), "+c"(n)
			 :
			 : "memory");
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

char *strcpy(char *dst, const char *src)
{
	memcpy(dst, src, strlen(src) + 1);
	return dst;
}

char *strstr(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncmp(hay, needle, n) == 0)
			return (char *)hay;
	return n ? NULL : (char *)hay;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

size_t sys_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = 0;

	while (n + 1 < size && src[n]) {
		dst[n] = src[n];
		n++;
	}
	if (size)
		dst[n] = '\0';
	return n;
}

static void sys_put(const char *s)
{
	gate_call3(SYS_write, 2, s, strlen(s));
}

size_t sys_utoa(char *buf, unsigned long v)
{
	char num[24];
	int i = (int)sizeof(num);
	size_t n;

	do {
		num[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	n = sizeof(num) - (size_t)i;
	memcpy(buf, num + i, n);
	buf[n] = '\0';

	return n;
}

/* A decimal errno, for the one case with no message table at hand. */
static void sys_put_errno(long err)
{
	char num[24];

	sys_utoa(num, (unsigned long)(err < 0 ? -err : err));
	sys_put(" (errno ");
	sys_put(num);
	sys_put(")");
}

void sys_die(int code, const char *what, const char *detail, long err)
{
	sys_put("syswho-loader: ");
	sys_put(what);
	if (detail) {
		sys_put(" ");
		sys_put(detail);
	}
	if (err)
		sys_put_errno(err);
	sys_put("\n");
	for (;;)
		gate_call1(SYS_exit_group, code);
}

long sys_pread_all(int fd, void *buf, size_t len, uint64_t offset)
{
	size_t done = 0;

	while (done < len) {
		long n = gate_call4(SYS_pread64, fd, (char *)buf + done,
				    len - done, offset + done);

		if (n == -EINTR)
			continue;
		if (n < 0)
			return n;
		if (n == 0)
			return -ENOEXEC;
		done += (size_t)n;
	}
	return 0;
}
