/* husk restore [FLAGS] ID: runc's flags; in the foreground husk's exit
 * status is the container's, as with `run`. */
#include "cmd/options.h"

static const husk_flag_t flags[] = {
	HUSK_FLAGS_CRIU,
	HUSK_FLAG_BUNDLE,
	HUSK_FLAG_DETACH("return once the container is restored, leaving it to the caller's "
			 "subreaper"),
	HUSK_FLAG_CONSOLE_SOCKET,
	HUSK_FLAG_PID_FILE("the restored init"),
	HUSK_FLAG_NO_SUBREAPER,
	/* CRIU enters the restored root itself (it rebuilds the mount
	 * namespace from the images): there is no pivot_root of husk's to
	 * leave out. */
	HUSK_FLAG_NO_PIVOT("accepted as runc does; CRIU sets the restored root up itself"),
	{ NULL },
};

static void restore_flag(const husk_opt_t *opt, husk_create_opts_t *o, husk_run_opts_t *r)
{
	switch (opt->flag->id) {
	case HUSK_OPT_BUNDLE:
		o->bundle = opt->value;
		break;
	case HUSK_OPT_DETACH:
		r->detach = true;
		break;
	case HUSK_OPT_CONSOLE_SOCKET:
		o->console_socket = opt->value;
		break;
	case HUSK_OPT_PID_FILE:
		o->pid_file = opt->value;
		break;
	case HUSK_OPT_NO_SUBREAPER:
		r->no_subreaper = true;
		break;
	case HUSK_OPT_NO_PIVOT:
		o->no_pivot = true;
		break;
	default:
		break;
	}
}

static int restore(husk_global_t *g, const husk_args_t *a, husk_error_t *err)
{
	husk_create_opts_t o = { .root = g->root,
				 .cgroup_manager = g->cgroup_manager,
				 .rootless = g->rootless };
	husk_criu_opts_t co = { .criu = g->criu };
	husk_run_opts_t r = { 0 };
	int status;

	for (size_t i = 0; i < a->n_opts; i++) {
		int done = husk_cmd_criu_flag(&a->opts[i], &co, err);

		if (done < 0) {
			return -1;
		}
		if (done == 0) {
			restore_flag(&a->opts[i], &o, &r);
		}
	}
	if (husk_cmd_take_id(a, 0, &o.id, err) < 0 ||
	    husk_container_restore(&o, &r, &co, &status, err) < 0) {
		return -1;
	}
	return status;
}

const husk_verb_t husk_verb_restore = {
	.name = "restore",
	.fn = restore,
	.summary = "restore a container from a checkpoint",
	.operands = "ID",
	.flags = flags,
	.about = "Restore a container from CRIU images (criu restore) as ID, with the "
		 "bundle's config.json: under a new id and bundle it is a clone of the "
		 "checkpointed container, with its own cgroup and state.  In the foreground "
		 "husk waits for it as `husk run` does.",
	.exit_status = "In the foreground, the container's: its exit code, or 128+N when "
		       "signal N ended it; 1 when husk or CRIU failed.  With --detach, 0 once "
		       "it is restored.",
	.section = 8,
};
