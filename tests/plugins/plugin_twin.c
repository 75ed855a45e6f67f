/*
 * plugin_twin.c - built twice, as plugin_twin_a.so and plugin_twin_b.so,
 * from the same source with the same flags, so that the two differ only
 * in their build-id. Loaded one after the other at the same address and
 * called from the same place in the host, every call of one makes exactly
 * the stack of return addresses a call of the other makes: only the
 * module that holds them tells the two apart.
 */
#include <unistd.h>

#include "plugin.h"

int plugin_run(void)
{
	return getppid() > 0 ? 0 : 1;
}
