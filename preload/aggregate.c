/*
 * The per-thread aggregation table: open addressing, linear probing.
 */
#include "aggregate.h"

#include <string.h>

/*
 * Linear probing's clusters grow long past half full: 64 probes turned
 * away one call in twenty runs of 1500 sites. 256 keeps a lookup bounded
 * and a table up to its fill limit open to new sites.
 */
#define AGG_MAX_PROBE 256
#define AGG_MAX_FILL  (AGG_SLOTS * 7 / 8)

static uint64_t agg_mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdULL;
}

uint64_t agg_hash(uint32_t arch, uint32_t nr, uint32_t scope, uint32_t identity,
		  const uintptr_t *pcs, int n)
{
	uint64_t h =
	    agg_mix(0xcbf29ce484222325ULL, ((uint64_t)arch << 32) | nr);
	int i;

	h = agg_mix(h, ((uint64_t)identity << 32) | scope);
	for (i = 0; i < n; i++)
		h = agg_mix(h, pcs[i]);
	h ^= h >> 33;

	return h ? h : 1;
}

uint64_t agg_hash_args(uint64_t hash, const uint64_t *values, int n)
{
	int i;

	for (i = 0; i < n; i++)
		hash = agg_mix(hash, values[i]);
	hash ^= hash >> 29;

	return hash ? hash : 1;
}

struct agg_entry *agg_find(struct agg_table *t, uint64_t hash)
{
	uint32_t i = (uint32_t)hash & (AGG_SLOTS - 1);
	int probe;

	for (probe = 0; probe < AGG_MAX_PROBE; probe++) {
		struct agg_entry *e = &t->slots[i];

		if (e->hash == hash)
			return e;
		if (e->hash == 0)
			return NULL;
		i = (i + 1) & (AGG_SLOTS - 1);
	}

	return NULL;
}

struct agg_entry *agg_insert(struct agg_table *t, uint64_t hash, uint32_t nr)
{
	uint32_t i = (uint32_t)hash & (AGG_SLOTS - 1);
	int probe;

	if (t->used >= AGG_MAX_FILL)
		return NULL;
	for (probe = 0; probe < AGG_MAX_PROBE; probe++) {
		struct agg_entry *e = &t->slots[i];

		if (e->hash == 0) {
			e->nr = nr;
			e->count = 0;
			e->sent = 0;
			e->site_state = AGG_SITE_NEW;
			/* Publish last: a flusher skips half-made entries. */
			__atomic_store_n(&e->hash, hash, __ATOMIC_RELEASE);
			t->order[t->used] = (uint16_t)i;
			__atomic_store_n(&t->used, t->used + 1,
					 __ATOMIC_RELEASE);
			return e;
		}
		i = (i + 1) & (AGG_SLOTS - 1);
	}

	return NULL;
}

/* How many entries are claimed, in t->order. */
static uint32_t agg_used(const struct agg_table *t)
{
	uint32_t used = __atomic_load_n(&t->used, __ATOMIC_ACQUIRE);

	return used < AGG_SLOTS ? used : AGG_SLOTS;
}

void agg_count(struct agg_entry *e)
{
	__atomic_store_n(&e->count, e->count + 1, __ATOMIC_RELAXED);
}

void agg_set_site_state(struct agg_entry *e, enum agg_site_state state)
{
	__atomic_store_n(&e->site_state, (uint32_t)state, __ATOMIC_RELEASE);
}

int agg_collect(struct agg_table *t, uint32_t *cursor, uint32_t *sites,
		uint64_t *deltas, int max)
{
	uint32_t used = agg_used(t);
	int n = 0;

	for (; *cursor < used && n < max; (*cursor)++) {
		struct agg_entry *e = &t->slots[t->order[*cursor]];
		uint64_t count;

		if (!__atomic_load_n(&e->hash, __ATOMIC_ACQUIRE) ||
		    __atomic_load_n(&e->site_state, __ATOMIC_ACQUIRE) !=
			AGG_SITE_SENT)
			continue;
		count = __atomic_load_n(&e->count, __ATOMIC_RELAXED);
		if (count == e->sent)
			continue;
		sites[n] = e->site;
		deltas[n] = count - e->sent;
		e->sent = count;
		n++;
	}
	if (*cursor >= used)
		*cursor = AGG_SLOTS;

	return n;
}

void agg_uncollect(struct agg_table *t, const uint32_t *sites,
		   const uint64_t *deltas, int n)
{
	uint32_t i, used = agg_used(t);
	int k = 0;

	/* Entries are few per flush; find each by its site id. */
	for (i = 0; i < used && k < n; i++) {
		struct agg_entry *e = &t->slots[t->order[i]];
		int j;

		for (j = 0; j < n; j++)
			if (e->hash && e->site == sites[j]) {
				e->sent -= deltas[j];
				k++;
				break;
			}
	}
}

void agg_reset(struct agg_table *t)
{
	uint32_t i, used = agg_used(t);

	/* Clear only what was used: untouched pages stay unallocated. */
	for (i = 0; i < used; i++)
		memset(&t->slots[t->order[i]], 0, sizeof(t->slots[0]));
	t->used = 0;
	t->flushing = 0;
	t->dropped = 0;
}

bool agg_try_lock(struct agg_table *t)
{
	return !__atomic_exchange_n(&t->flushing, 1, __ATOMIC_ACQUIRE);
}

void agg_unlock(struct agg_table *t)
{
	__atomic_store_n(&t->flushing, 0, __ATOMIC_RELEASE);
}
