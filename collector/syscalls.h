/*
 * syscalls.h - syscall names and numbers, through libseccomp's tables.
 */
#ifndef SYSWHO_SYSCALLS_H
#define SYSWHO_SYSCALLS_H

#include <stddef.h>
#include <stdint.h>

/* AUDIT_ARCH_X86_64, the arch every profile defaults to. */
#define SYSCALLS_ARCH_X86_64 0xc000003eu

/*
 * Write the name of syscall NR of ARCH (an AUDIT_ARCH_* value, 0 for
 * x86_64) into BUF. Returns 0, or -1 when the number has no name there.
 */
int syscalls_name(uint32_t arch, uint32_t nr, char *buf, size_t cap);

/*
 * The number of syscall NAME on ARCH, or -1 when ARCH has no such
 * syscall.
 */
int syscalls_number(uint32_t arch, const char *name);

#endif
