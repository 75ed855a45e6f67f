/*
 * array.c - doubling growth for dynamic arrays.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"

int array_reserve(void *ptr, size_t *cap, size_t need, size_t elem)
{
	void **p = ptr;
	size_t n = *cap ? *cap : 8;
	void *grown;

	if (need <= *cap)
		return 0;

	while (n < need) {
		if (n > SIZE_MAX / 2) {
			errno = EOVERFLOW;
			return -1;
		}
		n *= 2;
	}
	if (n > SIZE_MAX / elem) {
		errno = EOVERFLOW;
		return -1;
	}

	grown = realloc(*p, n * elem);
	if (!grown)
		return -1;

	memset((char *)grown + *cap * elem, 0, (n - *cap) * elem);
	*p = grown;
	*cap = n;

	return 0;
}
