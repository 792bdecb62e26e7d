/* husk kill [--all] ID [SIGNAL]: SIGNAL is a name with or without SIG, or a
 * number; TERM by default. */
#include "cmd/options.h"
#include "runtime/signals.h"

int husk_cmd_kill(husk_global_t *g, int argc, char **argv, husk_error_t *err)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	const char *id;
	bool all = false;
	int c, signo;

	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "+:a", opts, NULL)) != -1) {
		if (c != 'a') {
			return husk_cmd_bad_option("kill", c, argv, err);
		}
		all = true;
	}
	if (husk_cmd_take_id("kill", argc, argv, 1, &id, err) < 0) {
		return -1;
	}
	signo = husk_signal_parse(optind + 1 < argc ? argv[optind + 1] : "TERM", err);
	if (signo < 0) {
		return -1;
	}
	return husk_container_kill(g->root, id, signo, all, err);
}
