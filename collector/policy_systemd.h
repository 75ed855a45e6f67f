/*
 * policy_systemd.h - systemd's syscall groups (policy_systemd_groups.c).
 */
#ifndef SYSWHO_POLICY_SYSTEMD_H
#define SYSWHO_POLICY_SYSTEMD_H

#include <stddef.h>

struct policy_systemd_group {
	const char *name;
	const char *const *members; /* NULL-terminated, groups expanded */
};

extern const struct policy_systemd_group policy_systemd_groups[];
extern const size_t policy_systemd_n_groups;

#endif
