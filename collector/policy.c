/*
 * policy.c - select the syscalls of a profile and their argument sets,
 * see policy.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "array.h"
#include "policy.h"
#include "risk.h"
#include "syscalls.h"

#define POLICY_MASK32 0xffffffffull
#define POLICY_MASK64 (~0ull)
/* The shortest build-id prefix taken for a library: what reports print. */
#define POLICY_BUILD_ID_PREFIX 12

/*
 * The arguments the preload records (preload/args.c) and how the kernel
 * may compare them. An int argument is compared on its low 32 bits only,
 * as the kernel reads it: a caller may leave anything in the upper half.
 * socket types carry SOCK_NONBLOCK and SOCK_CLOEXEC, and open flags carry
 * every O_ flag: only the type and the access mode are closed sets.
 */
/* Limitation: values are kept per argument, so socket allows every pair. */
static const struct policy_argspec {
	const char *name;
	uint32_t index;
	uint64_t mask;
} policy_argspecs[] = {
    {"socket", 0, POLICY_MASK32},
    {"socket", 1, POLICY_MASK32 & ~(uint64_t)(SOCK_NONBLOCK | SOCK_CLOEXEC)},
    {"fcntl", 1, POLICY_MASK32},
    {"ioctl", 1, POLICY_MASK32},
    {"prctl", 0, POLICY_MASK32},
    {"personality", 0, POLICY_MASK32},
    {"clone", 0, POLICY_MASK64},
    {"mmap", 2, POLICY_MASK64},
    {"mprotect", 2, POLICY_MASK64},
    {"open", 1, O_ACCMODE},
    {"openat", 2, O_ACCMODE},
    {"clock_gettime", 0, POLICY_MASK32},
};

bool policy_mask_full(uint64_t mask)
{
	return mask == POLICY_MASK64;
}

bool policy_call_filtered(const struct policy_call *c)
{
	size_t i;

	if (!c->n_args)
		return false;
	for (i = 0; i < c->n_args; i++)
		if (c->args[i].open)
			return false;

	return true;
}

void policy_free(struct policy *p)
{
	size_t i;

	for (i = 0; i < p->n_calls; i++)
		free(p->calls[i].owners);
	free(p->calls);
	memset(p, 0, sizeof(*p));
}

const struct policy_call *policy_find(const struct policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n_calls; i++)
		if (strcmp(p->calls[i].name, name) == 0)
			return &p->calls[i];

	return NULL;
}

/* The call for syscall NR, added with its argument sets when new. */
static struct policy_call *policy_call_get(struct policy *p, int nr,
					   struct error **err)
{
	struct policy_call *c;
	size_t i;

	for (i = 0; i < p->n_calls; i++)
		if (p->calls[i].nr == nr)
			return &p->calls[i];

	if (array_reserve(&p->calls, &p->cap_calls, p->n_calls + 1,
			  sizeof(*p->calls)) < 0) {
		error_set(err, errno, "policy syscalls");
		return NULL;
	}
	c = &p->calls[p->n_calls++];
	c->nr = nr;
	if (syscalls_name(0, (uint32_t)nr, c->name, sizeof(c->name)) < 0)
		snprintf(c->name, sizeof(c->name), "syscall_%d", nr);
	for (i = 0; i < sizeof(policy_argspecs) / sizeof(*policy_argspecs);
	     i++) {
		if (strcmp(policy_argspecs[i].name, c->name) != 0)
			continue;
		c->args[c->n_args].index = policy_argspecs[i].index;
		c->args[c->n_args].mask = policy_argspecs[i].mask;
		c->n_args++;
	}

	return c;
}

/* Add VALUE to S once, keeping S sorted; too many values open it. */
static void policy_argset_add(struct policy_argset *s, uint64_t value)
{
	size_t i = 0;

	value &= s->mask;
	while (i < s->n_values && s->values[i] < value)
		i++;
	if (i < s->n_values && s->values[i] == value)
		return;
	if (s->n_values == POLICY_MAX_VALUES) {
		s->open = true;
		return;
	}
	memmove(&s->values[i + 1], &s->values[i],
		(s->n_values - i) * sizeof(*s->values));
	s->values[i] = value;
	s->n_values++;
}

/*
 * Fold the argument values of site S into C. A site that recorded no
 * value for an argument (a profile made before arguments were recorded,
 * or a call the loader saw) leaves that argument open.
 */
static void policy_call_add_args(struct policy_call *c,
				 const struct model_site *s)
{
	size_t i, j;
	bool seen;

	for (i = 0; i < c->n_args; i++) {
		seen = false;
		for (j = 0; j < s->n_args; j++) {
			if (s->args[j].index != c->args[i].index)
				continue;
			policy_argset_add(&c->args[i], s->args[j].value);
			seen = true;
		}
		if (!seen)
			c->args[i].open = true;
	}
}

/* Count site IDX of the model under owner OWNER of C. */
static int policy_call_add_owner(struct policy_call *c, const struct model *m,
				 size_t idx, struct error **err)
{
	const struct model_site *s = &m->sites[idx];
	struct policy_owner *o;
	size_t i;

	for (i = 0; i < c->n_owners; i++) {
		o = &c->owners[i];
		if (o->module != s->owner)
			continue;
		model_count_add(&o->count, s->count);
		if (s->count > m->sites[o->example].count)
			o->example = idx;
		return 0;
	}
	if (array_reserve(&c->owners, &c->cap_owners, c->n_owners + 1,
			  sizeof(*c->owners)) < 0)
		return error_set(err, errno, "policy owners");
	c->owners[c->n_owners++] = (struct policy_owner){
	    .module = s->owner, .count = s->count, .example = idx};

	return 0;
}

static int policy_add_site(struct policy *p, size_t idx, struct error **err)
{
	const struct model_site *s = &p->model->sites[idx];
	struct policy_call *c;

	if (s->nr > INT_MAX)
		return 0;
	c = policy_call_get(p, (int)s->nr, err);
	if (!c)
		return -1;
	model_count_add(&c->count, s->count);
	policy_call_add_args(c, s);
	p->n_sites++;

	return policy_call_add_owner(c, p->model, idx, err);
}

/*
 * Whether NAME, a path, names the same file as PATH once both are
 * resolved here: a relative path, or /usr/lib for the /lib the loader
 * went through.
 */
static bool policy_same_file(const char *path, const char *name)
{
	char *real_name = realpath(name, NULL), *real_path;
	bool same = false;

	if (!real_name)
		return false;
	if (strcmp(real_name, path) == 0) {
		same = true;
	} else {
		real_path = realpath(path, NULL);
		same = real_path && strcmp(real_path, real_name) == 0;
		free(real_path);
	}
	free(real_name);

	return same;
}

/*
 * Whether NAME names the file PATH: its path or its file name, and
 * "libfoo.so" names "libfoo.so.1.2" and "libfoo" names both.
 */
static bool policy_path_matches(const char *path, const char *name)
{
	const char *base = strrchr(path, '/');
	size_t len = strlen(name);

	base = base ? base + 1 : path;
	if (strcmp(path, name) == 0 || strcmp(base, name) == 0)
		return true;
	if (strchr(name, '/'))
		return policy_same_file(path, name);

	return strncmp(base, name, len) == 0 && base[len] == '.';
}

/*
 * Whether NAME is build-id ID or a prefix of it as the reports print it
 * (12 hex digits or more).
 */
static bool policy_build_id_matches(const char *id, const char *name)
{
	size_t len = strlen(name);

	if (*id && strcmp(id, name) == 0)
		return true;
	if (!*id || len < POLICY_BUILD_ID_PREFIX ||
	    strspn(name, "0123456789abcdef") != len)
		return false;

	return strncmp(id, name, len) == 0;
}

bool policy_module_matches(const struct model *m, size_t mod, const char *name)
{
	const struct model_module *md;
	size_t i;

	if (mod == MODEL_NO_MODULE || !*name)
		return false;
	md = &m->modules[mod];
	if (policy_build_id_matches(md->build_id, name) ||
	    policy_path_matches(md->path, name))
		return true;
	for (i = 0; i < md->n_aliases; i++)
		if (policy_path_matches(md->aliases[i], name))
			return true;

	return false;
}

/* The file name of PATH. */
static const char *policy_basename(const char *path)
{
	const char *base = strrchr(path, '/');

	return base ? base + 1 : path;
}

/*
 * Whether process P ran EXE: its path, or a file name alone, which may be
 * the executable's or the one it was started by (python3 runs as
 * python3.11 through a symbolic link).
 */
static bool policy_exe_matches(const struct model_process *p, const char *exe)
{
	char *real;
	bool same;

	if (!p->exe)
		return false;
	if (strcmp(p->exe, exe) == 0)
		return true;
	if (!strchr(exe, '/'))
		return strcmp(policy_basename(p->exe), exe) == 0 ||
		       (p->argc && p->argv[0] &&
			strcmp(policy_basename(p->argv[0]), exe) == 0);
	real = realpath(exe, NULL);
	same = real && strcmp(real, p->exe) == 0;
	free(real);

	return same;
}

/* Whether the selection takes site S. */
static bool policy_takes(const struct policy *p, const struct model_site *s)
{
	const struct model *m = p->model;

	/* Limitation: calls through the i386 ABI are left out of policies. */
	if (s->arch && s->arch != SYSCALLS_ARCH_X86_64)
		return false;
	if (p->sel.exe &&
	    !policy_exe_matches(&m->procs[s->process], p->sel.exe))
		return false;
	if (p->sel.library &&
	    !policy_module_matches(m, s->owner, p->sel.library))
		return false;

	return true;
}

/* Check that the names in the selection exist before blaming emptiness. */
static int policy_check_names(const struct policy *p, struct error **err)
{
	const struct model *m = p->model;
	bool found = false;
	size_t i;

	if (p->sel.exe) {
		for (i = 0; i < m->n_procs && !found; i++)
			found = policy_exe_matches(&m->procs[i], p->sel.exe);
		if (!found)
			return error_set(err, 0,
					 "no process of the profile ran '%s'",
					 p->sel.exe);
	}
	found = false;
	if (p->sel.library) {
		for (i = 0; i < m->n_modules && !found; i++)
			found = policy_module_matches(m, i, p->sel.library);
		if (!found)
			return error_set(
			    err, 0,
			    "no library of the profile is named "
			    "'%s' (by path, file name or build-id)",
			    p->sel.library);
	}

	return 0;
}

/*
 * The consumer's values join the profile's, so that the argument stays
 * filtered (runc's mmap adds no write+exec mapping). Where the table
 * gives none, the consumer's arguments are unknown: the filter is dropped.
 */
static void policy_call_allow(struct policy_call *c,
			      enum policy_consumer consumer)
{
	const uint64_t *values = NULL;
	size_t n = policy_allowance_values(consumer, c->name, &values), i, j;

	for (i = 0; i < c->n_args; i++) {
		if (!n || c->n_args > 1) {
			c->args[i].open = true;
			continue;
		}
		for (j = 0; j < n; j++)
			policy_argset_add(&c->args[i], values[j]);
	}
}

/*
 * Add what the consumer does after it loads the filter, which no profile
 * of the command can show.
 */
static int policy_add_table(struct policy *p, enum policy_consumer consumer,
			    struct error **err)
{
	const struct policy_allowance *a;
	struct policy_call *c;
	size_t n = policy_allowances(consumer, &a), i;
	int nr;

	for (i = 0; i < n; i++) {
		nr = syscalls_number(0, a[i].name);
		if (nr < 0)
			return error_set(
			    err, 0, "allowance: unknown syscall %s", a[i].name);
		c = policy_call_get(p, nr, err);
		if (!c)
			return -1;
		c->allowance = a[i].why;
		policy_call_allow(c, consumer);
	}

	return 0;
}

static int policy_add_allowances(struct policy *p, struct error **err)
{
	if (policy_add_table(p, POLICY_CONSUMER_ANY, err) < 0)
		return -1;
	if (p->sel.consumer == POLICY_CONSUMER_ANY)
		return 0;

	return policy_add_table(p, p->sel.consumer, err);
}

/*
 * clone3 passes its flags in memory, which a filter cannot read; answering
 * ENOSYS makes glibc fall back to clone, whose flags it can.
 */
static int policy_add_clone3(struct policy *p, struct error **err)
{
	struct policy_call *c;
	int nr = syscalls_number(0, "clone3");

	if (nr < 0 || (!policy_find(p, "clone") && !policy_find(p, "clone3")))
		return 0;
	c = policy_call_get(p, nr, err);
	if (!c)
		return -1;
	c->errno_ret = ENOSYS;

	return 0;
}

/*
 * Leave out the calls the user named, to try the program without them.
 * Unknown names are an error: a typo would otherwise test nothing.
 */
static int policy_drop_without(struct policy *p, struct error **err)
{
	size_t i, j;

	for (i = 0; i < p->sel.n_without; i++) {
		if (syscalls_number(0, p->sel.without[i]) < 0)
			return error_set(err, 0,
					 "--without %s: no such syscall "
					 "on x86_64",
					 p->sel.without[i]);
		for (j = 0; j < p->n_calls; j++) {
			if (strcmp(p->calls[j].name, p->sel.without[i]))
				continue;
			free(p->calls[j].owners);
			p->calls[j] = p->calls[--p->n_calls];
			break;
		}
	}

	return 0;
}

static int policy_call_cmp(const void *a, const void *b)
{
	return strcmp(((const struct policy_call *)a)->name,
		      ((const struct policy_call *)b)->name);
}

static int policy_owner_cmp(const void *a, const void *b)
{
	const struct policy_owner *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;

	return x->module < y->module ? -1 : x->module > y->module;
}

static void policy_finish(struct policy *p)
{
	size_t i, j;

	for (i = 0; i < p->n_calls; i++) {
		qsort(p->calls[i].owners, p->calls[i].n_owners,
		      sizeof(*p->calls[i].owners), policy_owner_cmp);
		for (j = 0; p->sel.no_args && j < p->calls[i].n_args; j++)
			p->calls[i].args[j].open = true;
	}
	qsort(p->calls, p->n_calls, sizeof(*p->calls), policy_call_cmp);
}

int policy_build(struct policy *p, const struct model *m,
		 const struct policy_select *sel, struct error **err)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	p->model = m;
	p->sel = *sel;
	if (policy_check_names(p, err) < 0)
		return -1;

	for (i = 0; i < m->n_sites; i++) {
		if (policy_takes(p, &m->sites[i]) &&
		    policy_add_site(p, i, err) < 0)
			goto fail;
	}
	if (!p->n_sites) {
		error_set(err, 0, "the selection holds no syscall");
		goto fail;
	}

	/* A library's policy is reviewed, not loaded before an exec. */
	if (!sel->library && policy_add_allowances(p, err) < 0)
		goto fail;
	if (policy_add_clone3(p, err) < 0 || policy_drop_without(p, err) < 0)
		goto fail;
	policy_finish(p);

	return 0;
fail:
	policy_free(p);

	return -1;
}

enum policy_consumer policy_format_consumer(enum policy_format format)
{
	switch (format) {
	case POLICY_FORMAT_OCI:
		return POLICY_CONSUMER_RUNC;
	case POLICY_FORMAT_BPF:
		return POLICY_CONSUMER_BWRAP;
	case POLICY_FORMAT_SYSTEMD:
		return POLICY_CONSUMER_NSPAWN;
	default:
		return POLICY_CONSUMER_ANY;
	}
}

int policy_parse_format(const char *name, enum policy_format *out)
{
	static const struct {
		const char *name;
		enum policy_format format;
	} formats[] = {
	    {"json", POLICY_FORMAT_JSON},
	    {"oci", POLICY_FORMAT_OCI},
	    {"bpf", POLICY_FORMAT_BPF},
	    {"systemd", POLICY_FORMAT_SYSTEMD},
	    {"libseccomp", POLICY_FORMAT_LIBSECCOMP},
	};
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(*formats); i++) {
		if (strcmp(formats[i].name, name) == 0) {
			*out = formats[i].format;
			return 0;
		}
	}

	return -1;
}

int policy_emit(const struct policy *p, enum policy_format format, FILE *f,
		struct error **err)
{
	switch (format) {
	case POLICY_FORMAT_OCI:
		return policy_emit_oci(p, f, err);
	case POLICY_FORMAT_BPF:
		return policy_emit_seccomp(p, false, f, err);
	case POLICY_FORMAT_LIBSECCOMP:
		return policy_emit_seccomp(p, true, f, err);
	case POLICY_FORMAT_SYSTEMD:
		return policy_emit_systemd(p, f, err);
	default:
		return policy_emit_json(p, f, err);
	}
}

void policy_put_comment_notes(const struct policy *p, FILE *f)
{
	struct risk_note notes[RISK_MAX_NOTES];
	size_t i, j, n;

	for (i = 0; i < p->n_calls; i++) {
		const struct policy_call *c = &p->calls[i];

		n = risk_notes(c->name, c->n_args ? &c->args[0] : NULL, notes);
		for (j = 0; j < n; j++)
			fprintf(f, "# %s: %s: %s\n", c->name,
				risk_kind_name(notes[j].kind), notes[j].text);
		if (c->allowance)
			fprintf(f, "# %s: consumer: %s\n", c->name,
				c->allowance);
	}
}
