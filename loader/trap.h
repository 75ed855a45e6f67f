/*
 * The loader's SIGSYS handler: it passes every call through the gate
 * until libsyswho.so, loaded with the program, installs its own, and
 * notes where each call was made so that the library can report them.
 */
#ifndef SYSWHO_LOADER_TRAP_H
#define SYSWHO_LOADER_TRAP_H

struct exec_setup;

/*
 * Install the handler, noting in the gate's data whether it replaced an
 * ignored SIGSYS. 0 or a negative errno.
 */
int trap_install(void);

/*
 * The program is static: no library will take over, so the handler keeps
 * reporting (report.c) and sends execs back to the loader with ES.
 */
void trap_go_static(const struct exec_setup *es);

/*
 * The program is dynamic: until the library takes over, an exec (from a
 * constructor that runs before the library's) goes back to the loader
 * with ES too, so that the new image is traced.
 */
void trap_route_execs(const struct exec_setup *es);

/*
 * The program is static: the handler stays its SIGSYS handler for life,
 * so it keeps the program's own signal actions and masks working.
 */
void trap_keep(void);

#endif
