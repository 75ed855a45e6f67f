/*
 * Keeping execve and execveat traced: the new image is started by
 * syswho's exec loader (loader/), which installs a handler before the
 * image's first instruction. The call is checked first, so that a
 * failing exec still fails in the caller with the errno it would get.
 */
#ifndef SYSWHO_EXEC_H
#define SYSWHO_EXEC_H

#include "decode.h"
#include "thread.h"

#include <stdbool.h>
#include <ucontext.h>

/*
 * Find the loader next to this library and prepare the environment an
 * exec'd image needs to keep reporting (outside signal context). Returns
 * 0, or a negative errno when exec cannot be traced (execs then run as
 * they would, and the new image dies at its first syscall).
 */
int exec_init(const char *collector);

/*
 * Take out of the environment the variables syswho put there that the
 * program did not have (named by EXEC_INJECTED_VAR), so that it sees its
 * own environment; its execs get them back. Call it last in start-up.
 * Limitation: /proc/self/environ, and the constructors of libraries
 * initialised before libsyswho.so, still see them.
 */
void exec_hide_env(void);

/*
 * Route a trapped execve or execveat made by the thread TS: answer it
 * with the errno it would fail with, or rewrite it to exec the loader.
 * Returns false when the call must pass through unchanged (exec support
 * is off, or the target is something the loader cannot start).
 */
bool exec_route(const struct thread_state *ts, ucontext_t *uc,
		const struct trap_call *call);

#endif
