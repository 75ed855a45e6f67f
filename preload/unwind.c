/*
 * Stack unwinding with libunwind's fast trace.
 *
 * libunwind's unw_step walk blocks signals around every lookup, and each
 * of those rt_sigprocmask calls traps again: about 14 us a call. Its
 * unw_backtrace instead keeps a per-thread cache of frame layouts keyed by
 * instruction address and, once warm, walks a stack (through the kernel's
 * signal frame) without a syscall. It starts from the caller, so the
 * handler's own frames are skipped afterwards.
 *
 * libunwind is loaded with dlopen(RTLD_LOCAL): linked normally, its
 * _Unwind_* and backtrace symbols could interpose the program's own
 * (libgcc_s's exception unwinder) and change how a C++ program behaves.
 */
#include "unwind.h"

#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>

typedef int (*unw_backtrace_fn)(void **, int);

static unw_backtrace_fn unwind_backtrace;

int unwind_init(void)
{
	void *trace[8];
	void *lib;

	lib = dlopen("libunwind.so.8", RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return -ENOENT;
	unwind_backtrace = (unw_backtrace_fn)dlsym(lib, "unw_backtrace");
	if (!unwind_backtrace)
		return -ENOENT;

	/* Let it set up its once-only state outside signal context. */
	unwind_backtrace(trace, 8);
	return 0;
}

int unwind_skip_handler(void *const *trace, int n, uintptr_t ip)
{
	int i;

	for (i = 0; i < n; i++)
		if ((uintptr_t)trace[i] == ip)
			return i;

	return -1;
}

int unwind_stack(const ucontext_t *uc, uintptr_t *pcs, int max)
{
	/* The handler adds a handful of frames above the interrupted one. */
	void *trace[UNWIND_MAX_FRAMES + 16];
	uintptr_t ip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	int n, first, i;

	if (max > UNWIND_MAX_FRAMES)
		max = UNWIND_MAX_FRAMES;
	pcs[0] = ip;
	if (!unwind_backtrace)
		return 1;

	n = unwind_backtrace(trace, (int)(sizeof(trace) / sizeof(*trace)));
	first = unwind_skip_handler(trace, n, ip);
	if (first < 0)
		return 1;

	for (i = 0; i < max && first + i < n; i++)
		pcs[i] = (uintptr_t)trace[first + i];

	return i;
}
