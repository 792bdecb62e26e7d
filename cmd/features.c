/* husk features: what this husk supports, as runtime-spec features JSON. */
#include "cmd/options.h"

static int features(husk_global_t *g, const husk_args_t *a, husk_error_t *err)
{
	if (husk_cmd_no_operands(a, err) < 0) {
		return -1;
	}
	return husk_features_show(g->criu, err);
}

const husk_verb_t husk_verb_features = {
	.name = "features",
	.fn = features,
	.summary = "print the runtime-spec features husk supports",
	.about = "Print the runtime-spec features document (JSON): the OCI versions, hooks, "
		 "mount options, namespaces, capabilities, cgroup managers, the seccomp "
		 "actions, operators and architectures of the running libseccomp, the LSMs "
		 "(AppArmor, SELinux) husk can apply on this host, and whether CRIU works "
		 "here for checkpoint and restore (--criu).  Engines read "
		 "it to decide what to ask for.",
	.section = 8,
};
