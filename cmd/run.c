/* husk run: create, start and, in the foreground, wait.  Detached, a
 * monitor is the container's parent (runtime/monitor.h) unless
 * --no-monitor asks for runc's behaviour. */
#include "cmd/options.h"

enum {
	OPT_KEEP = HUSK_OPT_VERB,
	OPT_NO_MONITOR,
};

static const husk_flag_t flags[] = {
	HUSK_FLAG_BUNDLE,
	HUSK_FLAG_CONSOLE_SOCKET,
	HUSK_FLAG_PIDFD_SOCKET("the container's init"),
	HUSK_FLAG_PID_FILE("the container's init"),
	HUSK_FLAG_NO_PIVOT("set the root up with MS_MOVE and chroot instead of pivot_root, "
			   "for a root filesystem on an initramfs, where pivot_root fails"),
	HUSK_FLAG_NO_NEW_KEYRING,
	HUSK_FLAG_PRESERVE_FDS,
	HUSK_FLAG_DETACH("return once the container has started, leaving a monitor as its "
			 "parent (see --no-monitor)"),
	{ "keep", 0, NULL, OPT_KEEP,
	  "do not delete the container when it exits: `husk state` can still read it, and "
	  "`husk delete` removes it" },
	HUSK_FLAG_NO_SUBREAPER,
	{ "no-monitor", 0, NULL, OPT_NO_MONITOR,
	  "with --detach, leave no monitor, as runc: the init is then an orphan for the "
	  "caller's subreaper, and its exit status is not recorded" },
	HUSK_FLAG_OUTPUT_FILE,
	HUSK_FLAG_OUTPUT_MAX,
	{ NULL },
};

/* run's own flags (create's are husk_cmd_create_flag()'s). */
static void run_flag(const husk_opt_t *o, husk_run_opts_t *r)
{
	switch (o->flag->id) {
	case HUSK_OPT_DETACH:
		r->detach = true;
		break;
	case OPT_KEEP:
		r->keep = true;
		break;
	case HUSK_OPT_NO_SUBREAPER:
		r->no_subreaper = true;
		break;
	case OPT_NO_MONITOR:
		r->monitor.enabled = false;
		break;
	default:
		break;
	}
}

static int run(husk_global_t *g, const husk_args_t *a, husk_error_t *err)
{
	husk_create_opts_t o = { .root = g->root,
				 .cgroup_manager = g->cgroup_manager,
				 .rootless = g->rootless };
	husk_run_opts_t r = { .monitor.enabled = true };
	int status;

	for (size_t i = 0; i < a->n_opts; i++) {
		if (husk_cmd_create_flag(&a->opts[i], &o, &r.monitor, err) < 0) {
			return -1;
		}
		run_flag(&a->opts[i], &r);
	}
	if (husk_cmd_check_monitor("run", &r, &r.monitor, err) < 0 ||
	    husk_cmd_take_id(a, 0, &o.id, err) < 0 ||
	    husk_container_run(&o, &r, &status, err) < 0) {
		return -1;
	}
	return status;
}

const husk_verb_t husk_verb_run = {
	.name = "run",
	.fn = run,
	.summary = "create and start a container, and wait for it",
	.operands = "ID",
	.flags = flags,
	.about = "Create the container ID from a bundle, start it and, in the foreground, "
		 "wait for it: signals husk receives are forwarded to it, a terminal "
		 "(process.terminal) is relayed, and the container is deleted once it "
		 "exits (unless --keep).\n\n"
		 "With --detach husk returns once the container has started, and a small "
		 "monitor stays behind as its parent: it records the exit for `husk wait`, "
		 "`state` and `list`, and keeps the container's output in a file.",
	.exit_status = "In the foreground, the container's: its exit code, or 128+N when "
		       "signal N ended it; 1 when husk itself failed, before or while starting "
		       "it (the error is on stderr and in the --log).  With --detach, 0 once "
		       "the container has started.",
	.section = 8,
	.seal = true,
};
