/*
 * query.h - reading a profile with SQL, for the report and which
 * subcommands: statements that remember the first failure, symbols for
 * the stacks, and the JSON pieces both print.
 */
#ifndef SYSWHO_QUERY_H
#define SYSWHO_QUERY_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Shown for calls from memory that belongs to no module (JIT code). */
#define QUERY_ANONYMOUS "[anonymous]"

/* Display name of a syscall row whose number has no known name. */
#define QUERY_NAME_SQL "COALESCE(s.name, 'syscall_' || s.nr)"

/*
 * The columns of a stack, one row per frame innermost first: depth,
 * module path ('' for none), its build-id ('' for none) and offset.
 */
#define QUERY_FRAME_COLUMNS                                                    \
	"f.depth, COALESCE(m.path, ''), COALESCE(m.build_id, ''), f.offset"

struct query_file;

struct query {
	sqlite3 *db;
	const char *cmd; /* for messages */
	const char *path;
	bool failed;
	struct query_file *files; /* modules opened for symbols */
	size_t n_files;
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

/*
 * "func+0xNN" in BUF for the return address PC of a frame in the module
 * PATH, recorded with BUILD_ID; NULL when the module is gone, changed
 * since (another build-id) or has no symbol there.
 */
const char *query_symbol(struct query *q, const char *path,
			 const char *build_id, uint64_t pc, char *buf,
			 size_t cap);

/*
 * Print the frames of ST (QUERY_FRAME_COLUMNS, already bound) as a JSON
 * array of {module, offset, symbol}; module and symbol may be null.
 */
void query_json_stack(struct query *q, FILE *f, sqlite3_stmt *st);

/* The basename of PATH, for compact text output. */
const char *query_basename(const char *path);

/* A short form of a hex build-id for text output. */
void query_short_id(const char *build_id, char *buf, size_t cap);

#endif
