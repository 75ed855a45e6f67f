/*
 * merge.h - the union of profiles, for syswho merge, policy and diff.
 */
#ifndef SYSWHO_MERGE_H
#define SYSWHO_MERGE_H

#include "error.h"
#include "model.h"

/*
 * Add every process, module and call site of SRC to DST. A module of SRC
 * whose build-id DST already has is that module, whatever path it was
 * loaded from this time, so a plugin keeps one identity across runs and
 * every path it was loaded from; modules without a build-id are matched
 * by path.
 */
int merge_model(struct model *dst, const struct model *src, struct error **err);

/* Load each of the N profiles PATHS into the empty model M, merged. */
int merge_load(struct model *m, char *const *paths, size_t n,
	       struct error **err);

#endif
