/*
 * array.h - growth of the dynamic arrays used across the collector.
 */
#ifndef SYSWHO_ARRAY_H
#define SYSWHO_ARRAY_H

#include <stddef.h>

/*
 * Make room for at least NEED elements of ELEM bytes in *PTR, whose
 * capacity is *CAP. New room is zeroed. Returns 0, or -1 with errno set
 * (ENOMEM, or EOVERFLOW when the size does not fit).
 */
int array_reserve(void *ptr, size_t *cap, size_t need, size_t elem);

#endif
