/* husk ps [--format table|json] ID [PS_ARGS...]: the container's processes.
 * json prints the pids (what engines ask for); table runs the host's ps
 * with PS_ARGS (default -ef) and keeps the container's lines, as runc does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/options.h"
#include "runtime/husk.h"

enum { OPT_FORMAT = HUSK_OPT_VERB };

static const husk_flag_t flags[] = {
	{ "format", 'f', "table|json", OPT_FORMAT,
	  "the host's ps output for the container's processes, or a JSON array of their "
	  "pids",
	  "table" },
	{ NULL },
};

static int ps(husk_global_t *g, const husk_args_t *a, husk_error_t *err)
{
	_cleanup_free_ pid_t *pids = NULL;
	bool json = false;
	const char *id;
	int n;

	for (size_t i = 0; i < a->n_opts; i++) {
		const char *v = a->opts[i].value;

		if (strcmp(v, "json") != 0 && strcmp(v, "table") != 0) {
			return husk_error_make(err, 0, "ps: invalid format `%s`: table or json", v);
		}
		json = strcmp(v, "json") == 0;
	}
	if (husk_cmd_take_id(a, json ? 0 : 64, &id, err) < 0) {
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
	return husk_ps_table(pids, (size_t) n, a->argv + 1, err);
}

const husk_verb_t husk_verb_ps = {
	.name = "ps",
	.fn = ps,
	.summary = "list the processes of a container",
	.operands = "ID [PS_ARGS...]",
	.flags = flags,
	.about = "List the processes in the container's cgroup.  As a table, husk runs the "
		 "host's ps(1) with PS_ARGS (-ef when there are none) and keeps its header "
		 "and the container's lines, as runc does.",
	.section = 8,
};
