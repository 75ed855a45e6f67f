/*
 * Making /proc/self/exe name the program, not the loader.
 */
#ifndef SYSWHO_LOADER_EXE_H
#define SYSWHO_LOADER_EXE_H

#include <stdint.h>

/*
 * Point the process's executable at the file open at FD, and its command
 * line (/proc/self/cmdline) at [ARG_START, ARG_END) unless ARG_START is
 * 0. The kernel allows it (with CAP_CHECKPOINT_RESTORE) only once no
 * mapping of the old executable is left, so the loader first swaps its
 * own pages for anonymous copies. 0 or a negative errno (the links then
 * keep naming the loader).
 */
int exe_set(int fd, uintptr_t arg_start, uintptr_t arg_end);

#endif
