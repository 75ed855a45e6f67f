/*
 * cmd_diff.c - "syswho diff": per library, the syscalls a new profile
 * gained and lost against an old one, to review a plugin upgrade.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "log.h"
#include "profile.h"
#include "syscalls.h"

/* Past the highest x86_64 syscall number. */
#define DIFF_MAX_NR 1024

/* The syscalls one owner made, as a bitmap of numbers. */
struct diff_owner {
	const char *path;
	const char *build_id;
	unsigned char nrs[DIFF_MAX_NR / 8];
};

struct diff_side {
	struct model m;
	struct diff_owner *owners; /* one per module, plus anonymous last */
};

static void diff_usage(void)
{
	printf("usage: syswho diff [--format text|json] OLD NEW\n"
	       "Show, per library, the syscalls NEW makes that OLD did not "
	       "(+) and those it\nno longer makes (-). Libraries are "
	       "matched by build-id, then by path.\nExit status: 0 without "
	       "differences, 1 with some, 2 on trouble.\n");
}

static bool diff_has(const struct diff_owner *o, unsigned nr)
{
	return o->nrs[nr / 8] & (1u << (nr % 8));
}

static int diff_load(struct diff_side *s, const char *path)
{
	struct error *err = NULL;
	size_t i, o;

	model_init(&s->m);
	if (profile_load(path, &s->m, &err) < 0) {
		cli_error("diff", "%s", error_message(err));
		error_free(&err);
		return -1;
	}
	s->owners = calloc(s->m.n_modules + 1, sizeof(*s->owners));
	if (!s->owners) {
		cli_error("diff", "read %s: out of memory", path);
		return -1;
	}
	for (i = 0; i < s->m.n_modules; i++) {
		s->owners[i].path = s->m.modules[i].path;
		s->owners[i].build_id = s->m.modules[i].build_id;
	}
	s->owners[i].path = "[anonymous]";
	s->owners[i].build_id = "";
	for (i = 0; i < s->m.n_sites; i++) {
		const struct model_site *site = &s->m.sites[i];

		if (site->nr >= DIFF_MAX_NR ||
		    (site->arch && site->arch != SYSCALLS_ARCH_X86_64))
			continue;
		o = site->owner == MODEL_NO_MODULE ? s->m.n_modules
						   : site->owner;
		s->owners[o].nrs[site->nr / 8] |= 1u << (site->nr % 8);
	}

	return 0;
}

static void diff_free(struct diff_side *s)
{
	free(s->owners);
	model_free(&s->m);
}

static size_t diff_n(const struct diff_side *s)
{
	return s->m.n_modules + 1;
}

/* The owner of S that matches O: same build-id first, then same path. */
static const struct diff_owner *diff_match(const struct diff_side *s,
					   const struct diff_owner *o)
{
	size_t i;

	for (i = 0; *o->build_id && i < diff_n(s); i++)
		if (strcmp(s->owners[i].build_id, o->build_id) == 0)
			return &s->owners[i];
	for (i = 0; i < diff_n(s); i++)
		if (strcmp(s->owners[i].path, o->path) == 0)
			return &s->owners[i];

	return NULL;
}

/* Print the calls in A and not in B; returns how many. */
static size_t diff_calls(const struct diff_owner *a, const struct diff_owner *b,
			 bool json, const char *sign, FILE *f)
{
	static const struct diff_owner none;
	char name[64];
	size_t n = 0;
	unsigned nr;

	if (!b)
		b = &none;
	for (nr = 0; a && nr < DIFF_MAX_NR; nr++) {
		if (!diff_has(a, nr) || diff_has(b, nr))
			continue;
		if (syscalls_name(0, nr, name, sizeof(name)) < 0)
			snprintf(name, sizeof(name), "syscall_%u", nr);
		if (json) {
			fputs(n ? "," : "", f);
			json_put_string(f, name);
		} else {
			fprintf(f, "    %s %s\n", sign, name);
		}
		n++;
	}

	return n;
}

static bool diff_any(const struct diff_owner *o)
{
	size_t i;

	for (i = 0; o && i < sizeof(o->nrs); i++)
		if (o->nrs[i])
			return true;

	return false;
}

/* One library: NEW side N (may be NULL) against OLD side O (may be NULL). */
static bool diff_one(const struct diff_owner *o, const struct diff_owner *n,
		     bool json, bool *first)
{
	const struct diff_owner *any = n ? n : o;
	char *text = NULL;
	size_t len = 0, changed;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return false;
	if (json) {
		fputs("\"gained\":[", f);
		changed = diff_calls(n, o, true, "+", f);
		fputs("],\"lost\":[", f);
		changed += diff_calls(o, n, true, "-", f);
		fputc(']', f);
	} else {
		changed = diff_calls(n, o, false, "+", f);
		changed += diff_calls(o, n, false, "-", f);
	}
	fclose(f);
	if (changed && json) {
		printf("%s{\"path\":", *first ? "" : ",");
		json_put_string(stdout, any->path);
		printf(",\"old_build_id\":");
		json_put_string(stdout, o ? o->build_id : "");
		printf(",\"new_build_id\":");
		json_put_string(stdout, n ? n->build_id : "");
		printf(",%s}", text);
	} else if (changed) {
		printf("%s  [build-id %.12s -> %.12s]\n%s", any->path,
		       o && *o->build_id ? o->build_id : "none",
		       n && *n->build_id ? n->build_id : "none", text);
	}
	if (changed)
		*first = false;
	free(text);

	return changed != 0;
}

static int diff_run(const char *old_path, const char *new_path, bool json)
{
	struct diff_side o = {0}, n = {0};
	bool first = true, changed = false;
	size_t i;
	int ret = 2;

	if (diff_load(&o, old_path) < 0 || diff_load(&n, new_path) < 0)
		goto out;
	if (json) {
		printf("{\"old\":");
		json_put_string(stdout, old_path);
		printf(",\"new\":");
		json_put_string(stdout, new_path);
		printf(",\"libraries\":[");
	}
	for (i = 0; i < diff_n(&n); i++)
		if (diff_any(&n.owners[i]))
			changed |= diff_one(diff_match(&o, &n.owners[i]),
					    &n.owners[i], json, &first);
	/* Libraries that made calls before and are gone or silent now. */
	for (i = 0; i < diff_n(&o); i++) {
		const struct diff_owner *m = diff_match(&n, &o.owners[i]);

		if (diff_any(&o.owners[i]) && !diff_any(m))
			changed |= diff_one(&o.owners[i], NULL, json, &first);
	}
	if (json)
		printf("]}\n");
	ret = changed ? 1 : 0;
	if (fflush(stdout) != 0) {
		cli_error("diff", "write the differences: %m");
		ret = 2;
	}
out:
	diff_free(&o);
	diff_free(&n);

	return ret;
}

int cmd_diff(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	bool json = false;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (cli_parse_format("diff", optarg, &json) < 0)
				return CLI_EXIT_USAGE;
			break;
		case 'h':
			diff_usage();
			return 0;
		default:
			return cli_bad_option("diff", c, argv, optind, optopt);
		}
	}
	if (argc - optind != 2) {
		cli_error("diff", "need OLD and NEW profiles (see syswho diff "
				  "--help)");
		return CLI_EXIT_USAGE;
	}

	return diff_run(argv[optind], argv[optind + 1], json);
}
