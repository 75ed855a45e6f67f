/*
 * plugin_ctor.c - a plugin whose constructor makes a syscall.
 *
 * The constructor runs inside dlopen, below the loader's frames: syswho
 * must still name this plugin, not the loader or the host, as its owner.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "plugin.h"

static int ctor_timerfd = -1;

__attribute__((constructor)) static void plugin_ctor_init(void)
{
	ctor_timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
}

/* Lock and unlock an anonymous memory file: no path, no openat. */
static int plugin_ctor_flock(void)
{
	int fd = memfd_create("syswho-test", MFD_CLOEXEC);
	int ret = -1;

	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX) == 0 && flock(fd, LOCK_UN) == 0)
		ret = 0;
	close(fd);

	return ret;
}

int plugin_run(void)
{
	if (ctor_timerfd < 0) {
		perror("timerfd_create in constructor");
		return 1;
	}
	close(ctor_timerfd);
	printf("timerfd: ok\n");

	if (plugin_ctor_flock() < 0) {
		perror("flock");
		return 1;
	}
	printf("flock: ok\n");

	return 0;
}
