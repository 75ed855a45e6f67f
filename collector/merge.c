/*
 * merge.c - the union of profiles, see merge.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "merge.h"
#include "profile.h"

/*
 * The DST index of module MOD of SRC, added when DST lacks it. Every path
 * the module had in SRC becomes one of its paths in DST, so that a plugin
 * loaded from another file in another run answers to either name.
 */
static int merge_module(struct model *dst, const struct model *src, size_t mod,
			size_t *out, struct error **err)
{
	const struct model_module *s = &src->modules[mod];
	size_t i;

	*out = MODEL_NO_MODULE;
	for (i = 0; *s->build_id && i < dst->n_modules; i++) {
		if (strcmp(dst->modules[i].build_id, s->build_id) == 0) {
			dst->modules[i].runtime |= s->runtime;
			*out = i;
			break;
		}
	}
	if (*out == MODEL_NO_MODULE &&
	    model_add_module(dst, s->path, s->build_id, s->runtime, out, err) <
		0)
		return -1;

	if (model_module_add_alias(dst, *out, s->path, err) < 0)
		return -1;
	for (i = 0; i < s->n_aliases; i++)
		if (model_module_add_alias(dst, *out, s->aliases[i], err) < 0)
			return -1;

	return 0;
}

static int merge_process(struct model *dst, const struct model *src, size_t p,
			 const size_t *mods, size_t *out, struct error **err)
{
	const struct model_process *s = &src->procs[p];
	struct model_process *d;
	size_t i;

	if (model_add_process(dst, out, err) < 0)
		return -1;
	d = &dst->procs[*out];
	*d = *s;
	d->exe = NULL;
	d->argv = NULL;
	d->argc = 0;
	d->maps = NULL;
	d->n_maps = d->cap_maps = 0;
	if (model_set_command(dst, *out, s->exe ? s->exe : "",
			      (const char *const *)s->argv, s->argc, err) < 0)
		return -1;
	for (i = 0; i < s->n_maps; i++)
		if (model_add_mapping(dst, *out, mods[s->maps[i].module],
				      s->maps[i].base, s->maps[i].size,
				      err) < 0)
			return -1;

	return 0;
}

static size_t merge_map(const size_t *mods, size_t mod)
{
	return mod == MODEL_NO_MODULE ? MODEL_NO_MODULE : mods[mod];
}

static int merge_site(struct model *dst, const struct model_site *s,
		      const size_t *mods, const size_t *procs,
		      struct error **err)
{
	struct model_site d = *s;
	size_t i, idx;
	int ret;

	d.process = procs[s->process];
	d.owner = merge_map(mods, s->owner);
	d.frames = NULL;
	if (s->n_frames) {
		d.frames = calloc(s->n_frames, sizeof(*d.frames));
		if (!d.frames)
			return error_set(err, ENOMEM, "merge a call site");
	}
	for (i = 0; i < s->n_frames; i++) {
		d.frames[i].module = merge_map(mods, s->frames[i].module);
		d.frames[i].offset = s->frames[i].offset;
	}
	ret = model_add_site(dst, &d, &idx, err);
	free(d.frames);

	return ret;
}

int merge_model(struct model *dst, const struct model *src, struct error **err)
{
	size_t *mods = calloc(src->n_modules + 1, sizeof(*mods));
	size_t *procs = calloc(src->n_procs + 1, sizeof(*procs));
	size_t i;
	int ret = -1;

	if (!mods || !procs) {
		error_set(err, ENOMEM, "merge profiles");
		goto out;
	}
	for (i = 0; i < src->n_modules; i++)
		if (merge_module(dst, src, i, &mods[i], err) < 0)
			goto out;
	for (i = 0; i < src->n_procs; i++)
		if (merge_process(dst, src, i, mods, &procs[i], err) < 0)
			goto out;
	for (i = 0; i < src->n_sites; i++)
		if (merge_site(dst, &src->sites[i], mods, procs, err) < 0)
			goto out;
	ret = 0;
out:
	free(mods);
	free(procs);

	return ret;
}

int merge_load(struct model *m, char *const *paths, size_t n,
	       struct error **err)
{
	struct model one;
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		model_init(&one);
		ret = profile_load(paths[i], &one, err);
		if (ret == 0 && merge_model(m, &one, err) < 0)
			ret = error_wrap(err, "merge profile %s", paths[i]);
		model_free(&one);
		if (ret < 0)
			return -1;
	}

	return 0;
}
