/* husk version: runc-shaped lines that tools parse, then what this build
 * supports (util/support.h). */
#include <stdio.h>

#include "cmd/cmd.h"
#include "seccomp/seccomp.h"
#include "spec/version.h"
#include "util/support.h"

int husk_cmd_version(husk_global_t *g, int argc, char **argv, husk_error_t *err)
{
	char lib[32], managers[128], lsms[64];

	if (argc > 1) {
		return husk_error_make(err, 0, "version: unexpected argument `%s`", argv[1]);
	}
	husk_seccomp_library_version(lib, sizeof(lib));
	husk_support_cgroup_managers(managers, sizeof(managers));
	husk_support_lsms(lsms, sizeof(lsms));
	printf("husk version %s\nspec: %s\nlibseccomp: %s\n", HUSK_VERSION, HUSK_OCI_VERSION, lib);
	printf("cgroup managers: %s\nLSMs: %s\nstatic: %s\n", managers, lsms,
	       husk_support_is_static() ? "yes" : "no");
	return 0;
}
