/* husk state ID: the container's OCI state as JSON. */
#include "cmd/options.h"

static int state(husk_global_t *g, const husk_args_t *a, husk_error_t *err)
{
	const char *id;

	if (husk_cmd_take_id(a, 0, &id, err) < 0) {
		return -1;
	}
	return husk_container_state(g->root, id, err);
}

const husk_verb_t husk_verb_state = {
	.name = "state",
	.fn = state,
	.summary = "print the state of a container",
	.operands = "ID",
	.about = "Print the container's OCI state as JSON: ociVersion, id, status "
		 "(creating, created, running, paused or stopped), pid, bundle and "
		 "annotations, with husk's created, rootfs and owner, and once a monitor "
		 "has recorded it, the exit status.",
	.section = 8,
};
