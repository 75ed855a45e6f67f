/*
 * Whether an exec would work, asked without exec'ing: the library and the
 * loader ask before they hand an exec to the loader (so a failing exec
 * fails with its errno in the caller), and `syswho run` asks before it
 * starts the root command (so it can say why in one line).
 */
#ifndef SYSWHO_EXECCHECK_H
#define SYSWHO_EXECCHECK_H

/* Linux 6.14: check that a file could be exec'd, and exec nothing. */
#ifndef AT_EXECVE_CHECK
#define AT_EXECVE_CHECK 0x10000
#endif

/*
 * What the kernel's exec would say of PATH, following "#!" lines and an
 * ELF's interpreter: 0 when syswho's loader can start it, 1 when it is a
 * kind the loader cannot start (left to the kernel), or the negative
 * errno the exec fails with. Its syscalls go through the gate (gate.h).
 * It is exec_check_file, then exec_check_format.
 */
long exec_check(const char *path);

/*
 * What exec's opening of PATH would say (ENOENT, EACCES, ETXTBSY...):
 * the errors the kernel reports before it reads the arguments. 0 or a
 * negative errno.
 */
long exec_check_file(const char *path);

/*
 * What exec would say of the contents of PATH, which passed
 * exec_check_file: the errors the kernel reports after it has read the
 * arguments (ENOEXEC, ELIBBAD, and those of opening an interpreter).
 * Returns as exec_check does.
 */
long exec_check_format(const char *path);

#endif
