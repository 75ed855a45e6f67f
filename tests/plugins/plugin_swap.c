/*
 * plugin_swap.c - built twice, as plugin_a.so and plugin_b.so.
 *
 * The host loads plugin_a, unloads it, then loads plugin_b, which is the
 * same size and so usually lands at the address plugin_a left. A module
 * table that is not refreshed after dlclose would credit plugin_b's calls
 * to plugin_a. Both make the same umask calls (owned by each in turn) and
 * one call of their own: mincore for plugin_a, sched_getscheduler for
 * plugin_b.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin.h"

#ifdef PLUGIN_SWAP_B
#define SWAP_NAME "plugin_b"

static int swap_own_call(void)
{
	return sched_getscheduler(0) < 0 ? -1 : 0;
}
#else
#define SWAP_NAME "plugin_a"

/* The page holding this function is mapped, so mincore must succeed. */
static int swap_own_call(void)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned long addr = (unsigned long)swap_own_call & ~(page - 1);
	unsigned char vec;

	return mincore((void *)addr, page, &vec);
}
#endif

int plugin_run(void)
{
	mode_t old = umask(022);

	umask(old);
	if (swap_own_call() < 0) {
		perror(SWAP_NAME);
		return 1;
	}
	printf("%s: ok\n", SWAP_NAME);

	return 0;
}
