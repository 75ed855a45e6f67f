/*
 * Per-thread aggregation of calls by stack.
 *
 * Each thread counts its calls in its own table, keyed by a hash of the
 * ABI, syscall, scope and whole stack, so the hot path is one hash and one
 * probe, with no atomic read-modify-write and no lock. Only the owning
 * thread inserts and counts; a flush (by the thread itself, or by another
 * thread at exit_group) reads counts and advances what was sent, under
 * the table's flush flag.
 */
#ifndef SYSWHO_AGGREGATE_H
#define SYSWHO_AGGREGATE_H

#include <stdbool.h>
#include <stdint.h>

#include "args.h"

#define AGG_SLOTS 2048 /* a power of two */

/*
 * Where an entry's Site record is. Sites leave in batches, so a process
 * may die with some still in its buffer: an entry past AGG_SITE_NEW holds
 * what the collector needs to rebuild such a site from the table (all but
 * its stack and scope).
 */
enum agg_site_state {
	AGG_SITE_NEW = 0, /* owner not known yet */
	AGG_SITE_PENDING, /* attributed; the Site waits in the thread's batch */
	AGG_SITE_UNSENT,  /* attributed; its batch failed: send it again */
	AGG_SITE_SENT,	  /* the Site record reached the collector's socket */
};

struct agg_entry {
	uint64_t hash;	/* 0: empty */
	uint64_t count; /* atomic store by the owning thread */
	uint64_t sent;	/* advanced by the flusher */
	uint32_t nr;
	uint32_t site;	     /* process-wide site id */
	uint32_t site_state; /* enum agg_site_state, stored with release */
	uint32_t owner;	     /* owner module id, as sent in the Site */
	uint64_t owner_offset;
	uint32_t arch; /* AUDIT_ARCH_* of the call */
	uint32_t tid;  /* the thread that first made it */
	/* The arguments the site is told apart by (args.h). */
	uint8_t nargs;
	uint8_t arg_index[ARGS_MAX];
	uint64_t arg_values[ARGS_MAX];
};

/*
 * The tables live in a memfd shared with the collector (counts.c), which
 * reads them when the process is gone: this layout is part of the wire
 * format, announced by a Tables record and checked by the collector.
 */
#define AGG_TABLES_MAGIC 0x53544233u

struct agg_table {
	uint32_t used;	  /* entries claimed, stored with release */
	int flushing;	  /* atomic try-lock of the flusher */
	uint64_t dropped; /* calls not counted: the table was full */
	/*
	 * The slots in use, in the order they were claimed: a flush reads
	 * only those, since reading a page of the memfd that was never
	 * written allocates it.
	 */
	uint16_t order[AGG_SLOTS];
	struct agg_entry slots[AGG_SLOTS];
};

/*
 * A hash of everything that tells two call paths apart; never 0.
 * IDENTITY is the modules' (modmap_stack_identity): the same return
 * addresses are another path once another module holds them.
 */
uint64_t agg_hash(uint32_t arch, uint32_t nr, uint32_t scope, uint32_t identity,
		  const uintptr_t *pcs, int n);

/* HASH with argument values mixed in (a call site per distinct values). */
uint64_t agg_hash_args(uint64_t hash, const uint64_t *values, int n);

/* The entry for HASH, or NULL. */
struct agg_entry *agg_find(struct agg_table *t, uint64_t hash);

/*
 * Claim an empty entry for HASH. Returns NULL when the table is too full
 * to keep probing short (the caller counts the call as dropped).
 */
struct agg_entry *agg_insert(struct agg_table *t, uint64_t hash, uint32_t nr);

/* Count one more call. */
void agg_count(struct agg_entry *e);

/* Move E to STATE, after the fields that state vouches for. */
void agg_set_site_state(struct agg_entry *e, enum agg_site_state state);

/*
 * Collect up to MAX (site, delta) pairs of entries whose Site was sent and
 * that counted calls since the last collect, starting at the *CURSOR-th
 * entry claimed; the deltas are marked sent. Returns the number
 * collected; *CURSOR is AGG_SLOTS when every entry has been walked.
 */
int agg_collect(struct agg_table *t, uint32_t *cursor, uint32_t *sites,
		uint64_t *deltas, int max);

/* Undo a collect whose deltas could not be delivered. */
void agg_uncollect(struct agg_table *t, const uint32_t *sites,
		   const uint64_t *deltas, int n);

/* Forget everything (a forked child starts afresh). */
void agg_reset(struct agg_table *t);

bool agg_try_lock(struct agg_table *t);
void agg_unlock(struct agg_table *t);

#endif
