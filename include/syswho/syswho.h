/*
 * syswho.h - name the plugin on whose behalf the current thread works.
 *
 * A plugin host that runs interpreted plugins (a Python tool, a JavaScript
 * package) sees every syscall owned by the interpreter binary. Wrapping the
 * work done for one plugin in a named scope lets syswho report the scope
 * beside the owning module:
 *
 *	syswho_scope_enter("weather-tool");
 *	run_plugin(...);
 *	syswho_scope_leave();
 *
 * The header needs no library at link time. The calls resolve at run time
 * to libsyswho.so when it is preloaded and do nothing otherwise, so a
 * program built with this header runs unchanged without syswho.
 *
 * Scopes nest per thread, up to 16 deep; deeper scopes are counted but not
 * named. A name is copied (at most 63 bytes are kept), so the caller may
 * free it after the call.
 */
#ifndef SYSWHO_SYSWHO_H
#define SYSWHO_SYSWHO_H

#ifdef __cplusplus
extern "C" {
#endif

#include <dlfcn.h>

/* Provided by libsyswho.so; weak so that they are NULL without it. */
extern void syswho_scope_push(const char *name) __attribute__((weak));
extern void syswho_scope_pop(void) __attribute__((weak));

typedef void (*syswho_scope_push_fn)(const char *name);
typedef void (*syswho_scope_pop_fn)(void);

/*
 * The address of symbol NAME in the process, or NULL; asked once. An
 * executable built without PIE has its weak references settled to NULL
 * at link time (also those of position-independent objects linked into
 * it), so they are looked up at run time then (dlsym is in glibc's libc
 * from 2.34 on; older ones need -ldl).
 */
static inline void *syswho_scope_lookup(void **cache, const char *name)
{
	static void *const missing = (void *)&missing;
	void *p = __atomic_load_n(cache, __ATOMIC_ACQUIRE);

	if (!p) {
		/* RTLD_DEFAULT, which <dlfcn.h> names only for _GNU_SOURCE. */
		p = dlsym((void *)0, name);
		if (!p)
			p = missing;
		__atomic_store_n(cache, p, __ATOMIC_RELEASE);
	}

	return p == missing ? (void *)0 : p;
}

static void *syswho_scope_push_cache;
static void *syswho_scope_pop_cache;

/* Make NAME the scope of the calling thread until the matching leave. */
static inline void syswho_scope_enter(const char *name)
{
	/* __extension__: POSIX allows the cast from dlsym that ISO C not. */
	syswho_scope_push_fn push =
	    syswho_scope_push
		? syswho_scope_push
		: __extension__(syswho_scope_push_fn) syswho_scope_lookup(
		      &syswho_scope_push_cache, "syswho_scope_push");

	if (push)
		push(name);
}

/* End the innermost scope of the calling thread. */
static inline void syswho_scope_leave(void)
{
	syswho_scope_pop_fn pop =
	    syswho_scope_pop ? syswho_scope_pop
			     : __extension__(syswho_scope_pop_fn)
				   syswho_scope_lookup(&syswho_scope_pop_cache,
						       "syswho_scope_pop");

	if (pop)
		pop();
}

#ifdef __cplusplus
}
#endif

#endif
