/*
 * cli.h - what the syswho subcommands share: entry points, messages,
 * signal descriptors, and writing a profile with its summary line.
 */
#ifndef SYSWHO_CLI_H
#define SYSWHO_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "model.h"

/* Exit status for a command line that makes no sense. */
#define CLI_EXIT_USAGE 2

int cmd_run(int argc, char **argv);
int cmd_collect(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_which(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_merge(int argc, char **argv);

/* Print "syswho: CMD: message" on stderr. */
void cli_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Report the option getopt_long refused with C ('?' unknown, ':' missing
 * its argument; the argument at OPTIND - 1) and return CLI_EXIT_USAGE.
 */
int cli_bad_option(const char *cmd, int c, char **argv, int optind_now,
		   int optopt_now);

/* "call" or "calls", to go after the count N. */
const char *cli_calls(long long n);

/*
 * Block SIGNALS (N of them), saving the previous mask in OLD, and return a
 * non-blocking signalfd that reads them.
 */
int cli_signalfd(const int *signals, size_t n, sigset_t *old,
		 struct error **err);

/*
 * Check that the profile PATH can be created: its directory exists and is
 * writable. Returns 0 or -1 after printing why not under CMD.
 */
int cli_check_output(const char *cmd, const char *path);

/*
 * Write M to PATH and print the one-line summary. Returns 0 or -1 after
 * printing the error under CMD.
 */
int cli_write_profile(const char *cmd, const struct model *m, const char *path,
		      bool complete);

/* Parse "text" or "json" into *JSON; prints the error under CMD. */
int cli_parse_format(const char *cmd, const char *arg, bool *json);

#endif
