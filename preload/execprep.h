/*
 * Preparing execve and execveat for syswho's exec loader (loader/), which
 * installs a handler before the new image's first instruction.
 */
#ifndef SYSWHO_EXECPREP_H
#define SYSWHO_EXECPREP_H

#include "decode.h"

#include <stdbool.h>
#include <ucontext.h>

#define EXEC_PATH_MAX 4096
#define EXEC_ENV_MAX  8

/*
 * Names the variables syswho put in an image's environment that the
 * program did not have ("LD_PRELOAD:SYSWHO_COLLECTOR..."), so that they
 * can be taken out before the program looks.
 */
#define EXEC_INJECTED_VAR "SYSWHO_INJECTED"

/*
 * Take EXEC_INJECTED_VAR out of ENVP, and with LISTED the variables it
 * names too, by editing the array in place: the program may define its
 * own unsetenv (bash does, and its version leaves environ as it was).
 */
void exec_env_strip(char **envp, bool listed);

/* What an exec needs: the loader, the library, syswho's variables. */
struct exec_setup {
	char loader[EXEC_PATH_MAX]; /* "" when exec cannot be traced */
	char lib[EXEC_PATH_MAX];
	char env[EXEC_ENV_MAX][EXEC_PATH_MAX]; /* "NAME=value" */
	int nenv;
};

/*
 * The program's SIGSYS state, which the kernel no longer holds (syswho
 * keeps it virtual) and an exec must keep: the loader gets it as -b, -i.
 */
#define EXEC_SIGSYS_BLOCKED 1U /* in the calling thread's mask */
#define EXEC_SIGSYS_IGNORED 2U /* its action is SIG_IGN */

/*
 * Check the exec CALL as the kernel would and build the loader's argv and
 * envp: [loader, options, --, target, the program's argv], and the
 * program's environment with LD_PRELOAD holding the library and syswho's
 * variables set, even where the program scrubbed them. SIGSYS holds
 * EXEC_SIGSYS_* bits. Returns 0 when *ARGV and *ENVP are ready, 1 when
 * the exec is a kind the loader cannot start (the kernel should have it),
 * 2 when the call replaces no image (execveat's AT_EXECVE_CHECK: the
 * kernel should answer it), or the negative errno the exec would fail
 * with.
 */
long exec_prepare(const struct exec_setup *es, const struct trap_call *call,
		  unsigned int sigsys, char ***argv, char ***envp);

/* Rewrite UC so that the trapped exec runs the loader with ARGV, ENVP. */
void exec_apply(ucontext_t *uc, const struct exec_setup *es, char **argv,
		char **envp);

#endif
