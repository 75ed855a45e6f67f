/*
 * Mapping the gate and calling through it.
 *
 * The code between syswho_gate_image_start and syswho_gate_image_end
 * (gate.S) is copied to a fixed address so that the filter can recognise
 * it by instruction pointer, and so that a helper linked at the same
 * address can share it across exec.
 */
#include "gate.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/auxv.h>
#include <sys/uio.h>
#include <unistd.h>

extern const char syswho_gate_image_start[], syswho_gate_image_end[];
extern const char syswho_gate_call[], syswho_gate_pass[];
extern const char syswho_gate_pass_int80[], syswho_gate_fork[];
extern const char syswho_gate_clone_vm[], syswho_gate_clone_novm[];

typedef long (*gate_fn)(long, long, long, long, long, long, long);

static uintptr_t gate_addr;
static gate_fn gate_entry;

static const char *const gate_stub_symbols[GATE_STUB_COUNT] = {
    [GATE_PASS] = syswho_gate_pass,
    [GATE_PASS_INT80] = syswho_gate_pass_int80,
    [GATE_FORK] = syswho_gate_fork,
    [GATE_CLONE_VM] = syswho_gate_clone_vm,
    [GATE_CLONE_NOVM] = syswho_gate_clone_novm,
};

static uintptr_t gate_relocate(const char *symbol)
{
	return gate_addr + (uintptr_t)(symbol - syswho_gate_image_start);
}

int gate_map(uintptr_t addr)
{
	size_t image =
	    (size_t)(syswho_gate_image_end - syswho_gate_image_start);
	void *p;

	if (addr & (GATE_CODE_SIZE - 1))
		return -EINVAL;
	/* The filter compares the low 32 bits only within one 4 GiB block. */
	if ((addr >> 32) != ((addr + GATE_CODE_SIZE - 1) >> 32))
		return -EINVAL;
	if (image > GATE_CODE_SIZE)
		return -E2BIG;

	p = mmap((void *)addr, GATE_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	if ((uintptr_t)p != addr) {
		/* Kernels before 4.17 ignore the flag and map elsewhere. */
		munmap(p, GATE_SIZE);
		return -EEXIST;
	}

	memcpy(p, syswho_gate_image_start, image);
	if (mprotect(p, GATE_CODE_SIZE, PROT_READ | PROT_EXEC) != 0) {
		int err = errno;

		munmap(p, GATE_SIZE);
		return -err;
	}

	gate_addr = addr;
	gate_entry = (gate_fn)gate_relocate(syswho_gate_call);
	return 0;
}

int gate_adopt(uintptr_t addr)
{
	size_t image =
	    (size_t)(syswho_gate_image_end - syswho_gate_image_start);
	char code[GATE_CODE_SIZE];
	struct iovec local = {.iov_base = code, .iov_len = image};
	struct iovec remote = {.iov_base = (void *)addr, .iov_len = image};

	/* Whatever is there may not even be readable: ask the kernel. */
	if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) !=
	    (ssize_t)image)
		return -EEXIST;
	if (memcmp(code, syswho_gate_image_start, image) != 0)
		return -EEXIST;
	if (((struct gate_data *)(addr + GATE_CODE_SIZE))->loader !=
	    GATE_LOADER_MAGIC)
		return -EEXIST;

	gate_addr = addr;
	gate_entry = (gate_fn)gate_relocate(syswho_gate_call);
	return 0;
}

int gate_adopt_from_auxv(uintptr_t addr)
{
	if (getauxval(GATE_AT_LOADER) != addr || !addr)
		return -ENOENT;
	gate_addr = addr;
	gate_entry = (gate_fn)gate_relocate(syswho_gate_call);
	return 0;
}

uintptr_t gate_base(void)
{
	return gate_addr;
}

uintptr_t gate_stub_addr(enum gate_stub stub)
{
	return gate_relocate(gate_stub_symbols[stub]);
}

struct gate_data *gate_data(void)
{
	return (struct gate_data *)(gate_addr + GATE_CODE_SIZE);
}

long gate_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	long ret = gate_entry(nr, a1, a2, a3, a4, a5, a6);

	return ret;
}
