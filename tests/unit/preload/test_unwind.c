/*
 * syswho's own unwinder: the CFI reader's rules on this very binary, and
 * a walk from a saved context back through known callers.
 */
#include <link.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#include <cmocka.h>

#include "cfi.h"
#include "gate.h"
#include "process.h"
#include "unwind.h"

#define TEST_GATE_ADDR 0x210000000000UL

/* The .eh_frame_hdr of the module holding ADDR. */
static uintptr_t hdr_of(uintptr_t addr)
{
	Dl_info info;
	struct link_map *lm;
	const ElfW(Ehdr) * eh;
	const ElfW(Phdr) * ph;
	int i;

	if (!dladdr1((void *)addr, &info, (void **)&lm, RTLD_DL_LINKMAP))
		return 0;
	eh = info.dli_fbase;
	ph = (const void *)((const char *)eh + eh->e_phoff);
	for (i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_GNU_EH_FRAME)
			return lm->l_addr + ph[i].p_vaddr;
	return 0;
}

static int setup(void **state)
{
	process.pid = (uint32_t)getpid();
	if (gate_map(TEST_GATE_ADDR) != 0)
		return -1;
	modmap_init(&process.modules);
	modmap_refresh(&process.modules, "/proc/self/exe", NULL);
	return 0;
}

/* At any function's first instruction the CFA is rsp + 8. */
static void test_rule_at_entry(void **state)
{
	uintptr_t fns[] = {(uintptr_t)hdr_of, (uintptr_t)getpid,
			   (uintptr_t)memcmp};
	struct cfi_rule r;
	size_t i;

	for (i = 0; i < sizeof(fns) / sizeof(*fns); i++) {
		assert_true(cfi_find(hdr_of(fns[i]), fns[i], &r));
		assert_int_equal(r.cfa_reg, CFI_RSP);
		assert_int_equal(r.cfa_off, 8);
		assert_false(r.rbp_saved);
		assert_false(r.ra_undefined);
	}
}

/* An address in no function has no rule. */
static void test_no_rule_outside_code(void **state)
{
	struct cfi_rule r;
	uintptr_t hdr = hdr_of((uintptr_t)hdr_of);

	assert_false(cfi_find(hdr, hdr, &r));
}

static uintptr_t want[3];
static uintptr_t got[UNWIND_MAX_FRAMES];
static int ngot;

__attribute__((noinline)) static void walk_here(void)
{
	ucontext_t uc;

	want[0] = (uintptr_t)__builtin_return_address(0);
	getcontext(&uc);
	ngot = unwind_stack(&uc, got, UNWIND_MAX_FRAMES);
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) static void walk_middle(void)
{
	want[1] = (uintptr_t)__builtin_return_address(0);
	walk_here();
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) static void walk_outer(void)
{
	want[2] = (uintptr_t)__builtin_return_address(0);
	walk_middle();
	__asm__ volatile("" ::: "memory");
}

/* The walk finds the callers in order, then goes on to main and beyond. */
static void test_walk_finds_callers(void **state)
{
	int i, at = -1;

	walk_outer();
	assert_true(ngot >= 5);
	for (i = 0; i < ngot; i++)
		if (got[i] == want[0]) {
			at = i;
			break;
		}
	assert_true(at >= 1);
	assert_true(at + 2 < ngot);
	assert_int_equal(got[at + 1], want[1]);
	assert_int_equal(got[at + 2], want[2]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rule_at_entry),
	    cmocka_unit_test(test_no_rule_outside_code),
	    cmocka_unit_test(test_walk_finds_callers),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
