/*
 * Passing clone, fork and vfork through the gate so that the child leaves
 * it on the right stack and knows whether it is a new process. Shared by
 * the library's router and the exec loader's.
 */
#ifndef SYSWHO_CLONE_H
#define SYSWHO_CLONE_H

#include "decode.h"

#include <ucontext.h>

/* Route a trapped clone (x86_64 numbering) through the gate. */
void clone_pass(ucontext_t *uc, const struct trap_call *call);

/* Route a trapped vfork: it runs as clone(CLONE_VFORK). */
void clone_pass_vfork(ucontext_t *uc);

#endif
