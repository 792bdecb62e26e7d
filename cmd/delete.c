/* husk delete [--force] ID */
#include "cmd/options.h"

int husk_cmd_delete(husk_global_t *g, int argc, char **argv, husk_error_t *err)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *id;
	bool force = false;
	int c;

	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "+:f", opts, NULL)) != -1) {
		if (c != 'f') {
			return husk_cmd_bad_option("delete", c, argv, err);
		}
		force = true;
	}
	if (husk_cmd_take_id("delete", argc, argv, 0, &id, err) < 0) {
		return -1;
	}
	return husk_container_delete(g->root, id, force, err);
}
