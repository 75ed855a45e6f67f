/*
 * exitinfo.c - a process's exit status, read by someone who is not its
 * parent.
 */
#include "exitinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Linux 6.15's pidfd ioctl, not in older headers; version 0 of it. */
struct exitinfo_pidfd_info {
	uint64_t mask;
	uint64_t cgroupid;
	uint32_t ids[11]; /* pid, tgid, ppid and the credentials */
	int32_t exit_code;
};

#define EXITINFO_GET_INFO   _IOWR(0xFF, 11, struct exitinfo_pidfd_info)
#define EXITINFO_INFO_EXIT  (1ULL << 3)
#define EXITINFO_PF_EXITING 0x4u
#define EXITINFO_TRIES	    50 /* 1 ms apart */

int exitinfo_open(int pid)
{
	if (pid <= 0)
		return -1;
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

int exitinfo_is_pidfd(int fd)
{
	struct exitinfo_pidfd_info info;

	memset(&info, 0, sizeof(info));
	/* ESRCH: a pidfd of a process already reaped (only pidfds say so). */
	return ioctl(fd, EXITINFO_GET_INFO, &info) == 0 || errno == ESRCH;
}

/*
 * Fields 3 (state), 9 (flags) and 52 (exit_code, a wait status) of
 * /proc/PID/stat. The task must be exiting: a pid reused by a live
 * process has neither the flag nor a status.
 */
static int exitinfo_from_stat(int pid, int *status)
{
	char path[64], buf[1024], *p;
	unsigned int flags = 0;
	int field, code = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	/* Reaped between the open and the read. */
	if (n < 0 && errno == ESRCH)
		return -ENOENT;
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* The command name may hold anything but ends at the last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	for (field = 2; *p && field < 52; p++) {
		if (*p != ' ')
			continue;
		field++;
		if (field == 9)
			sscanf(p + 1, "%u", &flags);
	}
	if (field != 52 || sscanf(p, "%d", &code) != 1)
		return -1;
	if (!(flags & EXITINFO_PF_EXITING) || code == 0)
		return -1;
	*status = code;

	return 0;
}

/* 0 with *STATUS; -ENOTTY where the kernel has no such ioctl; else -1. */
static int exitinfo_from_pidfd(int pidfd, int *status)
{
	struct exitinfo_pidfd_info info;

	memset(&info, 0, sizeof(info));
	info.mask = EXITINFO_INFO_EXIT;
	if (ioctl(pidfd, EXITINFO_GET_INFO, &info) < 0)
		return errno == ENOTTY || errno == EINVAL ? -ENOTTY : -1;
	if (!(info.mask & EXITINFO_INFO_EXIT))
		return -1;
	*status = info.exit_code;

	return 0;
}

int exitinfo_status(int pidfd, int pid, int *status)
{
	struct timespec ms = {.tv_nsec = 1000000};
	int tries, ret;

	for (tries = 0;; tries++) {
		if (pidfd >= 0) {
			ret = exitinfo_from_pidfd(pidfd, status);
			if (ret == 0)
				return 0;
			/* A kernel before 6.15: waiting would tell nothing. */
			if (ret == -ENOTTY)
				pidfd = -1;
		}
		ret = pid > 0 ? exitinfo_from_stat(pid, status) : -1;
		if (ret == 0)
			return 0;
		/*
		 * Gone from /proc while the pidfd does not know yet: the
		 * parent is reaping it right now, and the pidfd is told last.
		 */
		if (ret != -ENOENT || pidfd < 0 || tries >= EXITINFO_TRIES)
			return -1;
		nanosleep(&ms, NULL);
	}
}
