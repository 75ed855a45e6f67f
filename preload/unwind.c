/*
 * Stack unwinding from the signal context with syswho's own CFI reader
 * (cfi.c) and a cache of step rules by instruction address.
 *
 * libunwind, used before, cost every exec'd image a dlopen of itself and
 * liblzma (about 0.7 ms), every thread a 256 KiB trace cache, and made
 * syscalls of its own on a cache miss. This walk makes none: it reads
 * the modules' .eh_frame_hdr and .eh_frame in memory, and the stack.
 *
 * Limitation: frames whose CFI uses DWARF expressions (stack realignment,
 * some hand-written assembly) end the stack there.
 */
#include "unwind.h"

#include "cfi.h"
#include "process.h"

#include <stdbool.h>
#include <string.h>
#include <sys/syscall.h>

/* A rule cache shared by all threads: direct-mapped, by address. */
#define UNWIND_CACHE_SLOTS 8192
/* A frame's CFA lies within this much above the interrupted stack pointer. */
#define UNWIND_STACK_SPAN (64UL << 20)

/*
 * A slot holds the address and its packed rule; the rule repeats low
 * bits of the address, so a reader that meets a half-written slot (two
 * threads filling it at once) sees a mismatch and looks the rule up.
 */
struct unwind_slot {
	uintptr_t pc;
	uint64_t rule;
};

#define RULE_VALID     (1ULL << 0)
#define RULE_CFA_RBP   (1ULL << 1)
#define RULE_RBP_SAVED (1ULL << 2)
#define RULE_RA_UNDEF  (1ULL << 3)
#define RULE_TAG_SHIFT 4  /* 12 bits of the address */
#define RULE_CFA_SHIFT 16 /* int32 */
#define RULE_RBP_SHIFT 48 /* int16 */

static struct unwind_slot unwind_cache[UNWIND_CACHE_SLOTS];

static uint64_t unwind_pack(uintptr_t pc, const struct cfi_rule *r)
{
	return RULE_VALID | (r->cfa_reg == CFI_RBP ? RULE_CFA_RBP : 0) |
	       (r->rbp_saved ? RULE_RBP_SAVED : 0) |
	       (r->ra_undefined ? RULE_RA_UNDEF : 0) |
	       ((uint64_t)(pc & 0xfff) << RULE_TAG_SHIFT) |
	       ((uint64_t)(uint32_t)r->cfa_off << RULE_CFA_SHIFT) |
	       ((uint64_t)(uint16_t)(int16_t)r->rbp_off << RULE_RBP_SHIFT);
}

static void unwind_unpack(uint64_t v, struct cfi_rule *r)
{
	r->cfa_reg = (v & RULE_CFA_RBP) ? CFI_RBP : CFI_RSP;
	r->rbp_saved = (v & RULE_RBP_SAVED) != 0;
	r->ra_undefined = (v & RULE_RA_UNDEF) != 0;
	r->cfa_off = (int32_t)(uint32_t)(v >> RULE_CFA_SHIFT);
	r->rbp_off = (int16_t)(uint16_t)(v >> RULE_RBP_SHIFT);
}

/* The step rule at TARGET: from the cache, else from the module's CFI. */
static bool unwind_rule(uintptr_t target, struct cfi_rule *r)
{
	struct unwind_slot *slot =
	    &unwind_cache[(target ^ (target >> 13)) & (UNWIND_CACHE_SLOTS - 1)];
	const struct module *m;
	uint64_t v;

	if (__atomic_load_n(&slot->pc, __ATOMIC_ACQUIRE) == target) {
		v = __atomic_load_n(&slot->rule, __ATOMIC_ACQUIRE);
		if ((v & RULE_VALID) &&
		    ((v >> RULE_TAG_SHIFT) & 0xfff) == (target & 0xfff) &&
		    __atomic_load_n(&slot->pc, __ATOMIC_RELAXED) == target) {
			unwind_unpack(v, r);
			return true;
		}
	}

	m = process_module_at(target);
	if (!m || !m->eh_frame_hdr || !cfi_find(m->eh_frame_hdr, target, r))
		return false;
	/* Only rules that pack without loss are cached. */
	if (r->rbp_off == (int16_t)r->rbp_off) {
		__atomic_store_n(&slot->pc, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&slot->rule, unwind_pack(target, r),
				 __ATOMIC_RELEASE);
		__atomic_store_n(&slot->pc, target, __ATOMIC_RELEASE);
	}
	return true;
}

/* The kernel's signal return trampoline: mov $15, %rax; syscall. */
static bool unwind_is_sigreturn(uintptr_t pc)
{
	static const uint8_t code[] = {0x48, 0xc7, 0xc0, 0x0f, 0x00,
				       0x00, 0x00, 0x0f, 0x05};

	return process_module_at(pc) &&
	       memcmp((const void *)pc, code, sizeof(code)) == 0;
}

/*
 * glibc's clone, clone3 and vfork have no CFI at their syscall (the
 * child's view would be wrong): the return address is on top of the stack
 * (in vfork, in rdi, the stack already popped).
 */
static bool unwind_frameless(const greg_t *g, uintptr_t *ra, uintptr_t *sp)
{
	long nr = g[REG_RAX];

	if (nr == SYS_vfork) {
		*ra = (uintptr_t)g[REG_RDI];
		*sp = (uintptr_t)g[REG_RSP];
		return true;
	}
	if (nr == SYS_clone || nr == SYS_clone3) {
		*ra = *(const uintptr_t *)g[REG_RSP];
		*sp = (uintptr_t)g[REG_RSP] + 8;
		return true;
	}
	return false;
}

int unwind_stack(const ucontext_t *uc, uintptr_t *pcs, int max)
{
	const greg_t *g = uc->uc_mcontext.gregs;
	uintptr_t ip = (uintptr_t)g[REG_RIP], sp = (uintptr_t)g[REG_RSP];
	uintptr_t bp = (uintptr_t)g[REG_RBP], limit = sp + UNWIND_STACK_SPAN;
	uintptr_t target = ip, cfa;
	struct cfi_rule r;
	int n = 1;

	if (max > UNWIND_MAX_FRAMES)
		max = UNWIND_MAX_FRAMES;
	pcs[0] = ip;
	while (n < max) {
		if (!unwind_rule(target, &r)) {
			if (n == 1 && unwind_frameless(g, &ip, &sp)) {
				pcs[n++] = ip;
				target = ip - 1;
				continue;
			}
			break;
		}
		if (r.ra_undefined)
			break;
		cfa = (r.cfa_reg == CFI_RBP ? bp : sp) + (intptr_t)r.cfa_off;
		/* The stack grows down: a caller's frame is above. */
		if (cfa <= sp || cfa > limit || (cfa & 7))
			break;
		if (r.rbp_saved)
			bp = *(const uintptr_t *)(cfa + (intptr_t)r.rbp_off);
		ip = *(const uintptr_t *)(cfa - 8);
		sp = cfa;
		if (!ip)
			break;
		if (unwind_is_sigreturn(ip)) {
			/* A signal handler's frame: go on from its context. */
			const ucontext_t *inner = (const ucontext_t *)sp;

			pcs[n++] = ip;
			if (n >= max)
				break;
			ip = (uintptr_t)inner->uc_mcontext.gregs[REG_RIP];
			sp = (uintptr_t)inner->uc_mcontext.gregs[REG_RSP];
			bp = (uintptr_t)inner->uc_mcontext.gregs[REG_RBP];
			pcs[n++] = ip;
			target = ip;
			continue;
		}
		pcs[n++] = ip;
		target = ip - 1;
	}

	return n;
}
