/* husk exec [-p FILE] [--cwd DIR] [-e K=V]... [-u UID[:GID]] [-g GID]... [--cap CAP]...
 *           [--no-new-privs] [-d] [-t] [--console-socket S] [--pid-file F]
 *           [--preserve-fds N] [--ignore-paused] [--cgroup [CTL,...:]PATH]...
 *           [--apparmor P] [--process-label L] ID [CMD ARGS...]
 *
 * In the foreground husk's exit status is the process's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/options.h"
#include "runtime/exec.h"
#include "spec/config.h"
#include "util/xalloc.h"

/* UID or UID:GID, each a plain decimal that fits in 32 bits. */
static int parse_id(const char *s, size_t len, uint32_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 10) {
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return -1;
		}
		v = v * 10 + (uint64_t) (s[i] - '0');
	}
	if (v > UINT32_MAX) {
		return -1;
	}
	*out = (uint32_t) v;
	return 0;
}

static int parse_user(const char *s, husk_exec_opts_t *o, husk_error_t *err)
{
	const char *colon = strchr(s, ':');

	o->has_user = true;
	o->gid = 0;
	if (parse_id(s, colon != NULL ? (size_t) (colon - s) : strlen(s), &o->uid) < 0 ||
	    (colon != NULL && parse_id(colon + 1, strlen(colon + 1), &o->gid) < 0)) {
		return husk_error_make(err, 0, "exec: --user `%s`: expected UID or UID:GID", s);
	}
	return 0;
}

enum {
	OPT_CWD = 256,
	OPT_PID_FILE,
	OPT_PRESERVE_FDS,
	OPT_IGNORE_PAUSED,
	OPT_NO_NEW_PRIVS,
	OPT_CONSOLE_SOCKET,
	OPT_CAP,
	OPT_CGROUP,
	OPT_APPARMOR,
	OPT_PROCESS_LABEL,
};

/* Append S to the NULL-terminated list *V. */
static void push(char ***v, size_t *n, char *s)
{
	*v = xreallocarray(*v, *n + 2, sizeof(char *));
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

/* -g GID or -g GID,GID,...; repeatable. */
static int parse_gids(const char *s, uint32_t **gids, size_t *n, husk_error_t *err)
{
	for (const char *p = s;;) {
		size_t len = strcspn(p, ",");
		uint32_t gid;

		if (parse_id(p, len, &gid) < 0) {
			return husk_error_make(
				err, 0, "exec: --additional-gids `%s`: expected GID[,GID...]", s);
		}
		*gids = xreallocarray(*gids, *n + 1, sizeof(uint32_t));
		(*gids)[(*n)++] = gid;
		if (p[len] == '\0') {
			return 0;
		}
		p += len + 1;
	}
}

int husk_cmd_exec(husk_global_t *g, int argc, char **argv, husk_error_t *err)
{
	static const struct option opts[] = {
		{ "process", required_argument, NULL, 'p' },
		{ "cwd", required_argument, NULL, OPT_CWD },
		{ "env", required_argument, NULL, 'e' },
		{ "user", required_argument, NULL, 'u' },
		{ "detach", no_argument, NULL, 'd' },
		{ "tty", no_argument, NULL, 't' },
		{ "pid-file", required_argument, NULL, OPT_PID_FILE },
		{ "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
		{ "ignore-paused", no_argument, NULL, OPT_IGNORE_PAUSED },
		{ "no-new-privs", no_argument, NULL, OPT_NO_NEW_PRIVS },
		{ "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
		{ "additional-gids", required_argument, NULL, 'g' },
		{ "cap", required_argument, NULL, OPT_CAP },
		{ "cgroup", required_argument, NULL, OPT_CGROUP },
		{ "apparmor", required_argument, NULL, OPT_APPARMOR },
		{ "process-label", required_argument, NULL, OPT_PROCESS_LABEL },
		{ NULL, 0, NULL, 0 },
	};
	husk_exec_opts_t o = { .root = g->root };
	_cleanup_free_ char **env = NULL, **caps = NULL, **cgroups = NULL;
	_cleanup_free_ uint32_t *gids = NULL;
	size_t nenv = 0, ncaps = 0, ncgroups = 0;
	int c, status;

	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "+:p:e:u:g:dt", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o.process_file = optarg;
			break;
		case OPT_CWD:
			o.cwd = optarg;
			break;
		case 'e':
			if (strchr(optarg, '=') == NULL || optarg[0] == '=') {
				return husk_error_make(
					err, 0, "exec: --env `%s`: expected KEY=VALUE", optarg);
			}
			push(&env, &nenv, optarg);
			break;
		case 'u':
			if (parse_user(optarg, &o, err) < 0) {
				return -1;
			}
			break;
		case 'd':
			o.detach = true;
			break;
		case 't':
			o.tty = true;
			break;
		case OPT_PID_FILE:
			o.pid_file = optarg;
			break;
		case OPT_PRESERVE_FDS:
			if (husk_cmd_parse_uint("--preserve-fds", optarg, &o.preserve_fds, err) <
			    0) {
				return -1;
			}
			break;
		case OPT_IGNORE_PAUSED:
			o.ignore_paused = true;
			break;
		case OPT_NO_NEW_PRIVS:
			o.no_new_privs = true;
			break;
		case OPT_CONSOLE_SOCKET:
			o.console_socket = optarg;
			break;
		case 'g':
			if (parse_gids(optarg, &gids, &o.ngids, err) < 0) {
				return -1;
			}
			break;
		case OPT_CAP:
			if (husk_cap_from_name(optarg) < 0) {
				return husk_error_make(
					err, 0, "exec: --cap `%s`: unknown capability", optarg);
			}
			push(&caps, &ncaps, optarg);
			break;
		case OPT_CGROUP:
			push(&cgroups, &ncgroups, optarg);
			break;
		case OPT_APPARMOR:
			o.apparmor = optarg;
			break;
		case OPT_PROCESS_LABEL:
			o.process_label = optarg;
			break;
		default:
			return husk_cmd_bad_option("exec", c, argv, err);
		}
	}
	o.env = env;
	o.caps = caps;
	o.cgroups = cgroups;
	o.gids = gids;
	if (husk_cmd_take_id("exec", argc, argv, 1 << 16, &o.id, err) < 0) {
		return -1;
	}
	o.args = argv + optind + 1;
	if (o.process_file == NULL && o.args[0] == NULL) {
		return husk_error_make(err, 0, "exec: a command to run (or -p FILE) is required");
	}
	if (o.process_file != NULL && o.args[0] != NULL) {
		return husk_error_make(err, 0, "exec: -p and a command exclude each other");
	}
	if (husk_container_exec(&o, &status, err) < 0) {
		return -1;
	}
	return status;
}
