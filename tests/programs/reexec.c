/*
 * reexec - a program that execs itself by the names a process has for
 * itself, and checks execveat's arguments as the kernel does.
 *
 *	reexec self      exec /proc/self/exe once, as "reexec again"
 *	reexec fd        exec /proc/self/fd/N of a close-on-exec descriptor;
 *	                 the new image must not have N open
 *	reexec execveat  execveat with AT_FDCWD and a relative path, unknown
 *	                 flags (EINVAL), AT_SYMLINK_NOFOLLOW on a symlink
 *	                 (ELOOP), AT_EXECVE_CHECK (no exec), then the
 *	                 relative exec itself
 *	reexec efault    execs with a bad path, argv or envp pointer
 *	                 (EFAULT), and which error wins over a bad pointer
 *	reexec badelf    execs of files that are not valid programs, of
 *	                 ELF files whose interpreter is missing or bad, and
 *	                 of a file open for writing (ETXTBSY)
 *	reexec script    a #! script (whose interpreter is reexec itself)
 *	                 through a close-on-exec execveat descriptor
 *	                 (ENOENT), then through one without close-on-exec:
 *	                 the interpreter is given /dev/fd/N/script
 *	reexec script-memfd  the same with fexecve of a memfd: /dev/fd/N
 *	reexec badinterp PATH  write an ELF file whose interpreter is
 *	                 missing to PATH (for the scripts)
 *
 * efault and badelf print the errno of each exec, which must be what the
 * kernel says, then exec themselves as "self" does.
 *
 * Under syswho the library hands each exec to its loader, for which these
 * names would mean something else (the loader, a closed descriptor).
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "testutil.h"

#define RX_EXECVE_CHECK 0x10000

extern char **environ;

/*
 * The script NAME, /dev/fd/N/script, a script's interpreter was given:
 * remove it and its directory, which only N still names.
 */
static void rx_script_done(const char *name)
{
	char link[64], dir[PATH_MAX];
	ssize_t n;
	int fd;

	if (sscanf(name, "/dev/fd/%d/", &fd) != 1 || !strchr(name + 8, '/'))
		return;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, dir, sizeof(dir) - 1);
	CHECK(n > 0, "readlink %s: %m", link);
	dir[n] = '\0';
	CHECK_OK(unlinkat(fd, strchr(name + 8, '/') + 1, 0));
	CHECK_OK(rmdir(dir));
}

/* The second image: say how it was reached and what it sees. */
static int rx_again(int argc, char **argv)
{
	char exe[PATH_MAX];
	ssize_t n;
	int fd;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	CHECK(n > 0, "readlink /proc/self/exe: %m");
	exe[n] = '\0';
	/* AT_EXECFN is the kernel's name for the file exec'd. */
	printf("again: argc %d, exe %s, AT_EXECFN %s\n", argc, basename(exe),
	       (const char *)getauxval(AT_EXECFN));
	if (argc > 2 && argv[2][0] == '/') {
		/* The interpreter of a script is given that name too. */
		printf("again: script %s\n", argv[2]);
		rx_script_done(argv[2]);
	} else if (argc > 2) {
		fd = atoi(argv[2]);
		CHECK(fcntl(fd, F_GETFD) < 0 && errno == EBADF,
		      "close-on-exec descriptor %d is open after the exec", fd);
		printf("again: the descriptor is closed\n");
	}
	printf("reexec again: pass\n");

	return 0;
}

static void rx_self(char *argv0)
{
	char *args[] = {argv0, "again", NULL};

	printf("self: exec /proc/self/exe\n");
	fflush(stdout);
	execv("/proc/self/exe", args);
	tu_fail(__func__, "execv /proc/self/exe: %m");
}

static void rx_fd(char *argv0)
{
	char path[64], num[16];
	char *args[] = {argv0, "again", num, NULL};
	int fd;

	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0, "open /proc/self/exe: %m");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	snprintf(num, sizeof(num), "%d", fd);
	printf("fd: exec /proc/self/fd/N\n");
	fflush(stdout);
	execv(path, args);
	tu_fail(__func__, "execv %s: %m", path);
}

/* execveat must fail with WANT and leave the process as it was. */
static void rx_expect_fail(int dirfd, const char *path, int flags, int want,
			   const char *what)
{
	char *args[] = {"reexec", "again", NULL};

	errno = 0;
	CHECK(execveat(dirfd, path, args, environ, flags) < 0,
	      "%s: execveat returned", what);
	CHECK(errno == want, "%s: errno %d (%s), want %d (%s)", what, errno,
	      strerror(errno), want, strerror(want));
	printf("execveat %s: %s\n", what, strerror(errno));
}

static void rx_execveat(void)
{
	char self[PATH_MAX], dir[] = "/tmp/reexec.XXXXXX", link[PATH_MAX + 32];
	char *args[] = {"reexec", "again", NULL};
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	CHECK(n > 0, "readlink /proc/self/exe: %m");
	self[n] = '\0';
	CHECK(mkdtemp(dir), "mkdtemp: %m");
	snprintf(link, sizeof(link), "%s/link", dir);
	CHECK_OK(symlink(self, link));

	rx_expect_fail(AT_FDCWD, self, AT_SYMLINK_FOLLOW, EINVAL,
		       "unknown flag");
	rx_expect_fail(AT_FDCWD, link, AT_SYMLINK_NOFOLLOW, ELOOP,
		       "AT_SYMLINK_NOFOLLOW on a symlink");
	rx_expect_fail(AT_FDCWD, "no-such-program", 0, ENOENT,
		       "missing relative path");
	/* Linux 6.14 checks and execs nothing; older kernels say EINVAL. */
	errno = 0;
	printf("execveat AT_EXECVE_CHECK: %d, %s\n",
	       execveat(AT_FDCWD, self, args, environ, RX_EXECVE_CHECK),
	       strerror(errno));
	CHECK_OK(unlink(link));
	CHECK_OK(rmdir(dir));

	CHECK_OK(chdir(dirname(self)));
	printf("execveat: AT_FDCWD, relative path\n");
	fflush(stdout);
	execveat(AT_FDCWD, "reexec", args, environ, 0);
	tu_fail(__func__, "execveat AT_FDCWD reexec: %m");
}

/* An exec that must fail: print its errno; RET is what it returned. */
static void rx_failed(long ret, const char *what)
{
	int e = errno;

	CHECK(ret < 0, "%s: the exec returned %ld", what, ret);
	printf("%s: %s\n", what, strerrorname_np(e));
	errno = 0;
}

/* Bad pointers for the kernel to read: EFAULT, unless an error wins. */
static void rx_efault(char *argv0)
{
	char *bad = (char *)1, *args[] = {argv0, "again", NULL};
	char *bad_arg[] = {argv0, bad, NULL}, *bad_env[] = {bad, NULL};
	long page = sysconf(_SC_PAGESIZE);
	char *edge;

	/* A path running into an unmapped page, with no NUL before it. */
	edge = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(edge != MAP_FAILED, "mmap: %m");
	CHECK_OK(munmap(edge + page, page));
	memset(edge, 'a', page);

	errno = 0;
	rx_failed(syscall(SYS_execve, bad, args, environ), "bad path");
	rx_failed(syscall(SYS_execve, NULL, args, environ), "NULL path");
	rx_failed(syscall(SYS_execve, edge + page - 16, args, environ),
		  "path at a hole");
	rx_failed(syscall(SYS_execve, edge, args, environ), "path too long");
	rx_failed(syscall(SYS_execve, argv0, bad, environ), "bad argv");
	rx_failed(syscall(SYS_execve, argv0, bad_arg, environ),
		  "bad argv element");
	rx_failed(syscall(SYS_execve, argv0, args, bad), "bad envp");
	rx_failed(syscall(SYS_execve, argv0, args, bad_env),
		  "bad envp element");
	rx_failed(
	    syscall(SYS_execve, argv0, args, (char **)edge + page / 8 - 1),
	    "envp at a hole");
	rx_failed(syscall(SYS_execveat, AT_FDCWD, bad, args, environ, 0),
		  "execveat bad path");
	rx_failed(syscall(SYS_execveat, AT_FDCWD, argv0, args, bad_env, 0),
		  "execveat bad envp element");
	/* The file is opened before the arguments are read. */
	rx_failed(syscall(SYS_execve, "/nonexistent", bad, environ),
		  "missing file, bad argv");
	rx_failed(syscall(SYS_execve, "/etc/passwd", bad, environ),
		  "not executable, bad argv");
	/* And its format is looked at after them. */
	rx_failed(syscall(SYS_execve, "/proc/self/cmdline", bad_arg, environ),
		  "not a regular file, bad argv element");
	CHECK_OK(munmap(edge, page));
}

/* A minimal x86_64 ELF: a PT_INTERP naming the interpreter, a PT_LOAD. */
struct rx_elf {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[2];
	char interp[PATH_MAX];
};

static void rx_elf_init(struct rx_elf *e, const char *interp)
{
	size_t len = strlen(interp) + 1;

	memset(e, 0, sizeof(*e));
	memcpy(e->eh.e_ident, ELFMAG, SELFMAG);
	e->eh.e_ident[EI_CLASS] = ELFCLASS64;
	e->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	e->eh.e_ident[EI_VERSION] = EV_CURRENT;
	e->eh.e_type = ET_DYN;
	e->eh.e_machine = EM_X86_64;
	e->eh.e_version = EV_CURRENT;
	e->eh.e_phoff = offsetof(struct rx_elf, ph);
	e->eh.e_ehsize = sizeof(e->eh);
	e->eh.e_phentsize = sizeof(e->ph[0]);
	e->eh.e_phnum = 2;
	e->ph[0].p_type = PT_INTERP;
	e->ph[0].p_flags = PF_R;
	e->ph[0].p_offset = offsetof(struct rx_elf, interp);
	e->ph[0].p_vaddr = e->ph[0].p_offset;
	e->ph[0].p_filesz = e->ph[0].p_memsz = len;
	e->ph[1].p_type = PT_LOAD;
	e->ph[1].p_flags = PF_R | PF_X;
	e->ph[1].p_filesz = e->ph[1].p_memsz = e->ph[0].p_offset + len;
	e->ph[1].p_align = 4096;
	memcpy(e->interp, interp, len);
}

/* LEN bytes of DATA as the file PATH with MODE. */
static void rx_write(const char *path, const void *data, size_t len,
		     mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	CHECK(fd >= 0, "create %s: %m", path);
	CHECK(write(fd, data, len) == (ssize_t)len, "write %s: %m", path);
	CHECK_OK(close(fd));
	CHECK_OK(chmod(path, mode));
}

/* The first LEN bytes of E as the program PATH; exec it and say how. */
static void rx_try_elf(const char *path, const struct rx_elf *e, size_t len,
		       const char *what)
{
	char *args[] = {(char *)path, NULL};

	rx_write(path, e, len, 0755);
	rx_failed(execve(path, args, environ), what);
	CHECK_OK(unlink(path));
}

static void rx_badinterp(const char *path)
{
	struct rx_elf e;

	rx_elf_init(&e, "/nonexistent/ld-syswho-test.so");
	rx_write(path, &e, sizeof(e), 0755);
}

/* Which of the checks the kernel makes at exec time is each file's. */
static void rx_badelf(const char *self)
{
	char dir[] = "/tmp/reexec.XXXXXX", prog[PATH_MAX], aux[PATH_MAX];
	const size_t full = offsetof(struct rx_elf, interp) + 64;
	struct rx_elf e, ie;
	static const char script[] = "#!/bin/sh\n# More than an ELF header "
				     "long, so that it is read as one.\n";
	char *args[] = {prog, NULL}, *bad_arg[] = {prog, (char *)1, NULL};
	int fd, wfd;

	CHECK(mkdtemp(dir), "mkdtemp: %m");
	snprintf(prog, sizeof(prog), "%s/prog", dir);
	snprintf(aux, sizeof(aux), "%s/aux", dir);

	rx_elf_init(&e, "/nonexistent/ld.so");
	rx_try_elf(prog, &e, full, "missing interpreter");
	rx_try_elf(prog, &e, 40, "truncated header");
	rx_try_elf(prog, &e, sizeof(e.eh), "header only");
	rx_try_elf(prog, &e, sizeof(e.eh) + sizeof(e.ph[0]),
		   "truncated program headers");
	e.eh.e_type = ET_REL;
	rx_try_elf(prog, &e, full, "relocatable object");
	e.eh.e_type = ET_CORE;
	rx_try_elf(prog, &e, full, "core file");
	e.eh.e_type = ET_DYN;
	e.eh.e_phentsize = 32;
	rx_try_elf(prog, &e, full, "bad e_phentsize");
	e.eh.e_phentsize = sizeof(e.ph[0]);
	e.eh.e_phnum = 0;
	rx_try_elf(prog, &e, full, "no program headers");
	e.eh.e_phnum = 100;
	rx_try_elf(prog, &e, full, "too many program headers");
	e.eh.e_phnum = 2;
	e.ph[0].p_filesz--;
	rx_try_elf(prog, &e, full, "interpreter path without NUL");
	e.ph[0].p_filesz = 1;
	e.interp[0] = '\0';
	rx_try_elf(prog, &e, full, "interpreter path of one byte");
	rx_elf_init(&e, "/nonexistent/ld.so");
	e.ph[0].p_offset = 1 << 20;
	rx_try_elf(prog, &e, full, "interpreter path past the end");

	rx_elf_init(&e, aux);
	rx_write(aux, script, sizeof(script) - 1, 0755);
	rx_try_elf(prog, &e, full, "interpreter a script");
	rx_write(aux, ELFMAG, SELFMAG, 0755);
	rx_try_elf(prog, &e, full, "interpreter of four bytes");
	rx_elf_init(&ie, "/nonexistent/ld.so");
	ie.eh.e_phnum = 0;
	rx_write(aux, &ie, sizeof(ie.eh), 0755);
	rx_try_elf(prog, &e, full, "interpreter without program headers");
	ie.eh.e_phnum = 2;
	ie.eh.e_machine = EM_AARCH64;
	rx_write(aux, &ie, full, 0755);
	rx_try_elf(prog, &e, full, "interpreter for another machine");
	ie.eh.e_machine = EM_X86_64;
	rx_write(aux, &ie, full, 0644);
	rx_try_elf(prog, &e, full, "interpreter not executable");
	CHECK_OK(unlink(aux));
	rx_elf_init(&e, dir);
	rx_try_elf(prog, &e, full, "interpreter a directory");

	/* The arguments are read before the contents are looked at. */
	rx_elf_init(&e, "/nonexistent/ld.so");
	rx_write(prog, &e, full, 0755);
	rx_failed(execve(prog, bad_arg, environ),
		  "missing interpreter, bad argv element");
	rx_write(prog, "just text\n", 10, 0755);
	rx_failed(execve(prog, bad_arg, environ), "not ELF, bad argv element");
	rx_failed(execve(prog, args, environ), "not ELF");

	/* A program the kernel would run, but open for writing. */
	fd = open(self, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0, "open %s: %m", self);
	wfd = open(prog, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	CHECK(wfd >= 0, "create %s: %m", prog);
	CHECK(copy_file_range(fd, NULL, wfd, NULL, 1 << 30, 0) > 0,
	      "copy %s: %m", self);
	CHECK_OK(close(fd));
	/* Before Linux 6.14, syswho has no way to know (AT_EXECVE_CHECK). */
	if (syscall(SYS_execveat, AT_FDCWD, self, args, environ,
		    RX_EXECVE_CHECK) == 0)
		rx_failed(execve(prog, args, environ), "open for writing");
	else
		printf("open for writing: not checked (%s)\n",
		       strerrorname_np(errno));
	CHECK_OK(close(wfd));
	CHECK_OK(unlink(prog));
	CHECK_OK(rmdir(dir));
}

/*
 * A script whose interpreter is this program, in a new directory: DIR
 * and SCRIPT are filled in. Not by /proc/self/exe, which names syswho's
 * loader for a user who cannot point it at the program.
 */
static void rx_script_write(char *dir, char *script, size_t size, char *text,
			    size_t text_size)
{
	char *self = realpath((const char *)getauxval(AT_EXECFN), NULL);

	CHECK(self, "realpath AT_EXECFN: %m");
	snprintf(text, text_size, "#!%s again\n", self);
	free(self);
	if (!dir)
		return;
	CHECK(mkdtemp(dir), "mkdtemp: %m");
	snprintf(script, size, "%s/script", dir);
	rx_write(script, text, strlen(text), 0755);
}

/* execveat of a script through a directory descriptor. */
static void rx_script(void)
{
	char dir[] = "/tmp/reexec.XXXXXX", script[PATH_MAX], text[PATH_MAX];
	char *args[] = {"script", NULL};
	int fd;

	rx_script_write(dir, script, sizeof(script), text, sizeof(text));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(fd >= 0, "open %s: %m", dir);
	rx_failed(syscall(SYS_execveat, fd, "script", args, environ, 0),
		  "script through a close-on-exec descriptor");
	CHECK_OK(close(fd));

	fd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0, "open %s: %m", dir);
	printf("script: execveat DIRFD script\n");
	fflush(stdout);
	syscall(SYS_execveat, fd, "script", args, environ, 0);
	tu_fail(__func__, "execveat %s: %m", script);
}

/* A memfd holding the script, with FLAGS. */
static int rx_script_memfd(const char *text, unsigned int flags)
{
	int fd = memfd_create("script", flags);

	CHECK(fd >= 0, "memfd_create: %m");
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text),
	      "write memfd: %m");

	return fd;
}

/* fexecve of a script in a memfd: the kernel's name is /dev/fd/N. */
static void rx_script_fexecve(void)
{
	char text[PATH_MAX], *args[] = {"script", NULL};
	int fd;

	rx_script_write(NULL, NULL, 0, text, sizeof(text));
	fd = rx_script_memfd(text, MFD_CLOEXEC);
	rx_failed(syscall(SYS_execveat, fd, "", args, environ, AT_EMPTY_PATH),
		  "script in a close-on-exec memfd");
	CHECK_OK(close(fd));

	fd = rx_script_memfd(text, 0);
	printf("script-memfd: fexecve\n");
	fflush(stdout);
	syscall(SYS_execveat, fd, "", args, environ, AT_EMPTY_PATH);
	tu_fail(__func__, "fexecve memfd: %m");
}

int main(int argc, char **argv)
{
	const char *mode = tu_mode(argc, argv, "self");

	if (!strcmp(mode, "again"))
		return rx_again(argc, argv);
	if (!strcmp(mode, "self"))
		rx_self(argv[0]);
	else if (!strcmp(mode, "fd"))
		rx_fd(argv[0]);
	else if (!strcmp(mode, "execveat"))
		rx_execveat();
	else if (!strcmp(mode, "script"))
		rx_script();
	else if (!strcmp(mode, "script-memfd"))
		rx_script_fexecve();
	else if (!strcmp(mode, "efault") || !strcmp(mode, "badelf")) {
		char self[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

		CHECK(n > 0, "readlink /proc/self/exe: %m");
		self[n] = '\0';
		if (!strcmp(mode, "efault"))
			rx_efault(self);
		else
			rx_badelf(self);
		rx_self(argv[0]);
	} else if (!strcmp(mode, "badinterp") && argc > 2) {
		rx_badinterp(argv[2]);
		return 0;
	}
	tu_fail("main", "unknown mode %s", mode);
}
