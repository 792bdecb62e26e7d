/* husk list [-q] [--format table|json] */
#include <string.h>

#include "cmd/options.h"

enum {
	OPT_QUIET = HUSK_OPT_VERB,
	OPT_FORMAT,
};

static const husk_flag_t flags[] = {
	{ "quiet", 'q', NULL, OPT_QUIET, "print the ids only, one a line" },
	{ "format", 'f', "table|json", OPT_FORMAT, "a table, or a JSON array of states", "table" },
	{ NULL },
};

static int list(husk_global_t *g, const husk_args_t *a, husk_error_t *err)
{
	enum husk_list_format format = HUSK_LIST_TABLE;
	bool quiet = false;

	for (size_t i = 0; i < a->n_opts; i++) {
		const char *v = a->opts[i].value;

		if (a->opts[i].flag->id == OPT_QUIET) {
			quiet = true;
		} else if (strcmp(v, "table") == 0) {
			format = HUSK_LIST_TABLE;
		} else if (strcmp(v, "json") == 0) {
			format = HUSK_LIST_JSON;
		} else {
			return husk_error_make(err, 0, "list: invalid format `%s`: table or json",
					       v);
		}
	}
	if (husk_cmd_no_operands(a, err) < 0) {
		return -1;
	}
	return husk_container_list(g->root, format, quiet, err);
}

const husk_verb_t husk_verb_list = {
	.name = "list",
	.fn = list,
	.summary = "list containers",
	.flags = flags,
	.about = "List the containers under the state root (--root): id, pid, status, "
		 "bundle, creation time and owner, and the exit a monitor recorded "
		 "(EXIT).",
	.section = 8,
};
