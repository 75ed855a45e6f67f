/*
 * The count tables of a process, kept in a memfd that the collector holds
 * too: when a process dies abruptly (SIGKILL, a crash), the collector
 * still reads every count it had made, sent or not.
 */
#ifndef SYSWHO_COUNTS_H
#define SYSWHO_COUNTS_H

#include "aggregate.h"
#include "gate.h"

#include <stdbool.h>
#include <sys/resource.h>
#include <sys/syscall.h>

/*
 * Whether the memfd may grow to END bytes: past RLIMIT_FSIZE, the kernel
 * would answer fallocate with SIGXFSZ, which kills the program. Asked
 * each time, since the program may change its limit.
 * Limitation: past the program's RLIMIT_FSIZE, counts only stream.
 */
static inline bool counts_fit(unsigned long end)
{
	struct rlimit lim;

	if (gate_call4(SYS_prlimit64, 0, RLIMIT_FSIZE, 0, (long)&lim) < 0)
		return false;

	return lim.rlim_cur == RLIM_INFINITY || end <= lim.rlim_cur;
}

/*
 * Create the memfd and hand it to the collector with a Tables record.
 * 0 or a negative errno (tables are then private and counts stream only).
 */
int counts_init(void);

/* A fresh, empty table for a new thread; NULL when none can be had. */
struct agg_table *counts_table_new(void);

/* In a forked child: the parent's tables are not ours; start anew. */
int counts_after_fork(void);

#endif
