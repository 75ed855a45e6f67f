/*
 * The recording pipeline run by the handler for every trapped call.
 *
 * The hot path is: unwind (CFI rules cached by address), hash the stack,
 * find the entry in this thread's table, count. Only a stack never seen by
 * this thread pays for attribution (module lookups, the owner rule) and
 * for a Site record, which leaves in a batch with the thread's other new
 * sites.
 */
#include "record.h"

#include "args.h"
#include "encode.h"
#include "gate.h"
#include "owner.h"
#include "process.h"
#include "transport.h"

#include <errno.h>
#include <signal.h>
#include <linux/audit.h>
#include <string.h>
#include <time.h>

/* Counts wait at most this long in a busy thread. */
#define RECORD_FLUSH_NS (20 * 1000 * 1000ULL)
/* Before a call that may block, flush what is older than this. */
#define RECORD_IDLE_FLUSH_NS (1 * 1000 * 1000ULL)
/* New sites wait at most this long (a tick of the coarse clock, at most). */
#define RECORD_SITE_FLUSH_NS (1 * 1000 * 1000ULL)
/* A batch the collector had no room for is tried again this much later. */
#define RECORD_RETRY_NS (20 * 1000 * 1000ULL)

static uint64_t record_now_ns(void)
{
	struct timespec t;

	/* The vDSO answers this without a syscall. */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

/* What record_send_batch does with a batch the collector has no room for. */
enum record_batch_mode {
	RECORD_BATCH_DROP,  /* its sites go again at their next call */
	RECORD_BATCH_KEEP,  /* it stays for a try a little later */
	RECORD_BATCH_FINAL, /* the process ends: wait even on a stalled one */
};

/*
 * Send the thread's batch of Site records; the caller holds the table's
 * flush flag. A collector busy for a moment loses nothing of a kept
 * batch. A dropped one's sites are sent again at their next call, and the
 * table holds what the collector needs to rebuild them meanwhile.
 * Returns 0 when the batch went.
 */
static int record_send_batch(struct thread_state *ts, int wait_ms,
			     enum record_batch_mode mode)
{
	enum agg_site_state state = AGG_SITE_SENT;
	int i, ret;

	if (!ts->batch_n)
		return 0;
	if (mode == RECORD_BATCH_KEEP && record_now_ns() < ts->batch_retry)
		return -EAGAIN;
	ret = mode == RECORD_BATCH_FINAL
		  ? transport_send_final(ts->batch, ts->batch_len, wait_ms)
		  : transport_send(ts->batch, ts->batch_len, wait_ms);
	if (ret == -EAGAIN && mode == RECORD_BATCH_KEEP) {
		ts->batch_retry = record_now_ns() + RECORD_RETRY_NS;
		return ret;
	}
	if (ret != 0) {
		transport_count_lost(1);
		state = AGG_SITE_UNSENT;
	}
	for (i = 0; i < ts->batch_n; i++)
		agg_set_site_state(ts->batch_entries[i], state);
	ts->batch_len = 0;
	ts->batch_n = 0;
	ts->batch_retry = 0;

	return ret;
}

/* Send SITE, the Site record of E, on its own. */
static void record_send_site(struct thread_state *ts, struct agg_entry *e,
			     const struct wire_site *site)
{
	size_t len = 0;

	if (encode_site(ts->buf, sizeof(ts->buf), &len, site) == 0 &&
	    transport_send(ts->buf, len, 50) == 0) {
		agg_set_site_state(e, AGG_SITE_SENT);
		return;
	}
	transport_count_lost(1);
	agg_set_site_state(e, AGG_SITE_UNSENT);
}

/*
 * Add SITE, the Site record of E, to the thread's batch, which leaves when
 * full, when it is a tick old, before a call that may block and at exit:
 * one packet for the burst of new sites a process makes as it starts.
 */
static void record_batch_site(struct thread_state *ts, struct agg_entry *e,
			      const struct wire_site *site)
{
	size_t len;

	/* exit_group on another thread is flushing this table. */
	if (!agg_try_lock(ts->table)) {
		record_send_site(ts, e, site);
		return;
	}
	if (ts->batch_n == THREAD_BATCH_SITES)
		record_send_batch(ts, 50, RECORD_BATCH_DROP);
	len = ts->batch_len;
	if (encode_site(ts->batch, sizeof(ts->batch), &len, site) != 0) {
		record_send_batch(ts, 50, RECORD_BATCH_DROP);
		len = 0;
		if (encode_site(ts->batch, sizeof(ts->batch), &len, site) !=
		    0) {
			transport_count_lost(1);
			agg_set_site_state(e, AGG_SITE_UNSENT);
			agg_unlock(ts->table);
			return;
		}
	}
	if (ts->batch_n == 0)
		ts->batch_since = record_now_ns();
	ts->batch_len = len;
	ts->batch_entries[ts->batch_n++] = e;
	agg_unlock(ts->table);
}

/* Attribute a new stack and queue its Site record. */
static void record_new_site(struct thread_state *ts, struct agg_entry *e,
			    const struct trap_call *call, const uintptr_t *pcs,
			    int n, uint32_t scope)
{
	uint32_t arg_index[ARGS_MAX];
	uint64_t arg_values[ARGS_MAX];
	const struct module *mods[UNWIND_MAX_FRAMES];
	struct wire_site site = {0};
	int i, owner, nargs;

	for (i = 0; i < n; i++) {
		mods[i] = process_module_at(pcs[i]);
		ts->frame_modules[i] = mods[i] ? mods[i]->id : 0;
		ts->frame_offsets[i] =
		    mods[i] ? pcs[i] - mods[i]->base : pcs[i];
		if (mods[i])
			process_announce_module(mods[i]);
	}
	owner = owner_pick(mods, n);
	e->owner = ts->frame_modules[owner];
	e->owner_offset = ts->frame_offsets[owner];
	if (owner == 0 && mods[0] && mods[0]->runtime && ts->creator_module) {
		/* Only the runtime on the stack: the thread's creator owns it.
		 */
		e->owner = ts->creator_module;
		e->owner_offset = ts->creator_offset;
	}
	e->arch = call->arch;
	e->tid = ts->tid;
	/* The table keeps the arguments too, in case the Site never leaves. */
	nargs = call->arch == AUDIT_ARCH_X86_64
		    ? args_pick(call->nr, call->args, arg_index, arg_values)
		    : 0;
	e->nargs = (uint8_t)nargs;
	for (i = 0; i < nargs; i++) {
		e->arg_index[i] = (uint8_t)arg_index[i];
		e->arg_values[i] = arg_values[i];
	}
	agg_set_site_state(e, AGG_SITE_PENDING);

	site.id = e->site;
	site.nr = (uint32_t)call->nr;
	site.arch = call->arch;
	site.owner = e->owner;
	site.owner_offset = e->owner_offset;
	site.scope = scope_name(scope);
	site.tid = ts->tid;
	site.modules = ts->frame_modules;
	site.offsets = ts->frame_offsets;
	site.depth = n;
	site.arg_index = arg_index;
	site.arg_values = arg_values;
	site.nargs = nargs;

	record_batch_site(ts, e, &site);
}

static void record_on_stack(struct thread_state *ts, const ucontext_t *uc,
			    const struct trap_call *call)
{
	uintptr_t pcs[UNWIND_MAX_FRAMES];
	uint32_t scope = thread_scope(ts);
	uint32_t arg_index[ARGS_MAX];
	uint64_t arg_values[ARGS_MAX];
	uint32_t identity;
	struct agg_entry *e;
	int n, nargs = 0;
	uint64_t hash;

	/* A module loaded where another was must not find its sites. */
	process_modules_settle();
	n = unwind_stack(uc, pcs, UNWIND_MAX_FRAMES);
	identity = modmap_stack_identity(&process.modules, pcs, n);
	hash =
	    agg_hash(call->arch, (uint32_t)call->nr, scope, identity, pcs, n);
	if (call->arch == AUDIT_ARCH_X86_64)
		nargs = args_pick(call->nr, call->args, arg_index, arg_values);
	if (nargs)
		hash = agg_hash_args(hash, arg_values, nargs);

	e = agg_find(ts->table, hash);
	if (!e) {
		e = agg_insert(ts->table, hash, (uint32_t)call->nr);
		if (!e) {
			ts->table->dropped++;
			return;
		}
		e->site = process_site_id();
		record_new_site(ts, e, call, pcs, n, scope);
	} else if (__atomic_load_n(&e->site_state, __ATOMIC_RELAXED) ==
		   AGG_SITE_UNSENT) {
		/* The collector was too slow for the Site: try again. */
		record_new_site(ts, e, call, pcs, n, scope);
	}
	agg_count(e);
	ts->owner_module = e->owner;
	ts->owner_offset = e->owner_offset;
}

struct record_args {
	struct thread_state *ts;
	const ucontext_t *uc;
	const struct trap_call *call;
};

static bool record_frame_on_altstack(const ucontext_t *uc)
{
	uintptr_t lo = (uintptr_t)uc->uc_stack.ss_sp, at = (uintptr_t)uc;

	return !(uc->uc_stack.ss_flags & SS_DISABLE) && at >= lo &&
	       at - lo < uc->uc_stack.ss_size;
}

/*
 * Record on the private stack; a loader call made there knows from
 * frame_on_altstack to keep its nested traps off the alternate stack
 * (thread_nest_begin).
 */
static void record_thunk(void *arg)
{
	struct record_args *a = arg;

	a->ts->frame_on_altstack = record_frame_on_altstack(a->uc);
	record_on_stack(a->ts, a->uc, a->call);
	a->ts->frame_on_altstack = false;
}

void record_call(struct thread_state *ts, const ucontext_t *uc,
		 const struct trap_call *call)
{
	struct record_args args = {.ts = ts, .uc = uc, .call = call};

	syswho_call_on_stack(&args, record_thunk,
			     ts->stack + sizeof(ts->stack));
}

/*
 * Send TS's batch of sites as MODE says, then the counts of the sites
 * the collector knows. Returns what sending the batch returned.
 */
static int record_flush_as(struct thread_state *ts, int wait_ms,
			   enum record_batch_mode mode)
{
	uint32_t cursor = 0;
	size_t len;
	int n, ret;

	if (!agg_try_lock(ts->table))
		return 0;
	ret = record_send_batch(ts, wait_ms, mode);
	while (cursor < AGG_SLOTS) {
		n = agg_collect(ts->table, &cursor, ts->flush_sites,
				ts->flush_deltas, THREAD_FLUSH_BATCH);
		if (n == 0)
			continue;
		len = 0;
		if (encode_counts(ts->buf, sizeof(ts->buf), &len,
				  ts->flush_sites, ts->flush_deltas, n) != 0 ||
		    transport_send(ts->buf, len, wait_ms) != 0) {
			/* Keep them for the next flush; say so if it never
			 * comes. */
			agg_uncollect(ts->table, ts->flush_sites,
				      ts->flush_deltas, n);
			transport_count_lost(1);
			break;
		}
	}
	ts->last_flush_ns = record_now_ns();
	agg_unlock(ts->table);

	return ret;
}

void record_flush(struct thread_state *ts, int wait_ms)
{
	record_flush_as(ts, wait_ms, RECORD_BATCH_DROP);
}

void record_maybe_flush(struct thread_state *ts, bool about_to_block)
{
	uint64_t now = record_now_ns();
	uint64_t age = now - ts->last_flush_ns;

	if (age >= RECORD_FLUSH_NS ||
	    (about_to_block && age >= RECORD_IDLE_FLUSH_NS)) {
		record_flush_as(ts, 10, RECORD_BATCH_KEEP);
		return;
	}
	if (ts->batch_n && now >= ts->batch_retry &&
	    (about_to_block || now - ts->batch_since >= RECORD_SITE_FLUSH_NS) &&
	    agg_try_lock(ts->table)) {
		record_send_batch(ts, 10, RECORD_BATCH_KEEP);
		agg_unlock(ts->table);
	}
}

/*
 * At exit each thread's batch waits for the collector, but once one has
 * waited in vain the others do not: the wait is paid once per process.
 */
static void record_flush_at_exit(struct thread_state *ts, void *arg)
{
	bool *waited_in_vain = arg;

	if (record_flush_as(ts, 100,
			    *waited_in_vain ? RECORD_BATCH_DROP
					    : RECORD_BATCH_FINAL) == -EAGAIN)
		*waited_in_vain = true;
}

static void record_sum_dropped(struct thread_state *ts, void *arg)
{
	*(uint64_t *)arg += ts->table->dropped;
}

/* Send what *LEN holds of TS's buffer, counting a failure as lost. */
static void record_send_buf(struct thread_state *ts, size_t *len)
{
	if (*len && transport_send(ts->buf, *len, 50) != 0)
		transport_count_lost(1);
	*len = 0;
}

/*
 * Append one early call to TS's buffer at *LEN, as a Site with its one
 * known frame and a Counts of it, sending the buffer first when full.
 */
static void record_early_one(struct thread_state *ts,
			     const struct gate_early *e, size_t *len)
{
	const struct module *m = process_module_at(e->ip);
	struct wire_site site = {0};
	uint32_t module = m ? m->id : 0;
	uint64_t offset = m ? e->ip - m->base : e->ip;
	uint64_t count = e->count;
	size_t before;
	int tries;

	if (m)
		process_announce_module(m);
	site.id = process_site_id();
	site.nr = e->nr;
	site.arch = e->arch;
	site.owner = module;
	site.owner_offset = offset;
	site.scope = "";
	site.tid = ts->tid;
	site.modules = &module;
	site.offsets = &offset;
	site.depth = 1;
	site.arg_index = e->arg_index;
	site.arg_values = e->arg_values;
	site.nargs = (int)e->nargs;

	for (tries = 0; tries < 2; tries++) {
		before = *len;
		if (encode_site(ts->buf, sizeof(ts->buf), len, &site) == 0 &&
		    encode_counts(ts->buf, sizeof(ts->buf), len, &site.id,
				  &count, 1) == 0)
			return;
		/* It did not fit: send what is there and try once more. */
		*len = before;
		record_send_buf(ts, len);
	}
	transport_count_lost(1);
}

/*
 * The calls the exec loader passed through before this library took over
 * (the dynamic loader's, early constructors'): it kept only where each
 * was made, so each is owned by the module of that address. They go out
 * in as few packets as the buffer allows.
 */
void record_early(void)
{
	struct gate_data *gd = gate_data();
	struct thread_state *ts = thread_self();
	uint32_t n = __atomic_load_n(&gd->early_count, __ATOMIC_ACQUIRE);
	size_t len = 0;
	uint32_t i;

	if (!ts)
		return;
	if (n > GATE_EARLY_MAX)
		n = GATE_EARLY_MAX;
	for (i = 0; i < n; i++)
		record_early_one(ts, &gd->early[i], &len);
	record_send_buf(ts, &len);
	ts->table->dropped += gd->early_dropped;
}

/* Limitation: what was lost is reported at exit_group only. */
static void record_send_lost(void)
{
	uint64_t dropped = 0;
	uint8_t buf[64];
	size_t len = 0;

	thread_for_each(record_sum_dropped, &dropped);
	if (transport_lost() == 0 && dropped == 0)
		return;
	if (encode_lost(buf, sizeof(buf), &len, transport_lost(), dropped) == 0)
		transport_send_final(buf, len, 500);
}

void record_exit(int code, bool exec)
{
	bool waited_in_vain = false;
	uint8_t buf[64];
	size_t len = 0;

	thread_for_each(record_flush_at_exit, &waited_in_vain);
	record_send_lost();
	if (encode_exit(buf, sizeof(buf), &len, code, exec) == 0)
		transport_send_final(buf, len, 500);
}
