/* husk: the command line.  Global flags, then one verb. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/options.h"
#include "runtime/container.h"
#include "runtime/seal.h"
#include "runtime/statedir.h"
#include "util/log.h"

const husk_verb_t *const husk_verbs[] = {
	&husk_verb_version,  &husk_verb_spec,
	&husk_verb_features, &husk_verb_create,
	&husk_verb_start,    &husk_verb_run,
	&husk_verb_state,    &husk_verb_wait,
	&husk_verb_kill,     &husk_verb_delete,
	&husk_verb_list,     &husk_verb_pause,
	&husk_verb_resume,   &husk_verb_ps,
	&husk_verb_exec,     &husk_verb_update,
	&husk_verb_events,   &husk_verb_checkpoint,
	&husk_verb_restore,  &husk_verb_sandbox,
	&husk_verb_help,     NULL,
};

enum {
	OPT_ROOT = 1,
	OPT_LOG,
	OPT_LOG_FORMAT,
	OPT_DEBUG,
	OPT_SYSTEMD_CGROUP,
	OPT_ROOTLESS,
	OPT_CRIU,
	OPT_CGROUP_MANAGER,
	OPT_VERSION,
};

/* Global flags stop at the verb, so a verb's own flags and the container's
 * argv are never taken for them. */
const husk_flag_t husk_global_flags[] = {
	{ "root", 0, "DIR", OPT_ROOT, "where the state of each container is kept",
	  "/run/husk as root; $XDG_RUNTIME_DIR/husk, or /tmp/husk-UID, otherwise" },
	{ "log", 0, "FILE", OPT_LOG,
	  "also append log lines to FILE (engines read the last error from it)" },
	{ "log-format", 0, "text|json", OPT_LOG_FORMAT,
	  "the --log file's lines: logrus-shaped text, or JSON", "text" },
	{ "debug", 0, NULL, OPT_DEBUG, "log debug lines too" },
	{ "systemd-cgroup", 0, NULL, OPT_SYSTEMD_CGROUP,
	  "use the systemd cgroup driver (runc's flag; --cgroup-manager systemd): the "
	  "container's cgroup is a transient scope systemd makes, named by "
	  "linux.cgroupsPath as SLICE:PREFIX:NAME; later verbs use the driver the "
	  "container was created with, flag or not" },
	{ "cgroup-manager", 0, "cgroupfs|systemd|disabled", OPT_CGROUP_MANAGER,
	  "cgroupfs: cgroups on v1, v2 or hybrid hosts; systemd: as --systemd-cgroup (cgroup "
	  "v2, systemd as PID 1); disabled: the container stays in husk's cgroups, and "
	  "resource limits in its config are an error",
	  "cgroupfs" },
	{ "rootless", 0, "true|false|auto", OPT_ROOTLESS,
	  "rootless: cgroups only under a subtree delegated to the caller; auto means "
	  "when not root",
	  "auto" },
	{ "criu", 0, "PATH", OPT_CRIU, "CRIU's binary, for checkpoint and restore",
	  "criu on PATH" },
	{ "version", 'v', NULL, OPT_VERSION, "print the version and what this build supports" },
	{ NULL },
};

static int parse_rootless(const char *s, int *out, husk_error_t *err)
{
	static const struct {
		const char *name;
		int value;
	} values[] = { { "auto", HUSK_ROOTLESS_AUTO },
		       { "true", HUSK_ROOTLESS_TRUE },
		       { "false", HUSK_ROOTLESS_FALSE } };

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		if (strcmp(s, values[i].name) == 0) {
			*out = values[i].value;
			return 0;
		}
	}
	return husk_error_make(err, 0, "--rootless `%s`: true, false or auto", s);
}

static int global_flag(husk_global_t *g, const husk_opt_t *o, bool *want_version, husk_error_t *err)
{
	switch (o->flag->id) {
	case OPT_ROOT:
		g->root = o->value;
		return 0;
	case OPT_LOG:
		g->log = o->value;
		return 0;
	case OPT_LOG_FORMAT:
		return husk_log_format_parse(o->value, &g->log_format, err);
	case OPT_DEBUG:
		g->debug = true;
		return 0;
	case OPT_SYSTEMD_CGROUP:
		g->systemd_cgroup = true;
		return 0;
	case OPT_ROOTLESS:
		return parse_rootless(o->value, &g->rootless, err);
	case OPT_CRIU:
		g->criu = o->value;
		return 0;
	case OPT_CGROUP_MANAGER:
		if (strcmp(o->value, "cgroupfs") != 0 && strcmp(o->value, "systemd") != 0 &&
		    strcmp(o->value, "disabled") != 0) {
			return husk_error_make(
				err, 0, "--cgroup-manager `%s`: cgroupfs, systemd or disabled",
				o->value);
		}
		g->cgroup_manager = o->value;
		return 0;
	case OPT_VERSION:
		*want_version = true;
		return 0;
	default:
		return 0;
	}
}

static int parse_globals(husk_global_t *g, int argc, char **argv, husk_args_t *a,
			 bool *want_version, husk_error_t *err)
{
	if (husk_cmd_parse(NULL, husk_global_flags, argc, argv, a, err) < 0) {
		return -1;
	}
	for (size_t i = 0; i < a->n_opts; i++) {
		if (global_flag(g, &a->opts[i], want_version, err) < 0) {
			return -1;
		}
	}
	if (g->systemd_cgroup && g->cgroup_manager != NULL &&
	    strcmp(g->cgroup_manager, "systemd") != 0) {
		return husk_error_make(err, 0, "--systemd-cgroup and --cgroup-manager %s disagree",
				       g->cgroup_manager);
	}
	if (g->systemd_cgroup) {
		g->cgroup_manager = "systemd";
	}
	return 0;
}

/* Parse VERB's flags from ARGV (ARGV[0] is its name), then run it; a
 * re-exec to seal the binary starts over with husk's own MAIN_ARGV. */
static int run_verb(husk_global_t *g, const husk_verb_t *verb, int argc, char **argv,
		    char **main_argv)
{
	int usage_status = verb->usage_status != 0 ? verb->usage_status : 1;
	_cleanup_error_ husk_error_t err = NULL;
	husk_args_t a;
	int r;

	if (husk_cmd_parse(verb, verb->flags, argc, argv, &a, &err) < 0) {
		husk_log_error(err);
		return usage_status;
	}
	if (a.help) {
		husk_help_verb(stdout, verb);
		free(a.opts);
		return 0;
	}
	/* Before anything of the container is touched. */
	if (verb->seal && husk_seal_self(main_argv, &err) < 0) {
		free(a.opts);
		husk_log_error(err);
		return 1;
	}
	r = verb->fn(g, &a, &err);
	free(a.opts);
	if (r < 0) {
		husk_log_error(err);
		return 1;
	}
	return r;
}

int main(int argc, char **argv)
{
	husk_global_t g = { .log_format = HUSK_LOG_TEXT };
	_cleanup_error_ husk_error_t err = NULL;
	_cleanup_free_ char *default_root = NULL;
	_cleanup_free_ husk_opt_t *opts = NULL;
	bool want_version = false;
	husk_args_t a = { 0 };
	int r;

	r = parse_globals(&g, argc, argv, &a, &want_version, &err);
	opts = a.opts;
	if (r == 0 && husk_log_init(g.log, g.log_format,
				    g.debug ? HUSK_LOG_DEBUG : HUSK_LOG_WARNING, &err) < 0) {
		r = -1;
	}
	if (r < 0) {
		/* The log may not be open yet; the error still reaches stderr,
		 * and the log file too when --log was parsed and usable. */
		husk_log_error(err);
		return 1;
	}
	if (a.help) {
		husk_help_print(stdout);
		return 0;
	}
	if (g.root == NULL) {
		default_root = husk_statedir_default_root();
		g.root = default_root;
	}
	if (want_version) {
		return run_verb(&g, &husk_verb_version, 1, (char *[]){ "version", NULL }, argv);
	}
	if (a.argc == 0) {
		husk_help_print(stderr);
		return 1;
	}
	if (husk_verb_find(a.argv[0]) == NULL) {
		husk_error_make(&err, 0, "unknown command `%s`: see `husk --help`", a.argv[0]);
		husk_log_error(err);
		return 1;
	}
	return run_verb(&g, husk_verb_find(a.argv[0]), a.argc, a.argv, argv);
}
