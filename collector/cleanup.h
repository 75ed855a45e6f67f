/*
 * cleanup.h - scope-bound ownership for memory, descriptors and streams.
 *
 * A variable declared with one of these attributes is released when it
 * goes out of scope; steal_pointer() hands ownership on explicitly.
 */
#ifndef SYSWHO_CLEANUP_H
#define SYSWHO_CLEANUP_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void cleanup_freep(void *p)
{
	free(*(void **)p);
}

/* Closing must not clobber the errno a caller is about to report. */
static inline void cleanup_closep(int *fd)
{
	int saved = errno;

	if (*fd >= 0)
		close(*fd);
	errno = saved;
}

static inline void cleanup_fclosep(FILE **f)
{
	int saved = errno;

	if (*f)
		fclose(*f);
	errno = saved;
}

static inline void *steal_pointer_impl(void *pp)
{
	void **p = pp;
	void *v = *p;

	*p = NULL;

	return v;
}

#define _cleanup_free_	  __attribute__((cleanup(cleanup_freep)))
#define _cleanup_close_	  __attribute__((cleanup(cleanup_closep)))
#define _cleanup_fclose_  __attribute__((cleanup(cleanup_fclosep)))
#define steal_pointer(pp) steal_pointer_impl(pp)

#endif
