/* husk: the command line.  Global flags, then one verb. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/options.h"
#include "runtime/husk.h"
#include "util/log.h"

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
	case HUSK_GLOBAL_ROOT:
		g->root = o->value;
		return 0;
	case HUSK_GLOBAL_LOG:
		g->log = o->value;
		return 0;
	case HUSK_GLOBAL_LOG_FORMAT:
		return husk_log_format_parse(o->value, &g->log_format, err);
	case HUSK_GLOBAL_DEBUG:
		g->debug = true;
		return 0;
	case HUSK_GLOBAL_SYSTEMD_CGROUP:
		g->systemd_cgroup = true;
		return 0;
	case HUSK_GLOBAL_ROOTLESS:
		return parse_rootless(o->value, &g->rootless, err);
	case HUSK_GLOBAL_CRIU:
		g->criu = o->value;
		return 0;
	case HUSK_GLOBAL_CGROUP_MANAGER:
		if (strcmp(o->value, "cgroupfs") != 0 && strcmp(o->value, "systemd") != 0 &&
		    strcmp(o->value, "disabled") != 0) {
			return husk_error_make(
				err, 0, "--cgroup-manager `%s`: cgroupfs, systemd or disabled",
				o->value);
		}
		g->cgroup_manager = o->value;
		return 0;
	case HUSK_GLOBAL_VERSION:
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
	if (verb->seal && husk_startup_seal(main_argv, &err) < 0) {
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
		default_root = husk_default_root();
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
