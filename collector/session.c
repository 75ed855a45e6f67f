/*
 * session.c - records of one connection into the model, see session.h.
 */
#define _GNU_SOURCE /* SEEK_DATA */
#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aggregate.h"
#include "array.h"
#include "log.h"
#include "session.h"
#include "syscalls.h"
#include "wire.h"

void session_init(struct session *s, struct model *m, int peer_pid)
{
	memset(s, 0, sizeof(*s));
	s->model = m;
	s->peer_pid = peer_pid;
	s->tables_fd = -1;
}

void session_free(struct session *s)
{
	free(s->modules);
	free(s->sites);
	free(s->streamed);
	if (s->tables_fd >= 0)
		close(s->tables_fd);
	s->tables_fd = -1;
	s->modules = NULL;
	s->sites = NULL;
	s->streamed = NULL;
	s->n_modules = 0;
	s->n_sites = 0;
	s->n_streamed = 0;
}

void session_take_fd(struct session *s, int fd)
{
	struct stat st;

	/* Only a regular file (a memfd) is read; pread never faults. */
	if (s->tables_fd >= 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return;
	}
	s->tables_fd = fd;
}

/*
 * Count a refused record; the first one of a connection is worth a
 * warning, the others would only flood the terminal.
 */
static int session_reject(struct session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int session_reject(struct session *s, const char *fmt, ...)
{
	char what[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!s->rejected++)
		log_warn("process %d: ignoring a record: %s "
			 "(further ones are counted silently)",
			 s->peer_pid, what);
	else
		log_debug("process %d: ignoring a record: %s", s->peer_pid,
			  what);

	return 0;
}

/* Look an id up in MAP; returns the model index + 1, or 0 when unknown. */
static size_t session_lookup(const size_t *map, size_t n, uint32_t id)
{
	return id < n ? map[id] : 0;
}

/* Remember that connection id ID means model index INDEX. */
static int session_bind(size_t **map, size_t *n, uint32_t id, size_t index)
{
	if (array_reserve(map, n, (size_t)id + 1, sizeof(**map)) < 0)
		return -1;

	(*map)[id] = index + 1;

	return 0;
}

/*
 * Say once per collector that a privileged program ran unprivileged: its
 * profile shows what it did without the privileges, not with them.
 */
static void session_warn_setid(uint32_t setid, const char *exe)
{
	static bool warned;

	if (warned)
		return;
	warned = true;
	log_warn("%s is %s: under no_new_privs it ran without those "
		 "privileges, so its profile may differ from a normal run",
		 exe ? exe : "a program",
		 (setid & MODEL_SETUID)	  ? "setuid"
		 : (setid & MODEL_SETGID) ? "setgid"
					  : "given file capabilities");
}

static int session_hello(struct session *s, const Syswho__Hello *h,
			 struct error **err)
{
	struct model_process *p;
	size_t idx;

	if (h->version > 1)
		return error_set(err, EPROTO,
				 "wire version %u is not supported",
				 h->version);
	if (model_add_process(s->model, &idx, err) < 0)
		return -1;

	p = &s->model->procs[idx];
	p->pid = h->pid;
	p->ppid = h->ppid;
	p->arch = h->arch ? h->arch : SYSCALLS_ARCH_X86_64;
	p->start_ns = h->start_ns;
	p->setid = h->setid & (MODEL_SETUID | MODEL_SETGID | MODEL_SETCAP);
	if (p->setid)
		session_warn_setid(p->setid, h->exe);
	if (model_set_command(s->model, idx, h->exe ? h->exe : "",
			      (const char *const *)h->argv, h->n_argv, err) < 0)
		return -1;

	s->hello = true;
	s->process = idx;
	log_debug("process %u (%s) says hello", h->pid, h->exe);

	return 0;
}

/* Lowercase hex of a build-id; the caller frees it. */
static char *session_hex(const ProtobufCBinaryData *b)
{
	char *hex = malloc(b->len * 2 + 1);
	size_t i;

	if (!hex)
		return NULL;

	for (i = 0; i < b->len; i++)
		sprintf(hex + 2 * i, "%02x", b->data[i]);
	hex[2 * b->len] = '\0';

	return hex;
}

static int session_module(struct session *s, const Syswho__Module *mod,
			  struct error **err)
{
	char *hex;
	size_t idx;
	int ret;

	if (mod->id == 0 || mod->id > SESSION_MAX_ID)
		return session_reject(s, "module id %u is out of range",
				      mod->id);
	if (session_lookup(s->modules, s->n_modules, mod->id))
		return session_reject(s, "module id %u is defined twice",
				      mod->id);

	hex = session_hex(&mod->build_id);
	if (!hex)
		return error_set(err, ENOMEM, "module %s", mod->path);

	ret = model_add_module(s->model, mod->path ? mod->path : "", hex,
			       mod->runtime, &idx, err);
	free(hex);
	if (ret < 0)
		return -1;

	if (model_add_mapping(s->model, s->process, idx, mod->load_bias,
			      mod->size, err) < 0 ||
	    session_bind(&s->modules, &s->n_modules, mod->id, idx) < 0)
		return error_set(err, ENOMEM, "module %s", mod->path);

	return 0;
}

/* Map the stack of a Site record; returns 1 when it names an unknown module. */
static int session_frames(struct session *s, const Syswho__Site *site,
			  struct model_frame *frames)
{
	size_t i, idx;

	for (i = 0; i < site->n_stack_modules; i++) {
		frames[i].offset = site->stack_offsets[i];
		frames[i].module = MODEL_NO_MODULE;
		if (site->stack_modules[i] == 0)
			continue;

		idx = session_lookup(s->modules, s->n_modules,
				     site->stack_modules[i]);
		if (!idx)
			return session_reject(s,
					      "frame module id %u is unknown",
					      site->stack_modules[i]) +
			       1;
		frames[i].module = idx - 1;
	}

	return 0;
}

static int session_site(struct session *s, const Syswho__Site *site,
			struct error **err)
{
	struct model_site key = {0};
	size_t owner = 0, idx, i;
	int ret;

	if (site->id > SESSION_MAX_ID)
		return session_reject(s, "site id %u is out of range",
				      site->id);
	if (session_lookup(s->sites, s->n_sites, site->id))
		return session_reject(s, "site id %u is defined twice",
				      site->id);
	if (site->n_stack_modules != site->n_stack_offsets)
		return session_reject(s, "site %u has a torn stack", site->id);
	if (site->owner) {
		owner = session_lookup(s->modules, s->n_modules, site->owner);
		if (!owner)
			return session_reject(
			    s, "owner module id %u is unknown", site->owner);
	}

	key.process = s->process;
	key.nr = site->nr;
	key.arch = site->arch ? site->arch : s->model->procs[s->process].arch;
	key.tid = site->tid;
	key.owner = owner ? owner - 1 : MODEL_NO_MODULE;
	key.owner_offset = site->owner_offset;
	key.scope = site->scope ? site->scope : (char *)"";
	key.n_frames = site->n_stack_modules;
	if (site->n_arg_index != site->n_arg_values)
		return session_reject(s, "site %u has torn arguments",
				      site->id);
	for (i = 0; i < site->n_arg_index; i++)
		if (site->arg_index[i] >= SESSION_SYSCALL_ARGS)
			return session_reject(
			    s, "site %u names argument %u of a syscall's six",
			    site->id, site->arg_index[i]);
	key.args = calloc(site->n_arg_index ? site->n_arg_index : 1,
			  sizeof(*key.args));
	if (!key.args)
		return error_set(err, ENOMEM, "site %u", site->id);
	for (i = 0; i < site->n_arg_index; i++) {
		key.args[i].index = site->arg_index[i];
		key.args[i].value = site->arg_values[i];
	}
	key.n_args = site->n_arg_index;
	key.frames =
	    calloc(key.n_frames ? key.n_frames : 1, sizeof(*key.frames));
	if (!key.frames)
		return error_set(err, ENOMEM, "site %u", site->id);

	/* A site rejected for an unknown frame module is no error. */
	ret = session_frames(s, site, key.frames);
	if (ret == 0)
		ret = model_add_site(s->model, &key, &idx, err);
	if (ret == 0 && session_bind(&s->sites, &s->n_sites, site->id, idx) < 0)
		ret = error_set(err, ENOMEM, "site %u", site->id);
	free(key.frames);
	free(key.args);

	return ret < 0 ? -1 : 0;
}

static int session_counts(struct session *s, const Syswho__Counts *c)
{
	size_t i, idx;

	if (c->n_sites != c->n_deltas)
		return session_reject(s, "counts of %u sites are torn",
				      (unsigned)c->n_sites);

	for (i = 0; i < c->n_sites; i++) {
		idx = session_lookup(s->sites, s->n_sites, c->sites[i]);
		if (!idx) {
			session_reject(s, "counts name unknown site id %u",
				       c->sites[i]);
			continue;
		}
		model_count_add(&s->model->sites[idx - 1].count, c->deltas[i]);
		if (array_reserve(&s->streamed, &s->n_streamed,
				  (size_t)c->sites[i] + 1,
				  sizeof(*s->streamed)) == 0)
			model_count_add(&s->streamed[c->sites[i]],
					c->deltas[i]);
	}

	return 0;
}

int session_feed(struct session *s, const Syswho__Record *rec,
		 struct error **err)
{
	struct model_process *p;

	if (rec->kind_case == SYSWHO__RECORD__KIND_HELLO) {
		if (s->hello)
			return error_set(err, EPROTO, "a second Hello");
		return session_hello(s, rec->hello, err);
	}
	if (!s->hello)
		return error_set(err, EPROTO, "a record before Hello");

	p = &s->model->procs[s->process];
	switch (rec->kind_case) {
	case SYSWHO__RECORD__KIND_MODULE:
		return session_module(s, rec->module, err);
	case SYSWHO__RECORD__KIND_SITE:
		return session_site(s, rec->site, err);
	case SYSWHO__RECORD__KIND_COUNTS:
		return session_counts(s, rec->counts);
	case SYSWHO__RECORD__KIND_LOST:
		/* Totals are cumulative; a late packet must not lower them. */
		if (rec->lost->records > p->lost_records)
			p->lost_records = model_count_clamp(rec->lost->records);
		if (rec->lost->calls > p->lost_calls)
			p->lost_calls = model_count_clamp(rec->lost->calls);
		return 0;
	case SYSWHO__RECORD__KIND_TABLES:
		s->layout = *rec->tables;
		return 0;
	case SYSWHO__RECORD__KIND_EXIT:
		p->execed = rec->exit->exec;
		p->complete = true;
		p->exited = !rec->exit->exec;
		p->exit_code = rec->exit->exec ? 0 : rec->exit->code;
		return 0;
	default:
		return error_set(err, EPROTO, "record of unknown kind %d",
				 (int)rec->kind_case);
	}
}

static int session_feed_cb(const Syswho__Record *rec, void *data,
			   struct error **err)
{
	return session_feed(data, rec, err);
}

int session_feed_packet(struct session *s, const uint8_t *buf, size_t len,
			struct error **err)
{
	return wire_decode(buf, len, session_feed_cb, s, err) < 0 ? -1 : 0;
}

/* The layout this collector can read: the library's own (aggregate.h). */
static bool session_layout_ok(const Syswho__Tables *t)
{
	return t->magic == AGG_TABLES_MAGIC && t->slots == AGG_SLOTS &&
	       t->entry_size == sizeof(struct agg_entry) &&
	       t->slots_offset == offsetof(struct agg_table, slots) &&
	       t->stride >= sizeof(struct agg_table) && t->stride <= (1u << 24);
}

/*
 * The process died before the Site record of E left its batch: rebuild
 * the site from the table, with the owner's frame as its only stack.
 * Limitation: such a site has no stack beyond its owner and no scope.
 */
static size_t session_rebuild_site(struct session *s, const struct agg_entry *e)
{
	uint32_t module = e->owner;
	uint64_t offset = e->owner_offset;
	uint32_t arg_index[ARGS_MAX];
	uint64_t arg_values[ARGS_MAX];
	Syswho__Site site = SYSWHO__SITE__INIT;
	struct error *err = NULL;
	size_t i;

	site.id = e->site;
	site.nr = e->nr;
	site.arch = e->arch;
	site.owner = e->owner;
	site.owner_offset = e->owner_offset;
	site.tid = e->tid;
	site.n_stack_modules = 1;
	site.stack_modules = &module;
	site.n_stack_offsets = 1;
	site.stack_offsets = &offset;
	site.n_arg_index = site.n_arg_values =
	    e->nargs < ARGS_MAX ? e->nargs : ARGS_MAX;
	for (i = 0; i < site.n_arg_index; i++) {
		arg_index[i] = e->arg_index[i];
		arg_values[i] = e->arg_values[i];
	}
	site.arg_index = arg_index;
	site.arg_values = arg_values;
	if (session_site(s, &site, &err) < 0) {
		log_warn("process %d: site %u from the tables: %s", s->peer_pid,
			 e->site, error_message(err));
		error_free(&err);
	}

	return session_lookup(s->sites, s->n_sites, e->site);
}

/* Add what entry E of the tables counted beyond what was streamed. */
static void session_table_entry(struct session *s, const struct agg_entry *e)
{
	uint64_t streamed;
	size_t idx;

	if (!e->hash || e->site_state == AGG_SITE_NEW)
		return;
	idx = session_lookup(s->sites, s->n_sites, e->site);
	if (!idx)
		idx = session_rebuild_site(s, e);
	if (!idx)
		return;
	streamed = e->site < s->n_streamed ? s->streamed[e->site] : 0;
	if (e->count > streamed)
		model_count_add(&s->model->sites[idx - 1].count,
				e->count - streamed);
}

/*
 * Read every table of the memfd. Limitation: a process that lies in its
 * tables inflates its own counts, and only its own.
 */
static void session_read_tables(struct session *s)
{
	struct model_process *p = &s->model->procs[s->process];
	struct agg_table *t = malloc(sizeof(*t));
	uint64_t dropped = 0;
	off_t off;
	size_t i;

	if (!t || !session_layout_ok(&s->layout)) {
		free(t);
		return;
	}
	/* The file is sparse: go from one table that holds data to the next. */
	for (off = 0; (off = lseek(s->tables_fd, off, SEEK_DATA)) >= 0;
	     off += s->layout.stride) {
		off -= off % s->layout.stride;
		if (pread(s->tables_fd, t, sizeof(*t), off) !=
		    (ssize_t)sizeof(*t))
			break;
		for (i = 0; i < AGG_SLOTS; i++)
			session_table_entry(s, &t->slots[i]);
		model_count_add(&dropped, t->dropped);
	}
	if (dropped > p->lost_calls)
		p->lost_calls = model_count_clamp(dropped);
	free(t);
}

void session_end(struct session *s, uint64_t end_ns)
{
	if (!s->hello)
		return;
	if (!s->model->procs[s->process].end_ns)
		s->model->procs[s->process].end_ns = end_ns;
	if (s->tables_fd >= 0)
		session_read_tables(s);
}
