/* husk wait ID: block until the container has stopped, print its exit code
 * and exit with it (128+N when signal N ended it).  The code is known when a
 * monitor recorded it (run --detach, create --monitor); otherwise wait says
 * it is unknown and fails rather than guess. */
#include "cmd/options.h"

int husk_cmd_wait(husk_global_t *g, int argc, char **argv, husk_error_t *err)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	const char *id;
	int c, status = 0;

	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "+:", opts, NULL)) != -1) {
		return husk_cmd_bad_option("wait", c, argv, err);
	}
	if (husk_cmd_take_id("wait", argc, argv, 0, &id, err) < 0 ||
	    husk_container_wait(g->root, id, &status, err) < 0) {
		return -1;
	}
	return status;
}
