/*
 * Named scopes (include/syswho/syswho.h): a plugin host names the plugin
 * on whose behalf the current thread works.
 *
 * Names are interned in a process-wide table that only grows, so a Site
 * record can carry a scope by id without copying it per thread.
 */
#include "gate.h"
#include "record.h"
#include "thread.h"

#include <string.h>

#define SCOPE_MAX      256
#define SCOPE_NAME_LEN 64

#define SYSWHO_EXPORT __attribute__((visibility("default")))

static char scope_names[SCOPE_MAX][SCOPE_NAME_LEN];
static uint32_t scope_count;		/* atomic: claimed slots */
static uint32_t scope_ready[SCOPE_MAX]; /* atomic: slot filled */

static void scope_copy(char *dst, const char *src)
{
	size_t n = 0;

	while (n + 1 < SCOPE_NAME_LEN && src[n]) {
		dst[n] = src[n];
		n++;
	}
	dst[n] = '\0';
}

/* The id of NAME, added if new; 0 when the table is full. */
static uint32_t scope_intern(const char *name)
{
	char key[SCOPE_NAME_LEN];
	uint32_t n = __atomic_load_n(&scope_count, __ATOMIC_ACQUIRE);
	uint32_t i;

	scope_copy(key, name);
	for (i = 0; i < n && i < SCOPE_MAX; i++)
		if (__atomic_load_n(&scope_ready[i], __ATOMIC_ACQUIRE) &&
		    strcmp(scope_names[i], key) == 0)
			return i + 1;

	/* Two threads adding one name at once make two ids: both work. */
	i = __atomic_fetch_add(&scope_count, 1, __ATOMIC_ACQ_REL);
	if (i >= SCOPE_MAX)
		return 0;
	memcpy(scope_names[i], key, sizeof(key));
	__atomic_store_n(&scope_ready[i], 1, __ATOMIC_RELEASE);

	return i + 1;
}

const char *scope_name(uint32_t id)
{
	if (id == 0 || id > SCOPE_MAX ||
	    !__atomic_load_n(&scope_ready[id - 1], __ATOMIC_ACQUIRE))
		return "";
	return scope_names[id - 1];
}

SYSWHO_EXPORT void syswho_scope_push(const char *name);
SYSWHO_EXPORT void syswho_scope_pop(void);

void syswho_scope_push(const char *name)
{
	struct thread_state *ts;

	/* Preloaded but not tracing: nothing to name. */
	if (!gate_base() || !name)
		return;
	ts = thread_self();
	if (!ts)
		return;
	if (ts->scope_depth < THREAD_SCOPE_DEPTH)
		ts->scopes[ts->scope_depth] = scope_intern(name);
	ts->scope_depth++;
}

void syswho_scope_pop(void)
{
	struct thread_state *ts = gate_base() ? thread_peek() : NULL;

	if (ts && ts->scope_depth > 0)
		ts->scope_depth--;
}
