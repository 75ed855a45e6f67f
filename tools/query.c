/*
 * query.c - SQL helpers for report and which, see query.h.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "log.h"
#include "profile.h"
#include "query.h"
#include "symbolize.h"

/* A module file opened for symbols, or found unusable. */
struct query_file {
	char *path;
	struct symbolize_file *file; /* NULL: missing, not ELF, changed */
};

int query_open(struct query *q, const char *cmd, const char *path)
{
	struct error *err = NULL;

	memset(q, 0, sizeof(*q));
	q->cmd = cmd;
	q->path = path;
	/* report and which read rows with SQL, not through profile_load,
	 * so they check what it checks before they print anything. */
	if (profile_open(path, &q->db, &err) < 0 ||
	    profile_verify(q->db, path, &err) < 0) {
		cli_error(cmd, "%s", error_message(err));
		error_free(&err);
		sqlite3_close(q->db);
		q->db = NULL;
		return -1;
	}

	return 0;
}

void query_close(struct query *q)
{
	size_t i;

	for (i = 0; i < q->n_files; i++) {
		symbolize_close(q->files[i].file);
		free(q->files[i].path);
	}
	free(q->files);
	q->files = NULL;
	q->n_files = 0;
	sqlite3_close(q->db);
	q->db = NULL;
}

/* Say once what went wrong; later failures usually follow from it. */
static void query_fail(struct query *q)
{
	if (!q->failed)
		cli_error(q->cmd, "read profile %s: %s", q->path,
			  sqlite3_errmsg(q->db));
	q->failed = true;
}

sqlite3_stmt *query_prepare(struct query *q, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK) {
		query_fail(q);
		return NULL;
	}

	return st;
}

bool query_row(struct query *q, sqlite3_stmt *st)
{
	int rc;

	if (!st)
		return false;

	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return true;
	if (rc != SQLITE_DONE)
		query_fail(q);

	return false;
}

const char *query_text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t ? (const char *)t : "";
}

void query_json_ints(struct query *q, FILE *f, sqlite3_stmt *st)
{
	bool first = true;

	fputc('[', f);
	while (query_row(q, st)) {
		fprintf(f, "%s%lld", first ? "" : ",",
			(long long)sqlite3_column_int64(st, 0));
		first = false;
	}
	fputc(']', f);
	sqlite3_reset(st);
}

void query_json_texts(struct query *q, FILE *f, sqlite3_stmt *st)
{
	bool first = true;

	fputc('[', f);
	while (query_row(q, st)) {
		if (!first)
			fputc(',', f);
		json_put_string(f, query_text(st, 0));
		first = false;
	}
	fputc(']', f);
	sqlite3_reset(st);
}

const char *query_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

void query_short_id(const char *build_id, char *buf, size_t cap)
{
	if (!*build_id)
		snprintf(buf, cap, "none");
	else
		snprintf(buf, cap, "%.12s", build_id);
}

/*
 * Open PATH for symbols once. A file whose build-id is no longer the one
 * recorded was rebuilt since: its symbols would lie, so it gets none.
 */
static struct symbolize_file *query_file(struct query *q, const char *path,
					 const char *build_id)
{
	struct symbolize_file *f = NULL;
	struct error *err = NULL;
	struct query_file *grown;
	char now[128];
	size_t i;

	for (i = 0; i < q->n_files; i++) {
		if (strcmp(q->files[i].path, path) == 0)
			return q->files[i].file;
	}

	if (symbolize_open(path, &f, &err) < 0) {
		log_info("no symbols for %s: %s", path, error_message(err));
		error_free(&err);
	} else if (*build_id &&
		   (symbolize_file_build_id(f, now, sizeof(now)) < 0 ||
		    strcmp(now, build_id) != 0)) {
		log_warn("%s changed since the profile was made: "
			 "not using its symbols",
			 path);
		symbolize_close(f);
		f = NULL;
	}

	grown = realloc(q->files, (q->n_files + 1) * sizeof(*q->files));
	if (!grown) {
		symbolize_close(f);
		return NULL;
	}
	q->files = grown;
	q->files[q->n_files].path = strdup(path);
	q->files[q->n_files].file = f;
	if (!q->files[q->n_files].path) {
		symbolize_close(f);
		return NULL;
	}
	q->n_files++;

	return f;
}

/*
 * The lookup uses PC - 1, which is still inside the calling function even
 * when the call was the last instruction of it.
 */
const char *query_symbol(struct query *q, const char *path,
			 const char *build_id, uint64_t pc, char *buf,
			 size_t cap)
{
	struct symbolize_file *f;
	const char *name;
	uint64_t delta;

	if (!*path || pc == 0)
		return NULL;

	f = query_file(q, path, build_id);
	if (!f || symbolize_lookup(f, pc - 1, &name, &delta) < 0)
		return NULL;

	snprintf(buf, cap, "%s+0x%llx", name, (unsigned long long)delta + 1);

	return buf;
}

void query_json_stack(struct query *q, FILE *f, sqlite3_stmt *st)
{
	const char *path, *sym;
	bool first = true;
	char buf[512];
	uint64_t off;

	fputc('[', f);
	while (query_row(q, st)) {
		path = query_text(st, 1);
		off = (uint64_t)sqlite3_column_int64(st, 3);
		sym = query_symbol(q, path, query_text(st, 2), off, buf,
				   sizeof(buf));
		fprintf(f, "%s{\"module\":", first ? "" : ",");
		if (*path)
			json_put_string(f, path);
		else
			fputs("null", f);
		fprintf(
		    f, ",\"offset\":%llu,\"symbol\":", (unsigned long long)off);
		if (sym)
			json_put_string(f, sym);
		else
			fputs("null", f);
		fputc('}', f);
		first = false;
	}
	fputc(']', f);
	sqlite3_reset(st);
}
