/*
 * cmd_report.c - "syswho report": what a profile says, per library, per
 * syscall or per process, as text or JSON.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "log.h"
#include "query.h"
#include "model.h"
#include "risk.h"
#include "tree.h"

enum report_by { REPORT_BY_LIBRARY, REPORT_BY_SYSCALL, REPORT_BY_PROCESS };

/*
 * The owners as rows: every module that owns a call, plus "no module" when
 * calls have no owner. A module that was only mapped (syswho's own
 * library, the vDSO, a dependency whose calls all pass through to its
 * caller) owns nothing and is no library of the report.
 */
#define REPORT_OWNERS_SQL                                                      \
	"SELECT id, path, build_id, runtime FROM module m "                    \
	"WHERE EXISTS (SELECT 1 FROM site WHERE owner = m.id) "                \
	"UNION ALL SELECT NULL, '" QUERY_ANONYMOUS "', '', 0 "                 \
	"WHERE EXISTS (SELECT 1 FROM site WHERE owner IS NULL) "               \
	"ORDER BY 2, 3"

static void report_usage(void)
{
	printf(
	    "usage: syswho report [--format text|json] "
	    "[--by library|syscall|process] [PROFILE]\n"
	    "Show which module makes which system calls in PROFILE "
	    "(default ./syswho.db).\n\n"
	    "  -f, --format FORMAT  text (default) or json; json always "
	    "holds every view\n"
	    "  -b, --by VIEW        library (default), syscall or process\n");
}

/* The "argv" of process row ID as a JSON array. */
static void report_json_argv(struct query *q, sqlite3_stmt *st,
			     sqlite3_int64 id)
{
	sqlite3_bind_int64(st, 1, id);
	query_json_texts(q, stdout, st);
}

static void report_json_null_or(sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		fputs("null", stdout);
	else
		printf("%lld", (long long)sqlite3_column_int64(st, col));
}

/* The privileges a setuid, setgid or setcap program ran without. */
static void report_json_setid(int setid)
{
	static const struct {
		int bit;
		const char *name;
	} kinds[] = {
	    {MODEL_SETUID, "setuid"},
	    {MODEL_SETGID, "setgid"},
	    {MODEL_SETCAP, "setcap"},
	};
	const char *sep = "";
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(*kinds); i++) {
		if (!(setid & kinds[i].bit))
			continue;
		printf("%s\"%s\"", sep, kinds[i].name);
		sep = ",";
	}
}

static void __attribute__((noreturn)) report_oom(void)
{
	cli_error("report", "out of memory for the process tree");
	exit(1);
}

/*
 * The profile's process images in the order met, linked into a tree.
 * Returns how many, with *IDS their row ids; 0 on an empty profile.
 */
static size_t report_tree(struct query *q, struct tree_node **nodes,
			  sqlite3_int64 **ids, size_t **order)
{
	sqlite3_stmt *st = query_prepare(
	    q,
	    "SELECT id, pid, ppid, start_ns, execed FROM process ORDER BY id");
	size_t n = 0, cap = 0;

	*nodes = NULL;
	*ids = NULL;
	*order = NULL;
	while (st && query_row(q, st)) {
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			*nodes = realloc(*nodes, cap * sizeof(**nodes));
			*ids = realloc(*ids, cap * sizeof(**ids));
			if (!*nodes || !*ids)
				report_oom();
		}
		(*ids)[n] = sqlite3_column_int64(st, 0);
		(*nodes)[n] = (struct tree_node){
		    .pid = (uint32_t)sqlite3_column_int64(st, 1),
		    .ppid = (uint32_t)sqlite3_column_int64(st, 2),
		    .start_ns = (uint64_t)sqlite3_column_int64(st, 3),
		    .execed = sqlite3_column_int(st, 4) != 0,
		};
		n++;
	}
	sqlite3_finalize(st);
	if (!n)
		return 0;
	*order = calloc(n, sizeof(**order));
	if (!*order)
		report_oom();
	tree_link(*nodes, n);
	tree_order(*nodes, n, *order);

	return n;
}

static void report_json_processes(struct query *q)
{
	sqlite3_stmt *st = query_prepare(
	    q, "SELECT id, pid, ppid, exe, exit_code, signal, start_ns, "
	       "end_ns, lost_records, lost_calls, execed, complete, setid "
	       "FROM process ORDER BY id");
	sqlite3_stmt *argv = query_prepare(
	    q, "SELECT j.value FROM process, json_each(process.argv) AS j "
	       "WHERE process.id = ? ORDER BY j.key");
	struct tree_node *nodes;
	sqlite3_int64 *ids;
	size_t *order;
	size_t n = report_tree(q, &nodes, &ids, &order), i = 0;
	bool first = true;

	printf("\"processes\":[");
	while (argv && query_row(q, st)) {
		/* Rows come in id order, as report_tree read them. */
		const struct tree_node *t = i < n ? &nodes[i] : NULL;
		long parent = t ? t->parent : -1;

		printf("%s{\"pid\":%lld,\"ppid\":%lld,\"exe\":",
		       first ? "" : ",", (long long)sqlite3_column_int64(st, 1),
		       (long long)sqlite3_column_int64(st, 2));
		json_put_string(stdout, query_text(st, 3));
		printf(",\"argv\":");
		report_json_argv(q, argv, sqlite3_column_int64(st, 0));
		printf(",\"exit_code\":");
		report_json_null_or(st, 4);
		printf(",\"signal\":");
		report_json_null_or(st, 5);
		printf(",\"start_ns\":%lld,\"end_ns\":",
		       (long long)sqlite3_column_int64(st, 6));
		report_json_null_or(st, 7);
		printf(",\"lost_records\":%lld,\"lost_calls\":%lld,"
		       "\"execed\":%s",
		       (long long)sqlite3_column_int64(st, 8),
		       (long long)sqlite3_column_int64(st, 9),
		       sqlite3_column_int(st, 10) ? "true" : "false");
		printf(",\"complete\":%s,\"setid\":[",
		       sqlite3_column_int(st, 11) ? "true" : "false");
		report_json_setid(sqlite3_column_int(st, 12));
		printf("],\"id\":%lld,\"parent\":",
		       (long long)sqlite3_column_int64(st, 0));
		if (parent >= 0)
			printf("%lld", (long long)ids[parent]);
		else
			fputs("null", stdout);
		printf(",\"exec_from\":");
		if (parent >= 0 && t->by_exec)
			printf("%lld}", (long long)ids[parent]);
		else
			fputs("null}", stdout);
		first = false;
		i++;
	}
	printf("]");
	free(nodes);
	free(ids);
	free(order);
	sqlite3_finalize(st);
	sqlite3_finalize(argv);
}

/*
 * What a policy reviewer needs beside each syscall: the argument values
 * recorded, the risk notes, and the stack of its busiest call site.
 */
struct report_detail {
	sqlite3_stmt *args;  /* (arg, value) of ?1 owner (or any), ?2, ?3 */
	sqlite3_stmt *stack; /* frames of ?1's busiest site of ?2, ?3 */
};

/* Frames of the text views' stacks; the JSON holds them all. */
#define REPORT_TEXT_FRAMES 4

#define REPORT_ARGS_SQL(where)                                                 \
	"SELECT DISTINCT a.arg, a.value FROM site_arg a "                      \
	"JOIN site s ON s.id = a.site WHERE " where                            \
	" AND s.arch = ?2 AND s.nr = ?3 ORDER BY 1, 2"

/* A profile made before argument values were recorded has no table. */
static bool report_has_args(struct query *q)
{
	sqlite3_stmt *st = query_prepare(
	    q, "SELECT 1 FROM sqlite_master WHERE name = 'site_arg'");
	bool has = query_row(q, st);

	sqlite3_finalize(st);

	return has;
}

static void report_detail_open(struct query *q, struct report_detail *d,
			       bool by_owner)
{
	d->args = NULL;
	if (report_has_args(q))
		d->args =
		    query_prepare(q, by_owner ? REPORT_ARGS_SQL("s.owner IS ?1")
					      : REPORT_ARGS_SQL("?1 IS NULL"));
	d->stack = query_prepare(
	    q, "SELECT " QUERY_FRAME_COLUMNS " FROM frame f "
	       "LEFT JOIN module m ON m.id = f.module "
	       "WHERE f.site = (SELECT id FROM site s WHERE s.owner IS ?1 "
	       "AND s.arch = ?2 AND s.nr = ?3 ORDER BY count DESC, id LIMIT 1) "
	       "ORDER BY f.depth");
}

static void report_detail_close(struct report_detail *d)
{
	sqlite3_finalize(d->args);
	sqlite3_finalize(d->stack);
}

static void report_detail_bind(sqlite3_stmt *st, sqlite3_value *owner,
			       sqlite3_int64 arch, sqlite3_int64 nr)
{
	if (!st)
		return;
	sqlite3_reset(st);
	if (owner)
		sqlite3_bind_value(st, 1, owner);
	else
		sqlite3_bind_null(st, 1);
	sqlite3_bind_int64(st, 2, arch);
	sqlite3_bind_int64(st, 3, nr);
}

/*
 * Collect the values of the first recorded argument into A, the set the
 * risk notes read (a clock's id, a mapping's protection), as the policy
 * hands them over.
 */
static void report_argset_add(struct policy_argset *a, sqlite3_int64 index,
			      uint64_t value)
{
	if (a->n_values == 0 && !a->open)
		a->index = (uint32_t)index;
	else if (a->index != (uint32_t)index)
		return;
	if (a->n_values < POLICY_MAX_VALUES)
		a->values[a->n_values++] = value;
	else
		a->open = true;
}

/*
 * JSON: "args":[{"index","values"}],"risk":[{"kind","note"}] and the
 * busiest site's "stack":[{"module","offset","symbol"}]
 */
static void report_json_detail(struct query *q, struct report_detail *d,
			       const char *name)
{
	struct risk_note notes[RISK_MAX_NOTES];
	struct policy_argset first = {0};
	sqlite3_int64 last = -1;
	size_t n, i;

	printf(",\"args\":[");
	while (d->args && query_row(q, d->args)) {
		if (sqlite3_column_int64(d->args, 0) != last)
			printf("%s{\"index\":%lld,\"values\":[",
			       last < 0 ? "" : "]},",
			       (long long)sqlite3_column_int64(d->args, 0));
		else
			putchar(',');
		/* Unsigned, as the register held it. */
		printf("%llu",
		       (unsigned long long)sqlite3_column_int64(d->args, 1));
		last = sqlite3_column_int64(d->args, 0);
		report_argset_add(&first, last,
				  (uint64_t)sqlite3_column_int64(d->args, 1));
	}
	n = risk_notes(name, first.n_values ? &first : NULL, notes);
	printf("%s],\"risk\":[", last < 0 ? "" : "]}");
	for (i = 0; i < n; i++) {
		printf("%s{\"kind\":\"%s\",\"note\":", i ? "," : "",
		       risk_kind_name(notes[i].kind));
		json_put_string(stdout, notes[i].text);
		putchar('}');
	}
	putchar(']');
	if (d->stack) {
		printf(",\"stack\":");
		query_json_stack(q, stdout, d->stack);
	}
}

/*
 * Text: the busiest stack bound to ST on one line, innermost first, each
 * frame symbolised as "which" does when its module still has the symbol.
 */
static void report_text_stack(struct query *q, sqlite3_stmt *st)
{
	const char *sep = "        stack: ", *path, *base, *sym;
	char buf[512];
	uint64_t off;
	int n = 0;

	while (n < REPORT_TEXT_FRAMES && query_row(q, st)) {
		path = query_text(st, 1);
		base = *path ? query_basename(path) : QUERY_ANONYMOUS;
		off = (uint64_t)sqlite3_column_int64(st, 3);
		sym = query_symbol(q, path, query_text(st, 2), off, buf,
				   sizeof(buf));
		if (sym)
			printf("%s%s (%s)", sep, sym, base);
		else
			printf("%s%s+%#llx", sep, base,
			       (unsigned long long)off);
		sep = " < ";
		n++;
	}
	if (n)
		putchar('\n');
	sqlite3_reset(st);
}

/* Text: the argument sets, risk notes and busiest stack of one call. */
static void report_text_detail(struct query *q, struct report_detail *d,
			       const char *name)
{
	struct risk_note notes[RISK_MAX_NOTES];
	struct policy_argset first = {0};
	sqlite3_int64 last = -1;
	size_t n, i;

	while (d->args && query_row(q, d->args)) {
		if (sqlite3_column_int64(d->args, 0) != last)
			printf("%s        arg %lld:", last < 0 ? "" : "\n",
			       (long long)sqlite3_column_int64(d->args, 0));
		printf(" %#llx",
		       (unsigned long long)sqlite3_column_int64(d->args, 1));
		last = sqlite3_column_int64(d->args, 0);
		report_argset_add(&first, last,
				  (uint64_t)sqlite3_column_int64(d->args, 1));
	}
	if (last >= 0)
		putchar('\n');
	n = risk_notes(name, first.n_values ? &first : NULL, notes);
	for (i = 0; i < n; i++)
		printf("        risk: %s: %s\n", risk_kind_name(notes[i].kind),
		       notes[i].text);
	if (d->stack)
		report_text_stack(q, d->stack);
}

/*
 * The syscalls of one owner as a JSON array. CALLS yields (name, nr,
 * arch, count); PIDS and SCOPES have the owner bound to ?1 and take the
 * arch and nr as ?2 and ?3.
 */
static void report_json_calls(struct query *q, sqlite3_stmt *calls,
			      sqlite3_stmt *pids, sqlite3_stmt *scopes,
			      struct report_detail *d, sqlite3_value *owner)
{
	bool first = true;

	fputc('[', stdout);
	while (query_row(q, calls)) {
		printf("%s{\"name\":", first ? "" : ",");
		json_put_string(stdout, query_text(calls, 0));
		printf(",\"nr\":%d,\"count\":%lld,\"pids\":",
		       sqlite3_column_int(calls, 1),
		       (long long)sqlite3_column_int64(calls, 3));
		sqlite3_bind_int64(pids, 2, sqlite3_column_int64(calls, 2));
		sqlite3_bind_int64(pids, 3, sqlite3_column_int64(calls, 1));
		query_json_ints(q, stdout, pids);
		printf(",\"scopes\":");
		sqlite3_bind_int64(scopes, 2, sqlite3_column_int64(calls, 2));
		sqlite3_bind_int64(scopes, 3, sqlite3_column_int64(calls, 1));
		query_json_texts(q, stdout, scopes);
		report_detail_bind(d->args, owner,
				   sqlite3_column_int64(calls, 2),
				   sqlite3_column_int64(calls, 1));
		report_detail_bind(d->stack, owner,
				   sqlite3_column_int64(calls, 2),
				   sqlite3_column_int64(calls, 1));
		report_json_detail(q, d, query_text(calls, 0));
		fputc('}', stdout);
		first = false;
	}
	fputc(']', stdout);
	sqlite3_reset(calls);
}

/* Bind the owner column 0 of OWNERS (a row id or NULL) to ?1 of ST. */
static void report_bind_owner(sqlite3_stmt *st, sqlite3_stmt *owners)
{
	sqlite3_bind_value(st, 1, sqlite3_column_value(owners, 0));
}

static void report_json_libraries(struct query *q)
{
	sqlite3_stmt *owners = query_prepare(q, REPORT_OWNERS_SQL);
	sqlite3_stmt *calls = query_prepare(
	    q, "SELECT " QUERY_NAME_SQL ", s.nr, s.arch, TOTAL(s.count) "
	       "FROM site s WHERE s.owner IS ?1 "
	       "GROUP BY s.arch, s.nr ORDER BY 1");
	sqlite3_stmt *pids = query_prepare(
	    q, "SELECT DISTINCT p.pid FROM site s "
	       "JOIN process p ON p.id = s.process WHERE s.owner IS ?1 "
	       "AND s.arch = ?2 AND s.nr = ?3 ORDER BY 1");
	sqlite3_stmt *scopes = query_prepare(
	    q, "SELECT DISTINCT scope FROM site WHERE owner IS ?1 "
	       "AND arch = ?2 AND nr = ?3 AND scope != '' ORDER BY 1");
	struct report_detail d;
	bool first = true;

	report_detail_open(q, &d, true);
	printf(",\"libraries\":[");
	while (calls && pids && scopes && query_row(q, owners)) {
		printf("%s{\"path\":", first ? "" : ",");
		json_put_string(stdout, query_text(owners, 1));
		printf(",\"build_id\":");
		json_put_string(stdout, query_text(owners, 2));
		printf(",\"runtime\":%s,\"syscalls\":",
		       sqlite3_column_int(owners, 3) ? "true" : "false");
		report_bind_owner(calls, owners);
		report_bind_owner(pids, owners);
		report_bind_owner(scopes, owners);
		report_json_calls(q, calls, pids, scopes, &d,
				  sqlite3_column_value(owners, 0));
		fputc('}', stdout);
		first = false;
	}
	printf("]");
	report_detail_close(&d);
	sqlite3_finalize(owners);
	sqlite3_finalize(calls);
	sqlite3_finalize(pids);
	sqlite3_finalize(scopes);
}

/* The syscalls of the scope bound to ?1 of CALLS, with their owners. */
static void report_json_scope_calls(struct query *q, sqlite3_stmt *calls,
				    sqlite3_stmt *owners)
{
	bool first = true;

	fputc('[', stdout);
	while (query_row(q, calls)) {
		printf("%s{\"name\":", first ? "" : ",");
		json_put_string(stdout, query_text(calls, 0));
		printf(",\"nr\":%d,\"count\":%lld,\"owners\":",
		       sqlite3_column_int(calls, 1),
		       (long long)sqlite3_column_int64(calls, 3));
		sqlite3_bind_int64(owners, 2, sqlite3_column_int64(calls, 2));
		sqlite3_bind_int64(owners, 3, sqlite3_column_int64(calls, 1));
		query_json_texts(q, stdout, owners);
		fputc('}', stdout);
		first = false;
	}
	fputc(']', stdout);
	sqlite3_reset(calls);
}

static void report_json_scopes(struct query *q)
{
	sqlite3_stmt *scopes = query_prepare(
	    q, "SELECT DISTINCT scope FROM site WHERE scope != '' ORDER BY 1");
	sqlite3_stmt *calls = query_prepare(
	    q, "SELECT " QUERY_NAME_SQL ", s.nr, s.arch, TOTAL(s.count) "
	       "FROM site s WHERE s.scope = ?1 "
	       "GROUP BY s.arch, s.nr ORDER BY 1");
	sqlite3_stmt *owners = query_prepare(
	    q, "SELECT DISTINCT COALESCE(m.path, '" QUERY_ANONYMOUS "') "
	       "FROM site s LEFT JOIN module m ON m.id = s.owner "
	       "WHERE s.scope = ?1 AND s.arch = ?2 AND s.nr = ?3 ORDER BY 1");
	bool first = true;

	printf(",\"scopes\":[");
	while (calls && owners && query_row(q, scopes)) {
		printf("%s{\"name\":", first ? "" : ",");
		json_put_string(stdout, query_text(scopes, 0));
		printf(",\"syscalls\":");
		sqlite3_bind_value(calls, 1, sqlite3_column_value(scopes, 0));
		sqlite3_bind_value(owners, 1, sqlite3_column_value(scopes, 0));
		report_json_scope_calls(q, calls, owners);
		fputc('}', stdout);
		first = false;
	}
	printf("]");
	sqlite3_finalize(scopes);
	sqlite3_finalize(calls);
	sqlite3_finalize(owners);
}

static void report_json(struct query *q)
{
	fputc('{', stdout);
	report_json_processes(q);
	report_json_libraries(q);
	report_json_scopes(q);
	printf("}\n");
}

/* "  [scope: NAME]" after a row, or nothing outside scopes. */
static void report_put_scope(const char *scope)
{
	if (*scope)
		printf("  [scope: %s]", scope);
	putchar('\n');
}

/* Text: each owning module, then its syscalls and their counts. */
static void report_text_by_library(struct query *q)
{
	sqlite3_stmt *owners = query_prepare(q, REPORT_OWNERS_SQL);
	sqlite3_stmt *calls =
	    query_prepare(q, "SELECT " QUERY_NAME_SQL
			     ", s.scope, TOTAL(s.count), s.arch, s.nr "
			     "FROM site s WHERE s.owner IS ?1 "
			     "GROUP BY s.arch, s.nr, s.scope ORDER BY 1, 2");
	struct report_detail d;
	char id[16];
	bool any;

	report_detail_open(q, &d, true);
	while (calls && query_row(q, owners)) {
		report_bind_owner(calls, owners);
		any = false;
		while (query_row(q, calls)) {
			if (!any) {
				query_short_id(query_text(owners, 2), id,
					       sizeof(id));
				printf("%s  [build-id %s]%s\n",
				       query_text(owners, 1), id,
				       sqlite3_column_int(owners, 3)
					   ? "  (runtime)"
					   : "");
			}
			any = true;
			printf("    %-24s %8lld", query_text(calls, 0),
			       (long long)sqlite3_column_int64(calls, 2));
			report_put_scope(query_text(calls, 1));
			report_detail_bind(d.args,
					   sqlite3_column_value(owners, 0),
					   sqlite3_column_int64(calls, 3),
					   sqlite3_column_int64(calls, 4));
			report_detail_bind(d.stack,
					   sqlite3_column_value(owners, 0),
					   sqlite3_column_int64(calls, 3),
					   sqlite3_column_int64(calls, 4));
			report_text_detail(q, &d, query_text(calls, 0));
		}
		sqlite3_reset(calls);
	}
	report_detail_close(&d);
	sqlite3_finalize(owners);
	sqlite3_finalize(calls);
}

/*
 * Text: each syscall with its total and its argument sets and risk, then
 * who makes it, each owner with its busiest stack.
 */
static void report_text_by_syscall(struct query *q)
{
	sqlite3_stmt *st = query_prepare(
	    q, "SELECT " QUERY_NAME_SQL ", s.nr, s.arch, "
	       "COALESCE(m.path, '" QUERY_ANONYMOUS "'), m.runtime, s.scope, "
	       "TOTAL(s.count), TOTAL(TOTAL(s.count)) OVER (PARTITION BY "
	       "s.arch, s.nr), "
	       "s.owner FROM site s LEFT JOIN module m ON m.id = s.owner "
	       "GROUP BY s.arch, s.nr, s.owner, s.scope "
	       "ORDER BY 1, 3, 7 DESC, 4, 6");
	sqlite3_int64 last_nr = -1, last_arch = -1;
	struct report_detail d;
	sqlite3_stmt *stack;
	long long total;

	report_detail_open(q, &d, false);
	/* The header's detail is the syscall's; the stack is each owner's. */
	stack = d.stack;
	d.stack = NULL;
	while (query_row(q, st)) {
		if (sqlite3_column_int64(st, 1) != last_nr ||
		    sqlite3_column_int64(st, 2) != last_arch) {
			last_nr = sqlite3_column_int64(st, 1);
			last_arch = sqlite3_column_int64(st, 2);
			total = sqlite3_column_int64(st, 7);
			printf("%s (%lld)  %lld %s\n", query_text(st, 0),
			       (long long)last_nr, total, cli_calls(total));
			report_detail_bind(d.args, NULL, last_arch, last_nr);
			report_text_detail(q, &d, query_text(st, 0));
		}
		printf("    %8lld  %s%s",
		       (long long)sqlite3_column_int64(st, 6),
		       query_text(st, 3),
		       sqlite3_column_int(st, 4) ? "  (runtime)" : "");
		report_put_scope(query_text(st, 5));
		report_detail_bind(stack, sqlite3_column_value(st, 8),
				   last_arch, last_nr);
		if (stack)
			report_text_stack(q, stack);
	}
	report_detail_close(&d);
	sqlite3_finalize(stack);
	sqlite3_finalize(st);
}

/* How a process ended, for the text view. */
static void report_put_end(sqlite3_stmt *st)
{
	if (sqlite3_column_int(st, 6))
		printf("  replaced by execve\n");
	else if (sqlite3_column_type(st, 5) != SQLITE_NULL)
		printf("  killed by signal %d\n", sqlite3_column_int(st, 5));
	else if (sqlite3_column_type(st, 4) != SQLITE_NULL)
		printf("  exit %d\n", sqlite3_column_int(st, 4));
	else
		printf("  end unknown\n");
}

/* Text: the process tree, each image with its syscalls and owners. */
static void report_text_by_process(struct query *q)
{
	sqlite3_stmt *procs = query_prepare(
	    q, "SELECT id, pid, ppid, exe, exit_code, signal, execed "
	       "FROM process WHERE id = ?1");
	sqlite3_stmt *calls = query_prepare(
	    q,
	    "SELECT " QUERY_NAME_SQL ", "
	    "COALESCE(m.path, '" QUERY_ANONYMOUS "'), s.scope, TOTAL(s.count) "
	    "FROM site s LEFT JOIN module m ON m.id = s.owner "
	    "WHERE s.process = ?1 GROUP BY s.arch, s.nr, s.owner, s.scope "
	    "ORDER BY 1, 2, 3");
	struct tree_node *nodes;
	sqlite3_int64 *ids;
	size_t *order;
	size_t n = report_tree(q, &nodes, &ids, &order), i;

	for (i = 0; procs && calls && i < n; i++) {
		const struct tree_node *t = &nodes[order[i]];

		sqlite3_bind_int64(procs, 1, ids[order[i]]);
		if (!query_row(q, procs))
			continue;
		printf("%*s%spid %lld  ppid %lld  %s", 2 * t->depth, "",
		       t->by_exec ? "exec: " : "",
		       (long long)sqlite3_column_int64(procs, 1),
		       (long long)sqlite3_column_int64(procs, 2),
		       query_text(procs, 3));
		report_put_end(procs);
		sqlite3_reset(procs);
		sqlite3_bind_int64(calls, 1, ids[order[i]]);
		while (query_row(q, calls)) {
			printf("%*s    %-24s %8lld  %s", 2 * t->depth, "",
			       query_text(calls, 0),
			       (long long)sqlite3_column_int64(calls, 3),
			       query_basename(query_text(calls, 1)));
			report_put_scope(query_text(calls, 2));
		}
		sqlite3_reset(calls);
	}
	free(nodes);
	free(ids);
	free(order);
	sqlite3_finalize(procs);
	sqlite3_finalize(calls);
}

/* Warn, under the text, about what the profile could not hold. */
static void report_text_notes(struct query *q)
{
	sqlite3_stmt *st = query_prepare(
	    q, "SELECT (SELECT value FROM meta WHERE key = 'complete'), "
	       "(SELECT value FROM meta WHERE key = 'baseline'), "
	       "TOTAL(lost_records), TOTAL(lost_calls), "
	       "SUM(NOT complete AND NOT execed), SUM(setid != 0) "
	       "FROM process");

	if (!query_row(q, st)) {
		sqlite3_finalize(st);
		return;
	}
	if (strcmp(query_text(st, 0), "0") == 0)
		printf("note: some processes were still running when the "
		       "profile was written\n");
	if (sqlite3_column_type(st, 1) != SQLITE_NULL)
		printf("note: baseline mode, %s: their calls were not counted, "
		       "and a new owner of one of them is invisible\n",
		       query_text(st, 1));
	if (sqlite3_column_int64(st, 2) || sqlite3_column_int64(st, 3))
		printf("note: %lld records and %lld calls could not be "
		       "reported by the traced processes\n",
		       (long long)sqlite3_column_int64(st, 2),
		       (long long)sqlite3_column_int64(st, 3));
	if (sqlite3_column_int64(st, 4))
		printf("note: %lld processes ended without their last report "
		       "(killed or crashed): their counts may be incomplete\n",
		       (long long)sqlite3_column_int64(st, 4));
	if (sqlite3_column_int64(st, 5))
		printf("note: %lld processes were setuid, setgid or setcap and "
		       "ran without those privileges (no_new_privs)\n",
		       (long long)sqlite3_column_int64(st, 5));
	sqlite3_finalize(st);
}

static int report_parse_by(const char *arg, enum report_by *by)
{
	if (strcmp(arg, "library") == 0)
		*by = REPORT_BY_LIBRARY;
	else if (strcmp(arg, "syscall") == 0)
		*by = REPORT_BY_SYSCALL;
	else if (strcmp(arg, "process") == 0)
		*by = REPORT_BY_PROCESS;
	else
		return -1;

	return 0;
}

static int report(const char *path, bool json, enum report_by by)
{
	struct query q;

	if (query_open(&q, "report", path) < 0)
		return 1;

	if (json)
		report_json(&q);
	else if (by == REPORT_BY_SYSCALL)
		report_text_by_syscall(&q);
	else if (by == REPORT_BY_PROCESS)
		report_text_by_process(&q);
	else
		report_text_by_library(&q);
	if (!json)
		report_text_notes(&q);
	query_close(&q);

	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("report", "write the report: %m");
		return 1;
	}

	return q.failed ? 1 : 0;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"by", required_argument, NULL, 'b'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	enum report_by by = REPORT_BY_LIBRARY;
	bool json = false;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:b:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (cli_parse_format("report", optarg, &json) < 0)
				return CLI_EXIT_USAGE;
			break;
		case 'b':
			if (report_parse_by(optarg, &by) < 0) {
				cli_error("report",
					  "unknown view '%s' (expected "
					  "library, syscall or process)",
					  optarg);
				return CLI_EXIT_USAGE;
			}
			break;
		case 'v':
			log_louder(1);
			break;
		case 'h':
			report_usage();
			return 0;
		default:
			return cli_bad_option("report", c, argv, optind,
					      optopt);
		}
	}
	if (argc - optind > 1) {
		cli_error("report", "unexpected argument '%s'",
			  argv[optind + 1]);
		return CLI_EXIT_USAGE;
	}

	return report(optind < argc ? argv[optind] : "syswho.db", json, by);
}
