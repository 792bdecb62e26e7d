/* husk start ID: run the user's program in a created container. */
#include "cmd/options.h"

int husk_cmd_start(husk_global_t *g, int argc, char **argv, husk_error_t *err)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	const char *id;
	int c;

	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "+:", opts, NULL)) != -1) {
		return husk_cmd_bad_option("start", c, argv, err);
	}
	if (husk_cmd_take_id("start", argc, argv, 0, &id, err) < 0) {
		return -1;
	}
	return husk_container_start(g->root, id, err);
}
