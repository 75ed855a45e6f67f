/*
 * cmd_collect.c - "syswho collect": a standalone collector for processes
 * that were started with SYSWHO_COLLECTOR pointing at its socket.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "server.h"

static void collect_usage(void)
{
	printf("usage: syswho collect --listen SOCKET -o PROFILE [-v]\n"
	       "Listen on the UNIX socket SOCKET for processes traced by\n"
	       "libsyswho.so (SYSWHO_COLLECTOR=SOCKET) until SIGINT or\n"
	       "SIGTERM, then write PROFILE.\n\n"
	       "  -l, --listen SOCKET  socket to create\n"
	       "  -o, --output PROFILE profile to write\n"
	       "  -v, --verbose        log more (repeat for debug)\n");
}

/* SIGINT or SIGTERM: finish the profile with what has arrived. */
static int collect_on_signal(struct server *srv, void *data, struct error **err)
{
	struct signalfd_siginfo si;
	int fd = *(int *)data;

	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		log_info("signal %u: finishing the profile", si.ssi_signo);
		server_stop(srv);
	}

	return 0;
}

/* Listen until a signal, then write the profile. */
static int collect(const char *socket_path, const char *output)
{
	static const int signals[] = {SIGINT, SIGTERM};
	struct error *err = NULL;
	struct server srv;
	struct model m;
	bool complete;
	sigset_t old;
	int sig_fd, ret;

	sig_fd = cli_signalfd(signals, 2, &old, &err);
	if (sig_fd < 0)
		goto fail;

	model_init(&m);
	if (server_open(&srv, socket_path, &m, &err) < 0) {
		close(sig_fd);
		goto fail;
	}
	server_watch(&srv, sig_fd, collect_on_signal, &sig_fd);
	log_info("listening on %s", socket_path);

	ret = server_run(&srv, &err);
	complete = srv.cut == 0;
	server_close(&srv);
	close(sig_fd);
	if (ret < 0) {
		model_free(&m);
		goto fail;
	}

	ret = cli_write_profile("collect", &m, output, complete);
	model_free(&m);

	return ret < 0 ? 1 : 0;
fail:
	cli_error("collect", "%s", error_message(err));
	error_free(&err);

	return 1;
}

int cmd_collect(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"listen", required_argument, NULL, 'l'},
	    {"output", required_argument, NULL, 'o'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *socket_path = NULL, *output = NULL;
	int c;

	log_init("collector");
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":l:o:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			socket_path = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'v':
			log_louder(1);
			break;
		case 'h':
			collect_usage();
			return 0;
		default:
			return cli_bad_option("collect", c, argv, optind,
					      optopt);
		}
	}
	if (optind < argc) {
		cli_error("collect", "unexpected argument '%s'", argv[optind]);
		return CLI_EXIT_USAGE;
	}
	if (!socket_path || !output) {
		cli_error("collect", "both --listen SOCKET and -o PROFILE "
				     "are needed");
		return CLI_EXIT_USAGE;
	}
	/* The profile is written only at the end: find out now, not then. */
	if (cli_check_output("collect", output) < 0)
		return 1;

	return collect(socket_path, output);
}
