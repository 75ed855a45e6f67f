/*
 * Alternate signal stacks the loader lends to the threads of a static
 * program that disable their own while SIGSYS frames go to the alternate
 * stack (see trap.c). Go's runtime frees a thread's stacks right after
 * disabling its signal stack, and the thread's last call, exit, still
 * traps: without a stack of syswho's its signal frame would land on
 * memory the runtime has already given to another thread.
 */
#ifndef SYSWHO_LOADER_ALTSTACK_H
#define SYSWHO_LOADER_ALTSTACK_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * A stack for thread TID of process PID: the one it already has, a free
 * one, or one whose thread has ended. False when every stack is in use.
 */
bool altstack_lend(int32_t pid, int32_t tid, stack_t *ss);

/* Whether SP is the base of a stack altstack_lend handed out. */
bool altstack_is_lent(const void *sp);

#endif
