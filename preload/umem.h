/*
 * Reading and writing the traced program's memory from the handler
 * without risking a fault: a bad pointer yields -EFAULT, as the kernel
 * would have returned for the syscall, instead of a SIGSEGV.
 */
#ifndef SYSWHO_UMEM_H
#define SYSWHO_UMEM_H

#include <stddef.h>
#include <stdint.h>

/*
 * The pid the copies name: this process's, as the image's handler knows
 * it without a syscall. Each image that links umem.c defines it.
 */
uint32_t umem_self_pid(void);

int umem_read(void *dst, const void *src, size_t len);
int umem_write(void *dst, const void *src, size_t len);

/*
 * The length of the string at SRC, or MAX when it has no NUL in its
 * first MAX bytes, or -EFAULT when it is not all readable.
 */
long umem_strnlen(const char *src, size_t max);

/*
 * Copy the string at SRC with its NUL into DST of SIZE bytes, as the
 * kernel copies a path: its length, -EFAULT, or -ENAMETOOLONG when it
 * does not fit.
 */
long umem_strcpy(char *dst, const char *src, size_t size);

#endif
