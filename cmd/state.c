/* husk state ID: the container's OCI state as JSON. */
#include "cmd/options.h"

int husk_cmd_state(husk_global_t *g, int argc, char **argv, husk_error_t *err)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	const char *id;
	int c;

	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "+:", opts, NULL)) != -1) {
		return husk_cmd_bad_option("state", c, argv, err);
	}
	if (husk_cmd_take_id("state", argc, argv, 0, &id, err) < 0) {
		return -1;
	}
	return husk_container_state(g->root, id, err);
}
