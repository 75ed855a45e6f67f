/*
 * A small glob matcher ('*', '?', '[...]') that allocates nothing, for
 * classifying modules inside the signal handler.
 */
#ifndef SYSWHO_GLOB_H
#define SYSWHO_GLOB_H

#include <stdbool.h>

bool glob_match(const char *pattern, const char *text);

#endif
