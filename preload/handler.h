/*
 * The SIGSYS handler.
 */
#ifndef SYSWHO_HANDLER_H
#define SYSWHO_HANDLER_H

#include <stdbool.h>

/*
 * The floor mode (SYSWHO_MODE=floor): trap and pass through, recording
 * nothing, to measure the mechanism's own cost.
 */
extern bool handler_floor;

/* The handler itself is syswho_sigsys (sigentry.h). */

#endif
