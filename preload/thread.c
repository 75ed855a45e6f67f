/*
 * Thread states and their registry.
 */
#include "thread.h"

#include "counts.h"
#include "gate.h"

#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

/* A nested trap runs on the same stack, just below the outer handler. */
#define THREAD_NEST_SPAN (1UL << 20)

static __thread struct thread_state *thread_tls
    __attribute__((tls_model("initial-exec")));

static struct thread_state *thread_registry[THREAD_MAX];
static uint32_t thread_count;

/*
 * Threads announced by their creator and not yet seen. A new thread finds
 * its entry by stack: the nearest announced stack top above its own stack
 * pointer. Slots are reused round robin, so a failed clone leaves nothing
 * behind for long.
 */
#define THREAD_BIRTHS	  64
#define THREAD_STACK_SPAN (64UL << 20)

struct thread_birth {
	uintptr_t stack; /* atomic: 0 when free */
	uint32_t module;
	uint64_t offset;
	uint32_t scope;
};

static struct thread_birth thread_births[THREAD_BIRTHS];
static uint32_t thread_birth_next;

/*
 * Give TS a table of its own: a new one, since the collector may not yet
 * have read what the old one holds; the old one emptied if none is left.
 */
static void thread_fresh_table(struct thread_state *ts)
{
	struct agg_table *t = counts_table_new();

	if (t)
		ts->table = t;
	else if (ts->table)
		agg_reset(ts->table);
	/* A batch left behind belongs to the old table (or to the parent). */
	ts->batch_len = 0;
	ts->batch_n = 0;
	ts->batch_retry = 0;
}

static struct thread_state *thread_claim(void)
{
	uint32_t n = __atomic_load_n(&thread_count, __ATOMIC_ACQUIRE);
	struct thread_state *ts;
	uint32_t i;
	long p;

	for (i = 0; i < n; i++) {
		ts = thread_registry[i];
		if (ts &&
		    !__atomic_exchange_n(&ts->in_use, 1, __ATOMIC_ACQUIRE)) {
			thread_fresh_table(ts);
			return ts;
		}
	}

	i = __atomic_fetch_add(&thread_count, 1, __ATOMIC_ACQ_REL);
	if (i >= THREAD_MAX)
		return NULL;
	p = gate_call6(SYS_mmap, 0, sizeof(*ts), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p < 0 && p > -4096)
		return NULL;
	ts = (struct thread_state *)p;
	thread_fresh_table(ts);
	if (!ts->table) {
		gate_call2(SYS_munmap, p, sizeof(*ts));
		return NULL;
	}
	ts->in_use = 1;
	__atomic_store_n(&thread_registry[i], ts, __ATOMIC_RELEASE);

	return ts;
}

void thread_note_birth(const struct thread_state *ts, uintptr_t stack)
{
	uint32_t i =
	    __atomic_fetch_add(&thread_birth_next, 1, __ATOMIC_RELAXED);
	struct thread_birth *b = &thread_births[i % THREAD_BIRTHS];

	__atomic_store_n(&b->stack, 0, __ATOMIC_RELAXED);
	b->module = ts->owner_module;
	b->offset = ts->owner_offset;
	b->scope = thread_scope(ts);
	__atomic_store_n(&b->stack, stack, __ATOMIC_RELEASE);
}

static void thread_find_creator(struct thread_state *ts, uintptr_t sp)
{
	struct thread_birth *best = NULL;
	uintptr_t best_stack = 0;
	int i;

	for (i = 0; i < THREAD_BIRTHS; i++) {
		struct thread_birth *b = &thread_births[i];
		uintptr_t stack = __atomic_load_n(&b->stack, __ATOMIC_ACQUIRE);

		if (stack >= sp && stack - sp < THREAD_STACK_SPAN &&
		    (!best || stack < best_stack)) {
			best = b;
			best_stack = stack;
		}
	}
	if (!best ||
	    !__atomic_compare_exchange_n(&best->stack, &best_stack, 0, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return;

	ts->creator_module = best->module;
	ts->creator_offset = best->offset;
	ts->creator_scope = best->scope;
}

/*
 * Threads made by a raw clone without CLONE_SETTLS run on their creator's
 * TLS, so the TLS pointer cannot tell them apart: they are found by tid.
 */
#define THREAD_SHARED_MAX 64
#define THREAD_CLAIMING	  UINT32_MAX

struct thread_shared {
	uint32_t tid; /* atomic: 0 when free */
	struct thread_state *ts;
};

static struct thread_shared thread_shared[THREAD_SHARED_MAX];

static void thread_setup(struct thread_state *ts, uint32_t tid, uintptr_t sp)
{
	ts->tid = tid;
	ts->shares_tls = false;
	ts->tls_lock = 0;
	ts->sigsys_blocked = false;
	ts->sigsys_pending = false;
	ts->temp_frame = 0;
	ts->scope_depth = 0;
	ts->busy = 0;
	ts->busy_sp = 0;
	ts->creator_module = 0;
	ts->creator_offset = 0;
	ts->creator_scope = 0;
	thread_find_creator(ts, sp);
}

struct thread_state *thread_by_tid(struct thread_state *ts, uintptr_t sp)
{
	uint32_t tid = (uint32_t)gate_call0(SYS_gettid);
	struct thread_state *other;
	uint32_t free_tid = 0;
	int i;

	if (tid == ts->tid)
		return ts;
	for (i = 0; i < THREAD_SHARED_MAX; i++)
		if (__atomic_load_n(&thread_shared[i].tid, __ATOMIC_ACQUIRE) ==
		    tid)
			return thread_shared[i].ts;

	other = thread_claim();
	if (!other)
		return ts;
	thread_setup(other, tid, sp);
	for (i = 0; i < THREAD_SHARED_MAX; i++) {
		/* Claim with a marker no tid equals, then publish. */
		free_tid = 0;
		if (!__atomic_compare_exchange_n(
			&thread_shared[i].tid, &free_tid, THREAD_CLAIMING,
			false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			continue;
		thread_shared[i].ts = other;
		__atomic_store_n(&thread_shared[i].tid, tid, __ATOMIC_RELEASE);
		return other;
	}
	/* Limitation: past 64 such threads, they share their creator's state.
	 */
	thread_release(other);

	return ts;
}

struct thread_state *thread_self_at(uintptr_t sp)
{
	struct thread_state *ts = thread_tls;

	if (ts)
		return ts;
	ts = thread_claim();
	if (!ts)
		return NULL;
	thread_setup(ts, (uint32_t)gate_call0(SYS_gettid), sp);
	thread_tls = ts;

	return ts;
}

struct thread_state *thread_peek(void)
{
	return thread_tls;
}

bool thread_enter(struct thread_state *ts, uintptr_t sp)
{
	for (;;) {
		uintptr_t outer;

		if (!__atomic_exchange_n(&ts->busy, 1, __ATOMIC_ACQUIRE)) {
			ts->busy_sp = sp;
			return true;
		}
		/* Traps of syswho's own work arrive on its private stack. */
		if (sp >= (uintptr_t)ts->stack &&
		    sp < (uintptr_t)ts->stack + sizeof(ts->stack))
			return false;
		outer = __atomic_load_n(&ts->busy_sp, __ATOMIC_RELAXED);
		if (outer && sp < outer && outer - sp < THREAD_NEST_SPAN)
			return false;
		gate_call0(SYS_sched_yield);
	}
}

void thread_lock_tls(struct thread_state *owner)
{
	while (__atomic_exchange_n(&owner->tls_lock, 1, __ATOMIC_ACQUIRE))
		gate_call0(SYS_sched_yield);
}

void thread_unlock_tls(struct thread_state *owner)
{
	__atomic_store_n(&owner->tls_lock, 0, __ATOMIC_RELEASE);
}

void thread_leave(struct thread_state *ts)
{
	__atomic_store_n(&ts->busy_sp, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&ts->busy, 0, __ATOMIC_RELEASE);
}

void thread_release(struct thread_state *ts)
{
	int i;

	if (thread_tls == ts)
		thread_tls = NULL;
	for (i = 0; i < THREAD_SHARED_MAX; i++)
		if (thread_shared[i].ts == ts &&
		    __atomic_load_n(&thread_shared[i].tid, __ATOMIC_ACQUIRE) ==
			ts->tid)
			__atomic_store_n(&thread_shared[i].tid, 0,
					 __ATOMIC_RELEASE);
	__atomic_store_n(&ts->in_use, 0, __ATOMIC_RELEASE);
}

void thread_for_each(void (*fn)(struct thread_state *, void *), void *arg)
{
	uint32_t n = __atomic_load_n(&thread_count, __ATOMIC_ACQUIRE);
	uint32_t i;

	if (n > THREAD_MAX)
		n = THREAD_MAX;
	for (i = 0; i < n; i++) {
		struct thread_state *ts =
		    __atomic_load_n(&thread_registry[i], __ATOMIC_ACQUIRE);

		if (ts && __atomic_load_n(&ts->in_use, __ATOMIC_ACQUIRE))
			fn(ts, arg);
	}
}

void thread_after_fork(struct thread_state *self)
{
	uint32_t n = thread_count < THREAD_MAX ? thread_count : THREAD_MAX;
	uint32_t i;

	for (i = 0; i < n; i++) {
		struct thread_state *ts = thread_registry[i];

		if (ts && ts != self)
			ts->in_use = 0;
	}
	for (i = 0; i < THREAD_SHARED_MAX; i++)
		thread_shared[i].tid = 0;
	if (self) {
		/* The parent's tables are shared with it: never write them. */
		thread_fresh_table(self);
		self->tid = (uint32_t)gate_call0(SYS_gettid);
		self->shares_tls = false;
		self->tls_lock = 0;
	}
}

uint32_t thread_scope(const struct thread_state *ts)
{
	int depth = ts->scope_depth;

	/* A thread starts in the scope its creator was in. */
	if (depth <= 0)
		return ts->creator_scope;
	if (depth > THREAD_SCOPE_DEPTH)
		depth = THREAD_SCOPE_DEPTH;
	return ts->scopes[depth - 1];
}

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31) /* Linux 4.7 */
#endif

_Static_assert(THREAD_NEST_SIZE * 2 <= THREAD_STACK_SIZE,
	       "the work above the nested frames keeps most of the stack");

bool thread_nest_begin(struct thread_state *ts, stack_t *old)
{
	stack_t nest = {.ss_sp = ts ? ts->stack : NULL,
			.ss_size = THREAD_NEST_SIZE,
			.ss_flags = (int)SS_AUTODISARM};

	return ts && ts->frame_on_altstack &&
	       gate_call2(SYS_sigaltstack, &nest, old) == 0;
}

void thread_nest_end(const stack_t *old)
{
	gate_call2(SYS_sigaltstack, old, NULL);
}
