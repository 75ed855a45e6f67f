/*
 * model.c - the in-memory profile, see model.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "array.h"
#include "model.h"

#define MODEL_EMPTY_SLOT SIZE_MAX

void model_init(struct model *m)
{
	memset(m, 0, sizeof(*m));
}

static void model_free_process(struct model_process *p)
{
	size_t i;

	free(p->exe);
	for (i = 0; i < p->argc; i++)
		free(p->argv[i]);
	free(p->argv);
	free(p->maps);
}

void model_free(struct model *m)
{
	size_t i, j;

	for (i = 0; i < m->n_modules; i++) {
		free(m->modules[i].path);
		free(m->modules[i].build_id);
		for (j = 0; j < m->modules[i].n_aliases; j++)
			free(m->modules[i].aliases[j]);
		free(m->modules[i].aliases);
	}
	for (i = 0; i < m->n_procs; i++)
		model_free_process(&m->procs[i]);
	for (i = 0; i < m->n_sites; i++) {
		free(m->sites[i].scope);
		free(m->sites[i].frames);
		free(m->sites[i].args);
	}
	free(m->modules);
	free(m->procs);
	free(m->sites);
	free(m->site_slots);
	free(m->baseline);
	model_init(m);
}

int model_add_module(struct model *m, const char *path, const char *build_id,
		     bool runtime, size_t *out, struct error **err)
{
	struct model_module *mod;
	size_t i;

	/* A process maps a few hundred modules at most: a scan will do. */
	for (i = 0; i < m->n_modules; i++) {
		mod = &m->modules[i];
		if (strcmp(mod->path, path) == 0 &&
		    strcmp(mod->build_id, build_id) == 0) {
			mod->runtime |= runtime;
			*out = i;
			return 0;
		}
	}

	if (array_reserve(&m->modules, &m->cap_modules, m->n_modules + 1,
			  sizeof(*m->modules)) < 0)
		return error_set(err, errno, "add module %s", path);

	mod = &m->modules[m->n_modules];
	memset(mod, 0, sizeof(*mod));
	mod->path = strdup(path);
	mod->build_id = strdup(build_id);
	if (!mod->path || !mod->build_id) {
		free(mod->path);
		free(mod->build_id);
		return error_set(err, ENOMEM, "add module %s", path);
	}
	mod->runtime = runtime;
	*out = m->n_modules++;

	return 0;
}

int model_module_add_alias(struct model *m, size_t mod, const char *path,
			   struct error **err)
{
	struct model_module *md = &m->modules[mod];
	size_t i;

	if (strcmp(md->path, path) == 0)
		return 0;
	for (i = 0; i < md->n_aliases; i++)
		if (strcmp(md->aliases[i], path) == 0)
			return 0;

	if (array_reserve(&md->aliases, &md->cap_aliases, md->n_aliases + 1,
			  sizeof(*md->aliases)) < 0)
		return error_set(err, errno, "add path %s of module %s", path,
				 md->path);
	md->aliases[md->n_aliases] = strdup(path);
	if (!md->aliases[md->n_aliases])
		return error_set(err, ENOMEM, "add path %s of module %s", path,
				 md->path);
	md->n_aliases++;

	return 0;
}

int model_add_process(struct model *m, size_t *out, struct error **err)
{
	if (array_reserve(&m->procs, &m->cap_procs, m->n_procs + 1,
			  sizeof(*m->procs)) < 0)
		return error_set(err, errno, "add process");

	memset(&m->procs[m->n_procs], 0, sizeof(*m->procs));
	*out = m->n_procs++;

	return 0;
}

int model_set_command(struct model *m, size_t p, const char *exe,
		      const char *const *argv, size_t argc, struct error **err)
{
	struct model_process *proc = &m->procs[p];
	char **copy;
	size_t i;

	copy = calloc(argc ? argc : 1, sizeof(*copy));
	if (!copy)
		return error_set(err, ENOMEM, "copy the command of %s", exe);

	for (i = 0; i < argc; i++) {
		copy[i] = strdup(argv[i]);
		if (!copy[i])
			goto oom;
	}

	free(proc->exe);
	proc->exe = strdup(exe);
	if (!proc->exe)
		goto oom;

	for (i = 0; i < proc->argc; i++)
		free(proc->argv[i]);
	free(proc->argv);
	proc->argv = copy;
	proc->argc = argc;

	return 0;
oom:
	for (i = 0; i < argc; i++)
		free(copy[i]);
	free(copy);

	return error_set(err, ENOMEM, "copy the command of %s", exe);
}

int model_add_mapping(struct model *m, size_t p, size_t module, uint64_t base,
		      uint64_t size, struct error **err)
{
	struct model_process *proc = &m->procs[p];

	if (array_reserve(&proc->maps, &proc->cap_maps, proc->n_maps + 1,
			  sizeof(*proc->maps)) < 0)
		return error_set(err, errno, "add mapping");

	proc->maps[proc->n_maps++] = (struct model_mapping){
	    .module = module, .base = base, .size = size};

	return 0;
}

/* FNV-1a over the bytes of one key field. */
static uint64_t model_hash_bytes(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}

	return h;
}

static uint64_t model_site_hash(const struct model_site *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	h = model_hash_bytes(h, &s->process, sizeof(s->process));
	h = model_hash_bytes(h, &s->nr, sizeof(s->nr));
	h = model_hash_bytes(h, &s->arch, sizeof(s->arch));
	h = model_hash_bytes(h, &s->owner, sizeof(s->owner));
	h = model_hash_bytes(h, &s->owner_offset, sizeof(s->owner_offset));

	return model_hash_bytes(h, s->scope, strlen(s->scope));
}

static bool model_site_same_key(const struct model_site *a,
				const struct model_site *b)
{
	return a->process == b->process && a->nr == b->nr &&
	       a->arch == b->arch && a->owner == b->owner &&
	       a->owner_offset == b->owner_offset &&
	       strcmp(a->scope, b->scope) == 0;
}

/* The slot that holds a site with the key of S, or the empty one to use. */
static size_t model_find_slot(const struct model *m, const struct model_site *s)
{
	size_t mask = m->n_slots - 1;
	size_t i = (size_t)model_site_hash(s) & mask;

	while (m->site_slots[i] != MODEL_EMPTY_SLOT &&
	       !model_site_same_key(&m->sites[m->site_slots[i]], s))
		i = (i + 1) & mask;

	return i;
}

/* Keep the index at most half full so that probes stay short. */
static int model_grow_index(struct model *m)
{
	size_t n = m->n_slots ? m->n_slots * 2 : 64;
	size_t *old = m->site_slots, old_n = m->n_slots, i;

	if ((m->n_sites + 1) * 2 <= m->n_slots)
		return 0;

	m->site_slots = malloc(n * sizeof(*m->site_slots));
	if (!m->site_slots) {
		m->site_slots = old;
		return -1;
	}
	memset(m->site_slots, 0xff, n * sizeof(*m->site_slots));
	m->n_slots = n;

	for (i = 0; i < old_n; i++) {
		if (old[i] != MODEL_EMPTY_SLOT)
			m->site_slots[model_find_slot(m, &m->sites[old[i]])] =
			    old[i];
	}
	free(old);

	return 0;
}

int model_site_add_arg(struct model *m, size_t site, uint32_t index,
		       uint64_t value)
{
	struct model_site *s = &m->sites[site];
	size_t i;

	for (i = 0; i < s->n_args; i++)
		if (s->args[i].index == index && s->args[i].value == value)
			return 0;
	if (array_reserve(&s->args, &s->cap_args, s->n_args + 1,
			  sizeof(*s->args)) < 0)
		return -1;
	s->args[s->n_args].index = index;
	s->args[s->n_args++].value = value;

	return 0;
}

/* Merge the argument values of SITE into model site IDX. */
static int model_site_add_args(struct model *m, size_t idx,
			       const struct model_site *site,
			       struct error **err)
{
	size_t i;

	for (i = 0; i < site->n_args; i++)
		if (model_site_add_arg(m, idx, site->args[i].index,
				       site->args[i].value) < 0)
			return error_set(err, ENOMEM, "site arguments");
	return 0;
}

int model_add_site(struct model *m, const struct model_site *site, size_t *out,
		   struct error **err)
{
	struct model_site *s;
	size_t slot;

	if (model_grow_index(m) < 0 ||
	    array_reserve(&m->sites, &m->cap_sites, m->n_sites + 1,
			  sizeof(*m->sites)) < 0)
		return error_set(err, ENOMEM, "add site");

	slot = model_find_slot(m, site);
	if (m->site_slots[slot] != MODEL_EMPTY_SLOT) {
		*out = m->site_slots[slot];
		return model_site_add_args(m, *out, site, err);
	}

	s = &m->sites[m->n_sites];
	*s = *site;
	s->args = NULL;
	s->n_args = 0;
	s->cap_args = 0;
	s->scope = strdup(site->scope);
	s->frames = NULL;
	if (site->n_frames)
		s->frames = calloc(site->n_frames, sizeof(*s->frames));
	if (!s->scope || (site->n_frames && !s->frames)) {
		free(s->scope);
		free(s->frames);
		return error_set(err, ENOMEM, "add site");
	}
	if (site->n_frames)
		memcpy(s->frames, site->frames,
		       site->n_frames * sizeof(*s->frames));

	m->site_slots[slot] = m->n_sites;
	*out = m->n_sites++;

	return model_site_add_args(m, *out, site, err);
}

int model_set_wait_status(struct model *m, uint32_t pid, int status)
{
	size_t i;

	for (i = m->n_procs; i-- > 0;) {
		struct model_process *p = &m->procs[i];

		if (p->pid != pid || p->execed)
			continue;

		if (WIFSIGNALED(status)) {
			p->exited = false;
			p->signal = WTERMSIG(status);
		} else {
			p->exited = true;
			p->exit_code = WEXITSTATUS(status);
			p->signal = 0;
		}
		return 0;
	}

	return -1;
}

static int model_compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Count the distinct values of KEYS (sorted in place). */
static size_t model_count_distinct(uint64_t *keys, size_t n)
{
	size_t i, distinct = 0;

	qsort(keys, n, sizeof(*keys), model_compare_u64);
	for (i = 0; i < n; i++) {
		if (i == 0 || keys[i] != keys[i - 1])
			distinct++;
	}

	return distinct;
}

void model_summarize(const struct model *m, struct model_summary *sum)
{
	uint64_t *keys = calloc(m->n_sites ? m->n_sites : 1, sizeof(*keys));
	size_t i;

	memset(sum, 0, sizeof(*sum));
	sum->processes = m->n_procs;
	for (i = 0; i < m->n_sites; i++)
		sum->calls += m->sites[i].count;
	/* Limitation: without memory for the keys the summary shows zeros. */
	if (!keys)
		return;

	for (i = 0; i < m->n_sites; i++)
		keys[i] = (uint64_t)m->sites[i].arch << 32 | m->sites[i].nr;
	sum->syscalls = model_count_distinct(keys, m->n_sites);

	for (i = 0; i < m->n_sites; i++)
		keys[i] = m->sites[i].owner;
	sum->libraries = model_count_distinct(keys, m->n_sites);
	free(keys);
}
