/*
 * profile_read.c - open and load SQLite profiles, see profile.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"
#include "profile.h"

/* The value of meta KEY in *OUT (a copy), NULL when absent. */
static int profile_meta(sqlite3 *db, const char *key, char **out)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?", -1,
			       &st, NULL) != SQLITE_OK)
		return -1;

	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_text(st, 0))
		*out = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);

	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Check the meta table of DB; the message says what is wrong. */
static int profile_check(sqlite3 *db, const char *path, struct error **err)
{
	char *format = NULL, *version = NULL;
	int ret = 0;

	/* A file that is not SQLite, or has no meta table, fails here. */
	if (profile_meta(db, "format", &format) < 0 || !format ||
	    strcmp(format, PROFILE_FORMAT) != 0) {
		ret = error_set(err, 0, "open profile %s: not a syswho profile",
				path);
		goto out;
	}
	if (profile_meta(db, "version", &version) < 0 || !version ||
	    strcmp(version, PROFILE_VERSION) != 0)
		ret = error_set(err, 0,
				"open profile %s: version %s is not supported "
				"(this syswho reads version %s)",
				path, version ? version : "(none)",
				PROFILE_VERSION);
out:
	free(format);
	free(version);

	return ret;
}

int profile_open(const char *path, sqlite3 **out, struct error **err)
{
	struct stat st;
	sqlite3 *db = NULL;

	/* SQLite opens lazily and would say little about a missing file. */
	if (stat(path, &st) < 0 || access(path, R_OK) < 0)
		return error_set(err, errno, "open profile %s", path);
	if (!S_ISREG(st.st_mode))
		return error_set(err, 0, "open profile %s: not a regular file",
				 path);

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		error_set(err, 0, "open profile %s: %s", path,
			  sqlite3_errmsg(db));
		sqlite3_close(db);
		return -1;
	}
	if (profile_check(db, path, err) < 0) {
		sqlite3_close(db);
		return -1;
	}
	*out = db;

	return 0;
}

/* One consistency rule: a query whose one value is true when it fails. */
struct profile_rule {
	const char *sql;
	const char *broken;
};

/*
 * The rules profile_load relies on. A NULL owner or frame module is "no
 * module" (JIT code) and passes: NOT IN is NULL for it, not true.
 */
static const struct profile_rule profile_rules[] = {
    {"SELECT COUNT(*) != COALESCE(MAX(id), 0) OR MIN(id) != 1 FROM module",
     "module ids are not 1..n"},
    {"SELECT COUNT(*) != COALESCE(MAX(id), 0) OR MIN(id) != 1 FROM process",
     "process ids are not 1..n"},
    {"SELECT COUNT(*) != COALESCE(MAX(id), 0) OR MIN(id) != 1 FROM site",
     "site ids are not 1..n"},
    {"SELECT EXISTS (SELECT 1 FROM process_module WHERE process IS NULL OR "
     "process NOT IN (SELECT id FROM process) OR "
     "module NOT IN (SELECT id FROM module))",
     "a mapping names an unknown row"},
    {"SELECT EXISTS (SELECT 1 FROM site WHERE process IS NULL OR "
     "process NOT IN (SELECT id FROM process) OR "
     "owner NOT IN (SELECT id FROM module) OR "
     "stack NOT IN (SELECT stack FROM stack_frame))",
     "a site names an unknown row"},
    {"SELECT EXISTS (SELECT 1 FROM stack_frame WHERE "
     "module NOT IN (SELECT id FROM module))",
     "a frame names an unknown row"},
    {"SELECT EXISTS (SELECT 1 FROM site WHERE count < 0) OR EXISTS "
     "(SELECT 1 FROM process WHERE lost_records < 0 OR lost_calls < 0)",
     "a count is negative"},
    /* SQLite's JSON functions fail on bad JSON: each sees valid JSON. */
    {"SELECT EXISTS (SELECT 1 FROM process WHERE NOT json_valid(argv) OR "
     "json_type(CASE WHEN json_valid(argv) THEN argv ELSE '[]' END) "
     "!= 'array') OR EXISTS (SELECT 1 FROM process, json_each(CASE WHEN "
     "json_valid(process.argv) AND json_type(process.argv) = 'array' "
     "THEN process.argv ELSE '[]' END) WHERE json_each.type != 'text')",
     "a process's argv is not a JSON array of strings"},
};

/* site_arg is checked only where it exists: older profiles have none. */
static const struct profile_rule profile_arg_rule = {
    "SELECT EXISTS (SELECT 1 FROM site_arg WHERE "
    "site NOT IN (SELECT id FROM site))",
    "an argument names an unknown site"};

/* 1 when RULE finds DB broken, 0 when not, -1 when it cannot be asked. */
static int profile_broken(sqlite3 *db, const struct profile_rule *rule)
{
	sqlite3_stmt *st;
	int rc, broken = 0;

	if (sqlite3_prepare_v2(db, rule->sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		broken = sqlite3_column_int(st, 0) != 0;
	sqlite3_finalize(st);

	return rc == SQLITE_ROW ? broken : -1;
}

static bool profile_has_table(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st;
	bool has = false;

	if (sqlite3_prepare_v2(db,
			       "SELECT 1 FROM sqlite_master "
			       "WHERE type = 'table' AND name = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	has = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);

	return has;
}

int profile_verify(sqlite3 *db, const char *path, struct error **err)
{
	size_t n = sizeof(profile_rules) / sizeof(*profile_rules), i;
	const struct profile_rule *rule = NULL;
	int broken = 0;

	for (i = 0; i < n && broken == 0; i++) {
		rule = &profile_rules[i];
		broken = profile_broken(db, rule);
	}
	if (broken == 0 && profile_has_table(db, "site_arg")) {
		rule = &profile_arg_rule;
		broken = profile_broken(db, rule);
	}
	if (broken < 0)
		return error_set(err, 0, "read profile %s: %s", path,
				 sqlite3_errmsg(db));
	if (broken)
		return error_set(err, 0, "read profile %s: %s", path,
				 rule->broken);

	return 0;
}

/* A row id read back must name an element that was already loaded. */
static int profile_index(sqlite3_stmt *st, int col, size_t n, size_t *out)
{
	sqlite3_int64 id;

	if (sqlite3_column_type(st, col) == SQLITE_NULL) {
		*out = MODEL_NO_MODULE;
		return 0;
	}
	id = sqlite3_column_int64(st, col);
	if (id < 1 || (size_t)id > n)
		return -1;
	*out = (size_t)id - 1;

	return 0;
}

static const char *profile_text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t ? (const char *)t : "";
}

static int profile_load_modules(sqlite3 *db, struct model *m,
				struct error **err)
{
	sqlite3_stmt *st;
	size_t idx;
	int rc;

	if (sqlite3_prepare_v2(db,
			       "SELECT id, path, build_id, runtime "
			       "FROM module ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		return error_set(err, 0, "modules: %s", sqlite3_errmsg(db));

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (model_add_module(m, profile_text(st, 1),
				     profile_text(st, 2),
				     sqlite3_column_int(st, 3), &idx, err) < 0)
			break;
		if ((sqlite3_int64)idx + 1 != sqlite3_column_int64(st, 0)) {
			error_set(err, 0, "module ids are not 1..n");
			break;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && !*err)
		error_set(err, 0, "modules: %s", sqlite3_errmsg(db));

	return *err ? -1 : 0;
}

/*
 * The other paths of merged modules. A profile without the table (made
 * before merges kept them) has only each module's first path.
 */
static int profile_load_module_paths(sqlite3 *db, struct model *m,
				     struct error **err)
{
	sqlite3_stmt *st;
	const char *path;
	size_t mod;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT module, path FROM module_path", -1,
			       &st, NULL) != SQLITE_OK)
		return 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (profile_index(st, 0, m->n_modules, &mod) < 0 ||
		    mod == MODEL_NO_MODULE) {
			error_set(err, 0, "a path names an unknown module");
			break;
		}
		path = profile_text(st, 1);
		if (model_module_add_alias(m, mod, path, err) < 0)
			break;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW && !*err)
		error_set(err, 0, "module paths: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);

	return *err ? -1 : 0;
}

/* The argv JSON array of process row ID, through SQLite's json_each. */
static int profile_load_argv(sqlite3 *db, struct model *m, size_t p,
			     const char *exe, struct error **err)
{
	sqlite3_stmt *st;
	char **argv = NULL;
	size_t argc = 0, cap = 0, i;
	int rc, ret = -1;

	if (sqlite3_prepare_v2(db,
			       "SELECT j.value FROM process, "
			       "json_each(process.argv) AS j "
			       "WHERE process.id = ? ORDER BY j.key",
			       -1, &st, NULL) != SQLITE_OK)
		return error_set(err, 0, "argv: %s", sqlite3_errmsg(db));

	sqlite3_bind_int64(st, 1, (sqlite3_int64)p + 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (array_reserve(&argv, &cap, argc + 1, sizeof(*argv)) < 0)
			goto out;
		argv[argc] = strdup(profile_text(st, 0));
		if (!argv[argc++])
			goto out;
	}
	if (rc != SQLITE_DONE) {
		error_set(err, 0, "argv: %s", sqlite3_errmsg(db));
		goto out;
	}
	ret =
	    model_set_command(m, p, exe, (const char *const *)argv, argc, err);
out:
	if (ret < 0 && !*err)
		error_set(err, ENOMEM, "argv");
	for (i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
	sqlite3_finalize(st);

	return ret;
}

/* Fill process P from a row of the process query. */
static void profile_fill_process(struct model_process *p, sqlite3_stmt *st)
{
	p->pid = (uint32_t)sqlite3_column_int64(st, 1);
	p->ppid = (uint32_t)sqlite3_column_int64(st, 2);
	p->start_ns = (uint64_t)sqlite3_column_int64(st, 4);
	p->end_ns = (uint64_t)sqlite3_column_int64(st, 5);
	p->exited = sqlite3_column_type(st, 6) != SQLITE_NULL;
	p->exit_code = sqlite3_column_int(st, 6);
	p->signal = sqlite3_column_int(st, 7);
	p->lost_records = (uint64_t)sqlite3_column_int64(st, 8);
	p->lost_calls = (uint64_t)sqlite3_column_int64(st, 9);
	p->arch = (uint32_t)sqlite3_column_int64(st, 10);
	p->execed = sqlite3_column_int(st, 11);
	p->complete = sqlite3_column_int(st, 12);
	p->setid = (uint32_t)sqlite3_column_int64(st, 13);
}

static int profile_load_processes(sqlite3 *db, struct model *m,
				  struct error **err)
{
	sqlite3_stmt *st;
	size_t idx;
	int rc;

	if (sqlite3_prepare_v2(db,
			       "SELECT id, pid, ppid, exe, start_ns, "
			       "end_ns, exit_code, signal, lost_records, "
			       "lost_calls, arch, execed, complete, setid "
			       "FROM process ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		return error_set(err, 0, "processes: %s", sqlite3_errmsg(db));

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (model_add_process(m, &idx, err) < 0)
			break;
		if ((sqlite3_int64)idx + 1 != sqlite3_column_int64(st, 0)) {
			error_set(err, 0, "process ids are not 1..n");
			break;
		}
		profile_fill_process(&m->procs[idx], st);
		if (profile_load_argv(db, m, idx, profile_text(st, 3), err) < 0)
			break;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && !*err)
		error_set(err, 0, "processes: %s", sqlite3_errmsg(db));

	return *err ? -1 : 0;
}

static int profile_load_mappings(sqlite3 *db, struct model *m,
				 struct error **err)
{
	sqlite3_stmt *st;
	size_t p, mod;
	int rc;

	if (sqlite3_prepare_v2(db,
			       "SELECT process, module, base, size "
			       "FROM process_module ORDER BY rowid",
			       -1, &st, NULL) != SQLITE_OK)
		return error_set(err, 0, "mappings: %s", sqlite3_errmsg(db));

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (profile_index(st, 0, m->n_procs, &p) < 0 ||
		    p == MODEL_NO_MODULE ||
		    profile_index(st, 1, m->n_modules, &mod) < 0) {
			error_set(err, 0, "a mapping names an unknown row");
			break;
		}
		if (model_add_mapping(
			m, p, mod, (uint64_t)sqlite3_column_int64(st, 2),
			(uint64_t)sqlite3_column_int64(st, 3), err) < 0)
			break;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && !*err)
		error_set(err, 0, "mappings: %s", sqlite3_errmsg(db));

	return *err ? -1 : 0;
}

/* Read the stack of site row ID into SITE (frames allocated). */
static int profile_load_frames(sqlite3 *db, sqlite3_stmt *st,
			       const struct model *m, struct model_site *site,
			       struct error **err)
{
	size_t cap = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct model_frame *f;

		if (array_reserve(&site->frames, &cap, site->n_frames + 1,
				  sizeof(*site->frames)) < 0)
			return error_set(err, ENOMEM, "frames");
		f = &site->frames[site->n_frames++];
		if (profile_index(st, 0, m->n_modules, &f->module) < 0)
			return error_set(err, 0,
					 "a frame names an unknown module");
		f->offset = (uint64_t)sqlite3_column_int64(st, 1);
	}
	if (rc != SQLITE_DONE)
		return error_set(err, 0, "frames: %s", sqlite3_errmsg(db));

	return 0;
}

/* Turn one row of the site query into a model site. */
static int profile_load_site(sqlite3 *db, sqlite3_stmt *st,
			     sqlite3_stmt *frames, struct model *m,
			     struct error **err)
{
	struct model_site s = {0};
	size_t idx;
	int ret = -1;

	if (profile_index(st, 1, m->n_procs, &s.process) < 0 ||
	    s.process == MODEL_NO_MODULE ||
	    profile_index(st, 4, m->n_modules, &s.owner) < 0)
		return error_set(err, 0, "a site names an unknown row");

	s.nr = (uint32_t)sqlite3_column_int64(st, 2);
	s.arch = (uint32_t)sqlite3_column_int64(st, 3);
	s.owner_offset = (uint64_t)sqlite3_column_int64(st, 5);
	s.scope = (char *)profile_text(st, 6);
	s.count = (uint64_t)sqlite3_column_int64(st, 7);
	s.tid = (uint32_t)sqlite3_column_int64(st, 8);

	sqlite3_bind_int64(frames, 1, sqlite3_column_int64(st, 0));
	if (profile_load_frames(db, frames, m, &s, err) == 0 &&
	    model_add_site(m, &s, &idx, err) == 0)
		ret = 0;
	if (ret == 0 && (sqlite3_int64)idx + 1 != sqlite3_column_int64(st, 0))
		ret = error_set(err, 0, "site ids are not 1..n");
	sqlite3_reset(frames);
	free(s.frames);

	return ret;
}

static int profile_load_sites(sqlite3 *db, struct model *m, struct error **err)
{
	sqlite3_stmt *st = NULL, *frames = NULL;
	int rc = SQLITE_ERROR;

	if (sqlite3_prepare_v2(db,
			       "SELECT id, process, nr, arch, owner, "
			       "owner_offset, scope, count, tid "
			       "FROM site ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
			       "SELECT module, offset FROM frame "
			       "WHERE site = ? ORDER BY depth",
			       -1, &frames, NULL) != SQLITE_OK)
		goto out;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (profile_load_site(db, st, frames, m, err) < 0)
			break;
	}
out:
	if (rc != SQLITE_DONE && !*err)
		error_set(err, 0, "sites: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_finalize(frames);

	return *err ? -1 : 0;
}

/*
 * The argument values of the sites. A profile without the table (made
 * before syswho recorded arguments) simply has none.
 */
static int profile_load_args(sqlite3 *db, struct model *m, struct error **err)
{
	sqlite3_stmt *st;
	size_t site;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT site, arg, value FROM site_arg", -1,
			       &st, NULL) != SQLITE_OK)
		return 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (profile_index(st, 0, m->n_sites, &site) < 0 ||
		    site == MODEL_NO_MODULE) {
			error_set(err, 0, "an argument names an unknown site");
			break;
		}
		if (model_site_add_arg(
			m, site, (uint32_t)sqlite3_column_int64(st, 1),
			(uint64_t)sqlite3_column_int64(st, 2)) < 0) {
			error_set(err, ENOMEM, "site arguments");
			break;
		}
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW && !*err)
		error_set(err, 0, "site arguments: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);

	return *err ? -1 : 0;
}

int profile_load(const char *path, struct model *m, struct error **err)
{
	sqlite3 *db;
	int ret;

	if (profile_open(path, &db, err) < 0)
		return -1;
	if (profile_verify(db, path, err) < 0) {
		sqlite3_close(db);
		return -1;
	}

	ret = profile_load_modules(db, m, err);
	if (ret == 0)
		ret = profile_load_module_paths(db, m, err);
	if (ret == 0)
		ret = profile_load_processes(db, m, err);
	if (ret == 0)
		ret = profile_load_mappings(db, m, err);
	if (ret == 0)
		ret = profile_load_sites(db, m, err);
	if (ret == 0)
		ret = profile_load_args(db, m, err);
	sqlite3_close(db);
	if (ret < 0)
		return error_wrap(err, "read profile %s", path);

	return 0;
}
