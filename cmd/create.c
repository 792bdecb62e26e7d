/* husk create: a container set up and waiting for `start`. */
#include "cmd/options.h"

enum { OPT_MONITOR = HUSK_OPT_VERB };

static const husk_flag_t flags[] = {
	HUSK_FLAG_BUNDLE,
	HUSK_FLAG_CONSOLE_SOCKET,
	HUSK_FLAG_PIDFD_SOCKET("the container's init"),
	HUSK_FLAG_PID_FILE("the container's init"),
	HUSK_FLAG_NO_PIVOT("set the root up with MS_MOVE and chroot instead of pivot_root, "
			   "for a root filesystem on an initramfs, where pivot_root fails"),
	HUSK_FLAG_NO_NEW_KEYRING,
	HUSK_FLAG_PRESERVE_FDS,
	{ "monitor", 0, NULL, OPT_MONITOR,
	  "leave a monitor as the init's parent, which records its exit for `husk wait`, "
	  "`state` and `list`, and keeps its output" },
	HUSK_FLAG_OUTPUT_FILE,
	HUSK_FLAG_OUTPUT_MAX,
	{ NULL },
};

static int create(husk_global_t *g, const husk_args_t *a, husk_error_t *err)
{
	husk_create_opts_t o = { .root = g->root,
				 .cgroup_manager = g->cgroup_manager,
				 .rootless = g->rootless };
	husk_monitor_opts_t m = { 0 };

	for (size_t i = 0; i < a->n_opts; i++) {
		int r = husk_cmd_create_flag(&a->opts[i], &o, &m, err);

		if (r < 0) {
			return -1;
		}
		if (r == 0 && a->opts[i].flag->id == OPT_MONITOR) {
			m.enabled = true;
		}
	}
	if (husk_cmd_check_monitor("create", NULL, &m, err) < 0 ||
	    husk_cmd_take_id(a, 0, &o.id, err) < 0) {
		return -1;
	}
	return husk_container_create(&o, &m, err);
}

const husk_verb_t husk_verb_create = {
	.name = "create",
	.fn = create,
	.summary = "create a container from a bundle, ready for start",
	.operands = "ID",
	.flags = flags,
	.about = "Create the container ID from a bundle: its namespaces, cgroup, root "
		 "filesystem, mounts and process attributes are all set up, and its init "
		 "waits for `husk start ID` to run the configured process (process.args).  "
		 "Hooks prestart, createRuntime and createContainer run now.\n\n"
		 "As with runc, when create returns the init is an orphan that the caller's "
		 "subreaper adopts (containerd's shim, conmon): its exit status is theirs to "
		 "collect.  With --monitor, a small husk monitor is its parent instead, "
		 "and records the exit for `husk wait`, `state` and `list`.",
	.section = 8,
	.seal = true,
};
