/*
 * Whether an exec would work, asked without exec'ing: the library and the
 * loader ask before they hand an exec to the loader (so a failing exec
 * fails with its errno in the caller), and `syswho run` asks before it
 * starts the root command (so it can say why in one line).
 */
#ifndef SYSWHO_EXECCHECK_H
#define SYSWHO_EXECCHECK_H

/*
 * What the kernel's exec would say of PATH, following "#!" lines: 0 when
 * syswho's loader can start it, 1 when it is a kind the loader cannot
 * start (left to the kernel), or the negative errno the exec fails with.
 * Its syscalls go through the gate (gate.h).
 */
long exec_check(const char *path);

#endif
