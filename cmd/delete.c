/* husk delete [--force] ID */
#include "cmd/options.h"

enum { OPT_FORCE = HUSK_OPT_VERB };

static const husk_flag_t flags[] = {
	{ "force", 'f', NULL, OPT_FORCE,
	  "kill a running or paused container with SIGKILL first; an id that does not "
	  "exist is then not an error" },
	{ NULL },
};

static int delete (husk_global_t *g, const husk_args_t *a, husk_error_t *err)
{
	const char *id;

	if (husk_cmd_take_id(a, 0, &id, err) < 0) {
		return -1;
	}
	return husk_container_delete(g->root, id, a->n_opts > 0, err);
}

const husk_verb_t husk_verb_delete = {
	.name = "delete",
	.fn = delete,
	.summary = "delete a container and its state",
	.operands = "ID",
	.flags = flags,
	.about = "Remove a stopped (or created, not yet started) container: its state "
		 "directory and its cgroup, with whatever process is still in it.  The "
		 "poststop hooks run last.",
	.section = 8,
};
