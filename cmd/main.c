/* husk: the command line.  Global flags, then one verb. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "runtime/container.h"
#include "runtime/seal.h"
#include "runtime/statedir.h"
#include "util/log.h"

static const struct husk_cmd_s commands[] = {
	{ "version", husk_cmd_version, "print husk's version and the versions it was built with" },
	{ "spec", husk_cmd_spec, "write a default config.json to the bundle" },
	{ "features", husk_cmd_features, "print the runtime-spec features husk supports" },
	{ "create", husk_cmd_create, "create a container from a bundle", true },
	{ "start", husk_cmd_start, "run the user's program in a created container" },
	{ "run", husk_cmd_run, "create and start a container, and wait for it", true },
	{ "state", husk_cmd_state, "print the state of a container" },
	{ "wait", husk_cmd_wait, "wait for a container to stop and print its exit code" },
	{ "kill", husk_cmd_kill, "send a signal to a container's init" },
	{ "delete", husk_cmd_delete, "delete a container and its state" },
	{ "list", husk_cmd_list, "list containers" },
	{ "pause", husk_cmd_pause, "freeze every process of a container" },
	{ "resume", husk_cmd_resume, "thaw a paused container" },
	{ "ps", husk_cmd_ps, "list the processes of a container" },
	{ "exec", husk_cmd_exec, "run another process in a running container", true },
	{ "update", husk_cmd_update, "change the resource limits of a running container" },
	{ "events", husk_cmd_events, "print a container's stats and OOM kills as JSON lines" },
	{ "checkpoint", husk_cmd_checkpoint, "checkpoint a running container with CRIU" },
	{ "restore", husk_cmd_restore, "restore a container from a checkpoint" },
	{ "sandbox", husk_cmd_sandbox, "run a command in a throwaway box with limits (-- CMD)",
	  true },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: husk [global options] COMMAND [options] [arguments]\n\n"
		     "global options:\n"
		     "  --root DIR             state directory (default /run/husk)\n"
		     "  --log FILE             append log lines to FILE\n"
		     "  --log-format FORMAT    text or json\n"
		     "  --debug                log debug lines\n"
		     "  --systemd-cgroup       use the systemd cgroup driver\n"
		     "  --cgroup-manager M     cgroupfs (default) or disabled\n"
		     "  --rootless VALUE       true, false or auto\n"
		     "  --criu PATH            CRIU's binary, for checkpoint and restore\n"
		     "  -v, --version          print the version\n"
		     "  -h, --help             print this help\n\n"
		     "commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	}
}

enum {
	OPT_ROOT = 256,
	OPT_LOG,
	OPT_LOG_FORMAT,
	OPT_DEBUG,
	OPT_SYSTEMD_CGROUP,
	OPT_ROOTLESS,
	OPT_CRIU,
	OPT_CGROUP_MANAGER,
};

/* Global options stop at the verb ("+"), so a verb's own flags and the
 * container's argv are never taken for ours.  getopt_long_only() accepts the
 * single-dash long forms Go clients send (`-log`, `-root`). */
static int parse_globals(husk_global_t *g, int argc, char **argv, bool *want_version,
			 husk_error_t *err)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "log-format", required_argument, NULL, OPT_LOG_FORMAT },
		{ "debug", no_argument, NULL, OPT_DEBUG },
		{ "systemd-cgroup", no_argument, NULL, OPT_SYSTEMD_CGROUP },
		{ "rootless", required_argument, NULL, OPT_ROOTLESS },
		{ "criu", required_argument, NULL, OPT_CRIU },
		{ "cgroup-manager", required_argument, NULL, OPT_CGROUP_MANAGER },
		{ "version", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "+:vh", opts, NULL)) != -1) {
		switch (c) {
		case OPT_ROOT:
			g->root = optarg;
			break;
		case OPT_LOG:
			g->log = optarg;
			break;
		case OPT_LOG_FORMAT:
			if (husk_log_format_parse(optarg, &g->log_format, err) < 0) {
				return -1;
			}
			break;
		case OPT_DEBUG:
			g->debug = true;
			break;
		case OPT_SYSTEMD_CGROUP:
			g->systemd_cgroup = true;
			break;
		case OPT_ROOTLESS:
			if (strcmp(optarg, "auto") == 0) {
				g->rootless = HUSK_ROOTLESS_AUTO;
			} else if (strcmp(optarg, "true") == 0) {
				g->rootless = HUSK_ROOTLESS_TRUE;
			} else if (strcmp(optarg, "false") == 0) {
				g->rootless = HUSK_ROOTLESS_FALSE;
			} else {
				return husk_error_make(
					err, 0, "--rootless `%s`: true, false or auto", optarg);
			}
			break;
		case OPT_CRIU:
			g->criu = optarg;
			break;
		case OPT_CGROUP_MANAGER:
			if (strcmp(optarg, "cgroupfs") != 0 && strcmp(optarg, "disabled") != 0) {
				return husk_error_make(
					err, 0, "--cgroup-manager `%s`: cgroupfs or disabled",
					optarg);
			}
			g->cgroup_manager = optarg;
			break;
		case 'v':
			*want_version = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case ':':
			return husk_error_make(err, 0, "flag `%s` needs a value", argv[optind - 1]);
		default:
			return husk_error_make(err, 0, "unknown global flag `%s`",
					       argv[optind - 1]);
		}
	}
	return optind;
}

int main(int argc, char **argv)
{
	husk_global_t g = { .log_format = HUSK_LOG_TEXT };
	_cleanup_error_ husk_error_t err = NULL;
	_cleanup_free_ char *default_root = NULL;
	bool want_version = false;
	int first;

	first = parse_globals(&g, argc, argv, &want_version, &err);
	if (first >= 0 && husk_log_init(g.log, g.log_format,
					g.debug ? HUSK_LOG_DEBUG : HUSK_LOG_WARNING, &err) < 0) {
		first = -1;
	}
	if (first < 0) {
		/* The log may not be open yet; the error still reaches stderr,
		 * and the log file too when --log was parsed and usable. */
		husk_log_error(err);
		return 1;
	}
	if (g.root == NULL) {
		default_root = husk_statedir_default_root();
		g.root = default_root;
	}
	if (want_version) {
		return husk_cmd_version(&g, 1, (char *[]){ "version", NULL }, &err) < 0 ? 1 : 0;
	}
	if (first >= argc) {
		usage(stderr);
		return 1;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[first], commands[i].name) == 0) {
			int r;

			/* Before anything of the container is touched; a re-exec
			 * starts over from here with the same argv. */
			if (commands[i].seal && husk_seal_self(argv, &err) < 0) {
				husk_log_error(err);
				return 1;
			}
			optind = 0; /* reset getopt for the verb's own flags */
			r = commands[i].fn(&g, argc - first, argv + first, &err);

			if (r < 0) {
				husk_log_error(err);
				return 1;
			}
			return r;
		}
	}
	husk_error_make(&err, 0, "unknown command `%s`: see `husk --help`", argv[first]);
	husk_log_error(err);
	return 1;
}
