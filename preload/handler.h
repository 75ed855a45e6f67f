/*
 * The SIGSYS handler.
 */
#ifndef SYSWHO_HANDLER_H
#define SYSWHO_HANDLER_H

#include <signal.h>
#include <stdbool.h>

/*
 * The floor mode (SYSWHO_MODE=floor): trap and pass through, recording
 * nothing, to measure the mechanism's own cost.
 */
extern bool handler_floor;

void handler_sigsys(int sig, siginfo_t *info, void *context);

#endif
