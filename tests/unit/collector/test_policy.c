/*
 * test_policy.c - policies from a small hand-built model: selection,
 * argument sets, risk notes, merging, and each emitter's output; the
 * compiled filter is loaded in a child and must allow and deny exactly
 * what the model says.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "merge.h"
#include "policy.h"
#include "risk.h"

enum { MOD_PROG, MOD_PLUG, MOD_LIBC };
enum { PROC_PROG, PROC_OTHER };

static void add_site(struct model *m, size_t proc, size_t owner, uint32_t nr,
		     uint64_t offset, const struct model_arg *args,
		     size_t n_args)
{
	struct model_frame frame = {owner, offset};
	struct model_site s = {0};
	struct error *err = NULL;
	size_t idx, i;

	s.process = proc;
	s.nr = nr;
	s.owner = owner;
	s.owner_offset = offset;
	s.scope = "";
	s.count = 3;
	s.frames = &frame;
	s.n_frames = 1;
	assert_int_equal(model_add_site(m, &s, &idx, &err), 0);
	for (i = 0; i < n_args; i++)
		assert_int_equal(
		    model_site_add_arg(m, idx, args[i].index, args[i].value),
		    0);
}

static void add_process(struct model *m, const char *exe)
{
	const char *argv[] = {exe};
	struct error *err = NULL;
	size_t p;

	assert_int_equal(model_add_process(m, &p, &err), 0);
	assert_int_equal(model_set_command(m, p, exe, argv, 1, &err), 0);
}

/*
 * prog opens read-only and write-only, reads a coarse clock, maps memory
 * without recorded arguments and clones; its plugin makes AF_UNIX stream
 * sockets; another program lists directories.
 */
static void build_model(struct model *m)
{
	const struct model_arg opens[] = {{2, O_RDONLY | O_CLOEXEC},
					  {2, O_WRONLY | O_CREAT}};
	const struct model_arg sock[] = {{0, AF_UNIX},
					 {1, SOCK_STREAM | SOCK_CLOEXEC}};
	const struct model_arg clock[] = {{0, CLOCK_MONOTONIC_COARSE}};
	struct error *err = NULL;
	size_t mod;

	model_init(m);
	assert_int_equal(
	    model_add_module(m, "/usr/bin/prog", "aa01", false, &mod, &err), 0);
	assert_int_equal(model_add_module(m, "/usr/lib/libplug.so.1", "bb02",
					  false, &mod, &err),
			 0);
	assert_int_equal(
	    model_add_module(m, "/lib/libc.so.6", "cc03", true, &mod, &err), 0);
	add_process(m, "/usr/bin/prog");
	add_process(m, "/usr/bin/other");
	add_site(m, PROC_PROG, MOD_PROG, SYS_openat, 0x10, opens, 2);
	add_site(m, PROC_PROG, MOD_PROG, SYS_clock_gettime, 0x20, clock, 1);
	add_site(m, PROC_PROG, MOD_PROG, SYS_mmap, 0x30, NULL, 0);
	add_site(m, PROC_PROG, MOD_PROG, SYS_clone, 0x40, NULL, 0);
	add_site(m, PROC_PROG, MOD_PROG, SYS_exit_group, 0x50, NULL, 0);
	add_site(m, PROC_PROG, MOD_PLUG, SYS_socket, 0x60, sock, 2);
	add_site(m, PROC_OTHER, MOD_PROG, SYS_getdents64, 0x70, NULL, 0);
}

static void build(struct policy *p, const struct model *m,
		  struct policy_select *sel)
{
	struct error *err = NULL;

	if (!sel->deny_errno)
		sel->deny_errno = EPERM;
	assert_int_equal(policy_build(p, m, sel, &err), 0);
	assert_null(err);
}

static void test_whole_program(void **state)
{
	struct policy_select sel = {.consumer = POLICY_CONSUMER_BWRAP};
	const struct policy_call *c;
	struct policy p;
	struct model m;

	build_model(&m);
	build(&p, &m, &sel);

	c = policy_find(&p, "openat");
	assert_non_null(c);
	assert_true(policy_call_filtered(c));
	assert_int_equal(c->args[0].index, 2);
	/* Only the access modes: O_CLOEXEC and O_CREAT are masked off. */
	assert_int_equal(c->args[0].n_values, 2);
	assert_int_equal(c->args[0].values[0], O_RDONLY);
	assert_int_equal(c->args[0].values[1], O_WRONLY);

	c = policy_find(&p, "socket");
	assert_non_null(c);
	assert_true(policy_call_filtered(c));
	assert_int_equal(c->args[1].values[0], SOCK_STREAM);
	assert_int_equal(c->n_owners, 1);
	assert_int_equal(c->owners[0].module, MOD_PLUG);

	/* A site without recorded values leaves the call unfiltered. */
	assert_false(policy_call_filtered(policy_find(&p, "mmap")));
	assert_int_equal(policy_find(&p, "clone3")->errno_ret, ENOSYS);
	assert_non_null(policy_find(&p, "execve")->allowance);
	assert_non_null(policy_find(&p, "wait4")->allowance);
	assert_non_null(policy_find(&p, "getdents64"));
	assert_null(policy_find(&p, "ptrace"));
	policy_free(&p);
	model_free(&m);
}

static void test_selection(void **state)
{
	struct policy_select sel = {.library = "libplug.so"};
	struct error *err = NULL;
	struct policy p;
	struct model m;

	build_model(&m);
	build(&p, &m, &sel);
	/* A library's policy: its calls, no consumer allowances. */
	assert_int_equal(p.n_calls, 1);
	assert_string_equal(p.calls[0].name, "socket");
	policy_free(&p);

	sel = (struct policy_select){.exe = "other"};
	build(&p, &m, &sel);
	assert_non_null(policy_find(&p, "getdents64"));
	assert_null(policy_find(&p, "openat"));
	assert_null(policy_find(&p, "clone3"));
	policy_free(&p);

	sel = (struct policy_select){.library = "libnothere.so",
				     .deny_errno = EPERM};
	assert_int_equal(policy_build(&p, &m, &sel, &err), -1);
	assert_non_null(strstr(error_message(err), "libnothere.so"));
	error_free(&err);

	sel = (struct policy_select){
	    .exe = "/usr/bin/other", .library = "bb02", .deny_errno = EPERM};
	assert_int_equal(policy_build(&p, &m, &sel, &err), -1);
	assert_non_null(strstr(error_message(err), "no syscall"));
	error_free(&err);
	model_free(&m);
}

/*
 * A library named by the build-id prefix the reports print, and a program
 * by the name it was started by (python3, a link to python3.11).
 */
static void test_selection_by_prefix_and_argv0(void **state)
{
	const char *argv[] = {"python3", "-c", "pass"};
	struct policy_select sel = {.library = "0123456789ab"};
	struct error *err = NULL;
	struct policy p;
	struct model m;
	size_t mod, proc;

	model_init(&m);
	assert_int_equal(model_add_module(&m, "/usr/lib/libz.so.1",
					  "0123456789abcdef0123", false, &mod,
					  &err),
			 0);
	assert_int_equal(model_add_process(&m, &proc, &err), 0);
	assert_int_equal(
	    model_set_command(&m, proc, "/usr/bin/python3.11", argv, 3, &err),
	    0);
	add_site(&m, proc, mod, SYS_eventfd2, 0x10, NULL, 0);

	build(&p, &m, &sel);
	assert_non_null(policy_find(&p, "eventfd2"));
	policy_free(&p);

	/* Shorter than the reports print: too easily ambiguous. */
	sel =
	    (struct policy_select){.library = "01234567", .deny_errno = EPERM};
	assert_int_equal(policy_build(&p, &m, &sel, &err), -1);
	error_free(&err);

	sel = (struct policy_select){.exe = "python3"};
	build(&p, &m, &sel);
	assert_non_null(policy_find(&p, "eventfd2"));
	policy_free(&p);
	sel = (struct policy_select){.exe = "python3.11"};
	build(&p, &m, &sel);
	policy_free(&p);
	sel = (struct policy_select){.exe = "python", .deny_errno = EPERM};
	assert_int_equal(policy_build(&p, &m, &sel, &err), -1);
	error_free(&err);
	model_free(&m);
}

static void test_args_open(void **state)
{
	struct policy_select sel = {.no_args = true};
	struct model_arg many[POLICY_MAX_VALUES + 1];
	struct policy p;
	struct model m;
	size_t i;

	build_model(&m);
	build(&p, &m, &sel);
	assert_false(policy_call_filtered(policy_find(&p, "openat")));
	assert_false(policy_call_filtered(policy_find(&p, "socket")));
	policy_free(&p);

	for (i = 0; i < POLICY_MAX_VALUES + 1; i++)
		many[i] = (struct model_arg){1, 0x5400 + i};
	add_site(&m, PROC_PROG, MOD_PROG, SYS_ioctl, 0x80, many,
		 POLICY_MAX_VALUES + 1);
	sel = (struct policy_select){0};
	build(&p, &m, &sel);
	assert_false(policy_call_filtered(policy_find(&p, "ioctl")));
	policy_free(&p);
	model_free(&m);
}

/* Whether argument set A allows exactly the N VALUES. */
static void assert_values(const struct policy_argset *a, const uint64_t *values,
			  size_t n)
{
	size_t i;

	assert_false(a->open);
	assert_int_equal(a->n_values, n);
	for (i = 0; i < n; i++)
		assert_int_equal(a->values[i], values[i]);
}

/*
 * A consumer's own calls keep their argument filters: runc's values join
 * the profile's, only in runc's policy; an allowance whose values are not
 * known leaves its argument open.
 */
static void test_consumer_values(void **state)
{
	const struct model_arg opens[] = {{2, O_RDONLY | O_CLOEXEC}};
	const struct model_arg maps[] = {{2, PROT_READ}};
	const struct model_arg tty[] = {{1, TCGETS}};
	const uint64_t runc_opens[] = {O_RDONLY, O_WRONLY};
	const uint64_t runc_maps[] = {PROT_NONE, PROT_READ,
				      PROT_READ | PROT_WRITE};
	const uint64_t read_only[] = {PROT_READ};
	struct policy_select sel = {.consumer = POLICY_CONSUMER_RUNC};
	const struct policy_call *c;
	struct error *err = NULL;
	struct policy p;
	struct model m;
	size_t mod;

	model_init(&m);
	assert_int_equal(
	    model_add_module(&m, "/usr/bin/prog", "aa01", false, &mod, &err),
	    0);
	add_process(&m, "/usr/bin/prog");
	add_site(&m, 0, mod, SYS_openat, 0x10, opens, 1);
	add_site(&m, 0, mod, SYS_mmap, 0x20, maps, 1);
	add_site(&m, 0, mod, SYS_ioctl, 0x30, tty, 1);

	build(&p, &m, &sel);
	assert_values(&policy_find(&p, "openat")->args[0], runc_opens, 2);
	assert_values(&policy_find(&p, "mmap")->args[0], runc_maps, 3);
	/* runc's clone is only its threads': no fork, no new namespace. */
	c = policy_find(&p, "clone");
	assert_true(policy_call_filtered(c));
	assert_int_equal(c->args[0].n_values, 1);
	assert_int_equal(c->args[0].values[0] & (CLONE_NEWNS | SIGCHLD), 0);
	assert_true(policy_call_filtered(policy_find(&p, "fcntl")));
	policy_free(&p);

	sel = (struct policy_select){.consumer = POLICY_CONSUMER_BWRAP};
	build(&p, &m, &sel);
	assert_values(&policy_find(&p, "mmap")->args[0], read_only, 1);
	assert_int_equal(policy_find(&p, "openat")->args[0].n_values, 1);
	policy_free(&p);

	/* nspawn's ioctl takes requests syswho cannot know. */
	sel = (struct policy_select){.consumer = POLICY_CONSUMER_NSPAWN};
	build(&p, &m, &sel);
	assert_false(policy_call_filtered(policy_find(&p, "ioctl")));
	policy_free(&p);
	model_free(&m);
}

static bool has_kind(const char *name, const struct policy_argset *a,
		     enum risk_kind kind, const char *word)
{
	struct risk_note notes[RISK_MAX_NOTES];
	size_t n = risk_notes(name, a, notes), i;

	for (i = 0; i < n; i++)
		if (notes[i].kind == kind && strstr(notes[i].text, word))
			return true;

	return false;
}

static void test_risk(void **state)
{
	struct policy_argset coarse = {
	    .index = 0, .n_values = 1, .values = {CLOCK_MONOTONIC_COARSE}};
	struct policy_argset wx = {.index = 2, .n_values = 1, .values = {7}};
	struct policy_argset rx = {.index = 2, .n_values = 1, .values = {5}};
	struct risk_note notes[RISK_MAX_NOTES];

	assert_true(has_kind("clock_gettime", &coarse, RISK_TIMING,
			     "only coarse clocks"));
	assert_false(
	    has_kind("clock_gettime", NULL, RISK_TIMING, "only coarse clocks"));
	assert_true(has_kind("ptrace", NULL, RISK_DANGEROUS, "processes"));
	assert_true(has_kind("io_uring_setup", NULL, RISK_DANGEROUS, ""));
	assert_true(has_kind("pipe2", NULL, RISK_COVERT, ""));
	assert_true(has_kind("memfd_create", NULL, RISK_COVERT, "memory"));
	assert_true(has_kind("getdents64", NULL, RISK_STATE_LEAK, "/proc"));
	assert_true(has_kind("mprotect", &wx, RISK_WX, "writable"));
	assert_false(has_kind("mprotect", &rx, RISK_WX, "writable"));
	assert_int_equal(risk_notes("getppid", NULL, notes), 0);
}

static void test_errno(void **state)
{
	int e;

	assert_int_equal(policy_parse_errno("EPERM", &e), 0);
	assert_int_equal(e, EPERM);
	assert_int_equal(policy_parse_errno("13", &e), 0);
	assert_int_equal(e, 13);
	assert_int_equal(policy_parse_errno("0", &e), -1);
	assert_int_equal(policy_parse_errno("4096", &e), -1);
	assert_int_equal(policy_parse_errno("EWHAT", &e), -1);
	assert_string_equal(policy_errno_name(ENOSYS), "ENOSYS");
}

/* Emit P in FORMAT into a string. */
static char *emit(const struct policy *p, enum policy_format format)
{
	struct error *err = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *f = tmpfile();

	assert_non_null(f);
	assert_int_equal(policy_emit(p, format, f, &err), 0);
	fflush(f);
	len = (size_t)ftell(f);
	text = calloc(1, len + 1);
	assert_non_null(text);
	rewind(f);
	assert_int_equal(fread(text, 1, len, f), len);
	fclose(f);

	return text;
}

static void test_emit_text(void **state)
{
	struct policy_select sel = {.consumer = POLICY_CONSUMER_RUNC};
	struct policy p;
	struct model m;
	char *t;

	build_model(&m);
	build(&p, &m, &sel);
	t = emit(&p, POLICY_FORMAT_OCI);
	assert_non_null(strstr(t, "\"defaultErrnoRet\":1"));
	assert_non_null(strstr(t, "{\"names\":[\"clone3\"],\"action\":"
				  "\"SCMP_ACT_ERRNO\",\"errnoRet\":38}"));
	/* socket's domain is an int: compared on its low 32 bits. */
	assert_non_null(strstr(t, "{\"names\":[\"socket\"],\"action\":"
				  "\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"
				  "\"value\":4294967295,\"valueTwo\":1,"
				  "\"op\":\"SCMP_CMP_MASKED_EQ\"}"));
	/* openat is runc's too: runc's access modes join the profile's. */
	assert_non_null(strstr(t, "{\"names\":[\"openat\"],\"action\":"
				  "\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":2,"
				  "\"value\":3,\"valueTwo\":1,"
				  "\"op\":\"SCMP_CMP_MASKED_EQ\"}]}"));
	assert_null(strstr(t, "\"index\":2,\"value\":3,\"valueTwo\":2,"));
	free(t);

	t = emit(&p, POLICY_FORMAT_JSON);
	assert_non_null(strstr(t, "\"format\":\"syswho-policy\""));
	assert_non_null(strstr(t, "\"path\":\"/usr/lib/libplug.so.1\""));
	free(t);

	t = emit(&p, POLICY_FORMAT_LIBSECCOMP);
	assert_non_null(strstr(t, "# clock_gettime: timing: only coarse"));
	free(t);
	policy_free(&p);

	sel = (struct policy_select){.consumer = POLICY_CONSUMER_NSPAWN};
	build(&p, &m, &sel);
	t = emit(&p, POLICY_FORMAT_SYSTEMD);
	assert_non_null(strstr(t, "\nSystemCallFilter=~"));
	assert_non_null(strstr(t, " ptrace "));
	assert_non_null(strstr(t, "\nSystemCallErrorNumber=EPERM\n"));
	free(t);
	policy_free(&p);
	model_free(&m);
}

/*
 * The allow line of systemd policy TEXT, each name between spaces, so
 * that strstr(line, " fsync ") finds that name alone.
 */
static char *allow_line(const char *text)
{
	const char *start = strstr(text, "\nSystemCallFilter=");
	const char *end;
	char *line;

	assert_non_null(start);
	start += strlen("\nSystemCallFilter=");
	assert_true(*start != '~');
	end = strchr(start, '\n');
	assert_non_null(end);
	line = calloc(1, (size_t)(end - start) + 2);
	assert_non_null(line);
	line[0] = ' ';
	memcpy(line + 1, start, (size_t)(end - start));

	return line;
}

/* The systemd allow line of a program that made the calls NRS. */
static char *systemd_allow_line(const int *nrs, size_t n)
{
	struct policy_select sel = {.consumer = POLICY_CONSUMER_ANY};
	struct error *err = NULL;
	struct policy p;
	struct model m;
	char *text, *line;
	size_t mod, i;

	model_init(&m);
	assert_int_equal(
	    model_add_module(&m, "/usr/bin/prog", "aa01", false, &mod, &err),
	    0);
	add_process(&m, "/usr/bin/prog");
	for (i = 0; i < n; i++)
		add_site(&m, 0, mod, (uint32_t)nrs[i], 0x10 * (i + 1), NULL, 0);
	build(&p, &m, &sel);
	text = emit(&p, POLICY_FORMAT_SYSTEMD);
	line = allow_line(text);
	free(text);
	policy_free(&p);
	model_free(&m);

	return line;
}

/*
 * A group stands for its members only when the policy holds every one
 * of them (on x86_64, @sync has no sync_file_range2).
 */
static void test_systemd_groups(void **state)
{
	const int calls[] = {
	    SYS_fdatasync, SYS_fsync,  SYS_msync,
	    SYS_sync,	   SYS_syncfs, SYS_sync_file_range,
	};
	size_t n = sizeof(calls) / sizeof(*calls);
	char *line;

	line = systemd_allow_line(calls, n);
	assert_non_null(strstr(line, " @sync "));
	assert_null(strstr(line, " fsync "));
	assert_null(strstr(line, " syncfs "));
	assert_non_null(strstr(line, " execve "));
	free(line);

	/* Without sync_file_range, the rest is named one by one. */
	line = systemd_allow_line(calls, n - 1);
	assert_null(strstr(line, "@sync"));
	assert_non_null(strstr(line, " fdatasync "));
	assert_non_null(strstr(line, " fsync "));
	assert_non_null(strstr(line, " syncfs "));
	assert_null(strstr(line, " sync_file_range "));
	free(line);
}

/* Load the filter in FD and make the calls; the exit code says which
 * behaved as the model wants, one bit each. */
static void child_checks(int fd)
{
	struct sock_filter prog[4096];
	struct sock_fprog fprog;
	ssize_t n = read(fd, prog, sizeof(prog));
	int bad = 0;
	long r;

	fprog.len = (unsigned short)(n / (ssize_t)sizeof(prog[0]));
	fprog.filter = prog;
	if (n <= 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) < 0)
		_exit(100);

	r = syscall(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bad |= r < 0;
	r = syscall(SYS_socket, AF_INET6, SOCK_STREAM, 0);
	bad |= (r != -1 || errno != EPERM) << 1;
	r = syscall(SYS_getppid);
	bad |= (r != -1 || errno != EPERM) << 2;
	r = syscall(SYS_clone3, NULL, 0);
	bad |= (r != -1 || errno != ENOSYS) << 3;
	r = syscall(SYS_openat, AT_FDCWD, "/", O_RDONLY | O_DIRECTORY);
	bad |= (r < 0) << 4;
	syscall(SYS_exit_group, bad);
}

static void test_emit_bpf_loads(void **state)
{
	struct policy_select sel = {.consumer = POLICY_CONSUMER_ANY};
	struct error *err = NULL;
	struct policy p;
	struct model m;
	FILE *f = tmpfile();
	int status;
	pid_t pid;

	assert_non_null(f);
	build_model(&m);
	build(&p, &m, &sel);
	assert_int_equal(policy_emit(&p, POLICY_FORMAT_BPF, f, &err), 0);
	assert_int_equal(lseek(fileno(f), 0, SEEK_SET), 0);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		child_checks(fileno(f));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	fclose(f);
	policy_free(&p);
	model_free(&m);
}

/* The plugin of build_model loaded from another file, in another run. */
static void build_moved_plugin(struct model *m, const char *path)
{
	struct error *err = NULL;
	size_t mod;

	model_init(m);
	add_process(m, "/usr/bin/prog");
	assert_int_equal(model_add_module(m, path, "bb02", false, &mod, &err),
			 0);
	add_site(m, 0, mod, SYS_eventfd2, 0x90, NULL, 0);
}

/* Whether the library policy of NAME in M holds exactly socket and
 * eventfd2, the calls of both runs of the plugin. */
static void assert_plugin_policy(const struct model *m, const char *name)
{
	struct policy_select sel = {.library = name};
	struct policy p;

	build(&p, m, &sel);
	assert_int_equal(p.n_calls, 2);
	assert_non_null(policy_find(&p, "socket"));
	assert_non_null(policy_find(&p, "eventfd2"));
	policy_free(&p);
}

static void test_merge_by_build_id(void **state)
{
	struct error *err = NULL;
	struct model a, b, c;

	build_model(&a);
	build_moved_plugin(&b, "/opt/elsewhere/libmoved.so");
	assert_int_equal(merge_model(&a, &b, &err), 0);
	assert_int_equal(a.n_modules, 3);
	assert_int_equal(a.n_procs, 3);
	assert_int_equal(a.sites[a.n_sites - 1].owner, MOD_PLUG);
	/* The first path names the module; the other still selects it. */
	assert_string_equal(a.modules[MOD_PLUG].path, "/usr/lib/libplug.so.1");
	assert_plugin_policy(&a, "libmoved.so");
	assert_plugin_policy(&a, "/usr/lib/libplug.so.1");

	/* The other order, and a merged model merged again, name it too. */
	model_init(&c);
	assert_int_equal(merge_model(&c, &b, &err), 0);
	assert_int_equal(merge_model(&c, &a, &err), 0);
	assert_string_equal(c.modules[0].path, "/opt/elsewhere/libmoved.so");
	assert_int_equal(c.modules[0].n_aliases, 1);
	assert_plugin_policy(&c, "libplug.so");
	assert_plugin_policy(&c, "libmoved.so");
	model_free(&a);
	model_free(&b);
	model_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_whole_program),
	    cmocka_unit_test(test_selection),
	    cmocka_unit_test(test_args_open),
	    cmocka_unit_test(test_consumer_values),
	    cmocka_unit_test(test_risk),
	    cmocka_unit_test(test_errno),
	    cmocka_unit_test(test_emit_text),
	    cmocka_unit_test(test_systemd_groups),
	    cmocka_unit_test(test_emit_bpf_loads),
	    cmocka_unit_test(test_merge_by_build_id),
	    cmocka_unit_test(test_selection_by_prefix_and_argv0),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
