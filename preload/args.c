/*
 * Which arguments are kept, per syscall.
 */
#include "args.h"

#include <stddef.h>
#include <sys/syscall.h>

struct args_rule {
	int nr;
	int8_t index[ARGS_MAX]; /* -1: none */
};

static const struct args_rule args_rules[] = {
    {SYS_socket, {0, 1}},  {SYS_fcntl, {1, -1}},	 {SYS_ioctl, {1, -1}},
    {SYS_prctl, {0, -1}},  {SYS_personality, {0, -1}},	 {SYS_clone, {0, -1}},
    {SYS_mmap, {2, -1}},   {SYS_mprotect, {2, -1}},	 {SYS_open, {1, -1}},
    {SYS_openat, {2, -1}}, {SYS_clock_gettime, {0, -1}},
};

int args_pick(int nr, const long *args, uint32_t *index, uint64_t *values)
{
	size_t r;
	int i, n = 0;

	for (r = 0; r < sizeof(args_rules) / sizeof(*args_rules); r++) {
		if (args_rules[r].nr != nr)
			continue;
		for (i = 0; i < ARGS_MAX && args_rules[r].index[i] >= 0; i++) {
			index[n] = (uint32_t)args_rules[r].index[i];
			values[n++] = (uint64_t)args[args_rules[r].index[i]];
		}
		break;
	}

	return n;
}
