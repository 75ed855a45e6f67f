/*
 * execve and execveat in the library: prepared by execprep.c, reported
 * as the end of this image, then handed to the exec loader.
 */
#include "exec.h"

#include "execprep.h"
#include "gate.h"
#include "passthrough.h"
#include "process.h"
#include "record.h"
#include "signals.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static struct exec_setup exec_setup;
static bool exec_ready;

static void exec_add_env(const char *name, const char *value)
{
	if (value && exec_setup.nenv < EXEC_ENV_MAX)
		snprintf(exec_setup.env[exec_setup.nenv++], EXEC_PATH_MAX,
			 "%s=%s", name, value);
}

int exec_init(const char *collector)
{
	Dl_info info;
	char *slash;

	/* The loader is linked at the default gate: elsewhere it could not run.
	 */
	if (gate_base() != GATE_DEFAULT_ADDR)
		return -ENOTSUP;
	if (!dladdr((void *)exec_init, &info) || !info.dli_fname ||
	    info.dli_fname[0] != '/' ||
	    strlen(info.dli_fname) >= sizeof(exec_setup.lib))
		return -ENOENT;
	strcpy(exec_setup.lib, info.dli_fname);
	strcpy(exec_setup.loader, exec_setup.lib);
	slash = strrchr(exec_setup.loader, '/');
	snprintf(slash + 1,
		 sizeof(exec_setup.loader) -
		     (size_t)(slash + 1 - exec_setup.loader),
		 "syswho-loader");
	if (access(exec_setup.loader, X_OK) != 0) {
		exec_setup.loader[0] = '\0';
		return -errno;
	}

	exec_add_env("SYSWHO_COLLECTOR", collector);
	exec_add_env("SYSWHO_RUNTIME", getenv("SYSWHO_RUNTIME"));
	exec_add_env("SYSWHO_GATE", getenv("SYSWHO_GATE"));
	exec_add_env("SYSWHO_MODE", getenv("SYSWHO_MODE"));
	exec_add_env("SYSWHO_LOG", getenv("SYSWHO_LOG"));
	exec_ready = true;
	return 0;
}

void exec_hide_env(void)
{
	/* Without the loader, an exec could not give them back. */
	if (environ)
		exec_env_strip(environ, exec_ready);
}

/*
 * The SIGSYS state the new image must start with, which only syswho's
 * view holds: the kernel's mask never has SIGSYS and its action is
 * syswho's handler. exec keeps the mask and an ignored action.
 */
static unsigned int exec_sigsys(const struct thread_state *ts)
{
	unsigned int bits = 0;

	if (ts->sigsys_blocked)
		bits |= EXEC_SIGSYS_BLOCKED;
	if (signals_sigsys_ignored())
		bits |= EXEC_SIGSYS_IGNORED;

	return bits;
}

bool exec_route(const struct thread_state *ts, ucontext_t *uc,
		const struct trap_call *call)
{
	char **argv, **envp;
	long ret;

	ret = exec_prepare(&exec_setup, call, exec_sigsys(ts), &argv, &envp);
	if (ret == 1)
		return false;
	if (ret == 2) {
		pass_via(uc, GATE_PASS);
		return true;
	}
	if (ret < 0) {
		decode_set_return(uc, ret);
		return true;
	}

	/* A vfork child shares the parent's memory and connection: not its. */
	if (gate_call0(SYS_getpid) == (long)process.pid)
		record_exit(0, true);
	exec_apply(uc, &exec_setup, argv, envp);
	return true;
}
