/*
 * cmd_which.c - "syswho which": who makes one syscall, with a symbolised
 * stack per call site.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "log.h"
#include "query.h"
#include "syscalls.h"

struct which {
	struct query q;
	const char *name;
	bool json;
	sqlite3_stmt *pids;
	sqlite3_stmt *sites;
	sqlite3_stmt *frames;
};

static void which_usage(void)
{
	printf("usage: syswho which [--format text|json] SYSCALL [PROFILE]\n"
	       "Show which modules make SYSCALL in PROFILE (default "
	       "./syswho.db), with the\nstack of each call site.\n\n"
	       "  -f, --format FORMAT  text (default) or json\n");
}

/* The stack of site row ID: one line per frame, or a JSON array. */
static void which_stack(struct which *w, sqlite3_int64 id)
{
	sqlite3_stmt *st = w->frames;
	const char *path, *sym;
	char buf[512];
	uint64_t off;

	sqlite3_bind_int64(st, 1, id);
	if (w->json) {
		query_json_stack(&w->q, stdout, st);
		return;
	}
	while (query_row(&w->q, st)) {
		path = query_text(st, 1);
		off = (uint64_t)sqlite3_column_int64(st, 3);
		sym = query_symbol(&w->q, path, query_text(st, 2), off, buf,
				   sizeof(buf));
		printf("      #%d 0x%016llx %s (%s)\n",
		       sqlite3_column_int(st, 0), (unsigned long long)off,
		       sym ? sym : "?",
		       *path ? query_basename(path) : QUERY_ANONYMOUS);
	}
	sqlite3_reset(st);
}

/*
 * The call sites of the owner and scope bound to the sites statement.
 * Limitation: sites of several processes at one offset show one stack.
 */
static void which_sites(struct which *w, const char *owner)
{
	sqlite3_stmt *st = w->sites;
	bool first = true;
	long long count;

	if (w->json)
		fputc('[', stdout);
	while (query_row(&w->q, st)) {
		if (w->json) {
			printf("%s{\"offset\":%llu,\"count\":%lld,\"stack\":",
			       first ? "" : ",",
			       (unsigned long long)sqlite3_column_int64(st, 0),
			       (long long)sqlite3_column_int64(st, 1));
		} else {
			count = sqlite3_column_int64(st, 1);
			printf("    at %s+0x%llx, %lld %s:\n",
			       query_basename(owner),
			       (unsigned long long)sqlite3_column_int64(st, 0),
			       count, cli_calls(count));
		}
		which_stack(w, sqlite3_column_int64(st, 2));
		if (w->json)
			fputc('}', stdout);
		first = false;
	}
	if (w->json)
		fputc(']', stdout);
	sqlite3_reset(st);
}

/* Bind the owner (column 0 of OWNERS) and scope (4) to ST's ?2 and ?3. */
static void which_bind_owner(struct which *w, sqlite3_stmt *st,
			     sqlite3_stmt *owners)
{
	sqlite3_bind_text(st, 1, w->name, -1, SQLITE_STATIC);
	sqlite3_bind_value(st, 2, sqlite3_column_value(owners, 0));
	sqlite3_bind_value(st, 3, sqlite3_column_value(owners, 4));
}

/* One owner (a module within one scope) with its sites. */
static void which_owner(struct which *w, sqlite3_stmt *o, bool first)
{
	const char *sep;
	long long count;
	char id[16];

	which_bind_owner(w, w->pids, o);
	which_bind_owner(w, w->sites, o);
	if (w->json) {
		printf("%s{\"path\":", first ? "" : ",");
		json_put_string(stdout, query_text(o, 1));
		printf(",\"build_id\":");
		json_put_string(stdout, query_text(o, 2));
		printf(",\"runtime\":%s,\"scope\":",
		       sqlite3_column_int(o, 3) ? "true" : "false");
		json_put_string(stdout, query_text(o, 4));
		printf(",\"count\":%lld,\"pids\":",
		       (long long)sqlite3_column_int64(o, 5));
		query_json_ints(&w->q, stdout, w->pids);
		printf(",\"sites\":");
		which_sites(w, query_text(o, 1));
		fputc('}', stdout);
		return;
	}

	query_short_id(query_text(o, 2), id, sizeof(id));
	count = sqlite3_column_int64(o, 5);
	printf("  %s  [build-id %s]%s  %lld %s", query_text(o, 1), id,
	       sqlite3_column_int(o, 3) ? "  (runtime)" : "", count,
	       cli_calls(count));
	if (*query_text(o, 4))
		printf("  [scope: %s]", query_text(o, 4));
	printf("  pids");
	for (sep = " "; query_row(&w->q, w->pids); sep = ",")
		printf("%s%lld", sep,
		       (long long)sqlite3_column_int64(w->pids, 0));
	sqlite3_reset(w->pids);
	putchar('\n');
	which_sites(w, query_text(o, 1));
}

/* Prepare the per-owner statements; false when one failed. */
static bool which_prepare(struct which *w)
{
	w->pids = query_prepare(
	    &w->q, "SELECT DISTINCT p.pid FROM site s "
		   "JOIN process p ON p.id = s.process WHERE s.name = ?1 "
		   "AND s.owner IS ?2 AND s.scope = ?3 ORDER BY 1");
	w->sites = query_prepare(
	    &w->q, "SELECT owner_offset, TOTAL(count), MIN(id) FROM site "
		   "WHERE name = ?1 AND owner IS ?2 AND scope = ?3 "
		   "GROUP BY owner_offset ORDER BY 2 DESC, 1");
	w->frames =
	    query_prepare(&w->q, "SELECT " QUERY_FRAME_COLUMNS " FROM frame f "
				 "LEFT JOIN module m ON m.id = f.module "
				 "WHERE f.site = ?1 ORDER BY f.depth");

	return w->pids && w->sites && w->frames;
}

/* Print every owner of the syscall; returns how many there were. */
static int which_owners(struct which *w, int nr)
{
	sqlite3_stmt *o = query_prepare(
	    &w->q, "SELECT s.owner, COALESCE(m.path, '" QUERY_ANONYMOUS "'), "
		   "COALESCE(m.build_id, ''), COALESCE(m.runtime, 0), s.scope, "
		   "TOTAL(s.count), TOTAL(TOTAL(s.count)) OVER () "
		   "FROM site s LEFT JOIN module m ON m.id = s.owner "
		   "WHERE s.name = ?1 GROUP BY s.owner, s.scope "
		   "ORDER BY 6 DESC, 2, 5");
	int n = 0;

	if (!o || !which_prepare(w)) {
		sqlite3_finalize(o);
		return 0;
	}
	sqlite3_bind_text(o, 1, w->name, -1, SQLITE_STATIC);
	while (query_row(&w->q, o)) {
		if (n == 0 && w->json) {
			printf("{\"syscall\":");
			json_put_string(stdout, w->name);
			printf(",\"nr\":%d,\"owners\":[", nr);
		} else if (n == 0) {
			long long total = sqlite3_column_int64(o, 6);

			printf("%s (%d): %lld %s\n", w->name, nr, total,
			       cli_calls(total));
		}
		which_owner(w, o, n == 0);
		n++;
	}
	if (n && w->json)
		printf("]}\n");
	sqlite3_finalize(o);

	return n;
}

static int which(const char *name, const char *path, bool json)
{
	struct which w = {.name = name, .json = json};
	int nr = syscalls_number(0, name), n, ret;

	if (nr < 0) {
		cli_error("which", "unknown syscall '%s'", name);
		return CLI_EXIT_USAGE;
	}
	if (query_open(&w.q, "which", path) < 0)
		return 1;

	n = which_owners(&w, nr);
	ret = w.q.failed ? 1 : 0;
	if (!w.q.failed && n == 0) {
		cli_error("which", "no calls of %s in %s", name, path);
		ret = 1;
	}

	sqlite3_finalize(w.pids);
	sqlite3_finalize(w.sites);
	sqlite3_finalize(w.frames);
	query_close(&w.q);

	return ret;
}

int cmd_which(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	bool json = false;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (cli_parse_format("which", optarg, &json) < 0)
				return CLI_EXIT_USAGE;
			break;
		case 'v':
			log_louder(1);
			break;
		case 'h':
			which_usage();
			return 0;
		default:
			return cli_bad_option("which", c, argv, optind, optopt);
		}
	}
	if (optind >= argc) {
		cli_error("which",
			  "no syscall named (see syswho which --help)");
		return CLI_EXIT_USAGE;
	}
	if (argc - optind > 2) {
		cli_error("which", "unexpected argument '%s'",
			  argv[optind + 2]);
		return CLI_EXIT_USAGE;
	}

	return which(argv[optind],
		     optind + 1 < argc ? argv[optind + 1] : "syswho.db", json);
}
