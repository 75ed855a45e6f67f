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

#endif
