/*
 * The SIGSYS handler.
 */
#ifndef SYSWHO_HANDLER_H
#define SYSWHO_HANDLER_H

#include <signal.h>

void handler_sigsys(int sig, siginfo_t *info, void *context);

#endif
