/*
 * syswho-loader: starts a program under the filter from its first
 * instruction.
 *
 *	syswho-loader [-f] [-b] [-i] [-c FD] [-n NAME] -- PATH ARGV0 [ARG...]
 *
 * The filter survives exec but a SIGSYS handler does not, so an image
 * exec'd by a traced process would die at its first syscall. libsyswho.so
 * therefore execs this loader instead (and `syswho run` starts the root
 * command with it, -f installing the filter first). The loader lives at
 * the gate's address, so its own calls pass the filter; it installs a
 * pass-through handler, maps PATH and its dynamic loader as the kernel
 * would, rebuilds the initial stack and jumps to the program. The dynamic
 * loader then loads libsyswho.so (LD_PRELOAD), whose constructor takes
 * the handler over and reports the calls made until then. -b and -i say
 * that the program that exec'd PATH had SIGSYS blocked or ignored, which
 * only syswho's view of it held. -n gives the name the kernel would have
 * given PATH (/dev/fd/N for a descriptor, the path the program exec'd),
 * which a script's interpreter and AT_EXECFN see; the loader opens PATH.
 */
#include "elf.h"
#include "exe.h"
#include "execprep.h"
#include "report.h"
#include "filter.h"
#include "shebang.h"
#include "stack.h"
#include "sys.h"
#include "trap.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define LOADER_EXIT	   127
#define LOADER_ARGV_EXTRA  (2 * SHEBANG_MAX_DEPTH)
#define LOADER_HEADER_SIZE 256

void loader_main(uint64_t *sp) __attribute__((noreturn, used));
void loader_jump(uintptr_t sp, uintptr_t entry) __attribute__((noreturn));

struct loader_args {
	int argc;
	char **argv; /* the program's, with room in front for interpreters */
	const char *path;
	const char *name; /* the kernel's name for PATH */
	int filter;
	int own_fd; /* opened by the library for this exec only, or -1 */
	unsigned int sigsys; /* EXEC_SIGSYS_* (execprep.h) */
};

/* Interpreter paths and arguments of "#!" lines, and the argv they make. */
static char loader_interp[SHEBANG_MAX_DEPTH + 1][ELF_INTERP_MAX];
static char loader_arg[SHEBANG_MAX_DEPTH + 1][ELF_INTERP_MAX];
static char *loader_argv[4096 + LOADER_ARGV_EXTRA];

static int loader_parse_fd(const char *s)
{
	int fd = 0;

	for (; *s >= '0' && *s <= '9' && fd < (1 << 24); s++)
		fd = fd * 10 + (*s - '0');
	if (*s)
		sys_die(2, "-c wants a descriptor, not", s, 0);
	return fd;
}

static void loader_parse(int argc, char **argv, struct loader_args *a)
{
	int i;

	a->filter = 0;
	a->name = NULL;
	a->own_fd = -1;
	a->sigsys = 0;
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "-f") == 0)
			a->filter = 1;
		else if (strcmp(argv[i], "-b") == 0)
			a->sigsys |= EXEC_SIGSYS_BLOCKED;
		else if (strcmp(argv[i], "-i") == 0)
			a->sigsys |= EXEC_SIGSYS_IGNORED;
		else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			a->own_fd = loader_parse_fd(argv[++i]);
		else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			a->name = argv[++i];
		else
			sys_die(2, "unknown option", argv[i], 0);
	}
	if (i + 1 >= argc)
		sys_die(
		    2,
		    "usage: syswho-loader [-f] [-b] [-i] [-c FD] [-n NAME] -- "
		    "PATH ARGV0 [ARG...]",
		    NULL, 0);
	a->path = argv[i + 1];
	if (!a->name)
		a->name = a->path;
	a->argv = &argv[i + 2];
	a->argc = argc - i - 2;
}

/*
 * SIGSYS as the program inherits it, left in the gate's data for the
 * library: from the image that exec'd it (A's -b, -i), or from the kernel
 * in the first traced process (trap_install reads an ignored action). A
 * blocked SIGSYS is opened now, as a trap while it is blocked kills; the
 * library keeps it blocked in the program's view.
 */
static void loader_take_sigsys(const struct loader_args *a)
{
	struct gate_data *gd = gate_data();
	uint64_t mask = 0, sys = 1ULL << (SIGSYS - 1);

	gd->sigsys_blocked = (a->sigsys & EXEC_SIGSYS_BLOCKED) != 0;
	gd->sigsys_ignored = (a->sigsys & EXEC_SIGSYS_IGNORED) != 0;
	if (gate_call4(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &mask,
		       sizeof(mask)) == 0 &&
	    (mask & sys)) {
		gate_call4(SYS_rt_sigprocmask, SIG_UNBLOCK, &sys, NULL,
			   sizeof(sys));
		gd->sigsys_blocked = 1;
	}
}

static void loader_install(const struct loader_args *a, char *const *envp)
{
	static struct sock_filter prog[FILTER_MAX_INSNS];
	uint32_t nrs[FILTER_MAX_INSNS / 2];
	const char *baseline = NULL;
	long ret;
	int len, n, i;

	gate_data()->loader = GATE_LOADER_MAGIC;
	loader_take_sigsys(a);
	ret = trap_install();
	if (ret < 0)
		sys_die(LOADER_EXIT, "cannot install the SIGSYS handler", NULL,
			ret);
	if (!a->filter)
		return;
	for (i = 0; envp[i]; i++)
		if (strncmp(envp[i], "SYSWHO_BASELINE=", 16) == 0)
			baseline = envp[i] + 16;
	n = filter_parse_baseline(baseline, nrs, FILTER_MAX_INSNS / 2);
	if (n < 0)
		sys_die(2, "SYSWHO_BASELINE is not a list of syscall numbers",
			NULL, 0);
	len = filter_build_baseline(prog, gate_base(), GATE_CODE_SIZE, nrs, n);
	ret = len < 0 ? len : filter_install(prog, (unsigned short)len);
	if (ret < 0)
		sys_die(LOADER_EXIT, "cannot install the seccomp filter", NULL,
			ret);
}

/* Open PATH and read its first bytes. The descriptor, or a negative errno. */
static int loader_open(const char *path, char *head, long *len)
{
	long fd = gate_call3(SYS_open, path, O_RDONLY | O_CLOEXEC, 0);

	if (fd < 0)
		return (int)fd;
	*len = gate_call4(SYS_pread64, fd, head, LOADER_HEADER_SIZE, 0);
	if (*len < 0) {
		gate_call1(SYS_close, fd);
		return (int)*len;
	}
	return (int)fd;
}

/*
 * Follow "#!" lines as the kernel does: the interpreter runs with its
 * optional argument and the script's path in front of the script's
 * arguments. Returns the descriptor of the ELF to run.
 */
static int loader_resolve(struct loader_args *a)
{
	char head[LOADER_HEADER_SIZE];
	int depth, fd, k, i;
	long len = 0;

	for (depth = 0;; depth++) {
		fd = loader_open(a->path, head, &len);
		if (fd < 0)
			sys_die(LOADER_EXIT, "cannot open", a->path, fd);
		if (shebang_parse(head, (size_t)len, loader_interp[depth],
				  ELF_INTERP_MAX, loader_arg[depth],
				  ELF_INTERP_MAX) != 0)
			return fd;
		gate_call1(SYS_close, fd);
		if (depth >= SHEBANG_MAX_DEPTH)
			sys_die(LOADER_EXIT, "too many interpreters for",
				a->path, -ELOOP);
		if (a->argc + 3 >
		    (int)(sizeof(loader_argv) / sizeof(*loader_argv)))
			sys_die(LOADER_EXIT, "too many arguments for", a->path,
				-E2BIG);

		/* [interp, arg?, path, argv[1..]] replaces argv. */
		k = loader_arg[depth][0] ? 3 : 2;
		for (i = a->argc - 1; i >= 1; i--)
			loader_argv[k + i - 1] = a->argv[i];
		loader_argv[0] = loader_interp[depth];
		if (k == 3)
			loader_argv[1] = loader_arg[depth];
		/* The script by the kernel's name, an interpreter by its path.
		 */
		loader_argv[k - 1] = (char *)(depth ? a->path : a->name);
		a->argc = a->argc > 0 ? a->argc - 1 + k : k;
		a->argv = loader_argv;
		a->path = loader_interp[depth];
	}
}

/*
 * The program's path for the library's report: what /proc/self/exe would
 * name (symlinks resolved), read from the open descriptor FD.
 */
static void loader_note_exe(int fd, const char *path)
{
	char link[48] = "/proc/self/fd/", *exe = gate_data()->exe;
	size_t n = 0;
	long r;

	sys_utoa(link + strlen(link), (unsigned long)fd);
	r = gate_call3(SYS_readlink, link, exe, GATE_PATH_MAX - 1);
	if (r > 0 && exe[0] == '/') {
		exe[r] = '\0';
		return;
	}
	if (path[0] != '/') {
		r = gate_call2(SYS_getcwd, exe, GATE_PATH_MAX);
		n = r > 0 ? strlen(exe) : 0;
		if (n && n + 1 < GATE_PATH_MAX)
			exe[n++] = '/';
	}
	sys_strlcpy(exe + n, path, GATE_PATH_MAX - n);
}

/* How a static program's execs reach the loader again. */
static struct exec_setup loader_exec;

/*
 * The loader is ARGV0 (absolute, as the library and syswho run start it);
 * the library is in LD_PRELOAD; syswho's variables are in ENVP. They are
 * kept now, since the program may scrub its environment before an exec.
 */
static void loader_exec_setup(const char *argv0, char *const *envp)
{
	const char *lib = NULL, *p, *colon;
	int i;

	for (i = 0; envp[i]; i++) {
		if (strncmp(envp[i], "SYSWHO_", 7) == 0 &&
		    strncmp(envp[i], EXEC_INJECTED_VAR "=",
			    sizeof(EXEC_INJECTED_VAR)) != 0 &&
		    loader_exec.nenv < EXEC_ENV_MAX)
			sys_strlcpy(loader_exec.env[loader_exec.nenv++],
				    envp[i], EXEC_PATH_MAX);
		if (strncmp(envp[i], "LD_PRELOAD=", 11) == 0)
			lib = envp[i] + 11;
	}
	/* The entry of LD_PRELOAD that is libsyswho.so. */
	for (p = lib; p && *p; p = colon ? colon + 1 : NULL) {
		size_t n;

		for (colon = p; *colon && *colon != ':'; colon++)
			;
		n = (size_t)(colon - p);
		if (n > 12 && n < EXEC_PATH_MAX &&
		    strncmp(colon - 12, "libsyswho.so", 12) == 0) {
			memcpy(loader_exec.lib, p, n);
			loader_exec.lib[n] = '\0';
		}
		if (!*colon)
			colon = NULL;
	}
	if (argv0[0] == '/' && loader_exec.lib[0])
		sys_strlcpy(loader_exec.loader, argv0, EXEC_PATH_MAX);
}

/*
 * A static program loads no library to take syswho's variables out of
 * its environment: the loader does, once it has kept them for the
 * program's execs (loader_exec_setup), so the program sees its own.
 */
static void loader_hide_env(char **envp)
{
	if (loader_exec.loader[0])
		exec_env_strip(envp, true);
}

/*
 * Under no_new_privs the kernel ignores setuid, setgid and file
 * capabilities: note that the program has them, for the report.
 */
static void loader_note_setid(int fd)
{
	struct stat st;
	uint32_t setid = 0;

	if (gate_call2(SYS_fstat, fd, &st) == 0) {
		if (st.st_mode & S_ISUID)
			setid |= 1;
		if ((st.st_mode & S_ISGID) && (st.st_mode & S_IXGRP))
			setid |= 2;
	}
	if (gate_call4(SYS_fgetxattr, fd, "security.capability", 0, 0) > 0)
		setid |= 4;
	gate_data()->setid = setid;
}

/* The program's argv strings, made contiguous if they are not. */
static char loader_cmdline[32768];

/*
 * Where /proc/self/cmdline should read: the program's argv strings, which
 * follow one another on the stack unless "#!" lines put interpreters in
 * front; then they are copied together. *START is 0 when they do not fit.
 */
static void loader_cmdline_span(const struct loader_args *a, uintptr_t *start,
				uintptr_t *end)
{
	size_t n = 0, len;
	int i, contiguous = 1;

	*start = *end = 0;
	if (a->argc == 0)
		return;
	for (i = 0; i + 1 < a->argc; i++)
		if (a->argv[i] + strlen(a->argv[i]) + 1 != a->argv[i + 1])
			contiguous = 0;
	if (contiguous) {
		*start = (uintptr_t)a->argv[0];
		*end = (uintptr_t)a->argv[a->argc - 1] +
		       strlen(a->argv[a->argc - 1]) + 1;
		return;
	}
	for (i = 0; i < a->argc; i++) {
		len = strlen(a->argv[i]) + 1;
		if (n + len > sizeof(loader_cmdline))
			return;
		memcpy(loader_cmdline + n, a->argv[i], len);
		n += len;
	}
	*start = (uintptr_t)loader_cmdline;
	*end = (uintptr_t)loader_cmdline + n;
}

static const char *loader_basename(const char *path)
{
	const char *base = path;
	const char *p;

	for (p = path; *p; p++)
		if (*p == '/')
			base = p + 1;
	return base;
}

/*
 * The kernel names the process after the file it was given; for a
 * descriptor (fexecve, or a /proc/self path the library opened) it takes
 * the file's own name.
 */
static void loader_set_name(const char *path)
{
	const char *base = loader_basename(path);
	const char *p = base;

	while (*p >= '0' && *p <= '9')
		p++;
	if (strncmp(path, "/proc/self/fd/", 14) == 0 && base == path + 14 &&
	    *base && !*p)
		base = loader_basename(gate_data()->exe);
	gate_call2(SYS_prctl, PR_SET_NAME, base);
}

void loader_main(uint64_t *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	struct stack_image si = {0};
	struct elf_image exe, interp;
	const Elf64_auxv_t *auxv;
	struct loader_args a;
	uintptr_t new_sp, arg_start, arg_end;
	const char *path;
	char **e;
	int fd, ret;

	for (e = envp; *e; e++)
		;
	auxv = (const Elf64_auxv_t *)(e + 1);

	loader_parse(argc, argv, &a);
	loader_install(&a, envp);
	path = a.path;
	fd = loader_resolve(&a);
	/* A script's interpreter opens it by the kernel's name, not by PATH. */
	if (a.own_fd >= 0)
		gate_call1(SYS_close, a.own_fd);
	ret = elf_map(fd, &exe);
	loader_note_exe(fd, a.path);
	loader_note_setid(fd);
	if (ret == 0) {
		loader_cmdline_span(&a, &arg_start, &arg_end);
		exe_set(fd, arg_start, arg_end);
	}
	gate_call1(SYS_close, fd);
	if (ret < 0)
		sys_die(LOADER_EXIT, "cannot load", a.path, ret);

	si.phdr = exe.phdr;
	si.phnum = exe.phnum;
	si.entry = exe.entry;
	/* Like the kernel's: a script's name, not its interpreter's. */
	si.execfn = a.name;
	if (exe.interp[0]) {
		/* Limitation: an image gone before the library starts is lost. */
		loader_exec_setup(argv[0], envp);
		trap_route_execs(&loader_exec);
		fd = (int)gate_call3(SYS_open, exe.interp, O_RDONLY | O_CLOEXEC,
				     0);
		ret = fd < 0 ? fd : elf_map(fd, &interp);
		if (fd >= 0)
			gate_call1(SYS_close, fd);
		if (ret < 0)
			sys_die(LOADER_EXIT, "cannot load the interpreter",
				exe.interp, ret);
		si.base = interp.bias;
	} else {
		/* Limitation: a static program's calls have one frame: the
		 * call's. */
		trap_keep();
		loader_exec_setup(argv[0], envp);
		if (report_start(envp, &exe, gate_data()->exe, a.argv,
				 a.argc) == 0) {
			trap_go_static(&loader_exec);
			loader_hide_env(envp);
		}
	}
	loader_set_name(path);

	/* Below everything the loader still uses; the strings stay above. */
	new_sp = stack_build((uintptr_t)__builtin_frame_address(0) - 4096,
			     a.argc, a.argv, envp, auxv, &si);
	loader_jump(new_sp, exe.interp[0] ? interp.entry : exe.entry);
}
