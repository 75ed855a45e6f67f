/*
 * cli.c - helpers shared by the syswho subcommands, see cli.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "profile.h"

void cli_error(const char *cmd, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "syswho: %s: %s\n", cmd, msg);
}

int cli_bad_option(const char *cmd, int c, char **argv, int optind_now,
		   int optopt_now)
{
	const char *arg = argv[optind_now - 1];
	const char *what =
	    c == ':' ? "option needs an argument" : "unknown option";

	/* A short option may hide in a cluster such as "-vx". */
	if (optopt_now && arg && arg[0] == '-' && arg[1] != '-')
		cli_error(cmd, "%s '-%c' (see syswho %s --help)", what,
			  optopt_now, cmd);
	else
		cli_error(cmd, "%s '%s' (see syswho %s --help)", what,
			  arg ? arg : "?", cmd);

	return CLI_EXIT_USAGE;
}

const char *cli_calls(long long n)
{
	return n == 1 ? "call" : "calls";
}

int cli_signalfd(const int *signals, size_t n, sigset_t *old,
		 struct error **err)
{
	sigset_t set;
	size_t i;
	int fd;

	sigemptyset(&set);
	for (i = 0; i < n; i++)
		sigaddset(&set, signals[i]);
	if (sigprocmask(SIG_BLOCK, &set, old) < 0)
		return error_set(err, errno, "block signals");

	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0) {
		error_set(err, errno, "signalfd");
		sigprocmask(SIG_SETMASK, old, NULL);
		return -1;
	}

	return fd;
}

static const char *cli_plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

int cli_check_output(const char *cmd, const char *path)
{
	char *copy = strdup(path);
	const char *dir;
	struct stat st;
	int e = 0;

	if (!copy) {
		cli_error(cmd, "write profile %s: out of memory", path);
		return -1;
	}
	/* dirname() takes "" and "dir/" for ".", which says nothing. */
	if (!*path || path[strlen(path) - 1] == '/') {
		cli_error(cmd, "write profile '%s': %s", path,
			  *path ? "names a directory, not a file"
				: "empty file name");
		free(copy);
		return -1;
	}

	/*
	 * The profile is renamed into place: a directory refuses that, and
	 * a device or a FIFO would be replaced by a file.
	 */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		cli_error(cmd, "write profile %s: %s", path,
			  S_ISDIR(st.st_mode) ? strerror(EISDIR)
					      : "not a regular file");
		free(copy);
		return -1;
	}
	dir = dirname(copy);
	if (stat(dir, &st) < 0)
		e = errno;
	else if (!S_ISDIR(st.st_mode))
		e = ENOTDIR;
	else if (access(dir, W_OK) < 0)
		e = errno;
	if (e)
		cli_error(cmd, "write profile %s: directory %s: %s", path, dir,
			  strerror(e));
	free(copy);

	return e ? -1 : 0;
}

int cli_write_profile(const char *cmd, const struct model *m, const char *path,
		      bool complete)
{
	struct model_summary sum;
	struct error *err = NULL;

	/*
	 * A file size limit the traced command was given is ours too: past
	 * it, the write must fail and say so, not kill syswho (run's command
	 * is done by now, and inherits nothing from here).
	 */
	signal(SIGXFSZ, SIG_IGN);
	if (profile_write(m, path, complete, &err) < 0) {
		cli_error(cmd, "%s", error_message(err));
		error_free(&err);
		return -1;
	}

	model_summarize(m, &sum);
	fprintf(stderr, "syswho: %zu %s, %zu %s, %zu %s -> %s\n", sum.processes,
		cli_plural(sum.processes, "process", "processes"), sum.syscalls,
		cli_plural(sum.syscalls, "syscall", "syscalls"), sum.libraries,
		cli_plural(sum.libraries, "library", "libraries"), path);

	return 0;
}

int cli_parse_format(const char *cmd, const char *arg, bool *json)
{
	if (strcmp(arg, "text") == 0) {
		*json = false;
	} else if (strcmp(arg, "json") == 0) {
		*json = true;
	} else {
		cli_error(cmd, "unknown format '%s' (expected text or json)",
			  arg);
		return -1;
	}

	return 0;
}
