/*
 * policy_errno.c - errno names for --deny-errno and the policy formats,
 * see policy.h. Every format names the errno the same way the kernel
 * headers do, so a reader sees EPERM rather than 1.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

/* The errnos a deny action plausibly returns. */
static const struct {
	const char *name;
	int value;
} policy_errnos[] = {
    {"EPERM", EPERM},
    {"ENOENT", ENOENT},
    {"EINTR", EINTR},
    {"EIO", EIO},
    {"EBADF", EBADF},
    {"EAGAIN", EAGAIN},
    {"ENOMEM", ENOMEM},
    {"EACCES", EACCES},
    {"EFAULT", EFAULT},
    {"EBUSY", EBUSY},
    {"EEXIST", EEXIST},
    {"ENODEV", ENODEV},
    {"EINVAL", EINVAL},
    {"ENOTTY", ENOTTY},
    {"ENOSPC", ENOSPC},
    {"EROFS", EROFS},
    {"ENOSYS", ENOSYS},
    {"ENOTSUP", ENOTSUP},
    {"EAFNOSUPPORT", EAFNOSUPPORT},
    {"EPROTONOSUPPORT", EPROTONOSUPPORT},
};

const char *policy_errno_name(int e)
{
	size_t i;

	for (i = 0; i < sizeof(policy_errnos) / sizeof(*policy_errnos); i++)
		if (policy_errnos[i].value == e)
			return policy_errnos[i].name;

	return NULL;
}

int policy_parse_errno(const char *name, int *out)
{
	char *end;
	long v;
	size_t i;

	for (i = 0; i < sizeof(policy_errnos) / sizeof(*policy_errnos); i++) {
		if (strcmp(policy_errnos[i].name, name) == 0) {
			*out = policy_errnos[i].value;
			return 0;
		}
	}

	/* The kernel takes 1..4095 as an errno in SECCOMP_RET_ERRNO. */
	errno = 0;
	v = strtol(name, &end, 10);
	if (errno || end == name || *end || v < 1 || v > 4095)
		return -1;
	*out = (int)v;

	return 0;
}
