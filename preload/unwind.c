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

#include "gate.h"

#define UNW_LOCAL_ONLY
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <signal.h>
#include <sys/mman.h>
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

/*
 * Limitation: a program's own use of libunwind gets these calls too.
 *
 * libunwind blocks signals around each lookup of a frame layout it has
 * not cached, and checks addresses with mincore and msync; every one of
 * those calls would trap again (a few microseconds each, two or more per
 * frame of a new stack). Its imports of them are pointed at versions that
 * go through the gate. They run inside the handler, where the mask they
 * set is undone by rt_sigreturn, and they never block SIGSYS.
 */
static int unwind_sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	uint64_t mask;
	long ret;

	if (set) {
		memcpy(&mask, set, sizeof(mask));
		mask &= ~(1ULL << (SIGSYS - 1));
	}
	ret = gate_call4(SYS_rt_sigprocmask, how, set ? &mask : NULL, old, 8);
	if (ret < 0) {
		errno = (int)-ret;
		return -1;
	}
	return 0;
}

static int unwind_mincore(void *addr, size_t len, unsigned char *vec)
{
	long ret = gate_call3(SYS_mincore, addr, len, vec);

	if (ret < 0) {
		errno = (int)-ret;
		return -1;
	}
	return 0;
}

static int unwind_msync(void *addr, size_t len, int flags)
{
	long ret = gate_call3(SYS_msync, addr, len, flags);

	if (ret < 0) {
		errno = (int)-ret;
		return -1;
	}
	return 0;
}

static const struct {
	const char *name;
	void *fn;
} unwind_rebinds[] = {
	{"sigprocmask", (void *)unwind_sigprocmask},
	{"mincore", (void *)unwind_mincore},
	{"msync", (void *)unwind_msync},
};

/* Point one PLT slot of libunwind (at SLOT) at FN, past its RELRO. */
static void unwind_rebind_slot(void **slot, void *fn, uintptr_t relro_lo,
			       uintptr_t relro_hi)
{
	uintptr_t page = (uintptr_t)slot & ~4095UL;
	bool ro = (uintptr_t)slot >= relro_lo && (uintptr_t)slot < relro_hi;

	if (ro)
		mprotect((void *)page, 4096, PROT_READ | PROT_WRITE);
	*slot = fn;
	if (ro)
		mprotect((void *)page, 4096, PROT_READ);
}

static int unwind_rebind_one(struct dl_phdr_info *info, size_t size,
			     void *data)
{
	const ElfW(Dyn) *dyn = NULL;
	const ElfW(Rela) *rela = NULL;
	const ElfW(Sym) *symtab = NULL;
	const char *strtab = NULL;
	uintptr_t relro_lo = 0, relro_hi = 0;
	size_t relsz = 0, i, k;
	int p;

	if (!info->dlpi_name || !strstr(info->dlpi_name, "libunwind.so"))
		return 0;
	for (p = 0; p < info->dlpi_phnum; p++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[p];

		if (ph->p_type == PT_DYNAMIC)
			dyn = (const void *)(info->dlpi_addr + ph->p_vaddr);
		if (ph->p_type == PT_GNU_RELRO) {
			relro_lo = info->dlpi_addr + ph->p_vaddr;
			relro_hi = relro_lo + ph->p_memsz;
		}
	}
	for (; dyn && dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag == DT_JMPREL)
			rela = (const void *)dyn->d_un.d_ptr;
		else if (dyn->d_tag == DT_PLTRELSZ)
			relsz = dyn->d_un.d_val;
		else if (dyn->d_tag == DT_SYMTAB)
			symtab = (const void *)dyn->d_un.d_ptr;
		else if (dyn->d_tag == DT_STRTAB)
			strtab = (const void *)dyn->d_un.d_ptr;
	}
	if (!rela || !symtab || !strtab)
		return 1;

	for (i = 0; i < relsz / sizeof(*rela); i++) {
		const char *name;

		if (ELF64_R_TYPE(rela[i].r_info) != R_X86_64_JUMP_SLOT)
			continue;
		name = strtab + symtab[ELF64_R_SYM(rela[i].r_info)].st_name;
		for (k = 0; k < sizeof(unwind_rebinds) / sizeof(*unwind_rebinds);
		     k++)
			if (strcmp(name, unwind_rebinds[k].name) == 0)
				unwind_rebind_slot(
				    (void **)(info->dlpi_addr + rela[i].r_offset),
				    unwind_rebinds[k].fn, relro_lo, relro_hi);
	}
	(void)data;
	return 1;
}

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
	/* Bound now (RTLD_NOW), so the slots stay as set here. */
	dl_iterate_phdr(unwind_rebind_one, NULL);

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
