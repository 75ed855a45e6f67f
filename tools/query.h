/*
 * query.h - reading a profile with SQL, for the report and which
 * subcommands: statements that remember the first failure, and the JSON
 * pieces both print.
 */
#ifndef SYSWHO_QUERY_H
#define SYSWHO_QUERY_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>

/* Shown for calls from memory that belongs to no module (JIT code). */
#define QUERY_ANONYMOUS "[anonymous]"

/* Display name of a syscall row whose number has no known name. */
#define QUERY_NAME_SQL "COALESCE(s.name, 'syscall_' || s.nr)"

struct query {
	sqlite3 *db;
	const char *cmd; /* for messages */
	const char *path;
	bool failed;
};

/*
 * Open the profile PATH for CMD; prints the error and returns -1 when it
 * is not a readable syswho profile.
 */
int query_open(struct query *q, const char *cmd, const char *path);
void query_close(struct query *q);

/* Prepare SQL; on failure print why, mark Q failed and return NULL. */
sqlite3_stmt *query_prepare(struct query *q, const char *sql);

/* Step ST: true for a row; false at the end or on an error (noted). */
bool query_row(struct query *q, sqlite3_stmt *st);

/* Column COL as text, "" for NULL. */
const char *query_text(sqlite3_stmt *st, int col);

/* Print the integers of column 0 of ST (already bound) as a JSON array. */
void query_json_ints(struct query *q, FILE *f, sqlite3_stmt *st);

/* Print the texts of column 0 of ST (already bound) as a JSON array. */
void query_json_texts(struct query *q, FILE *f, sqlite3_stmt *st);

/* The basename of PATH, for compact text output. */
const char *query_basename(const char *path);

/* A short form of a hex build-id for text output. */
void query_short_id(const char *build_id, char *buf, size_t cap);

#endif
