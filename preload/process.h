/*
 * What syswho knows about the traced process as a whole: its identity as
 * the collector sees it, its module map, and its site numbering.
 */
#ifndef SYSWHO_PROCESS_H
#define SYSWHO_PROCESS_H

#include "modmap.h"

#include <stdint.h>

struct process {
	uint32_t pid, ppid;
	uint64_t start_ns;
	char exe[MODMAP_PATH_MAX];
	char cmdline[4096]; /* NUL-separated argv */
	char *argv[64];
	int argc;
	uint32_t next_site; /* atomic */
	struct modmap modules;
};

extern struct process process;

/* Fill in identity from /proc (before the filter, with plain libc). */
void process_init(const char *runtime_globs);

/* Send the Hello and the modules known so far. 0 or a negative errno. */
int process_announce(void);

/* In a forked child: new identity, new connection, fresh numbering. */
void process_after_fork(void);

/* A new process-wide site id. */
uint32_t process_site_id(void);

/*
 * Find the module holding PC, refreshing the map once from the loader
 * when no module does (a library was loaded since). NULL if none holds it.
 */
const struct module *process_module_at(uintptr_t pc);

/*
 * Bring the module map up to date when a module may have been loaded
 * where another was unloaded (modmap_settle), before its code is hashed.
 */
void process_modules_settle(void);

/* Send a Module record for M unless already sent. 0 or a negative errno. */
int process_announce_module(const struct module *m);

#endif
