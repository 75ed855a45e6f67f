/*
 * The owner rule: which frame of a stack owns the syscall.
 */
#ifndef SYSWHO_OWNER_H
#define SYSWHO_OWNER_H

#include "modmap.h"

/*
 * MODS[i] is the module of frame i, innermost first, NULL where no module
 * holds the address. The owner is the innermost frame that is not in a
 * runtime module (an address in no module counts as the program's own
 * code: JIT or hand-mapped); when every frame is runtime, the innermost.
 * Returns the owner's frame index (0 when N is 0).
 */
int owner_pick(const struct module *const *mods, int n);

#endif
