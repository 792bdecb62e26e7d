/* husk pause ID / husk resume ID: freeze and thaw the container's cgroup. */
#include "cmd/options.h"

static int pause_resume(husk_global_t *g, int argc, char **argv, bool pause, husk_error_t *err)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	const char *id;
	int c;

	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "+:", opts, NULL)) != -1) {
		return husk_cmd_bad_option(argv[0], c, argv, err);
	}
	if (husk_cmd_take_id(argv[0], argc, argv, 0, &id, err) < 0) {
		return -1;
	}
	return pause ? husk_container_pause(g->root, id, err)
		     : husk_container_resume(g->root, id, err);
}

int husk_cmd_pause(husk_global_t *g, int argc, char **argv, husk_error_t *err)
{
	return pause_resume(g, argc, argv, true, err);
}

int husk_cmd_resume(husk_global_t *g, int argc, char **argv, husk_error_t *err)
{
	return pause_resume(g, argc, argv, false, err);
}
