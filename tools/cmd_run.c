/*
 * cmd_run.c - "syswho run": start a command with libsyswho.so preloaded,
 * collect what all its processes report, write the profile, and exit
 * with the command's status.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "execcheck.h"
#include "execprep.h"
#include "log.h"
#include "model.h"
#include "profile.h"
#include "server.h"
#include "syscalls.h"

#ifndef SYSWHO_INSTALL_LIBDIR
#define SYSWHO_INSTALL_LIBDIR "/usr/local/lib/syswho"
#endif
/* The library's install dir relative to the program's, for a moved tree. */
#ifndef SYSWHO_LIBDIR_FROM_BINDIR
#define SYSWHO_LIBDIR_FROM_BINDIR "../lib/syswho"
#endif

/* syswho's own failures, apart from the command's statuses. */
#define RUN_EXIT_FAILURE 125

/* How long to wait for descendants once the command itself has exited. */
#define RUN_DRAIN_MS 2000

struct run_opts {
	const char *output;
	char *runtime;	/* --runtime globs joined with ':' */
	char *baseline; /* --baseline: syscall numbers joined with ',' */
	size_t n_baseline;
	const char *baseline_path;
	char **cmd;
};

/* The state the signal callback needs. */
struct run_child {
	pid_t pid;
	int sig_fd;
	bool reaped;
	int status;
};

static void run_usage(void)
{
	printf(
	    "usage: syswho run [-o PROFILE] [--runtime GLOB]... "
	    "[--baseline PROFILE] [-v] "
	    "[--] CMD [ARG]...\n"
	    "Run CMD with libsyswho.so preloaded and write which module "
	    "of each of its\nprocesses makes each system call to PROFILE.\n"
	    "\n"
	    "  -o, --output PROFILE  profile to write (default ./syswho.db)\n"
	    "  -r, --runtime GLOB    treat modules matching GLOB as runtime\n"
	    "                        (interpreters, frameworks); repeatable\n"
	    "  -b, --baseline PROFILE  let the kernel allow, untraced, every "
	    "syscall\n                        PROFILE holds; trace only new "
	    "ones\n"
	    "  -v, --verbose         log more (repeat for debug)\n\n"
	    "Exits with CMD's status (128+N when a signal N killed it), "
	    "127 when CMD\ncannot be found, 126 when it cannot be executed "
	    "and 125 when syswho fails.\n");
}

/* Append GLOB to the ':'-separated list *LIST. */
static int run_add_runtime(char **list, const char *glob)
{
	char *joined;

	if (asprintf(&joined, "%s%s%s", *list ? *list : "", *list ? ":" : "",
		     glob) < 0)
		return -1;
	free(*list);
	*list = joined;

	return 0;
}

/*
 * --baseline PROFILE: the x86_64 syscall numbers PROFILE holds, for the
 * filter to allow without a trap. -1 with the error said.
 */
static int run_load_baseline(struct run_opts *o, const char *path)
{
	bool seen[1024] = {false};
	struct error *err = NULL;
	struct model m;
	size_t i, len = 0;
	int ret = 0;

	model_init(&m);
	if (profile_load(path, &m, &err) < 0) {
		cli_error("run", "--baseline: %s", error_message(err));
		error_free(&err);
		model_free(&m);
		return -1;
	}
	for (i = 0; i < m.n_sites; i++)
		if (m.sites[i].arch == SYSCALLS_ARCH_X86_64 &&
		    m.sites[i].nr < 1024)
			seen[m.sites[i].nr] = true;
	model_free(&m);

	free(o->baseline);
	o->baseline = calloc(1024, 6);
	o->n_baseline = 0;
	for (i = 0; o->baseline && i < 1024; i++) {
		if (!seen[i])
			continue;
		len += (size_t)sprintf(o->baseline + len, "%s%zu",
				       len ? "," : "", i);
		o->n_baseline++;
	}
	if (!o->baseline) {
		cli_error("run", "out of memory");
		ret = -1;
	}
	o->baseline_path = path;

	return ret;
}

/* Returns -1 to go on, else the exit status of syswho. */
static int run_parse(int argc, char **argv, struct run_opts *o)
{
	static const struct option opts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"runtime", required_argument, NULL, 'r'},
	    {"baseline", required_argument, NULL, 'b'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	/* "+" stops at CMD, so that its own options stay its own. */
	while ((c = getopt_long(argc, argv, "+:o:r:b:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->output = optarg;
			break;
		case 'r':
			if (run_add_runtime(&o->runtime, optarg) < 0) {
				cli_error("run", "out of memory");
				return RUN_EXIT_FAILURE;
			}
			break;
		case 'b':
			if (run_load_baseline(o, optarg) < 0)
				return CLI_EXIT_USAGE;
			break;
		case 'v':
			log_louder(1);
			break;
		case 'h':
			run_usage();
			return 0;
		default:
			return cli_bad_option("run", c, argv, optind, optopt);
		}
	}
	if (optind >= argc) {
		cli_error("run", "no command to run (see syswho run --help)");
		return CLI_EXIT_USAGE;
	}
	o->cmd = argv + optind;

	return -1;
}

/* Whether PATH is a readable file; its absolute form goes to OUT. */
static bool run_try_library(const char *path, char *out)
{
	return access(path, R_OK) == 0 && realpath(path, out) != NULL;
}

/*
 * Find libsyswho.so: $SYSWHO_LIBRARY; beside the syswho binary, in a
 * build tree (bin/../lib) or in an install tree wherever it was moved
 * (bin/../lib/syswho, from the install rules); then the configured
 * install dir.
 */
static int run_find_library(char *out, struct error **err)
{
	char exe[PATH_MAX], built[PATH_MAX + 32], moved[PATH_MAX + 64];
	const char *env = getenv("SYSWHO_LIBRARY");
	const char *installed = SYSWHO_INSTALL_LIBDIR "/libsyswho.so";
	const char *dir;
	ssize_t n;

	if (env && *env) {
		if (run_try_library(env, out))
			return 0;
		return error_set(err, errno, "SYSWHO_LIBRARY=%s", env);
	}

	built[0] = moved[0] = '\0';
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		dir = dirname(exe);
		snprintf(built, sizeof(built), "%s/../lib/libsyswho.so", dir);
		if (run_try_library(built, out))
			return 0;
		snprintf(moved, sizeof(moved), "%s/%s/libsyswho.so", dir,
			 SYSWHO_LIBDIR_FROM_BINDIR);
		if (run_try_library(moved, out))
			return 0;
	}
	if (run_try_library(installed, out))
		return 0;

	return error_set(err, ENOENT,
			 "cannot find libsyswho.so (tried %s, %s and %s; "
			 "set SYSWHO_LIBRARY)",
			 built, moved, installed);
}

/* A private directory for the socket: under $XDG_RUNTIME_DIR or /tmp. */
static char *run_make_dir(struct error **err)
{
	const char *base = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	char *dir;

	/* The socket path must fit in sockaddr_un, whatever the base. */
	if (!base || !*base || stat(base, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    access(base, W_OK) < 0 ||
	    strlen(base) + sizeof("/syswho.XXXXXX/collector.sock") >
		sizeof(((struct sockaddr_un *)0)->sun_path))
		base = "/tmp";
	if (asprintf(&dir, "%s/syswho.XXXXXX", base) < 0) {
		error_set(err, ENOMEM, "temporary directory");
		return NULL;
	}
	if (!mkdtemp(dir)) {
		error_set(err, errno, "create %s", dir);
		free(dir);
		return NULL;
	}

	return dir;
}

/* In the child: set up the environment the library reads. */
/*
 * Name, for the library, the variables the command gets only from syswho:
 * it takes them out again, so the command sees the environment it would
 * have had (EXEC_INJECTED_VAR, preload/execprep.h).
 */
static int run_note_injected(const struct run_opts *o)
{
	const char *vars[] = {"LD_PRELOAD", "SYSWHO_COLLECTOR",
			      o->runtime ? "SYSWHO_RUNTIME" : NULL,
			      o->baseline ? "SYSWHO_BASELINE" : NULL};
	char list[128] = "";
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(*vars); i++) {
		if (!vars[i] || getenv(vars[i]))
			continue;
		if (list[0])
			strcat(list, ":");
		strcat(list, vars[i]);
	}

	return setenv(EXEC_INJECTED_VAR, list, 1);
}

static int run_child_env(const struct run_opts *o, const char *lib,
			 const char *sock)
{
	const char *old = getenv("LD_PRELOAD");
	char *preload;

	if (asprintf(&preload, "%s%s%s", lib, old && *old ? ":" : "",
		     old && *old ? old : "") < 0)
		return -1;
	if (run_note_injected(o) < 0 || setenv("LD_PRELOAD", preload, 1) < 0 ||
	    setenv("SYSWHO_COLLECTOR", sock, 1) < 0 ||
	    (o->runtime && setenv("SYSWHO_RUNTIME", o->runtime, 1) < 0) ||
	    (o->baseline && setenv("SYSWHO_BASELINE", o->baseline, 1) < 0))
		return -1;
	free(preload);

	return 0;
}

/*
 * In the child: where execvp would find CMD, in OUT. -1 with errno set as
 * execvp would (ENOENT, or EACCES when a candidate was not executable).
 */
static int run_resolve(const char *cmd, char *out)
{
	const char *path = getenv("PATH");
	const char *dir, *end;
	int err = ENOENT;
	struct stat st;

	if (strchr(cmd, '/')) {
		if (snprintf(out, PATH_MAX, "%s", cmd) >= PATH_MAX)
			return errno = ENAMETOOLONG, -1;
		return 0;
	}
	for (dir = path && *path ? path : "/bin:/usr/bin"; dir; dir = end) {
		size_t n;

		end = strchr(dir, ':');
		n = end ? (size_t)(end - dir) : strlen(dir);
		if (end)
			end++;
		if (snprintf(out, PATH_MAX, "%.*s%s%s", (int)n, dir,
			     n ? "/" : "", cmd) >= PATH_MAX)
			continue;
		if (stat(out, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(out, X_OK) == 0)
				return 0;
			err = EACCES;
		}
	}

	errno = err;
	return -1;
}

/*
 * In the child: start CMD through syswho-loader (beside the library), so
 * that it is traced from its first instruction; without the loader, as a
 * plain exec traced from the library's constructor on.
 */
static void run_exec(const struct run_opts *o, const char *lib)
{
	char loader[PATH_MAX], target[PATH_MAX];
	size_t argc = 0, i;
	char **argv;
	long ret;

	snprintf(loader, sizeof(loader), "%s", lib);
	snprintf(strrchr(loader, '/') + 1,
		 sizeof(loader) - (size_t)(strrchr(loader, '/') + 1 - loader),
		 "syswho-loader");
	/* The loader runs only with the gate at its default address. */
	if (access(loader, X_OK) != 0 || getenv("SYSWHO_GATE")) {
		execvp(o->cmd[0], o->cmd);
		return;
	}
	if (run_resolve(o->cmd[0], target) < 0)
		return;
	/*
	 * What the loader would fail on (no "#!" and no ELF header, a
	 * missing interpreter) fails here, so that the parent says why in
	 * one line; what it cannot start goes to the kernel.
	 */
	ret = exec_check(target);
	if (ret < 0) {
		errno = (int)-ret;
		return;
	}
	if (ret == 1) {
		execv(target, o->cmd);
		return;
	}

	while (o->cmd[argc])
		argc++;
	argv = calloc(argc + 5, sizeof(*argv));
	if (!argv)
		return;
	argv[0] = loader;
	argv[1] = "-f";
	argv[2] = "--";
	argv[3] = target;
	for (i = 0; i < argc; i++)
		argv[4 + i] = o->cmd[i];
	execv(loader, argv);
}

/*
 * Fork and exec the command. The child reports an exec failure through a
 * close-on-exec pipe, so *EXEC_ERRNO is 0 exactly when exec worked.
 */
static pid_t run_spawn(const struct run_opts *o, const char *lib,
		       const char *sock, const sigset_t *mask, int *exec_errno,
		       struct error **err)
{
	int pipe_fd[2], e;
	ssize_t n;
	pid_t pid;

	if (pipe2(pipe_fd, O_CLOEXEC) < 0)
		return error_set(err, errno, "pipe");

	pid = fork();
	if (pid < 0) {
		error_set(err, errno, "fork");
		close(pipe_fd[0]);
		close(pipe_fd[1]);
		return -1;
	}
	if (pid == 0) {
		/* The command gets the signal mask syswho was started with. */
		sigprocmask(SIG_SETMASK, mask, NULL);
		close(pipe_fd[0]);
		if (run_child_env(o, lib, sock) == 0)
			run_exec(o, lib);
		e = errno;
		if (write(pipe_fd[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}

	close(pipe_fd[1]);
	do {
		n = read(pipe_fd[0], &e, sizeof(e));
	} while (n < 0 && errno == EINTR);
	close(pipe_fd[0]);
	*exec_errno = n == sizeof(e) ? e : 0;

	return pid;
}

/*
 * Signals while the command runs: SIGCHLD reaps it and starts the drain;
 * the others are passed on, since the command is the one to decide. A
 * signal from the terminal already reached the command's process group,
 * so only those sent by a process (kill, timeout) are forwarded.
 */
static int run_on_signal(struct server *srv, void *data, struct error **err)
{
	struct run_child *child = data;
	struct signalfd_siginfo si;

	while (read(child->sig_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo != SIGCHLD) {
			/* Limitation: a group kill arrives twice. */
			if (!child->reaped && si.ssi_code <= 0)
				kill(child->pid, (int)si.ssi_signo);
			continue;
		}
		if (child->reaped ||
		    waitpid(child->pid, &child->status, WNOHANG) != child->pid)
			continue;

		child->reaped = true;
		log_debug("command exited (status 0x%x); waiting up to %d ms "
			  "for its descendants",
			  child->status, RUN_DRAIN_MS);
		server_drain(srv, RUN_DRAIN_MS);
	}

	return 0;
}

/* The exit status of syswho for the wait STATUS of the command. */
static int run_exit_status(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);

	return WEXITSTATUS(status);
}

/* The command could not start: say why, reap it, write no profile. */
static int run_exec_failed(const struct run_opts *o, pid_t pid, int e)
{
	int status;

	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	cli_error("run", "cannot execute %s: %s", o->cmd[0], strerror(e));

	/* As a shell: not found is 127, found but not runnable 126. */
	return e == ENOENT || e == ENOTDIR ? 127 : 126;
}

/*
 * Collect until the command and its descendants are done, then write the
 * profile with the command's real end from waitpid. Returns the exit
 * status of syswho.
 */
static int run_serve(const struct run_opts *o, struct server *srv,
		     struct run_child *child, struct model *m)
{
	struct error *err = NULL;
	bool complete;
	int ret;

	ret = server_run(srv, &err);
	complete = ret == 0 && srv->cut == 0;
	server_close(srv);
	if (ret < 0) {
		cli_error("run", "%s", error_message(err));
		error_free(&err);
	}
	/* Without the loop, the command is simply waited for. */
	while (!child->reaped && waitpid(child->pid, &child->status, 0) < 0 &&
	       errno == EINTR)
		;

	/* syswho could not start in it (it said why): nothing to write. */
	if (m->n_procs == 0) {
		cli_error("run", "%s: nothing was traced; no profile written",
			  o->cmd[0]);
		return WIFEXITED(child->status) && WEXITSTATUS(child->status)
			   ? WEXITSTATUS(child->status)
			   : RUN_EXIT_FAILURE;
	}
	if (model_set_wait_status(m, (uint32_t)child->pid, child->status) < 0)
		log_info("the command never reported: no process of it in "
			 "the profile");
	if (o->baseline &&
	    asprintf(&m->baseline,
		     "the %zu syscalls of %s ran untraced (but those syswho "
		     "must always see)",
		     o->n_baseline, o->baseline_path) < 0)
		m->baseline = NULL;
	if (cli_write_profile("run", m, o->output, complete) < 0)
		return RUN_EXIT_FAILURE;

	return run_exit_status(child->status);
}

/* Start the command and collect until it and its descendants are done. */
static int run_collect(const struct run_opts *o, const char *lib,
		       const char *dir, struct model *m, struct error **err)
{
	static const int signals[] = {SIGCHLD, SIGINT, SIGTERM, SIGHUP,
				      SIGQUIT};
	struct run_child child = {.pid = -1};
	_cleanup_free_ char *sock = NULL;
	struct server srv;
	int exec_errno = 0, ret;
	sigset_t old;

	if (asprintf(&sock, "%s/collector.sock", dir) < 0)
		return error_set(err, ENOMEM, "socket path");

	child.sig_fd = cli_signalfd(signals, sizeof(signals) / sizeof(*signals),
				    &old, err);
	if (child.sig_fd < 0)
		return -1;
	if (server_open(&srv, sock, m, err) < 0)
		goto fail;
	server_watch(&srv, child.sig_fd, run_on_signal, &child);

	child.pid = run_spawn(o, lib, sock, &old, &exec_errno, err);
	if (child.pid < 0) {
		server_close(&srv);
		goto fail;
	}
	if (exec_errno) {
		server_close(&srv);
		close(child.sig_fd);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return run_exec_failed(o, child.pid, exec_errno);
	}

	ret = run_serve(o, &srv, &child, m);
	close(child.sig_fd);
	sigprocmask(SIG_SETMASK, &old, NULL);

	return ret;
fail:
	close(child.sig_fd);
	sigprocmask(SIG_SETMASK, &old, NULL);

	return -1;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = {.output = "syswho.db"};
	struct error *err = NULL;
	char lib[PATH_MAX], *dir = NULL;
	struct model m;
	int ret;

	log_init("collector");
	ret = run_parse(argc, argv, &o);
	if (ret >= 0)
		goto out;

	ret = RUN_EXIT_FAILURE;
	/* Say so before the command runs, not after its trace is made. */
	if (cli_check_output("run", o.output) < 0)
		goto out;
	if (run_find_library(lib, &err) < 0)
		goto out;
	dir = run_make_dir(&err);
	if (!dir)
		goto out;
	log_debug("preloading %s, socket in %s", lib, dir);

	model_init(&m);
	ret = run_collect(&o, lib, dir, &m, &err);
	model_free(&m);
	if (rmdir(dir) < 0)
		log_warn("remove %s: %s", dir, strerror(errno));
	if (ret < 0)
		ret = RUN_EXIT_FAILURE;
out:
	if (err)
		cli_error("run", "%s", error_message(err));
	error_free(&err);
	free(dir);
	free(o.runtime);
	free(o.baseline);

	return ret;
}
