/*
 * profile.c - write the model to a SQLite profile, see profile.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "profile.h"
#include "syscalls.h"

#ifndef SYSWHO_VERSION
#define SYSWHO_VERSION "unknown"
#endif

static const char profile_schema[] =
    "PRAGMA foreign_keys = ON;"
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE process(id INTEGER PRIMARY KEY, pid INTEGER NOT NULL,"
    " ppid INTEGER NOT NULL, exe TEXT NOT NULL, argv TEXT NOT NULL,"
    " start_ns INTEGER NOT NULL, end_ns INTEGER, exit_code INTEGER,"
    " signal INTEGER, lost_records INTEGER NOT NULL DEFAULT 0,"
    " lost_calls INTEGER NOT NULL DEFAULT 0, arch INTEGER NOT NULL,"
    " execed INTEGER NOT NULL DEFAULT 0, complete INTEGER NOT NULL DEFAULT 0,"
    " setid INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE module(id INTEGER PRIMARY KEY, path TEXT NOT NULL,"
    " build_id TEXT NOT NULL, runtime INTEGER NOT NULL,"
    " UNIQUE(path, build_id));"
    "CREATE TABLE module_path(module INTEGER NOT NULL REFERENCES module(id),"
    " path TEXT NOT NULL, PRIMARY KEY(module, path)) WITHOUT ROWID;"
    "CREATE TABLE process_module("
    " process INTEGER NOT NULL REFERENCES process(id),"
    " module INTEGER NOT NULL REFERENCES module(id),"
    " base INTEGER NOT NULL, size INTEGER NOT NULL);"
    "CREATE TABLE site(id INTEGER PRIMARY KEY,"
    " process INTEGER NOT NULL REFERENCES process(id),"
    " nr INTEGER NOT NULL, name TEXT, arch INTEGER NOT NULL,"
    " owner INTEGER REFERENCES module(id), owner_offset INTEGER NOT NULL,"
    " scope TEXT NOT NULL, count INTEGER NOT NULL, tid INTEGER NOT NULL,"
    " stack INTEGER);"
    "CREATE TABLE site_arg(site INTEGER NOT NULL REFERENCES site(id),"
    " arg INTEGER NOT NULL, value INTEGER NOT NULL,"
    " PRIMARY KEY(site, arg, value)) WITHOUT ROWID;"
    "CREATE TABLE stack_frame(stack INTEGER NOT NULL,"
    " depth INTEGER NOT NULL, module INTEGER REFERENCES module(id),"
    " offset INTEGER NOT NULL, PRIMARY KEY(stack, depth)) WITHOUT ROWID;"
    "CREATE VIEW frame AS SELECT s.id AS site, f.depth AS depth,"
    " f.module AS module, f.offset AS offset"
    " FROM site s JOIN stack_frame f ON f.stack = s.stack;";

/* Built once the rows are in: one sort each instead of a b-tree insert
 * per row. */
static const char profile_indexes[] =
    "CREATE INDEX site_by_owner ON site(owner, nr);"
    "CREATE INDEX site_by_nr ON site(nr, arch);"
    "CREATE INDEX site_by_process ON site(process);"
    "CREATE INDEX process_module_by_process ON process_module(process);";

/*
 * Stacks already written, by hash of their frames: identical processes (a
 * compiler run once per file) make identical stacks, stored once. A slot
 * holds the index + 1 of the first site with that stack, which is also
 * the stack's id.
 */
struct profile_stacks {
	size_t *slots;
	size_t mask;
};

/* The statements of one write, and where errors go. */
struct profile_writer {
	struct profile_stacks stacks;
	sqlite3 *db;
	sqlite3_stmt *meta;
	sqlite3_stmt *process;
	sqlite3_stmt *module;
	sqlite3_stmt *module_path;
	sqlite3_stmt *mapping;
	sqlite3_stmt *site;
	sqlite3_stmt *frame;
	sqlite3_stmt *site_arg;
};

static int profile_sql_error(sqlite3 *db, struct error **err, const char *what)
{
	return error_set(err, 0, "%s: %s", what, sqlite3_errmsg(db));
}

/* Run ST once to completion and make it ready for the next row. */
static int profile_step(struct profile_writer *w, sqlite3_stmt *st,
			const char *what, struct error **err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return profile_sql_error(w->db, err, what);

	return 0;
}

static int profile_prepare(struct profile_writer *w, struct error **err)
{
	static const struct {
		size_t offset;
		const char *sql;
	} stmts[] = {
	    {offsetof(struct profile_writer, meta),
	     "INSERT INTO meta VALUES (?, ?)"},
	    {offsetof(struct profile_writer, process),
	     "INSERT INTO process VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"},
	    {offsetof(struct profile_writer, module),
	     "INSERT INTO module VALUES (?, ?, ?, ?)"},
	    {offsetof(struct profile_writer, module_path),
	     "INSERT INTO module_path VALUES (?, ?)"},
	    {offsetof(struct profile_writer, mapping),
	     "INSERT INTO process_module VALUES (?, ?, ?, ?)"},
	    {offsetof(struct profile_writer, site),
	     "INSERT INTO site VALUES (?,?,?,?,?,?,?,?,?,?,?)"},
	    {offsetof(struct profile_writer, frame),
	     "INSERT INTO stack_frame VALUES (?, ?, ?, ?)"},
	    {offsetof(struct profile_writer, site_arg),
	     "INSERT INTO site_arg VALUES (?, ?, ?)"},
	};
	size_t i;

	for (i = 0; i < sizeof(stmts) / sizeof(stmts[0]); i++) {
		sqlite3_stmt **st =
		    (sqlite3_stmt **)((char *)w + stmts[i].offset);

		if (sqlite3_prepare_v2(w->db, stmts[i].sql, -1, st, NULL) !=
		    SQLITE_OK)
			return profile_sql_error(w->db, err, "prepare");
	}

	return 0;
}

static void profile_finalize(struct profile_writer *w)
{
	free(w->stacks.slots);
	sqlite3_finalize(w->meta);
	sqlite3_finalize(w->process);
	sqlite3_finalize(w->module);
	sqlite3_finalize(w->module_path);
	sqlite3_finalize(w->mapping);
	sqlite3_finalize(w->site);
	sqlite3_finalize(w->frame);
	sqlite3_finalize(w->site_arg);
}

static int profile_put_meta(struct profile_writer *w, const char *key,
			    const char *value, struct error **err)
{
	sqlite3_bind_text(w->meta, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(w->meta, 2, value, -1, SQLITE_STATIC);

	return profile_step(w, w->meta, "insert meta", err);
}

static int profile_write_meta(struct profile_writer *w, const struct model *m,
			      bool complete, struct error **err)
{
	char created[32];
	time_t now = time(NULL);
	struct tm tm;

	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ",
		 gmtime_r(&now, &tm));

	if (profile_put_meta(w, "format", PROFILE_FORMAT, err) < 0 ||
	    profile_put_meta(w, "version", PROFILE_VERSION, err) < 0 ||
	    profile_put_meta(w, "created", created, err) < 0 ||
	    profile_put_meta(w, "syswho_version", SYSWHO_VERSION, err) < 0 ||
	    profile_put_meta(w, "complete", complete ? "1" : "0", err) < 0 ||
	    (m->baseline &&
	     profile_put_meta(w, "baseline", m->baseline, err) < 0))
		return -1;

	return 0;
}

/* Bind a module index as a row id, or NULL for "no module". */
static void profile_bind_module(sqlite3_stmt *st, int col, size_t module)
{
	if (module == MODEL_NO_MODULE)
		sqlite3_bind_null(st, col);
	else
		sqlite3_bind_int64(st, col, (sqlite3_int64)module + 1);
}

static int profile_write_process(struct profile_writer *w, size_t i,
				 const struct model_process *p,
				 struct error **err)
{
	sqlite3_stmt *st = w->process;
	char *argv = json_strings((const char *const *)p->argv, p->argc);
	size_t j;

	if (!argv)
		return error_set(err, ENOMEM, "process %u", p->pid);

	sqlite3_bind_int64(st, 1, (sqlite3_int64)i + 1);
	sqlite3_bind_int64(st, 2, p->pid);
	sqlite3_bind_int64(st, 3, p->ppid);
	sqlite3_bind_text(st, 4, p->exe ? p->exe : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, argv, -1, free);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)p->start_ns);
	if (p->end_ns)
		sqlite3_bind_int64(st, 7, (sqlite3_int64)p->end_ns);
	if (p->exited)
		sqlite3_bind_int64(st, 8, p->exit_code);
	if (p->signal)
		sqlite3_bind_int64(st, 9, p->signal);
	sqlite3_bind_int64(st, 10, (sqlite3_int64)p->lost_records);
	sqlite3_bind_int64(st, 11, (sqlite3_int64)p->lost_calls);
	sqlite3_bind_int64(st, 12, p->arch);
	sqlite3_bind_int(st, 13, p->execed);
	sqlite3_bind_int(st, 14, p->complete);
	sqlite3_bind_int64(st, 15, p->setid);
	if (profile_step(w, st, "insert process", err) < 0)
		return -1;

	for (j = 0; j < p->n_maps; j++) {
		st = w->mapping;
		sqlite3_bind_int64(st, 1, (sqlite3_int64)i + 1);
		profile_bind_module(st, 2, p->maps[j].module);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)p->maps[j].base);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)p->maps[j].size);
		if (profile_step(w, st, "insert process_module", err) < 0)
			return -1;
	}

	return 0;
}

static uint64_t profile_stack_hash(const struct model_site *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < s->n_frames; i++) {
		h = (h ^ s->frames[i].module) * 0x100000001b3ULL;
		h = (h ^ s->frames[i].offset) * 0x100000001b3ULL;
	}

	return h;
}

static bool profile_same_stack(const struct model_site *a,
			       const struct model_site *b)
{
	size_t i;

	if (a->n_frames != b->n_frames)
		return false;
	for (i = 0; i < a->n_frames; i++)
		if (a->frames[i].module != b->frames[i].module ||
		    a->frames[i].offset != b->frames[i].offset)
			return false;

	return true;
}

/*
 * The stack id of site I of M, 0 for none; *FRESH says whether its frames
 * are still to be written.
 */
static size_t profile_stack_id(struct profile_stacks *st, const struct model *m,
			       size_t i, bool *fresh)
{
	const struct model_site *s = &m->sites[i];
	size_t k;

	*fresh = false;
	if (!s->n_frames)
		return 0;
	for (k = profile_stack_hash(s) & st->mask; st->slots[k];
	     k = (k + 1) & st->mask)
		if (profile_same_stack(&m->sites[st->slots[k] - 1], s))
			return st->slots[k];
	st->slots[k] = i + 1;
	*fresh = true;

	return i + 1;
}

static int profile_write_site(struct profile_writer *w, const struct model *m,
			      size_t i, struct error **err)
{
	const struct model_site *s = &m->sites[i];
	sqlite3_stmt *st = w->site;
	char name[64];
	size_t j, stack;
	bool fresh;

	sqlite3_bind_int64(st, 1, (sqlite3_int64)i + 1);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)s->process + 1);
	sqlite3_bind_int64(st, 3, s->nr);
	if (syscalls_name(s->arch, s->nr, name, sizeof(name)) == 0)
		sqlite3_bind_text(st, 4, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, s->arch);
	profile_bind_module(st, 6, s->owner);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)s->owner_offset);
	sqlite3_bind_text(st, 8, s->scope, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)s->count);
	sqlite3_bind_int64(st, 10, s->tid);
	stack = profile_stack_id(&w->stacks, m, i, &fresh);
	if (stack)
		sqlite3_bind_int64(st, 11, (sqlite3_int64)stack);
	if (profile_step(w, st, "insert site", err) < 0)
		return -1;

	for (j = 0; fresh && j < s->n_frames; j++) {
		st = w->frame;
		sqlite3_bind_int64(st, 1, (sqlite3_int64)stack);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)j);
		profile_bind_module(st, 3, s->frames[j].module);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)s->frames[j].offset);
		if (profile_step(w, st, "insert frame", err) < 0)
			return -1;
	}
	for (j = 0; j < s->n_args; j++) {
		st = w->site_arg;
		sqlite3_bind_int64(st, 1, (sqlite3_int64)i + 1);
		sqlite3_bind_int64(st, 2, s->args[j].index);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)s->args[j].value);
		if (profile_step(w, st, "insert site argument", err) < 0)
			return -1;
	}

	return 0;
}

static int profile_write_model(struct profile_writer *w, const struct model *m,
			       struct error **err)
{
	size_t i, j;

	for (i = 0; i < m->n_modules; i++) {
		const struct model_module *mod = &m->modules[i];

		sqlite3_bind_int64(w->module, 1, (sqlite3_int64)i + 1);
		sqlite3_bind_text(w->module, 2, mod->path, -1, SQLITE_STATIC);
		sqlite3_bind_text(w->module, 3, mod->build_id, -1,
				  SQLITE_STATIC);
		sqlite3_bind_int(w->module, 4, mod->runtime);
		if (profile_step(w, w->module, "insert module", err) < 0)
			return -1;
		for (j = 0; j < mod->n_aliases; j++) {
			sqlite3_bind_int64(w->module_path, 1,
					   (sqlite3_int64)i + 1);
			sqlite3_bind_text(w->module_path, 2, mod->aliases[j],
					  -1, SQLITE_STATIC);
			if (profile_step(w, w->module_path,
					 "insert module_path", err) < 0)
				return -1;
		}
	}
	for (i = 0; i < m->n_procs; i++) {
		if (profile_write_process(w, i, &m->procs[i], err) < 0)
			return -1;
	}
	/* At most half full, so probes stay short. */
	for (w->stacks.mask = 15; w->stacks.mask < 2 * m->n_sites;)
		w->stacks.mask = 2 * w->stacks.mask + 1;
	w->stacks.slots = calloc(w->stacks.mask + 1, sizeof(size_t));
	if (!w->stacks.slots)
		return error_set(err, ENOMEM, "stacks of %zu sites",
				 m->n_sites);
	for (i = 0; i < m->n_sites; i++) {
		if (profile_write_site(w, m, i, err) < 0)
			return -1;
	}

	return 0;
}

/* Fill the fresh database file TMP with M. */
static int profile_fill(const struct model *m, const char *tmp, bool complete,
			struct error **err)
{
	struct profile_writer w = {0};
	int ret = -1;

	if (sqlite3_open_v2(tmp, &w.db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		profile_sql_error(w.db, err, "open");
		goto out;
	}
	/*
	 * The file is new and is renamed into place only once whole, so a
	 * failed write never leaves half a profile under its name: it needs
	 * neither a journal on disk nor a sync (what a power cut may lose,
	 * the rename loses too).
	 */
	if (sqlite3_exec(w.db,
			 "PRAGMA journal_mode = MEMORY; PRAGMA synchronous = "
			 "OFF; BEGIN;",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(w.db, profile_schema, NULL, NULL, NULL) != SQLITE_OK) {
		profile_sql_error(w.db, err, "create the tables");
		goto out;
	}
	if (profile_prepare(&w, err) < 0 ||
	    profile_write_meta(&w, m, complete, err) < 0 ||
	    profile_write_model(&w, m, err) < 0)
		goto out;

	if (sqlite3_exec(w.db, profile_indexes, NULL, NULL, NULL) !=
		SQLITE_OK ||
	    sqlite3_exec(w.db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		profile_sql_error(w.db, err, "commit");
		goto out;
	}
	ret = 0;
out:
	profile_finalize(&w);
	if (sqlite3_close(w.db) != SQLITE_OK && ret == 0)
		ret = error_set(err, EIO, "close");

	return ret;
}

int profile_write(const struct model *m, const char *path, bool complete,
		  struct error **err)
{
	char *tmp = NULL;
	mode_t mask;
	int fd;

	if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
		return error_set(err, ENOMEM, "write profile %s", path);

	fd = mkstemp(tmp);
	if (fd < 0) {
		error_set(err, errno, "write profile %s: create %s", path, tmp);
		free(tmp);
		return -1;
	}
	/* mkstemp makes 0600; a profile is as readable as any new file. */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) < 0) {
		error_set(err, errno, "chmod %s", tmp);
		close(fd);
		goto fail;
	}
	close(fd);

	if (profile_fill(m, tmp, complete, err) < 0)
		goto fail;
	if (rename(tmp, path) < 0) {
		error_set(err, errno, "rename %s", tmp);
		goto fail;
	}
	free(tmp);

	return 0;
fail:
	unlink(tmp);
	free(tmp);

	return error_wrap(err, "write profile %s", path);
}
