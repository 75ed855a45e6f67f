/*
 * cpu-state - the processor state a syscall must leave alone: the AVX
 * registers (upper halves included) and, where the CPU has protection
 * keys, PKRU. Natively the kernel keeps both across a syscall. Under
 * syswho every syscall is a signal: the kernel saves this state in the
 * signal frame and restores it from there, so the check fails if anything
 * writes over that frame while the call is handled.
 *
 * Each round makes its syscall at every 8-byte stack alignment modulo 64
 * (below the red zone), because where the frame's last bytes fall depends
 * on the stack pointer's alignment.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "testutil.h"

#define ALIGNMENTS 8
#define AVX_REGS   8
#define YMM_QWORDS 4

/*
 * The syscall is made with the stack pointer ADJUST bytes lower, past the
 * red zone, so that the rounds cover every alignment.
 */
#define SYSCALL_AT(adjust)                                                     \
	"subq %[adj], %%rsp\n\tsyscall\n\taddq %[adj], %%rsp\n\t"

/* getppid from an inline syscall, with ymm8..ymm15 loaded and read back. */
static void avx_round(long adjust)
{
	uint64_t in[AVX_REGS * YMM_QWORDS], out[AVX_REGS * YMM_QWORDS];
	long ret;
	int i;

	for (i = 0; i < AVX_REGS * YMM_QWORDS; i++)
		in[i] = 0x0123456789abcdefULL * (uint64_t)(i + 1);
	memset(out, 0, sizeof(out));
	__asm__ volatile("vmovdqu 0(%[in]), %%ymm8\n\t"
			 "vmovdqu 32(%[in]), %%ymm9\n\t"
			 "vmovdqu 64(%[in]), %%ymm10\n\t"
			 "vmovdqu 96(%[in]), %%ymm11\n\t"
			 "vmovdqu 128(%[in]), %%ymm12\n\t"
			 "vmovdqu 160(%[in]), %%ymm13\n\t"
			 "vmovdqu 192(%[in]), %%ymm14\n\t"
			 "vmovdqu 224(%[in]), %%ymm15\n\t" SYSCALL_AT(
			     adjust) "vmovdqu %%ymm8, 0(%[out])\n\t"
				     "vmovdqu %%ymm9, 32(%[out])\n\t"
				     "vmovdqu %%ymm10, 64(%[out])\n\t"
				     "vmovdqu %%ymm11, 96(%[out])\n\t"
				     "vmovdqu %%ymm12, 128(%[out])\n\t"
				     "vmovdqu %%ymm13, 160(%[out])\n\t"
				     "vmovdqu %%ymm14, 192(%[out])\n\t"
				     "vmovdqu %%ymm15, 224(%[out])\n\t"
				     "vzeroupper"
			 : "=a"(ret)
			 : "a"((long)SYS_getppid), [in] "r"(in), [out] "r"(out),
			   [adj] "r"(adjust)
			 : "rcx", "r11", "memory", "xmm8", "xmm9", "xmm10",
			   "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	CHECK(ret == getppid(), "getppid gave %ld", ret);
	for (i = 0; i < AVX_REGS * YMM_QWORDS; i++)
		CHECK(out[i] == in[i], "ymm%d changed across a syscall",
		      8 + i / YMM_QWORDS);
}

static uint32_t read_pkru(void)
{
	uint32_t eax, edx;

	/* rdpkru, spelt out so that no -mpku is needed. */
	__asm__ volatile(".byte 0x0f, 0x01, 0xee"
			 : "=a"(eax), "=d"(edx)
			 : "c"(0));
	return eax;
}

static void pkru_round(long adjust)
{
	uint32_t before = read_pkru(), after;
	long ret;

	__asm__ volatile(SYSCALL_AT(adjust)
			 : "=a"(ret)
			 : "a"((long)SYS_getppid), [adj] "r"(adjust)
			 : "rcx", "r11", "memory");
	after = read_pkru();
	CHECK(ret == getppid(), "getppid gave %ld", ret);
	CHECK(after == before, "PKRU changed across a syscall: %#x -> %#x",
	      before, after);
}

static void rounds(void (*round)(long))
{
	long k;

	for (k = 0; k < ALIGNMENTS; k++)
		round(128 + 8 * k);
}

int main(void)
{
	int key;

	if (__builtin_cpu_supports("avx")) {
		rounds(avx_round);
		printf("avx: ok\n");
	} else {
		printf("avx: skipped, this CPU has no AVX\n");
	}

	/* A key that denies writes gives PKRU a value of the program's own. */
	key = pkey_alloc(0, PKEY_DISABLE_WRITE);
	if (key >= 0) {
		CHECK(read_pkru() != 0, "PKRU is 0 with key %d allocated", key);
		rounds(pkru_round);
		pkey_free(key);
		printf("pkru: ok\n");
	} else {
		printf("pkru: skipped, no protection keys here (%m)\n");
	}
	return 0;
}
