/* husk wait ID: block until the container has stopped, print its exit code
 * and exit with it.  The code is known when a monitor recorded it (run
 * --detach, create --monitor); otherwise wait says it is unknown and fails
 * rather than guess. */
#include "cmd/options.h"

static int wait_for(husk_global_t *g, const husk_args_t *a, husk_error_t *err)
{
	const char *id;
	int status = 0;

	if (husk_cmd_take_id(a, 0, &id, err) < 0 ||
	    husk_container_wait(g->root, id, &status, err) < 0) {
		return -1;
	}
	return status;
}

const husk_verb_t husk_verb_wait = {
	.name = "wait",
	.fn = wait_for,
	.summary = "wait for a container to stop and print its exit code",
	.operands = "ID",
	.about = "Block until the container has stopped, then print its exit code.  The "
		 "code is known when a monitor recorded it (`run --detach`, `create "
		 "--monitor`); for a container whose init someone else reaps, wait says the "
		 "exit is unknown and fails rather than guess.",
	.exit_status = "The container's: its exit code, or 128+N when signal N ended it; 1 "
		       "when the container does not exist or its exit was not recorded.",
	.section = 8,
};
