/* husk exec [FLAGS] ID [CMD ARGS...]: in the foreground husk's exit status
 * is the process's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/options.h"
#include "runtime/husk.h"
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
	OPT_PROCESS = HUSK_OPT_VERB,
	OPT_CWD,
	OPT_ENV,
	OPT_USER,
	OPT_TTY,
	OPT_IGNORE_PAUSED,
	OPT_NO_NEW_PRIVS,
	OPT_GIDS,
	OPT_CAP,
	OPT_CGROUP,
	OPT_APPARMOR,
	OPT_PROCESS_LABEL,
};

static const husk_flag_t flags[] = {
	{ "process", 'p', "FILE", OPT_PROCESS,
	  "the process to run, as a process object of config.json (instead of CMD)" },
	{ "cwd", 0, "DIR", OPT_CWD, "its working directory", "process.cwd of the config" },
	{ "env", 'e', "KEY=VALUE", OPT_ENV, "add KEY=VALUE to the process's environment", NULL,
	  true },
	{ "user", 'u', "UID[:GID]", OPT_USER, "run as UID (and GID)",
	  "process.user of the config" },
	{ "additional-gids", 'g', "GID[,GID...]", OPT_GIDS,
	  "add to the process's supplementary groups", NULL, true },
	{ "cap", 0, "CAP", OPT_CAP,
	  "add a capability (CAP_NET_ADMIN) to the process's bounding, effective and "
	  "permitted sets",
	  NULL, true },
	{ "no-new-privs", 0, NULL, OPT_NO_NEW_PRIVS, "set no_new_privs for the process" },
	{ "tty", 't', NULL, OPT_TTY,
	  "give the process a terminal from the container's devpts (with --console-socket "
	  "when detached)" },
	HUSK_FLAG_CONSOLE_SOCKET,
	HUSK_FLAG_DETACH("return once the process has started; its exit status is not "
			 "waited for"),
	HUSK_FLAG_PID_FILE("the process"),
	HUSK_FLAG_PIDFD_SOCKET("the process"),
	HUSK_FLAG_PRESERVE_FDS,
	{ "ignore-paused", 0, NULL, OPT_IGNORE_PAUSED,
	  "run in a paused container too (in its frozen cgroup the process waits for "
	  "`husk resume`)" },
	{ "cgroup", 0, "[CTL[,CTL...]:]PATH", OPT_CGROUP,
	  "run in a sub-cgroup of the container's, for every controller or the ones named", NULL,
	  true },
	{ "apparmor", 0, "PROFILE", OPT_APPARMOR,
	  "the AppArmor profile the process runs under (a warning where AppArmor is not "
	  "active: it then runs unconfined)" },
	{ "process-label", 0, "LABEL", OPT_PROCESS_LABEL,
	  "the SELinux label the process runs with (an error where SELinux is not enabled)" },
	{ NULL },
};

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

/* The lists that flags add to. */
typedef struct exec_lists_s {
	char **env, **caps, **cgroups;
	uint32_t *gids;
} exec_lists_t;

static void exec_lists_free(exec_lists_t *l)
{
	free(l->env);
	free(l->caps);
	free(l->cgroups);
	free(l->gids);
}

/* The flags that only set a value. */
static void exec_set(const husk_opt_t *opt, husk_exec_opts_t *o)
{
	switch (opt->flag->id) {
	case OPT_PROCESS:
		o->process_file = opt->value;
		break;
	case OPT_CWD:
		o->cwd = opt->value;
		break;
	case HUSK_OPT_DETACH:
		o->detach = true;
		break;
	case OPT_TTY:
		o->tty = true;
		break;
	case HUSK_OPT_PID_FILE:
		o->pid_file = opt->value;
		break;
	case HUSK_OPT_CONSOLE_SOCKET:
		o->console_socket = opt->value;
		break;
	case HUSK_OPT_PIDFD_SOCKET:
		o->pidfd_socket = opt->value;
		break;
	case OPT_IGNORE_PAUSED:
		o->ignore_paused = true;
		break;
	case OPT_NO_NEW_PRIVS:
		o->no_new_privs = true;
		break;
	case OPT_APPARMOR:
		o->apparmor = opt->value;
		break;
	case OPT_PROCESS_LABEL:
		o->process_label = opt->value;
		break;
	default:
		break;
	}
}

static int exec_flag(const husk_opt_t *opt, husk_exec_opts_t *o, exec_lists_t *l, husk_error_t *err)
{
	char *v = opt->value;

	switch (opt->flag->id) {
	case OPT_ENV:
		if (strchr(v, '=') == NULL || v[0] == '=') {
			return husk_error_make(err, 0, "exec: --env `%s`: expected KEY=VALUE", v);
		}
		husk_strv_push(&l->env, v);
		return 0;
	case OPT_USER:
		return parse_user(v, o, err);
	case OPT_GIDS:
		return parse_gids(v, &l->gids, &o->ngids, err);
	case OPT_CAP:
		if (husk_cap_from_name(v) < 0) {
			return husk_error_make(err, 0, "exec: --cap `%s`: unknown capability", v);
		}
		husk_strv_push(&l->caps, v);
		return 0;
	case OPT_CGROUP:
		husk_strv_push(&l->cgroups, v);
		return 0;
	case HUSK_OPT_PRESERVE_FDS:
		return husk_cmd_parse_uint("--preserve-fds", v, &o->preserve_fds, err);
	default:
		exec_set(opt, o);
		return 0;
	}
}

static int exec(husk_global_t *g, const husk_args_t *a, husk_error_t *err)
{
	husk_exec_opts_t o = { .root = g->root };
	__attribute__((cleanup(exec_lists_free))) exec_lists_t l = { 0 };
	int status;

	for (size_t i = 0; i < a->n_opts; i++) {
		if (exec_flag(&a->opts[i], &o, &l, err) < 0) {
			return -1;
		}
	}
	o.env = l.env;
	o.caps = l.caps;
	o.cgroups = l.cgroups;
	o.gids = l.gids;
	if (husk_cmd_take_id(a, 1 << 16, &o.id, err) < 0) {
		return -1;
	}
	o.args = a->argv + 1;
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

const husk_verb_t husk_verb_exec = {
	.name = "exec",
	.fn = exec,
	.summary = "run another process in a running container",
	.operands = "ID [CMD [ARGS...]]",
	.flags = flags,
	.about = "Run CMD (or the process of -p FILE) in the running container ID: in its "
		 "namespaces (user and time ones included), its cgroup (or a sub-cgroup, "
		 "--cgroup), with its user, capabilities, rlimits, seccomp filter and "
		 "environment unless the flags say otherwise.  In the foreground husk waits "
		 "for the process, forwarding signals and relaying a terminal.",
	.exit_status = "In the foreground, the process's: its exit code, or 128+N when signal "
		       "N ended it; 1 when husk itself failed (the container does not exist or "
		       "is not running, a flag was wrong).  With --detach, 0 once the process "
		       "has started.",
	.section = 8,
	.seal = true,
};
