/*
 * cmd_merge.c - "syswho merge": one profile from several runs, so that a
 * policy covers every scenario a test suite exercised.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "log.h"
#include "merge.h"

static void merge_usage(void)
{
	printf("usage: syswho merge -o OUT PROFILE...\n"
	       "Write the union of the PROFILEs to OUT. A module with the same "
	       "build-id is one\nmodule, whatever path each run loaded it "
	       "from.\n\n"
	       "  -o, --output OUT  the merged profile (written atomically)\n");
}

/* Whether every process of M finished, as the inputs said. */
static bool merge_complete(const struct model *m)
{
	size_t i;

	for (i = 0; i < m->n_procs; i++)
		if (!m->procs[i].complete && !m->procs[i].execed)
			return false;

	return true;
}

int cmd_merge(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct error *err = NULL;
	const char *out = NULL;
	struct model m;
	int c, ret = 1;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'v':
			log_louder(1);
			break;
		case 'h':
			merge_usage();
			return 0;
		default:
			return cli_bad_option("merge", c, argv, optind, optopt);
		}
	}
	if (!out || optind >= argc) {
		cli_error("merge", "need -o OUT and at least one PROFILE "
				   "(see syswho merge --help)");
		return CLI_EXIT_USAGE;
	}

	if (cli_check_output("merge", out) < 0)
		return 1;
	model_init(&m);
	if (merge_load(&m, argv + optind, (size_t)(argc - optind), &err) < 0)
		cli_error("merge", "%s", error_message(err));
	else if (cli_write_profile("merge", &m, out, merge_complete(&m)) == 0)
		ret = 0;
	error_free(&err);
	model_free(&m);

	return ret;
}
