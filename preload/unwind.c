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

#define UNW_LOCAL_ONLY
#include <dlfcn.h>
#include <errno.h>
#include <libunwind.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>
#include <sys/syscall.h>

typedef int (*unw_backtrace_fn)(void **, int);
typedef int (*unw_init_local2_fn)(unw_cursor_t *, unw_context_t *, int);
typedef int (*unw_step_fn)(unw_cursor_t *);
typedef int (*unw_get_reg_fn)(unw_cursor_t *, unw_regnum_t, unw_word_t *);

static unw_backtrace_fn unwind_backtrace;
static unw_init_local2_fn unwind_init_local2;
static unw_step_fn unwind_step;
static unw_get_reg_fn unwind_get_reg;

int unwind_init(void)
{
	void *trace[8];
	void *lib;

	/*
	 * Limitation: a program that loads libunwind itself shares its locks;
	 * a syscall it makes while holding one would wait for itself.
	 */
	lib = dlopen("libunwind.so.8", RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return -ENOENT;
	unwind_backtrace = (unw_backtrace_fn)dlsym(lib, "unw_backtrace");
	if (!unwind_backtrace)
		return -ENOENT;
	unwind_init_local2 =
	    (unw_init_local2_fn)dlsym(lib, "_ULx86_64_init_local2");
	unwind_step = (unw_step_fn)dlsym(lib, "_ULx86_64_step");
	unwind_get_reg = (unw_get_reg_fn)dlsym(lib, "_ULx86_64_get_reg");

	/* Let it set up its once-only state outside signal context. */
	unwind_backtrace(trace, 8);
	return 0;
}

/* The calls whose glibc wrappers carry no unwind information. */
static bool unwind_frameless_site(const ucontext_t *uc)
{
	long nr = uc->uc_mcontext.gregs[REG_RAX];

	return nr == SYS_clone || nr == SYS_clone3 || nr == SYS_vfork;
}

int unwind_skip_handler(void *const *trace, int n, uintptr_t ip)
{
	int i;

	for (i = 0; i < n; i++)
		if ((uintptr_t)trace[i] == ip)
			return i;

	return -1;
}

/*
 * glibc ends the unwind information of clone, clone3 and vfork just before
 * their syscall (the child's view would be wrong), so the fast trace stops
 * at frame 0. There the return address is still on top of the stack (or,
 * in vfork, in rdi): resume from it with libunwind's slow walk. It costs
 * some microseconds, and only these rare calls take it.
 */
static int unwind_frameless(const ucontext_t *uc, uintptr_t *pcs, int max)
{
	const greg_t *r = uc->uc_mcontext.gregs;
	unw_context_t ctx;
	unw_cursor_t cursor;
	unw_word_t ip;
	uint64_t ret;
	int n = 1;

	if (!unwind_init_local2 || !unwind_step || !unwind_get_reg)
		return 1;
	memcpy(&ctx, uc, sizeof(ctx));
	if (r[REG_RAX] == SYS_vfork) {
		ret = (uint64_t)r[REG_RDI];
	} else {
		ret = *(const uint64_t *)r[REG_RSP];
		ctx.uc_mcontext.gregs[REG_RSP] = r[REG_RSP] + 8;
	}
	ctx.uc_mcontext.gregs[REG_RIP] = (greg_t)ret;
	if (unwind_init_local2(&cursor, &ctx, 0) < 0)
		return 1;

	do {
		if (unwind_get_reg(&cursor, UNW_REG_IP, &ip) < 0 || ip == 0)
			break;
		pcs[n++] = (uintptr_t)ip;
	} while (n < max && unwind_step(&cursor) > 0);

	return n;
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
	if (i == 1 && unwind_frameless_site(uc))
		return unwind_frameless(uc, pcs, max);

	return i;
}
