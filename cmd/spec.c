/* husk spec [--rootless] [--bundle DIR]: write a default config.json. */
#include "cmd/options.h"
#include "runtime/husk.h"

enum { OPT_ROOTLESS = HUSK_OPT_VERB };

static const husk_flag_t flags[] = {
	{ "bundle", 'b', "DIR", HUSK_OPT_BUNDLE, "where to write config.json",
	  "the current directory" },
	{ "rootless", 0, NULL, OPT_ROOTLESS,
	  "a config for a caller that is not root: a user namespace mapping root to the "
	  "caller's ids, no network namespace, /sys bound from the host, no cgroup "
	  "resources" },
	{ NULL },
};

static int spec(husk_global_t *g, const husk_args_t *a, husk_error_t *err)
{
	const char *bundle = NULL;
	bool rootless = false;

	for (size_t i = 0; i < a->n_opts; i++) {
		if (a->opts[i].flag->id == OPT_ROOTLESS) {
			rootless = true;
		} else {
			bundle = a->opts[i].value;
		}
	}
	if (husk_cmd_no_operands(a, err) < 0) {
		return -1;
	}
	return husk_spec_write(bundle, rootless, err);
}

const husk_verb_t husk_verb_spec = {
	.name = "spec",
	.fn = spec,
	.summary = "write a default config.json to the bundle",
	.flags = flags,
	.about = "Write runc's default config.json (runtime-spec 1.3.0) into the bundle: "
		 "sh in a terminal, a read-only root filesystem `rootfs` beside it, new "
		 "namespaces, the usual /proc, /dev and /sys mounts and three capabilities.  "
		 "An existing config.json is not replaced.",
	.section = 8,
};
