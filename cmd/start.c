/* husk start ID: run the user's program in a created container. */
#include "cmd/options.h"

static int start(husk_global_t *g, const husk_args_t *a, husk_error_t *err)
{
	const char *id;

	if (husk_cmd_take_id(a, 0, &id, err) < 0) {
		return -1;
	}
	return husk_container_start(g->root, id, err);
}

const husk_verb_t husk_verb_start = {
	.name = "start",
	.fn = start,
	.summary = "run the user's program in a created container",
	.operands = "ID",
	.about = "Release the init of a container that `husk create` made, so that it runs "
		 "the configured process (process.args); the startContainer and poststart "
		 "hooks run.  start returns at once: it does not wait for the container.",
	.section = 8,
};
