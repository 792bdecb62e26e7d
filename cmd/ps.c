/* husk ps [--format table|json] ID [PS_ARGS...]: the container's processes.
 * json prints the pids (what engines ask for); table runs the host's ps
 * with PS_ARGS (default -ef) and keeps the container's lines, as runc does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/options.h"
#include "runtime/ps.h"

int husk_cmd_ps(husk_global_t *g, int argc, char **argv, husk_error_t *err)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	_cleanup_free_ pid_t *pids = NULL;
	bool json = false;
	const char *id;
	int c, n;

	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "+:f:", opts, NULL)) != -1) {
		if (c != 'f') {
			return husk_cmd_bad_option("ps", c, argv, err);
		}
		if (strcmp(optarg, "json") == 0) {
			json = true;
		} else if (strcmp(optarg, "table") != 0) {
			return husk_error_make(err, 0, "ps: invalid format `%s`: table or json",
					       optarg);
		}
	}
	if (husk_cmd_take_id("ps", argc, argv, json ? 0 : 64, &id, err) < 0) {
		return -1;
	}
	n = husk_container_pids(g->root, id, &pids, err);
	if (n < 0) {
		return -1;
	}
	if (json) {
		printf("[");
		for (int i = 0; i < n; i++) {
			printf("%s%d", i ? "," : "", pids[i]);
		}
		printf("]\n");
		return 0;
	}
	return husk_ps_table(pids, (size_t) n, argv + optind + 1, err);
}
