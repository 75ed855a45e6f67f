/*
 * Preparing an execve or execveat for the exec loader: checking it as the
 * kernel would, and building the loader's argv and envp. It makes its
 * syscalls through the gate and allocates nothing but fresh pages, so it
 * serves both the library's handler and the loader's (for static
 * programs, which have no library).
 */
#include "execprep.h"

#include "gate.h"
#include "passthrough.h"
#include "shebang.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define EXEC_HEAD     256
#define EXEC_FD_FLOOR 800

/* Variables syswho sets; the program's own values of them are replaced. */
static const char *const exec_vars[] = {
    "SYSWHO_COLLECTOR=", "SYSWHO_RUNTIME=", "SYSWHO_GATE=",
    "SYSWHO_MODE=",	 "SYSWHO_LOG=",
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

/* A descriptor that survives the exec: FD itself, or a copy without CLOEXEC. */
static long exec_keep_fd(long fd)
{
	long flags = gate_call2(SYS_fcntl, fd, F_GETFD);

	if (flags < 0)
		return flags;
	if (!(flags & FD_CLOEXEC))
		return fd;
	/* Limitation: the exec'd program inherits this extra descriptor. */
	return gate_call3(SYS_fcntl, fd, F_DUPFD, EXEC_FD_FLOOR);
}

/* The path the loader opens for the exec'd file, in BUF. 0 or -errno. */
static long exec_target(const struct trap_call *call, char *buf)
{
	const char *path = (const char *)call->args[0];
	long dirfd = AT_FDCWD, flags = 0, fd;
	const char *end;
	char *p;

	if (call->nr == SYS_execveat) {
		dirfd = call->args[0];
		path = (const char *)call->args[1];
		flags = call->args[4];
	}
	if (!path)
		return -EFAULT;
	if (dirfd == AT_FDCWD || path[0] == '/') {
		if (strlen(path) >= EXEC_PATH_MAX)
			return -ENAMETOOLONG;
		strcpy(buf, path);
		return 0;
	}
	if (!path[0] && !(flags & AT_EMPTY_PATH))
		return -ENOENT;
	fd = exec_keep_fd(dirfd);
	if (fd < 0)
		return fd;
	end = buf + EXEC_PATH_MAX;
	p = buf;
	if (!exec_append(&p, end, "/proc/self/fd/") ||
	    !exec_append_fd(&p, end, fd) ||
	    (path[0] &&
	     (!exec_append(&p, end, "/") || !exec_append(&p, end, path))))
		return -ENAMETOOLONG;
	return 0;
}

/*
 * What the kernel's exec would say of PATH, as far as it can be asked
 * without exec'ing: 0 when the loader can start it, 1 when it is a kind
 * the loader cannot start (left to the kernel), or a negative errno.
 */
static long exec_check(const char *path)
{
	char interp[SHEBANG_MAX_DEPTH][EXEC_HEAD], arg[EXEC_HEAD];
	char head[EXEC_HEAD];
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)head;
	struct stat st;
	long ret, fd, n;
	int depth;

	for (depth = 0; depth < SHEBANG_MAX_DEPTH; depth++) {
		ret = gate_call3(SYS_faccessat, AT_FDCWD, path, X_OK);
		if (ret < 0)
			return ret;
		ret = gate_call4(SYS_newfstatat, AT_FDCWD, path, &st, 0);
		if (ret < 0)
			return ret;
		if (!S_ISREG(st.st_mode))
			return -EACCES;
		fd = gate_call3(SYS_open, path, O_RDONLY | O_CLOEXEC, 0);
		/* Limitation: an execute-only file cannot be read, so not
		 * loaded. */
		if (fd < 0)
			return 1;
		n = gate_call4(SYS_pread64, fd, head, sizeof(head), 0);
		gate_call1(SYS_close, fd);
		if (n < 0)
			return n;

		if (shebang_parse(head, (size_t)n, interp[depth], EXEC_HEAD,
				  arg, sizeof(arg)) == 0) {
			path = interp[depth];
			continue;
		}
		if (n < (long)sizeof(*eh) || memcmp(head, ELFMAG, SELFMAG) != 0)
			return -ENOEXEC;
		/* Limitation: 32-bit programs are left to the kernel, untraced.
		 */
		if (eh->e_ident[EI_CLASS] != ELFCLASS64 ||
		    eh->e_machine != EM_X86_64)
			return 1;
		return 0;
	}

	return -ELOOP;
}

static bool exec_is_ours(const char *entry)
{
	size_t i;

	for (i = 0; i < sizeof(exec_vars) / sizeof(*exec_vars); i++)
		if (strncmp(entry, exec_vars[i], strlen(exec_vars[i])) == 0)
			return true;
	return false;
}

static size_t exec_count(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

/*
 * Build the loader's argv and envp in fresh memory: [loader, --, TARGET,
 * the program's argv], and the program's environment with syswho's
 * variables set (even when the program scrubbed them, as env -i does).
 */
static long exec_build(const struct exec_setup *es, const char *target,
		       char *const *argv, char *const *envp, char ***new_argv,
		       char ***new_envp)
{
	size_t argc = exec_count(argv), envc = exec_count(envp);
	size_t size = (argc + envc + EXEC_ENV_MAX + 8) * sizeof(char *) +
		      2 * EXEC_PATH_MAX + 64;
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
	ev = av + argc + 4;
	s = (char *)(ev + envc + EXEC_ENV_MAX + 2);

	strcpy(s, target);
	av[0] = (char *)es->loader;
	av[1] = "--";
	av[2] = s;
	for (i = 0; i < argc; i++)
		av[3 + i] = argv[i];
	av[3 + argc] = NULL;
	s += strlen(s) + 1;

	for (i = 0; i < envc; i++)
		if (!exec_is_ours(envp[i]) &&
		    strncmp(envp[i], "LD_PRELOAD=", 11) != 0)
			ev[n++] = envp[i];
	ev[n++] = s;
	end = (char *)p + size;
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

long exec_prepare(const struct exec_setup *es, const struct trap_call *call,
		  char ***argv, char ***envp)
{
	int a = call->nr == SYS_execveat ? 1 : 0;
	char target[EXEC_PATH_MAX];
	long ret;

	if (!es->loader[0])
		return 1;
	ret = exec_target(call, target);
	if (ret == 0)
		ret = exec_check(target);
	if (ret == 0)
		ret = exec_build(es, target, (char *const *)call->args[a + 1],
				 (char *const *)call->args[a + 2], argv, envp);
	return ret;
}

void exec_apply(ucontext_t *uc, const struct exec_setup *es, char **argv,
		char **envp)
{
	pass_via(uc, GATE_PASS);
	uc->uc_mcontext.gregs[REG_RAX] = SYS_execve;
	pass_set_arg(uc, 0, (long)es->loader);
	pass_set_arg(uc, 1, (long)argv);
	pass_set_arg(uc, 2, (long)envp);
}
