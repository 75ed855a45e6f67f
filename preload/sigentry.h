/*
 * The SIGSYS entry point (sigentry.S) and the handler it calls, which the
 * library (handler.c) and the loader (loader/trap.c) each define.
 */
#ifndef SYSWHO_SIGENTRY_H
#define SYSWHO_SIGENTRY_H

#include <signal.h>

/* What sigaction installs for SIGSYS. */
__attribute__((visibility("hidden"))) void
syswho_sigsys_entry(int sig, siginfo_t *info, void *context);

/* The handler proper, entered with the pass-through frame reserved. */
__attribute__((visibility("hidden"))) void
syswho_sigsys(int sig, siginfo_t *info, void *context);

#endif
