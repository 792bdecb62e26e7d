/* husk version: runc-shaped lines that tools parse, then what this build
 * supports (util/support.h). */
#include <stdio.h>

#include "cmd/options.h"
#include "runtime/husk.h"
#include "spec/version.h"
#include "util/support.h"

static int version(husk_global_t *g, const husk_args_t *a, husk_error_t *err)
{
	char lib[32], managers[128], lsms[64];

	if (husk_cmd_no_operands(a, err) < 0) {
		return -1;
	}
	husk_libseccomp_version(lib, sizeof(lib));
	husk_support_cgroup_managers(managers, sizeof(managers));
	husk_support_lsms(lsms, sizeof(lsms));
	printf("husk version %s\nspec: %s\nlibseccomp: %s\n", HUSK_VERSION, HUSK_OCI_VERSION, lib);
	printf("cgroup managers: %s\nLSMs: %s\nstatic: %s\n", managers, lsms,
	       husk_support_is_static() ? "yes" : "no");
	return 0;
}

const husk_verb_t husk_verb_version = {
	.name = "version",
	.fn = version,
	.summary = "print husk's version and what this build supports",
	.about = "Print husk's version, the runtime-spec version it implements and the "
		 "version of the libseccomp it runs with, as runc does, then what this build "
		 "supports: its cgroup managers (--cgroup-manager), the Linux security "
		 "modules it applies to a container, and whether the binary is statically "
		 "linked.  `husk --version` and `husk -v` print the same.",
	.section = 8,
};
