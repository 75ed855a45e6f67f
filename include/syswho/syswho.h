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

/* Provided by libsyswho.so; weak so that they are NULL without it. */
extern void syswho_scope_push(const char *name) __attribute__((weak));
extern void syswho_scope_pop(void) __attribute__((weak));

/* Make NAME the scope of the calling thread until the matching leave. */
static inline void syswho_scope_enter(const char *name)
{
	if (syswho_scope_push)
		syswho_scope_push(name);
}

/* End the innermost scope of the calling thread. */
static inline void syswho_scope_leave(void)
{
	if (syswho_scope_pop)
		syswho_scope_pop();
}

#ifdef __cplusplus
}
#endif

#endif
