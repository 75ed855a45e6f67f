/*
 * exitinfo.h - how a traced process ended, when it could not say so.
 *
 * A process killed by a signal sends no Exit record, and only its parent
 * may wait for it. The collector asks the kernel instead: a pidfd opened
 * while the process ran keeps its exit status after it is reaped (Linux
 * 6.15, PIDFD_INFO_EXIT), and until then /proc/PID/stat shows it.
 */
#ifndef SYSWHO_EXITINFO_H
#define SYSWHO_EXITINFO_H

/* A pidfd of PID, or -1 (no pidfd support, or PID is gone). */
int exitinfo_open(int pid);

/* Whether FD is a pidfd the kernel can tell the exit status of. */
int exitinfo_is_pidfd(int fd);

/*
 * The wait status of the process PID ended with, from PIDFD (-1 for
 * none) or from its exiting task. 0 and *STATUS, or -1 when it is not
 * known (the process still runs, or was reaped and PIDFD cannot say).
 */
int exitinfo_status(int pidfd, int pid, int *status);

#endif
