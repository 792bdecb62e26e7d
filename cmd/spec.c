/* husk spec [--rootless] [--bundle DIR]: write a default config.json. */
#include <getopt.h>

#include "cmd/cmd.h"
#include "spec/default.h"

int husk_cmd_spec(husk_global_t *g, int argc, char **argv, husk_error_t *err)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "rootless", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *bundle = NULL;
	bool rootless = false;
	int c;

	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "+:b:", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			bundle = optarg;
			break;
		case 'r':
			rootless = true;
			break;
		case ':':
			return husk_error_make(err, 0, "spec: flag `%s` needs a value",
					       argv[optind - 1]);
		default:
			return husk_error_make(err, 0, "spec: unknown flag `%s`", argv[optind - 1]);
		}
	}
	if (optind < argc) {
		return husk_error_make(err, 0, "spec: unexpected argument `%s`", argv[optind]);
	}
	return husk_spec_write_default(bundle, rootless, err);
}
