/*
 * Per-thread state, reached through one initial-exec TLS pointer and kept
 * in memory mapped through the gate (never malloc). Every state is also
 * listed in a process-wide registry, so that exit_group can flush the
 * counts of all threads.
 */
#ifndef SYSWHO_THREAD_H
#define SYSWHO_THREAD_H

#include "aggregate.h"
#include "unwind.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#define THREAD_MAX	   4096
#define THREAD_SCOPE_DEPTH 16
#define THREAD_BUF_SIZE	   16384
#define THREAD_FLUSH_BATCH 256
#define THREAD_STACK_SIZE  (64 * 1024)
#define THREAD_BATCH_SITES 128

struct thread_state {
	int busy;	   /* atomic: inside the handler */
	uintptr_t busy_sp; /* stack pointer at entry, to spot nesting */
	int in_use;	   /* atomic: claimed by a live thread */
	uint32_t tid;
	bool shares_tls; /* made a thread that runs on this thread's TLS */
	int tls_lock;	 /* atomic: one of the threads on this TLS records */
	bool sigsys_blocked; /* the program's view of SIGSYS in its mask */
	bool sigsys_pending; /* a SIGSYS for the program waits for unblock */
	siginfo_t sigsys_info;
	/*
	 * A call whose temporary mask lets in the SIGSYS the thread blocks,
	 * passed from this pass-through frame (0: none), and that mask: a
	 * SIGSYS that interrupts it sees the mask, not the thread's view.
	 */
	uintptr_t temp_frame;
	uint64_t temp_mask;
	int scope_depth;
	uint32_t scopes[THREAD_SCOPE_DEPTH];
	uint64_t last_flush_ns;
	/* Who created this thread: owns its calls made only by the runtime. */
	uint32_t creator_module;
	uint64_t creator_offset;
	uint32_t creator_scope;
	/* The owner of the call being handled, for route_clone. */
	uint32_t owner_module;
	uint64_t owner_offset;
	struct agg_table *table; /* in the shared count tables (counts.c) */
	uint8_t buf[THREAD_BUF_SIZE];
	/*
	 * Site records not sent yet (record.c), and their entries. Written
	 * by the owning thread under its table's flush flag, so exit_group
	 * on another thread can send them.
	 */
	uint8_t batch[THREAD_BUF_SIZE];
	size_t batch_len;
	int batch_n;
	uint64_t batch_since;
	uint64_t batch_retry; /* a batch the collector refused waits until */
	struct agg_entry *batch_entries[THREAD_BATCH_SITES];
	uint32_t frame_modules[UNWIND_MAX_FRAMES];
	uint64_t frame_offsets[UNWIND_MAX_FRAMES];
	uint32_t flush_sites[THREAD_FLUSH_BATCH];
	uint64_t flush_deltas[THREAD_FLUSH_BATCH];
	/* The trap being recorded has its frame on the alternate stack. */
	bool frame_on_altstack;
	/* The handler's own stack (see stack.S). */
	uint8_t stack[THREAD_STACK_SIZE] __attribute__((aligned(16)));
};

/*
 * The low part of a thread's private stack, for the frames of traps that
 * syswho's own work makes while it runs above it (thread_nest_begin).
 */
#define THREAD_NEST_SIZE (24 * 1024)

/*
 * Around a call into a library that may trap (the dynamic loader's
 * lock), made while recording on the private stack a trap whose frame is
 * on the program's alternate stack: the kernel takes a stack pointer off
 * the alternate stack to mean a fresh start at its top, and would write
 * the nested frame over the trap's own, still in use there. For the
 * while, the alternate stack is the private stack's low part, disarmed
 * while a frame is on it (SS_AUTODISARM) so that it can be set back.
 * Returns whether *OLD is to be given back to thread_nest_end.
 */
bool thread_nest_begin(struct thread_state *ts, stack_t *old);
void thread_nest_end(const stack_t *old);

/* Run FN(ARG) on the stack whose top is TOP (stack.S). */
void syswho_call_on_stack(void *arg, void (*fn)(void *), void *top);

/*
 * The calling thread's state, created on first use; NULL if out of room.
 * SP is an address on the thread's stack (it finds the thread's creator).
 */
struct thread_state *thread_self_at(uintptr_t sp);
#define thread_self() thread_self_at((uintptr_t)__builtin_frame_address(0))

/*
 * A thread is about to be created with its stack top at STACK by code
 * whose call is owned by TS's current owner: its first trap will find it.
 */
void thread_note_birth(const struct thread_state *ts, uintptr_t stack);

/* The calling thread's state if it has one. */
struct thread_state *thread_peek(void);

/*
 * Enter the handler on TS with the stack pointer SP. Returns false when
 * this trap is nested inside syswho's own work on the same thread (the
 * call must then pass straight through). A thread that shares TS (a raw
 * clone without its own TLS) waits for the other to leave.
 */
bool thread_enter(struct thread_state *ts, uintptr_t sp);
void thread_leave(struct thread_state *ts);

/*
 * Threads that share one TLS block are one thread to the libraries the
 * recording uses (glibc's recursive locks, the loader's lock): they
 * record one at a time, under a lock in the state of the TLS's owner.
 */
void thread_lock_tls(struct thread_state *owner);
void thread_unlock_tls(struct thread_state *owner);

/*
 * TS belongs to a thread that made raw clones sharing its TLS: find the
 * state of the thread actually running (by tid), creating it on first use.
 * SP is on that thread's stack.
 */
struct thread_state *thread_by_tid(struct thread_state *ts, uintptr_t sp);

/* The thread is exiting: its state may be reused. */
void thread_release(struct thread_state *ts);

/* Call FN on every claimed state. */
void thread_for_each(void (*fn)(struct thread_state *, void *), void *arg);

/* In a forked child: only SELF survives; everything starts afresh. */
void thread_after_fork(struct thread_state *self);

/* The innermost named scope of TS, 0 for none. */
uint32_t thread_scope(const struct thread_state *ts);

#endif
