/*
 * plugin_thread.c - a plugin that makes its syscall from its own thread.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "plugin.h"

/* The thread prints nothing, so the transcript order stays fixed. */
static void *plugin_thread_main(void *arg)
{
	int fd = inotify_init1(IN_CLOEXEC);

	if (fd < 0)
		return (void *)(intptr_t)1;
	close(fd);

	return NULL;
}

int plugin_run(void)
{
	pthread_t thread;
	void *result = NULL;
	int err;

	err = pthread_create(&thread, NULL, plugin_thread_main, NULL);
	if (err) {
		fprintf(stderr, "pthread_create: %s\n", strerror(err));
		return 1;
	}
	pthread_join(thread, &result);
	if (result) {
		perror("inotify_init1");
		return 1;
	}
	printf("inotify: ok\n");

	return 0;
}
