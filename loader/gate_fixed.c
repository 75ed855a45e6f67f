/*
 * The gate as the loader sees it: linked in place at the gate's address
 * (loader.ld), so nothing is copied or relocated.
 */
#include "gate.h"

extern const char syswho_gate_image_start[];
extern const char syswho_gate_call[], syswho_gate_pass[];
extern const char syswho_gate_pass_int80[], syswho_gate_fork[];
extern const char syswho_gate_clone_vm[], syswho_gate_clone_novm[];

/* The data pages, right after the code page (loader.ld). */
__attribute__((section(".bss.syswho_gate_data"),
	       aligned(4096))) static struct gate_data loader_gate_data;

typedef long (*gate_fn)(long, long, long, long, long, long, long);

uintptr_t gate_base(void)
{
	return (uintptr_t)syswho_gate_image_start;
}

uintptr_t gate_stub_addr(enum gate_stub stub)
{
	static const char *const stubs[GATE_STUB_COUNT] = {
	    [GATE_PASS] = syswho_gate_pass,
	    [GATE_PASS_INT80] = syswho_gate_pass_int80,
	    [GATE_FORK] = syswho_gate_fork,
	    [GATE_CLONE_VM] = syswho_gate_clone_vm,
	    [GATE_CLONE_NOVM] = syswho_gate_clone_novm,
	};

	return (uintptr_t)stubs[stub];
}

struct gate_data *gate_data(void)
{
	return &loader_gate_data;
}

long gate_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	return ((gate_fn)syswho_gate_call)(nr, a1, a2, a3, a4, a5, a6);
}
