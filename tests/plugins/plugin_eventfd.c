/*
 * plugin_eventfd.c - a plain plugin: eventfd2 and getpriority.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include "plugin.h"

int plugin_run(void)
{
	int fd = eventfd(7, EFD_CLOEXEC);
	eventfd_t value = 0;

	if (fd < 0 || eventfd_read(fd, &value) < 0 || value != 7) {
		perror("eventfd");
		return 1;
	}
	close(fd);
	printf("eventfd: ok\n");

	/* getpriority may legitimately return -1; only errno tells. */
	errno = 0;
	if (getpriority(PRIO_PROCESS, 0) == -1 && errno) {
		perror("getpriority");
		return 1;
	}
	printf("getpriority: ok\n");

	return 0;
}
