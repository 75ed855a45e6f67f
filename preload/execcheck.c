/*
 * Checking an exec as the kernel would. It makes its syscalls through the
 * gate and keeps its buffers on the stack, so it serves the library's
 * handler, the loader's, and the command line (whose gate_syscall is a
 * plain syscall).
 */
#include "execcheck.h"

#include "gate.h"
#include "shebang.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define EXEC_HEAD 256
/* The kernel reads at most a page of program headers (ELF_MIN_ALIGN). */
#define EXEC_PHDRS_MAX	(4096 / sizeof(Elf64_Phdr))
#define EXEC_PHDRS_READ 8
/* The kernel's bound on PT_INTERP, and the loader's (ELF_INTERP_MAX). */
#define EXEC_INTERP_KERNEL 4096
#define EXEC_INTERP_LOADER 256

/* What an ELF's program headers hold that exec cares about. */
struct exec_phdrs {
	Elf64_Phdr interp; /* the first PT_INTERP; p_type PT_NULL if none */
	bool load;	   /* a PT_LOAD */
};

long exec_check_file(const char *path)
{
	char *const argv[] = {(char *)path, NULL};
	char *const envp[] = {NULL};
	struct stat st;
	long ret;

	ret = gate_call3(SYS_faccessat, AT_FDCWD, path, X_OK);
	if (ret < 0)
		return ret;
	ret = gate_call4(SYS_newfstatat, AT_FDCWD, path, &st, 0);
	if (ret < 0)
		return ret;
	if (!S_ISREG(st.st_mode))
		return -EACCES;

	/*
	 * The kernel's own checks, ETXTBSY among them: the loader only reads
	 * the file, which a writer does not prevent.
	 */
	ret = gate_call6(SYS_execveat, AT_FDCWD, path, argv, envp,
			 AT_EXECVE_CHECK, 0);

	/* Limitation: before Linux 6.14, a file open for writing runs. */
	return ret == -EINVAL ? 0 : ret;
}

/*
 * Read the program headers of the ELF open at FD, whose header is EH,
 * as the kernel's load_elf_phdrs does: 0, or -ENOEXEC where it fails.
 */
static long exec_read_phdrs(long fd, const Elf64_Ehdr *eh,
			    struct exec_phdrs *out)
{
	Elf64_Phdr ph[EXEC_PHDRS_READ];
	size_t i, n, k;
	long got;

	out->interp.p_type = PT_NULL;
	out->load = false;
	if (eh->e_phentsize != sizeof(*ph) || eh->e_phnum == 0 ||
	    eh->e_phnum > EXEC_PHDRS_MAX)
		return -ENOEXEC;

	for (i = 0; i < eh->e_phnum; i += n) {
		n = eh->e_phnum - i;
		if (n > EXEC_PHDRS_READ)
			n = EXEC_PHDRS_READ;
		got = gate_call4(SYS_pread64, fd, ph, n * sizeof(*ph),
				 eh->e_phoff + i * sizeof(*ph));
		if (got != (long)(n * sizeof(*ph)))
			return -ENOEXEC;
		for (k = 0; k < n; k++) {
			if (ph[k].p_type == PT_LOAD)
				out->load = true;
			if (ph[k].p_type == PT_INTERP &&
			    out->interp.p_type == PT_NULL)
				out->interp = ph[k];
		}
	}

	return 0;
}

/* Whether the loader can map EH (loader/elf.c's elf_check, and a PT_LOAD). */
static bool exec_loadable(const Elf64_Ehdr *eh, const struct exec_phdrs *ph)
{
	return eh->e_ident[EI_CLASS] == ELFCLASS64 &&
	       eh->e_ident[EI_DATA] == ELFDATA2LSB &&
	       (eh->e_type == ET_EXEC || eh->e_type == ET_DYN) && ph->load;
}

/*
 * The interpreter PATH of an ELF, checked as load_elf_binary checks it
 * before the point of no return: opened as an exec would open it, then
 * an ELF header and program headers for this machine (else ELIBBAD).
 * What the kernel finds wrong only later kills the new image: that is
 * left to the kernel (1), the loader could not do better.
 */
static long exec_check_interp(const char *path)
{
	struct exec_phdrs ph;
	Elf64_Ehdr eh;
	long ret, fd, got;

	ret = exec_check_file(path);
	if (ret < 0)
		return ret;
	fd = gate_call3(SYS_open, path, O_RDONLY | O_CLOEXEC, 0);
	/* Limitation: an execute-only interpreter's program runs untraced. */
	if (fd < 0)
		return 1;

	got = gate_call4(SYS_pread64, fd, &eh, sizeof(eh), 0);
	if (got >= 0 && got != (long)sizeof(eh))
		ret = -EIO;
	else if (got < 0)
		ret = got;
	else if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
		 eh.e_machine != EM_X86_64 || exec_read_phdrs(fd, &eh, &ph) < 0)
		ret = -ELIBBAD;
	else
		ret = exec_loadable(&eh, &ph) ? 0 : 1;
	gate_call1(SYS_close, fd);

	return ret;
}

/*
 * The ELF open at FD, whose first N bytes are in HEAD (the rest zeroed,
 * as the kernel's buffer is), checked as load_elf_binary checks it
 * before the point of no return.
 */
static long exec_check_elf(long fd, const char *head, long n)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)head;
	char interp[EXEC_INTERP_LOADER];
	struct exec_phdrs ph;
	uint64_t size;
	long ret, got;

	if (n < SELFMAG || memcmp(head, ELFMAG, SELFMAG) != 0)
		return -ENOEXEC;
	/* Limitation: 32-bit programs are left to the kernel, untraced. */
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_machine != EM_X86_64)
		return 1;
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return -ENOEXEC;
	ret = exec_read_phdrs(fd, eh, &ph);
	if (ret < 0)
		return ret;

	if (ph.interp.p_type == PT_INTERP) {
		size = ph.interp.p_filesz;
		if (size > EXEC_INTERP_KERNEL || size < 2)
			return -ENOEXEC;
		if (size >= sizeof(interp))
			return 1;
		got = gate_call4(SYS_pread64, fd, interp, size,
				 ph.interp.p_offset);
		if (got < 0)
			return got;
		if (got != (long)size)
			return -EIO;
		if (interp[size - 1] != '\0')
			return -ENOEXEC;
		ret = exec_check_interp(interp);
		if (ret != 0)
			return ret;
	}

	return exec_loadable(eh, &ph) ? 0 : 1;
}

long exec_check_format(const char *path)
{
	char interp[SHEBANG_MAX_DEPTH + 1][EXEC_HEAD], arg[EXEC_HEAD];
	char head[EXEC_HEAD];
	long ret, fd, n;
	int depth;

	for (depth = 0; depth <= SHEBANG_MAX_DEPTH; depth++) {
		fd = gate_call3(SYS_open, path, O_RDONLY | O_CLOEXEC, 0);
		/* Limitation: an execute-only file cannot be read, so not
		 * loaded. */
		if (fd < 0)
			return 1;
		memset(head, 0, sizeof(head));
		n = gate_call4(SYS_pread64, fd, head, sizeof(head), 0);
		if (n < 0) {
			gate_call1(SYS_close, fd);
			return n;
		}

		if (shebang_parse(head, (size_t)n, interp[depth], EXEC_HEAD,
				  arg, sizeof(arg)) != 0) {
			ret = exec_check_elf(fd, head, n);
			gate_call1(SYS_close, fd);
			return ret;
		}
		gate_call1(SYS_close, fd);
		if (depth == SHEBANG_MAX_DEPTH)
			break;
		path = interp[depth];
		ret = exec_check_file(path);
		if (ret < 0)
			return ret;
	}

	return -ELOOP;
}

long exec_check(const char *path)
{
	long ret = exec_check_file(path);

	return ret < 0 ? ret : exec_check_format(path);
}
