/*
 * main.c - the syswho command: dispatch to one subcommand per file.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "log.h"

#ifndef SYSWHO_VERSION
#define SYSWHO_VERSION "unknown"
#endif

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
    {"run", cmd_run, "run a command and profile who makes each syscall"},
    {"collect", cmd_collect, "collect from processes started elsewhere"},
    {"report", cmd_report, "show a profile by library, syscall or process"},
    {"which", cmd_which, "show who makes one syscall, with stacks"},
    {"policy", cmd_policy, "make a seccomp policy from profiles"},
    {"diff", cmd_diff, "syscalls each library gained and lost"},
    {"merge", cmd_merge, "merge profiles of several runs into one"},
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: syswho COMMAND [OPTION]... [ARG]...\n"
		     "Tell which library or plugin of a program needs each "
		     "system call.\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(out, "\nsyswho COMMAND --help shows the options of COMMAND.\n"
		     "SYSWHO_LOG=debug|info|warn|error sets the log level.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	log_init("syswho");
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("syswho %s\n", SYSWHO_VERSION);
		return 0;
	}

	/*
	 * Past a file size limit, a write must fail and say so, not kill
	 * syswho. run's command must inherit the default action, so run
	 * ignores the signal itself once the command is done (cli.c).
	 */
	if (strcmp(argv[1], "run") != 0)
		signal(SIGXFSZ, SIG_IGN);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	}
	if (argv[1][0] == '-')
		fprintf(stderr,
			"syswho: unknown option '%s' "
			"(see syswho --help)\n",
			argv[1]);
	else
		fprintf(stderr,
			"syswho: unknown command '%s' "
			"(see syswho --help)\n",
			argv[1]);

	return CLI_EXIT_USAGE;
}
