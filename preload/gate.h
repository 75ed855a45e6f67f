/*
 * The gate: a fixed code page from which syswho's own syscalls (and the
 * program's, once the handler has looked at them) are let through by the
 * filter, and a data page beside it.
 */
#ifndef SYSWHO_GATE_H
#define SYSWHO_GATE_H

#include "gate_frame.h"

#include <stddef.h>
#include <stdint.h>

#define GATE_DEFAULT_ADDR 0x100000000000UL
#define GATE_CODE_SIZE	  4096UL
#define GATE_DATA_SIZE	  32768UL
#define GATE_SIZE	  (GATE_CODE_SIZE + GATE_DATA_SIZE)

/* Set in gate_data.loader by syswho's exec loader (loader/). */
#define GATE_LOADER_MAGIC 0x73776c64U

/*
 * An auxiliary vector entry the loader adds for the program (the dynamic
 * loader and libc ignore types they do not know): its value is the gate's
 * address, so the library finds the loader's gate without a syscall, and
 * none of its own start-up calls is taken for the program's.
 */
#define GATE_AT_LOADER 0x53570001UL
#define GATE_EARLY_MAX 256
#define GATE_PATH_MAX  1024

/*
 * A call the loader passed through before libsyswho.so took over (the
 * dynamic loader's own work, early constructors): only where it was made.
 */
struct gate_early {
	uint32_t nr;
	uint32_t arch;
	uint64_t ip;
	uint64_t arg_values[2]; /* as args_pick (args.h) keeps them */
	uint32_t arg_index[2];
	uint32_t nargs;
	uint64_t count; /* atomic */
	uint64_t sent;	/* counts already reported (static programs) */
	uint32_t site;	/* its Site id, 0 until reported (static programs) */
	uint32_t pad;
};

/*
 * The data pages: per process, so a forked child sees only its own. The
 * loader leaves here what the library needs to know of the image's start.
 */
struct gate_data {
	volatile uint32_t child_of_fork; /* set by the stubs in a new child */
	uint32_t loader;	/* GATE_LOADER_MAGIC under the loader */
	uint32_t early_count;	/* atomic: entries used in early[] */
	uint32_t early_dropped; /* calls that found early[] full */
	uint32_t setid;		/* the target was setuid, setgid or setcap */
	uint32_t quiet; /* libsyswho.so is starting: its calls are not noted */
	/*
	 * The program's SIGSYS state as the image began: blocked in its
	 * mask (the kernel's mask no longer holds it), and ignored (the
	 * kernel's action is the loader's handler).
	 */
	uint32_t sigsys_blocked;
	uint32_t sigsys_ignored;
	char exe[GATE_PATH_MAX]; /* the program the loader started */
	struct gate_early early[GATE_EARLY_MAX];
};

_Static_assert(sizeof(struct gate_data) <= GATE_DATA_SIZE,
	       "the gate's data pages hold struct gate_data");

/* The stubs a trapped call can be sent through. */
enum gate_stub {
	GATE_PASS,
	GATE_PASS_INT80,
	GATE_FORK,
	GATE_CLONE_VM,
	GATE_CLONE_NOVM,
	GATE_STUB_COUNT,
};

/*
 * Map the gate at ADDR (MAP_FIXED_NOREPLACE: an existing mapping there is
 * an error, never clobbered). Returns 0 or a negative errno.
 */
int gate_map(uintptr_t addr);

/*
 * Take over the gate that syswho's exec loader mapped at ADDR (it holds
 * the same image and the loader's mark). 0, or -EEXIST when what is
 * mapped there is something else.
 */
int gate_adopt(uintptr_t addr);

/*
 * Take the loader's gate when the auxiliary vector names it at ADDR: no
 * syscall is made. 0, or -ENOENT when this image was not started by it.
 */
int gate_adopt_from_auxv(uintptr_t addr);

/* Start of the code page, 0 before gate_map. */
uintptr_t gate_base(void);

/* Where the stub STUB lives in the mapped gate. */
uintptr_t gate_stub_addr(enum gate_stub stub);

struct gate_data *gate_data(void);

/* A syscall made from the gate: returns the result or -errno. */
long gate_syscall(long nr, long a1, long a2, long a3, long a4, long a5,
		  long a6);

#define gate_call0(nr)	  gate_syscall((nr), 0, 0, 0, 0, 0, 0)
#define gate_call1(nr, a) gate_syscall((nr), (long)(a), 0, 0, 0, 0, 0)
#define gate_call2(nr, a, b)                                                   \
	gate_syscall((nr), (long)(a), (long)(b), 0, 0, 0, 0)
#define gate_call3(nr, a, b, c)                                                \
	gate_syscall((nr), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define gate_call4(nr, a, b, c, d)                                             \
	gate_syscall((nr), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define gate_call6(nr, a, b, c, d, e, f)                                       \
	gate_syscall((nr), (long)(a), (long)(b), (long)(c), (long)(d),         \
		     (long)(e), (long)(f))

#endif
