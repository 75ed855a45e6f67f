/*
 * syscalls.c - syscall names from libseccomp, see syscalls.h.
 */
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>

#include "syscalls.h"

/* libseccomp tokens are the AUDIT_ARCH values; 0 means x86_64 here. */
static uint32_t syscalls_arch(uint32_t arch)
{
	return arch ? arch : SYSCALLS_ARCH_X86_64;
}

int syscalls_name(uint32_t arch, uint32_t nr, char *buf, size_t cap)
{
	char *name;

	if (nr > INT32_MAX)
		return -1;

	name = seccomp_syscall_resolve_num_arch(syscalls_arch(arch), (int)nr);
	if (!name)
		return -1;

	snprintf(buf, cap, "%s", name);
	free(name);

	return 0;
}

int syscalls_number(uint32_t arch, const char *name)
{
	int nr = seccomp_syscall_resolve_name_arch(syscalls_arch(arch), name);

	/*
	 * Negative numbers are libseccomp's pseudo-syscalls: names that
	 * exist on some other arch but not this one.
	 */
	return nr < 0 ? -1 : nr;
}
