/*
 * cmd_policy.c - "syswho policy": a least-privilege seccomp policy from
 * one or more profiles, in the format a consumer loads.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "log.h"
#include "merge.h"
#include "policy.h"

static void policy_usage(void)
{
	printf("usage: syswho policy --format FORMAT [--exe PATH] "
	       "[--library NAME] [--deny-errno ERRNO]\n"
	       "                     [--no-args] [-o FILE] PROFILE...\n"
	       "Make a seccomp policy that allows what PROFILE (all of them, "
	       "merged) made.\n\n"
	       "  -f, --format FORMAT   oci (runc's linux.seccomp), bpf "
	       "(bwrap --seccomp),\n"
	       "                        systemd (SystemCallFilter=), "
	       "libseccomp (PFC text)\n"
	       "                        or json (owners and risks)\n"
	       "  -e, --exe PATH        only processes that ran PATH\n"
	       "  -l, --library NAME    only calls owned by NAME (path, file "
	       "name or build-id)\n"
	       "  -E, --deny-errno ERR  errno of denied calls (default "
	       "EPERM)\n"
	       "  -n, --no-args         allow whole syscalls, without "
	       "argument filters\n"
	       "  -w, --without NAME    leave syscall NAME out, to see what "
	       "fails without it\n"
	       "  -o, --output FILE     write FILE (atomically, unless it is a "
	       "FIFO,\n"
	       "                        a device or /dev/stdout) instead of "
	       "standard output\n");
}

/*
 * A PATH that is no regular file (a FIFO, a terminal, a link such as
 * /dev/stdout) gets the policy written into it, whole or not at all: it
 * is made in an unnamed file first (the bpf export needs a descriptor),
 * as a failure must not leave half a policy for a reader.
 */
static int policy_write_special(const struct policy *p, enum policy_format fmt,
				const char *path, struct error **err)
{
	char buf[8192];
	FILE *f = tmpfile(), *out = NULL;
	size_t n;
	int ret;

	if (!f)
		return error_set(err, errno, "write %s", path);
	ret = policy_emit(p, fmt, f, err);
	if (ret == 0 && (fflush(f) != 0 || fseek(f, 0, SEEK_SET) != 0))
		ret = error_set(err, errno, "write %s", path);
	if (ret == 0 && !(out = fopen(path, "we")))
		ret = error_set(err, errno, "open %s", path);
	while (ret == 0 && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			ret = error_set(err, errno, "write %s", path);
	if (ret == 0 && ferror(f))
		ret = error_set(err, EIO, "read back the policy for %s", path);
	if (out && fclose(out) != 0 && ret == 0)
		ret = error_set(err, errno, "write %s", path);
	fclose(f);

	return ret;
}

/*
 * Emit into a temporary file next to PATH and rename it over PATH, so
 * that a consumer never loads half a policy and a failure leaves PATH
 * as it was.
 */
static int policy_write_file(const struct policy *p, enum policy_format fmt,
			     const char *path, struct error **err)
{
	_cleanup_free_ char *tmp = NULL, *real = NULL;
	struct stat st, lst;
	FILE *f;
	int fd, ret;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return error_set(err, EISDIR, "write %s", path);
	/*
	 * A rename would replace a link itself: a link to a file has the
	 * file replaced, atomically; a link into /dev or /proc (/dev/stdout)
	 * and anything else but a file is written into.
	 */
	if (lstat(path, &lst) == 0 && !S_ISREG(lst.st_mode)) {
		if (!S_ISLNK(lst.st_mode) || stat(path, &st) < 0 ||
		    !S_ISREG(st.st_mode) || strncmp(path, "/dev/", 5) == 0 ||
		    strncmp(path, "/proc/", 6) == 0)
			return policy_write_special(p, fmt, path, err);
		real = realpath(path, NULL);
		if (!real)
			return error_set(err, errno, "resolve %s", path);
		path = real;
	}
	if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
		return error_set(err, ENOMEM, "write %s", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return error_set(err, errno, "create a temporary file for %s",
				 path);
	f = fdopen(fd, "w");
	if (!f) {
		error_set(err, errno, "write %s", path);
		close(fd);
		unlink(tmp);
		return -1;
	}
	ret = policy_emit(p, fmt, f, err);
	if (ret == 0 && (fflush(f) != 0 || fsync(fileno(f)) < 0))
		ret = error_set(err, errno, "write %s", tmp);
	/* mkstemp makes it private; a policy is for others to read. */
	if (ret == 0 && fchmod(fileno(f), 0644) < 0)
		ret = error_set(err, errno, "chmod %s", tmp);
	if (fclose(f) != 0 && ret == 0)
		ret = error_set(err, errno, "write %s", tmp);
	if (ret == 0 && rename(tmp, path) < 0)
		ret = error_set(err, errno, "rename %s to %s", tmp, path);
	if (ret < 0)
		unlink(tmp);

	return ret;
}

static int policy_write(const struct policy *p, enum policy_format fmt,
			const char *path)
{
	struct error *err = NULL;
	int ret;

	if (!path && fmt == POLICY_FORMAT_BPF && isatty(STDOUT_FILENO)) {
		cli_error("policy", "the bpf format is binary: write it with "
				    "-o FILE or into a pipe");
		return -1;
	}
	if (path)
		ret = policy_write_file(p, fmt, path, &err);
	else
		ret = policy_emit(p, fmt, stdout, &err);
	if (ret == 0 && !path && fflush(stdout) != 0)
		ret = error_set(&err, errno, "write the policy");
	if (ret < 0) {
		cli_error("policy", "%s", error_message(err));
		error_free(&err);
	}

	return ret;
}

/* Remember one --without NAME; the names stay in argv. */
static int policy_add_without(struct policy_select *sel, char *name)
{
	char **w =
	    realloc((void *)sel->without, (sel->n_without + 1) * sizeof(*w));

	if (!w) {
		cli_error("policy", "--without %s: out of memory", name);
		return -1;
	}
	w[sel->n_without++] = name;
	sel->without = w;

	return 0;
}

static int policy_run(struct policy_select *sel, enum policy_format fmt,
		      const char *out, char *const *paths, size_t n)
{
	struct error *err = NULL;
	struct policy p;
	struct model m;
	int ret = 1;

	model_init(&m);
	if (merge_load(&m, paths, n, &err) < 0) {
		cli_error("policy", "%s", error_message(err));
		goto out;
	}
	sel->consumer = policy_format_consumer(fmt);
	if (policy_build(&p, &m, sel, &err) < 0) {
		cli_error("policy", "%s%s: %s", paths[0], n > 1 ? " ..." : "",
			  error_message(err));
		goto out;
	}
	if (policy_write(&p, fmt, out) == 0)
		ret = 0;
	policy_free(&p);
out:
	error_free(&err);
	model_free(&m);

	return ret;
}

int cmd_policy(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"exe", required_argument, NULL, 'e'},
	    {"library", required_argument, NULL, 'l'},
	    {"deny-errno", required_argument, NULL, 'E'},
	    {"no-args", no_argument, NULL, 'n'},
	    {"without", required_argument, NULL, 'w'},
	    {"output", required_argument, NULL, 'o'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct policy_select sel = {.deny_errno = EPERM};
	enum policy_format fmt = POLICY_FORMAT_JSON;
	bool have_format = false;
	const char *out = NULL;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:e:l:E:nw:o:vh", opts, NULL)) !=
	       -1) {
		switch (c) {
		case 'f':
			if (policy_parse_format(optarg, &fmt) < 0) {
				cli_error("policy",
					  "unknown format '%s' (expected oci, "
					  "bpf, systemd, libseccomp or json)",
					  optarg);
				return CLI_EXIT_USAGE;
			}
			have_format = true;
			break;
		case 'e':
			sel.exe = optarg;
			break;
		case 'l':
			sel.library = optarg;
			break;
		case 'E':
			if (policy_parse_errno(optarg, &sel.deny_errno) < 0) {
				cli_error("policy",
					  "--deny-errno '%s' is neither an "
					  "errno name such as EPERM nor a "
					  "number from 1 to 4095",
					  optarg);
				return CLI_EXIT_USAGE;
			}
			break;
		case 'n':
			sel.no_args = true;
			break;
		case 'w':
			if (policy_add_without(&sel, optarg) < 0)
				return 1;
			break;
		case 'o':
			out = optarg;
			break;
		case 'v':
			log_louder(1);
			break;
		case 'h':
			policy_usage();
			return 0;
		default:
			return cli_bad_option("policy", c, argv, optind,
					      optopt);
		}
	}
	if (!have_format) {
		cli_error("policy", "--format is required (oci, bpf, systemd, "
				    "libseccomp or json)");
		return CLI_EXIT_USAGE;
	}
	if (optind >= argc) {
		cli_error("policy", "no PROFILE given (see syswho policy "
				    "--help)");
		return CLI_EXIT_USAGE;
	}

	c = policy_run(&sel, fmt, out, argv + optind, (size_t)(argc - optind));
	free((void *)sel.without);

	return c;
}
