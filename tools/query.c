/*
 * query.c - SQL helpers for report and which, see query.h.
 */
#include <string.h>

#include "cli.h"
#include "json.h"
#include "profile.h"
#include "query.h"

int query_open(struct query *q, const char *cmd, const char *path)
{
	struct error *err = NULL;

	memset(q, 0, sizeof(*q));
	q->cmd = cmd;
	q->path = path;
	if (profile_open(path, &q->db, &err) < 0) {
		cli_error(cmd, "%s", error_message(err));
		error_free(&err);
		return -1;
	}

	return 0;
}

void query_close(struct query *q)
{
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
