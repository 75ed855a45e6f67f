/*
 * The scalar arguments worth a policy: for the syscalls whose behaviour a
 * closed set of values selects (socket domains, fcntl commands, ioctl
 * requests, mmap protections...), which argument to keep. Pointers'
 * contents are never read.
 */
#ifndef SYSWHO_ARGS_H
#define SYSWHO_ARGS_H

#include <stdint.h>

#define ARGS_MAX 2

/*
 * For syscall NR (x86_64) called with ARGS, write up to ARGS_MAX argument
 * indexes to INDEX and their values to VALUES. Returns how many.
 */
int args_pick(int nr, const long *args, uint32_t *index, uint64_t *values);

#endif
