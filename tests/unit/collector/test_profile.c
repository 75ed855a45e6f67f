/*
 * test_profile.c - the SQLite profile on real files: a round trip of a
 * whole model, atomic replacement, files that are not profiles, and
 * profiles whose rows do not hang together.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "profile.h"

struct fixture {
	char dir[64];
	char path[128];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	strcpy(f->dir, "/tmp/syswho-profile-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/p.db", f->dir);
	*state = f;

	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);

	return 0;
}

/* A model with every kind of element, and values that are easy to lose. */
static void build_model(struct model *m)
{
	const char *argv[] = {"prog", "quote\"back\\slash", "tab\tnl\n",
			      "\xc3\xbc"};
	struct model_frame frames[] = {
	    {1, 0x1b}, {MODEL_NO_MODULE, 0xffffffffff600000ull}, {0, 7}};
	struct model_site s = {0};
	struct error *err = NULL;
	size_t p, mod, idx;

	model_init(m);
	assert_int_equal(
	    model_add_module(m, "/bin/prog", "0011", false, &mod, &err), 0);
	assert_int_equal(model_module_add_alias(m, mod, "/opt/prog", &err), 0);
	assert_int_equal(
	    model_add_module(m, "/lib/libc.so.6", "", true, &mod, &err), 0);
	assert_int_equal(model_add_process(m, &p, &err), 0);
	assert_int_equal(model_set_command(m, p, "/bin/prog", argv, 4, &err),
			 0);
	m->procs[p] = (struct model_process){
	    .pid = 100,
	    .ppid = 1,
	    .arch = 0xc000003e,
	    .exe = m->procs[p].exe,
	    .argv = m->procs[p].argv,
	    .argc = 4,
	    .start_ns = 1700000000123456789ull,
	    .end_ns = 1700000001ull,
	    .exited = true,
	    .exit_code = 3,
	    .lost_records = 2,
	    .lost_calls = 5,
	};
	assert_int_equal(
	    model_add_mapping(m, p, 0, 0x555500000000ull, 0x2000, &err), 0);
	assert_int_equal(
	    model_add_mapping(m, p, 1, 0x7f0000000000ull, 0x1000, &err), 0);
	assert_int_equal(model_add_process(m, &p, &err), 0);
	assert_int_equal(model_set_command(m, p, "/bin/sh", argv, 0, &err), 0);
	m->procs[p].pid = 101;
	m->procs[p].signal = 9;
	m->procs[p].execed = true;

	s.process = 0;
	s.nr = 39;
	s.arch = 0xc000003e;
	s.tid = 100;
	s.owner = 1;
	s.owner_offset = 0xffffffffffffff00ull;
	s.scope = (char *)"lua-tool";
	s.count = 41;
	s.frames = frames;
	s.n_frames = 3;
	assert_int_equal(model_add_site(m, &s, &idx, &err), 0);
	s.process = 1;
	s.nr = 99999; /* no name: stored as NULL */
	s.owner = MODEL_NO_MODULE;
	s.scope = (char *)"";
	s.n_frames = 0;
	assert_int_equal(model_add_site(m, &s, &idx, &err), 0);
}

static void assert_same_process(const struct model_process *a,
				const struct model_process *b)
{
	size_t i;

	assert_int_equal(a->pid, b->pid);
	assert_int_equal(a->ppid, b->ppid);
	assert_int_equal(a->arch, b->arch);
	assert_string_equal(a->exe, b->exe);
	assert_int_equal(a->argc, b->argc);
	for (i = 0; i < a->argc; i++)
		assert_string_equal(a->argv[i], b->argv[i]);
	assert_true(a->start_ns == b->start_ns);
	assert_true(a->end_ns == b->end_ns);
	assert_int_equal(a->exited, b->exited);
	assert_int_equal(a->exit_code, b->exit_code);
	assert_int_equal(a->signal, b->signal);
	assert_int_equal(a->execed, b->execed);
	assert_int_equal(a->lost_records, b->lost_records);
	assert_int_equal(a->lost_calls, b->lost_calls);
	assert_int_equal(a->n_maps, b->n_maps);
	for (i = 0; i < a->n_maps; i++) {
		assert_int_equal(a->maps[i].module, b->maps[i].module);
		assert_true(a->maps[i].base == b->maps[i].base);
		assert_true(a->maps[i].size == b->maps[i].size);
	}
}

static void assert_same_site(const struct model_site *a,
			     const struct model_site *b)
{
	size_t i;

	assert_int_equal(a->process, b->process);
	assert_int_equal(a->nr, b->nr);
	assert_int_equal(a->arch, b->arch);
	assert_int_equal(a->tid, b->tid);
	assert_true(a->owner == b->owner);
	assert_true(a->owner_offset == b->owner_offset);
	assert_string_equal(a->scope, b->scope);
	assert_true(a->count == b->count);
	assert_int_equal(a->n_frames, b->n_frames);
	for (i = 0; i < a->n_frames; i++) {
		assert_true(a->frames[i].module == b->frames[i].module);
		assert_true(a->frames[i].offset == b->frames[i].offset);
	}
}

static void assert_same_model(const struct model *a, const struct model *b)
{
	size_t i, j;

	assert_int_equal(a->n_modules, b->n_modules);
	for (i = 0; i < a->n_modules; i++) {
		assert_string_equal(a->modules[i].path, b->modules[i].path);
		assert_string_equal(a->modules[i].build_id,
				    b->modules[i].build_id);
		assert_int_equal(a->modules[i].runtime, b->modules[i].runtime);
		assert_int_equal(a->modules[i].n_aliases,
				 b->modules[i].n_aliases);
		for (j = 0; j < a->modules[i].n_aliases; j++)
			assert_string_equal(a->modules[i].aliases[j],
					    b->modules[i].aliases[j]);
	}
	assert_int_equal(a->n_procs, b->n_procs);
	for (i = 0; i < a->n_procs; i++)
		assert_same_process(&a->procs[i], &b->procs[i]);
	assert_int_equal(a->n_sites, b->n_sites);
	for (i = 0; i < a->n_sites; i++)
		assert_same_site(&a->sites[i], &b->sites[i]);
}

/* The names left in the fixture directory, sorted into one string. */
static void dir_listing(const char *dir, char *out, size_t cap)
{
	struct dirent *e;
	DIR *d = opendir(dir);

	assert_non_null(d);
	out[0] = '\0';
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		strncat(out, e->d_name, cap - strlen(out) - 2);
		strcat(out, " ");
	}
	closedir(d);
}

static void test_round_trip(void **state)
{
	struct fixture *f = *state;
	struct error *err = NULL;
	struct model a, b;
	sqlite3 *db;
	sqlite3_stmt *st;
	char names[256];

	build_model(&a);
	assert_int_equal(profile_write(&a, f->path, true, &err), 0);
	/* A second write replaces the first whole. */
	assert_int_equal(profile_write(&a, f->path, false, &err), 0);
	assert_null(err);
	dir_listing(f->dir, names, sizeof(names));
	assert_string_equal(names, "p.db ");

	model_init(&b);
	assert_int_equal(profile_load(f->path, &b, &err), 0);
	assert_same_model(&a, &b);

	/* The columns others read directly hold what the contract says. */
	assert_int_equal(profile_open(f->path, &db, &err), 0);
	assert_int_equal(
	    sqlite3_prepare_v2(
		db,
		"SELECT (SELECT value FROM meta WHERE key = 'complete'), "
		"(SELECT argv FROM process WHERE pid = 100), "
		"(SELECT group_concat(COALESCE(name, '-')) FROM site)",
		-1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(st, 0), "0");
	assert_string_equal(sqlite3_column_text(st, 1),
			    "[\"prog\",\"quote\\\"back\\\\slash\","
			    "\"tab\\tnl\\n\",\"\xc3\xbc\"]");
	assert_string_equal(sqlite3_column_text(st, 2), "getpid,-");
	sqlite3_finalize(st);
	sqlite3_close(db);

	model_free(&a);
	model_free(&b);
}

/* profile_open on PATH must fail with exactly WANT. */
static void expect_rejected(const char *path, const char *want)
{
	struct error *err = NULL;
	sqlite3 *db = NULL;

	assert_int_equal(profile_open(path, &db, &err), -1);
	assert_null(db);
	assert_string_equal(error_message(err), want);
	error_free(&err);
}

static void make_sqlite(const char *path, const char *sql)
{
	sqlite3 *db;

	unlink(path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void test_rejects(void **state)
{
	struct fixture *f = *state;
	char want[256];
	FILE *fp;

	fp = fopen(f->path, "w");
	assert_non_null(fp);
	fputs("just some text, long enough to look like a header....\n", fp);
	fclose(fp);
	snprintf(want, sizeof(want), "open profile %s: not a syswho profile",
		 f->path);
	expect_rejected(f->path, want);

	make_sqlite(f->path, "CREATE TABLE t(x)");
	expect_rejected(f->path, want);

	make_sqlite(f->path, "CREATE TABLE meta(key, value);"
			     "INSERT INTO meta VALUES ('format', 'other')");
	expect_rejected(f->path, want);

	make_sqlite(f->path, "CREATE TABLE meta(key, value);"
			     "INSERT INTO meta VALUES "
			     "('format', 'syswho-profile'), ('version', '2')");
	snprintf(want, sizeof(want),
		 "open profile %s: version 2 is not supported "
		 "(this syswho reads version 1)",
		 f->path);
	expect_rejected(f->path, want);

	snprintf(want, sizeof(want),
		 "open profile %s/none.db: No such file or directory", f->dir);
	snprintf(f->path, sizeof(f->path), "%s/none.db", f->dir);
	expect_rejected(f->path, want);
	snprintf(want, sizeof(want), "open profile %s: not a regular file",
		 f->dir);
	expect_rejected(f->dir, want);
}

/*
 * A profile whose rows do not hang together (edited by hand, damaged) is
 * refused with the rule it breaks, by profile_verify as by profile_load;
 * the written one, with its NULL owner and frame module, passes.
 */
static void test_verify(void **state)
{
	static const struct {
		const char *sql;
		const char *broken;
	} cases[] = {
	    {"UPDATE site SET owner = 9999 WHERE id = 1",
	     "a site names an unknown row"},
	    {"UPDATE site SET process = 7 WHERE id = 2",
	     "a site names an unknown row"},
	    {"UPDATE stack_frame SET module = 3 WHERE depth = 0",
	     "a frame names an unknown row"},
	    {"UPDATE site SET stack = 5 WHERE id = 2",
	     "a site names an unknown row"},
	    {"UPDATE process_module SET module = 3 WHERE module = 2",
	     "a mapping names an unknown row"},
	    {"DELETE FROM process WHERE id = 1", "process ids are not 1..n"},
	    {"UPDATE module SET id = 5 WHERE id = 2",
	     "module ids are not 1..n"},
	    {"DELETE FROM site WHERE id = 1", "site ids are not 1..n"},
	    {"INSERT INTO site_arg VALUES (3, 0, 1)",
	     "an argument names an unknown site"},
	};
	struct fixture *f = *state;
	struct error *err = NULL;
	char want[256];
	struct model a, b;
	sqlite3 *db;
	size_t i;

	build_model(&a);
	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		assert_int_equal(profile_write(&a, f->path, true, &err), 0);
		assert_int_equal(profile_open(f->path, &db, &err), 0);
		assert_int_equal(profile_verify(db, f->path, &err), 0);
		sqlite3_close(db);

		assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
		assert_int_equal(
		    sqlite3_exec(db, cases[i].sql, NULL, NULL, NULL),
		    SQLITE_OK);
		sqlite3_close(db);
		snprintf(want, sizeof(want), "read profile %s: %s", f->path,
			 cases[i].broken);

		assert_int_equal(profile_open(f->path, &db, &err), 0);
		assert_int_equal(profile_verify(db, f->path, &err), -1);
		assert_string_equal(error_message(err), want);
		error_free(&err);
		sqlite3_close(db);

		model_init(&b);
		assert_int_equal(profile_load(f->path, &b, &err), -1);
		assert_string_equal(error_message(err), want);
		error_free(&err);
		model_free(&b);
	}
	model_free(&a);
}

static void test_write_errors_keep_the_old_profile(void **state)
{
	struct fixture *f = *state;
	struct error *err = NULL;
	char path[160], keep[192], names[256];
	struct model a, b;
	FILE *fp;

	build_model(&a);
	snprintf(path, sizeof(path), "%s/no/such/dir/p.db", f->dir);
	assert_int_equal(profile_write(&a, path, true, &err), -1);
	assert_non_null(strstr(error_message(err), "write profile"));
	assert_non_null(strstr(error_message(err), "No such file"));
	error_free(&err);

	/* A directory in the way: the rename fails, the temp file goes. */
	snprintf(path, sizeof(path), "%s/busy", f->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(keep, sizeof(keep), "%s/keep", path);
	fp = fopen(keep, "w");
	assert_non_null(fp);
	fclose(fp);
	assert_int_equal(profile_write(&a, path, true, &err), -1);
	assert_non_null(strstr(error_message(err), "rename"));
	error_free(&err);
	dir_listing(f->dir, names, sizeof(names));
	assert_string_equal(names, "busy ");

	/* The good profile is still whole. */
	assert_int_equal(profile_write(&a, f->path, true, &err), 0);
	model_init(&b);
	assert_int_equal(profile_load(f->path, &b, &err), 0);
	assert_same_model(&a, &b);
	model_free(&a);
	model_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rejects, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_verify, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_write_errors_keep_the_old_profile, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
