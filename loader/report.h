/*
 * Reporting for a static program, which never loads libsyswho.so: the
 * loader's handler stays in charge for the program's whole life, counts
 * each call by where it was made, and streams the records itself.
 */
#ifndef SYSWHO_LOADER_REPORT_H
#define SYSWHO_LOADER_REPORT_H

#include "decode.h"
#include "gate.h"
#include "elf.h"

/*
 * Connect to the collector named in ENVP and announce the process, running
 * IMG (at PATH, with ARGC strings of ARGV). 0 or a negative errno.
 */
int report_start(char *const *envp, const struct elf_image *img,
		 const char *path, char *const *argv, int argc);

/* Whether report_start succeeded: the handler then reports every call. */
int report_active(void);

/*
 * A call was counted in E (trap.c; NULL when the table was full): report
 * E's call site if it is new.
 */
void report_call(struct gate_early *e);

/* The process leaves (exit_group) or is replaced (exec): send all. */
void report_exit(int code, int exec);

/* In a forked child: a new connection, as a new process. */
void report_after_fork(void);

#endif
