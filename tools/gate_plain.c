/*
 * The command line runs outside any filter: the checks it shares with the
 * library (preload/execcheck.c) make their "gate" calls as plain syscalls.
 */
#include "gate.h"

#include <errno.h>
#include <unistd.h>

long gate_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	long ret = syscall(nr, a1, a2, a3, a4, a5, a6);

	return ret < 0 ? -errno : ret;
}
