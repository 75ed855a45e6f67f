/*
 * Preparing an execve or execveat for the exec loader: checking it as the
 * kernel would, and building the loader's argv and envp. It makes its
 * syscalls through the gate and allocates nothing but fresh pages, so it
 * serves both the library's handler and the loader's (for static
 * programs, which have no library).
 */
#include "execprep.h"

#include "execcheck.h"
#include "gate.h"
#include "passthrough.h"
#include "umem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define EXEC_FD_FLOOR 800
/* The kernel's bound on one argument or variable (MAX_ARG_STRLEN). */
#define EXEC_ARG_MAX  (32 * 4096)
#define EXEC_VEC_READ 32

#define EXEC_FLAGS (AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | AT_EXECVE_CHECK)

/*
 * The name the kernel gives the exec'd file (bprm->filename), where it is
 * not the path the loader opens: what a #! interpreter is given as the
 * script and what AT_EXECFN holds.
 */
struct exec_name {
	const char *view; /* the caller's path through this process, or NULL */
	long dirfd;	  /* or /dev/fd/DIRFD[/PATH] of execveat, or -1 */
	bool gone;	  /* DIRFD is close-on-exec: the name dies with it */
};

/* Variables syswho sets; the program's own values of them are replaced. */
static const char *const exec_vars[] = {
    "SYSWHO_COLLECTOR=", "SYSWHO_RUNTIME=", "SYSWHO_GATE=",
    "SYSWHO_MODE=",	 "SYSWHO_LOG=",	    EXEC_INJECTED_VAR "=",
};

/* Append SRC at *P, which must stay below END; false when it does not fit. */
static bool exec_append(char **p, const char *end, const char *src)
{
	size_t n = strlen(src);

	if (*p + n >= end)
		return false;
	memcpy(*p, src, n + 1);
	*p += n;
	return true;
}

/* FD in decimal at *P (a descriptor is never negative here). */
static bool exec_append_fd(char **p, const char *end, long fd)
{
	char num[24];
	int i = (int)sizeof(num) - 1;

	num[i] = '\0';
	do {
		num[--i] = (char)('0' + fd % 10);
		fd /= 10;
	} while (fd && i > 0);

	return exec_append(p, end, num + i);
}

/*
 * A descriptor that survives the exec: FD itself, or a copy without
 * CLOEXEC, which is also left in *OWN for the loader to close.
 */
static long exec_keep_fd(long fd, long *own)
{
	long flags = gate_call2(SYS_fcntl, fd, F_GETFD);

	if (flags < 0)
		return flags;
	if (!(flags & FD_CLOEXEC))
		return fd;
	*own = gate_call3(SYS_fcntl, fd, F_DUPFD, EXEC_FD_FLOOR);
	return *own;
}

/*
 * In BUF, "/proc/self/fd/FD", then "/" and the path BUF held unless that
 * was empty: the path moves up in place, so that no second buffer of
 * EXEC_PATH_MAX bytes lies on the handler's stack.
 */
static long exec_fd_path(char *buf, long fd)
{
	char pre[48], *p = pre;
	size_t len = strlen(buf), n, i;

	exec_append(&p, pre + sizeof(pre), "/proc/self/fd/");
	exec_append_fd(&p, pre + sizeof(pre), fd);
	if (len)
		exec_append(&p, pre + sizeof(pre), "/");
	n = (size_t)(p - pre);
	if (n + len >= EXEC_PATH_MAX)
		return -ENAMETOOLONG;
	/* Backwards, as the regions overlap (the loader has no memmove). */
	for (i = len + 1; i-- > 0;)
		buf[i + n] = buf[i];
	memcpy(buf, pre, n);
	return 0;
}

/* Whether PATH starts with PREFIX; *REST is then what follows it. */
static bool exec_prefix(const char *path, const char *prefix, const char **rest)
{
	size_t n = strlen(prefix);

	if (strncmp(path, prefix, n) != 0)
		return false;
	*rest = path + n;
	return true;
}

/*
 * Whether PATH names something through this process (its /proc
 * directory, its descriptors), which means the loader once the exec has
 * happened: /proc/self/exe becomes the loader and a close-on-exec
 * descriptor is gone.
 */
static bool exec_is_own_view(const char *path)
{
	const char *rest;
	long pid = 0;

	if (exec_prefix(path, "/proc/self/", &rest) ||
	    exec_prefix(path, "/proc/thread-self/", &rest) ||
	    exec_prefix(path, "/dev/fd/", &rest) ||
	    exec_prefix(path, "/dev/std", &rest))
		return true;
	if (!exec_prefix(path, "/proc/", &rest) || *rest < '1' || *rest > '9')
		return false;
	for (; *rest >= '0' && *rest <= '9' && pid < (1L << 32); rest++)
		pid = pid * 10 + (*rest - '0');

	return *rest == '/' && pid == gate_call0(SYS_getpid);
}

/*
 * Whether FD is open on the loader's own file. /proc/self/exe names it
 * in a program the loader started, unless the loader could point the
 * link at the program (PR_SET_MM_MAP needs CAP_CHECKPOINT_RESTORE); so
 * does a descriptor the program opened through that link.
 */
static bool exec_is_loader(const struct exec_setup *es, long fd)
{
	struct stat st, lst;

	return gate_call2(SYS_fstat, fd, &st) == 0 &&
	       gate_call4(SYS_newfstatat, AT_FDCWD, es->loader, &lst, 0) == 0 &&
	       st.st_dev == lst.st_dev && st.st_ino == lst.st_ino;
}

/*
 * A copy of FD at EXEC_FD_FLOOR or above, for the loader to open and
 * close; FD itself is closed. Where FD is the loader, which cannot load
 * itself, the copy is of the program the loader started: the file the
 * program meant, as its /proc/self/exe names that natively.
 */
static long exec_own_fd(const struct exec_setup *es, long fd)
{
	const char *exe = gate_data()->exe;
	long own;

	if (exe[0] == '/' && exec_is_loader(es, fd)) {
		gate_call1(SYS_close, fd);
		/* Limitation: a removed program cannot exec itself. */
		fd = gate_call3(SYS_open, exe, O_PATH | O_CLOEXEC, 0);
		if (fd < 0)
			return fd;
	}
	own = gate_call3(SYS_fcntl, fd, F_DUPFD, EXEC_FD_FLOOR);
	gate_call1(SYS_close, fd);

	return own;
}

/*
 * The path the loader opens for the exec'd file, in BUF (EXEC_PATH_MAX
 * bytes), checking the arguments of execveat as the kernel does: the
 * caller's path is read first, without faulting, as the kernel reads it.
 * *OWN is a descriptor opened for the exec that the loader closes, or
 * -1; *NAME says how the kernel would name the file. 0 or -errno.
 */
static long exec_target(const struct exec_setup *es,
			const struct trap_call *call, char *buf, long *own,
			struct exec_name *name)
{
	const char *path = (const char *)call->args[0];
	long flags = 0, fd, ret;
	int dirfd = AT_FDCWD;
	struct stat st;

	*own = -1;
	name->view = NULL;
	name->dirfd = -1;
	name->gone = false;
	if (call->nr == SYS_execveat) {
		/* An int to the kernel: glibc leaves the upper half clear. */
		dirfd = (int)call->args[0];
		path = (const char *)call->args[1];
		flags = call->args[4];
	}
	ret = umem_strcpy(buf, path, EXEC_PATH_MAX);
	if (ret < 0)
		return ret;
	if (flags & ~(long)EXEC_FLAGS)
		return -EINVAL;
	if (!buf[0] && !(flags & AT_EMPTY_PATH))
		return -ENOENT;
	if ((flags & AT_SYMLINK_NOFOLLOW) && buf[0] &&
	    gate_call4(SYS_newfstatat, dirfd, buf, &st, AT_SYMLINK_NOFOLLOW) ==
		0 &&
	    S_ISLNK(st.st_mode))
		return -ELOOP;
	if (buf[0] == '/' && exec_is_own_view(buf)) {
		name->view = path;
		fd = gate_call3(SYS_open, buf, O_PATH | O_CLOEXEC, 0);
		if (fd < 0)
			return fd;
		*own = exec_own_fd(es, fd);
		if (*own < 0)
			return *own;
		buf[0] = '\0';
		return exec_fd_path(buf, *own);
	}
	if (dirfd == AT_FDCWD || buf[0] == '/')
		return 0;
	ret = gate_call2(SYS_fcntl, dirfd, F_GETFD);
	if (ret < 0)
		return ret;
	name->dirfd = dirfd;
	name->gone = (ret & FD_CLOEXEC) != 0;
	if (!buf[0] && exec_is_loader(es, dirfd)) {
		/* fexecve of a descriptor opened on /proc/self/exe. */
		fd = gate_call3(SYS_fcntl, dirfd, F_DUPFD_CLOEXEC, 0);
		*own = fd < 0 ? fd : exec_own_fd(es, fd);
		return *own < 0 ? *own : exec_fd_path(buf, *own);
	}
	fd = exec_keep_fd(dirfd, own);
	if (fd < 0)
		return fd;
	return exec_fd_path(buf, fd);
}

/*
 * Check that the kernel can read the vector V (argv or envp) and each of
 * its strings, as it does before it looks at the file's contents: 0 or
 * -EFAULT. NULL is an empty vector to the kernel.
 */
static long exec_check_vec(char *const *v)
{
	char *p[EXEC_VEC_READ];
	size_t i, n, k;
	long ret;

	if (!v)
		return 0;
	for (i = 0;; i += n) {
		/* To the end of the page: a hole after it is never read. */
		n = (4096 - ((uintptr_t)(v + i) & 4095)) / sizeof(*p);
		if (n > EXEC_VEC_READ)
			n = EXEC_VEC_READ;
		if (!n)
			n = 1;
		ret = umem_read(p, v + i, n * sizeof(*p));
		if (ret < 0)
			return ret;
		for (k = 0; k < n; k++) {
			if (!p[k])
				return 0;
			ret = umem_strnlen(p[k], EXEC_ARG_MAX);
			if (ret < 0)
				return ret;
		}
	}
}

static bool exec_is_ours(const char *entry)
{
	size_t i;

	for (i = 0; i < sizeof(exec_vars) / sizeof(*exec_vars); i++)
		if (strncmp(entry, exec_vars[i], strlen(exec_vars[i])) == 0)
			return true;
	return false;
}

/* Whether one of the N entries of ENVP has the name of ENTRY ("NAME=..."). */
static bool exec_has_var(char *const *envp, size_t n, const char *entry)
{
	size_t len = 0, i;

	while (entry[len] && entry[len] != '=')
		len++;
	for (i = 0; i < n; i++)
		if (strncmp(envp[i], entry, len) == 0 && envp[i][len] == '=')
			return true;
	return false;
}

/*
 * EXEC_INJECTED_VAR=NAME:NAME... at *S, naming the variables syswho adds
 * that the program's N entries of ENVP lack: the new image's library
 * takes them out of its environment again, so the program sees its own.
 */
static void exec_note_injected(char **s, const char *end,
			       const struct exec_setup *es, char *const *envp,
			       size_t n)
{
	const char *sep = "=";
	int i;

	exec_append(s, end, EXEC_INJECTED_VAR);
	if (!exec_has_var(envp, n, "LD_PRELOAD=")) {
		exec_append(s, end, "=LD_PRELOAD");
		sep = ":";
	}
	for (i = 0; i < es->nenv; i++) {
		const char *v = es->env[i];

		if (exec_has_var(envp, n, v))
			continue;
		exec_append(s, end, sep);
		sep = ":";
		while (*v && *v != '=' && *s + 1 < end)
			*(*s)++ = *v++;
		**s = '\0';
	}
	if (sep[0] == '=')
		exec_append(s, end, "=");
	(*s)++;
}

/* Whether ENTRY ("NAME=...") is named in LIST ("NAME:NAME..."). */
static bool exec_listed(const char *list, const char *entry)
{
	const char *p = list;
	size_t n;

	while (*p) {
		for (n = 0; p[n] && p[n] != ':'; n++)
			;
		if (n && strncmp(entry, p, n) == 0 && entry[n] == '=')
			return true;
		p += p[n] ? n + 1 : n;
	}
	return false;
}

void exec_env_strip(char **envp, bool listed)
{
	const size_t skip = sizeof(EXEC_INJECTED_VAR);
	const char *list = NULL;
	size_t i, n = 0;

	for (i = 0; envp[i]; i++)
		if (strncmp(envp[i], EXEC_INJECTED_VAR "=", skip) == 0)
			list = envp[i] + skip;
	if (!list)
		return;
	for (i = 0; envp[i]; i++)
		if (strncmp(envp[i], EXEC_INJECTED_VAR "=", skip) != 0 &&
		    !(listed && exec_listed(list, envp[i])))
			envp[n++] = envp[i];
	/*
	 * The vacated slots become NULLs, as glibc's unsetenv leaves them: a
	 * runtime that finds the auxiliary vector after environ's NULL (Go's)
	 * must meet an empty one there and read /proc/self/auxv, not take
	 * the stale pointers for it.
	 */
	while (n < i)
		envp[n++] = NULL;
}

static size_t exec_count(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

/*
 * At *S, below END, the kernel's name for the exec'd file as NAME
 * describes it, TARGET being the path the loader opens
 * ("/proc/self/fd/N[/PATH]" for a descriptor). False when it is TARGET.
 */
static bool exec_write_name(char **s, const char *end,
			    const struct exec_name *name, const char *target)
{
	const char *rest = target;
	long n;

	if (name->view) {
		/* Read again: at most the EXEC_PATH_MAX the buffer has for it.
		 */
		n = umem_strcpy(*s, name->view,
				(size_t)(end - *s) < EXEC_PATH_MAX
				    ? (size_t)(end - *s)
				    : EXEC_PATH_MAX);
		if (n < 0)
			return false;
		*s += n + 1;
		return true;
	}
	if (name->dirfd < 0 || !exec_prefix(target, "/proc/self/fd/", &rest))
		return false;
	while (*rest >= '0' && *rest <= '9')
		rest++;
	exec_append(s, end, "/dev/fd/");
	exec_append_fd(s, end, name->dirfd);
	exec_append(s, end, rest);
	(*s)++;

	return true;
}

/*
 * Build the loader's argv and envp in fresh memory: [loader, options, --,
 * TARGET, the program's argv], and the program's environment with
 * syswho's variables set (even when the program scrubbed them, as env -i
 * does).
 */
static long exec_build(const struct exec_setup *es, const char *target,
		       long own, const struct exec_name *name,
		       unsigned int sigsys, char *const *argv,
		       char *const *envp, char ***new_argv, char ***new_envp)
{
	size_t argc = exec_count(argv), envc = exec_count(envp);
	size_t size = (argc + envc + EXEC_ENV_MAX + 16) * sizeof(char *) +
		      3 * EXEC_PATH_MAX + 512;
	const char *preload = NULL, *end;
	char **av, **ev, *s;
	size_t i, n = 0;
	long p;

	for (i = 0; i < envc; i++)
		if (strncmp(envp[i], "LD_PRELOAD=", 11) == 0)
			preload = envp[i] + 11;
	if (preload)
		size += strlen(preload);

	p = gate_call6(SYS_mmap, 0, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p < 0 && p > -4096)
		return p;
	av = (char **)p;
	ev = av + argc + 11;
	s = (char *)(ev + envc + EXEC_ENV_MAX + 3);
	end = (char *)p + size;

	/* Limitation: after a chroot without the loader's path, exec fails. */
	av[n++] = (char *)es->loader;
	if (sigsys & EXEC_SIGSYS_BLOCKED)
		av[n++] = "-b";
	if (sigsys & EXEC_SIGSYS_IGNORED)
		av[n++] = "-i";
	if (own >= 0) {
		/* Opened for this exec only: the loader closes it. */
		av[n++] = "-c";
		av[n++] = s;
		exec_append_fd(&s, end, own);
		s++;
	}
	av[n++] = "-n";
	av[n++] = s;
	if (!exec_write_name(&s, end, name, target))
		n -= 2;
	av[n++] = "--";
	av[n++] = s;
	strcpy(s, target);
	s += strlen(s) + 1;
	for (i = 0; i < argc; i++)
		av[n++] = argv[i];
	/* As the kernel does for an empty or NULL argv (Linux 5.18). */
	if (!argc)
		av[n++] = "";
	av[n] = NULL;
	n = 0;

	for (i = 0; i < envc; i++)
		if (!exec_is_ours(envp[i]) &&
		    strncmp(envp[i], "LD_PRELOAD=", 11) != 0)
			ev[n++] = envp[i];
	ev[n++] = s;
	exec_note_injected(&s, end, es, envp, envc);
	ev[n++] = s;
	exec_append(&s, end, "LD_PRELOAD=");
	if (!preload || !strstr(preload, es->lib)) {
		exec_append(&s, end, es->lib);
		if (preload)
			exec_append(&s, end, ":");
	}
	if (preload)
		exec_append(&s, end, preload);
	for (i = 0; i < (size_t)es->nenv; i++)
		ev[n++] = (char *)es->env[i];
	ev[n] = NULL;

	*new_argv = av;
	*new_envp = ev;
	return 0;
}

/*
 * Whether PATH starts with "#!": the kernel's script handler refuses a
 * script whose name dies with the exec (BINPRM_FLAGS_PATH_INACCESSIBLE),
 * as its interpreter could not open it, before it looks any further.
 */
static bool exec_is_script(const char *path)
{
	char head[2];
	long fd, n;

	fd = gate_call3(SYS_open, path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return false;
	n = gate_call4(SYS_pread64, fd, head, sizeof(head), 0);
	gate_call1(SYS_close, fd);

	return n == 2 && head[0] == '#' && head[1] == '!';
}

long exec_prepare(const struct exec_setup *es, const struct trap_call *call,
		  unsigned int sigsys, char ***argv, char ***envp)
{
	int a = call->nr == SYS_execveat ? 1 : 0;
	char *const *uargv = (char *const *)call->args[a + 1];
	char *const *uenvp = (char *const *)call->args[a + 2];
	char target[EXEC_PATH_MAX];
	struct exec_name name;
	long ret, own;

	if (!es->loader[0])
		return 1;
	/* The kernel answers it without replacing the image. */
	if (call->nr == SYS_execveat && (call->args[4] & AT_EXECVE_CHECK))
		return 2;

	/* In the kernel's order: path, file, arguments, then contents. */
	ret = exec_target(es, call, target, &own, &name);
	if (ret == 0)
		ret = exec_check_file(target);
	if (ret == 0)
		ret = exec_check_vec(uargv);
	if (ret == 0)
		ret = exec_check_vec(uenvp);
	if (ret == 0 && name.gone && exec_is_script(target))
		ret = -ENOENT;
	if (ret == 0)
		ret = exec_check_format(target);
	if (ret == 0)
		ret = exec_build(es, target, own, &name, sigsys, uargv, uenvp,
				 argv, envp);
	if (ret != 0 && own >= 0)
		gate_call1(SYS_close, own);
	return ret;
}

/*
 * Limitation: should the kernel fail to exec the loader itself (E2BIG),
 * a descriptor opened for the exec stays open in the caller.
 */
void exec_apply(ucontext_t *uc, const struct exec_setup *es, char **argv,
		char **envp)
{
	pass_via(uc, GATE_PASS);
	uc->uc_mcontext.gregs[REG_RAX] = SYS_execve;
	pass_set_arg(uc, 0, (long)es->loader);
	pass_set_arg(uc, 1, (long)argv);
	pass_set_arg(uc, 2, (long)envp);
}
