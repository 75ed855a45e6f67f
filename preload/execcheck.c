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
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define EXEC_HEAD 256

long exec_check(const char *path)
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
