/* husk list [-q] [--format table|json] */
#include <string.h>

#include "cmd/options.h"

int husk_cmd_list(husk_global_t *g, int argc, char **argv, husk_error_t *err)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	enum husk_list_format format = HUSK_LIST_TABLE;
	bool quiet = false;
	int c;

	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "+:qf:", opts, NULL)) != -1) {
		switch (c) {
		case 'q':
			quiet = true;
			break;
		case 'f':
			if (strcmp(optarg, "table") == 0) {
				format = HUSK_LIST_TABLE;
			} else if (strcmp(optarg, "json") == 0) {
				format = HUSK_LIST_JSON;
			} else {
				return husk_error_make(
					err, 0, "list: invalid format `%s`: table or json", optarg);
			}
			break;
		default:
			return husk_cmd_bad_option("list", c, argv, err);
		}
	}
	if (optind < argc) {
		return husk_error_make(err, 0, "list: unexpected argument `%s`", argv[optind]);
	}
	return husk_container_list(g->root, format, quiet, err);
}
