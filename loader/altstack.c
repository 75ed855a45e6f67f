/*
 * The lent stacks: a fixed pool, claimed per thread with atomics, and
 * taken back from threads that have ended (the pool lives in the
 * loader's bss, so only the pages used cost memory).
 */
#include "altstack.h"

#include "gate.h"

#include <errno.h>
#include <sys/syscall.h>

#define ALTSTACK_SLOTS 16
#define ALTSTACK_SIZE  (32 * 1024)

static char altstack_pool[ALTSTACK_SLOTS][ALTSTACK_SIZE]
    __attribute__((aligned(64)));
static int32_t altstack_owner[ALTSTACK_SLOTS]; /* a tid, 0 when free */

static bool altstack_claim(int i, int32_t from, int32_t tid)
{
	return __atomic_compare_exchange_n(&altstack_owner[i], &from, tid,
					   false, __ATOMIC_ACQ_REL,
					   __ATOMIC_ACQUIRE);
}

static int altstack_find(int32_t pid, int32_t tid)
{
	int32_t owner;
	int i;

	for (i = 0; i < ALTSTACK_SLOTS; i++)
		if (__atomic_load_n(&altstack_owner[i], __ATOMIC_ACQUIRE) ==
		    tid)
			return i;
	for (i = 0; i < ALTSTACK_SLOTS; i++)
		if (altstack_claim(i, 0, tid))
			return i;
	/* A forked child's copy names its parent's threads: gone here. */
	for (i = 0; i < ALTSTACK_SLOTS; i++) {
		owner = __atomic_load_n(&altstack_owner[i], __ATOMIC_ACQUIRE);
		if (gate_call3(SYS_tgkill, pid, owner, 0) == -ESRCH &&
		    altstack_claim(i, owner, tid))
			return i;
	}
	return -1;
}

bool altstack_lend(int32_t pid, int32_t tid, stack_t *ss)
{
	int i = altstack_find(pid, tid);

	if (i < 0)
		return false;
	ss->ss_sp = altstack_pool[i];
	ss->ss_size = ALTSTACK_SIZE;
	ss->ss_flags = 0;

	return true;
}

bool altstack_is_lent(const void *sp)
{
	uintptr_t p = (uintptr_t)sp, base = (uintptr_t)altstack_pool;

	return p >= base && p < base + sizeof(altstack_pool) &&
	       (p - base) % ALTSTACK_SIZE == 0;
}
