/*
 * plugin-host - load plugins after start-up, the way a program with
 * extensions does, and make a few syscalls of its own.
 *
 *	plugin-host [--exit N] [--dlclose] [--chdir DIR] [--runs N,...]
 *		    PLUGIN.so...
 *
 * Each plugin is opened with dlopen, its plugin_run() called when it has
 * one (after a move to DIR with --chdir, which leaves a plugin opened by a
 * relative path named relative to another directory) and, with
 * --dlclose, unloaded again before the next is opened. --runs gives how
 * many times each plugin in turn is run (once when not given), always
 * from the same call in the host. The host then calls sysinfo and
 * getrusage itself and exits with N (0 by default). The transcript names
 * plugins by their file name only, so it is the same from any build
 * directory, with or without syswho; with --dlclose, where each
 * plugin_run was, which differs from run to run, goes to stderr.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "testutil.h"

#define HOST_RUNS_MAX 16

struct host_opts {
	int exit_code;
	int dlclose;
	const char *chdir;
	int runs[HOST_RUNS_MAX];
	int nruns;
	int first;
};

static void host_usage(void)
{
	fprintf(stderr,
		"usage: plugin-host [--exit N] [--dlclose] [--chdir DIR] "
		"[--runs N,...] PLUGIN...\n");
	exit(2);
}

/* "3,5": run the first plugin 3 times, the second 5. */
static void host_parse_runs(const char *list, struct host_opts *o)
{
	char *end;

	do {
		long n = strtol(list, &end, 10);

		if (end == list || n < 0 || o->nruns == HOST_RUNS_MAX ||
		    (*end && *end != ','))
			host_usage();
		o->runs[o->nruns++] = (int)n;
		list = end + 1;
	} while (*end);
}

static void host_parse(int argc, char **argv, struct host_opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--exit") && i + 1 < argc)
			o->exit_code = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--dlclose"))
			o->dlclose = 1;
		else if (!strcmp(argv[i], "--chdir") && i + 1 < argc)
			o->chdir = argv[++i];
		else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			host_parse_runs(argv[++i], o);
		else if (!strcmp(argv[i], "--"))
			break;
		else
			host_usage();
	}
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	o->first = i;
}

/* Unload and make sure the loader really dropped the object. */
static void host_unload(void *handle, const char *path, const char *name)
{
	CHECK(dlclose(handle) == 0, "dlclose %s: %s", name, dlerror());
	CHECK(dlopen(path, RTLD_NOW | RTLD_NOLOAD) == NULL,
	      "%s is still loaded after dlclose", name);
	printf("host: unloaded %s\n", name);
}

static void host_run_plugin(const char *path, int runs,
			    const struct host_opts *o)
{
	char *copy = strdup(path);
	const char *name = basename(copy);
	int (*run)(void);
	void *handle;
	int k;

	printf("host: loading %s\n", name);
	handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	CHECK(handle, "dlopen: %s", dlerror());
	if (o->chdir)
		CHECK_OK(chdir(o->chdir));

	run = (int (*)(void))dlsym(handle, "plugin_run");
	/* With --dlclose the next plugin may land here: say where it was. */
	if (run && o->dlclose)
		fprintf(stderr, "host: %s: plugin_run at %p\n", name,
			(void *)run);
	if (!run)
		printf("host: %s has no plugin_run\n", name);
	for (k = 0; run && k < runs; k++)
		CHECK(run() == 0, "%s: plugin_run failed", name);

	if (o->dlclose)
		host_unload(handle, path, name);
	free(copy);
}

/* The host's own calls, made after every plugin ran. */
static void host_own_calls(void)
{
	struct sysinfo info;
	struct rusage usage;

	CHECK_OK(sysinfo(&info));
	CHECK(info.uptime > 0, "sysinfo reports an uptime of %ld", info.uptime);
	printf("host: sysinfo ok\n");

	CHECK_OK(getrusage(RUSAGE_SELF, &usage));
	printf("host: getrusage ok\n");
}

int main(int argc, char **argv)
{
	struct host_opts opts;
	int i;

	host_parse(argc, argv, &opts);
	printf("host: start, %d plugin(s)\n", argc - opts.first);

	for (i = opts.first; i < argc; i++) {
		int n = i - opts.first;

		host_run_plugin(argv[i], n < opts.nruns ? opts.runs[n] : 1,
				&opts);
	}

	host_own_calls();
	printf("host: exit %d\n", opts.exit_code);

	return opts.exit_code;
}
