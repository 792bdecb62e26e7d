/* husk version: runc-shaped lines that tools parse. */
#include <stdio.h>

#include "cmd/cmd.h"
#include "seccomp/seccomp.h"
#include "spec/version.h"

int husk_cmd_version(husk_global_t *g, int argc, char **argv, husk_error_t *err)
{
	char lib[32];

	if (argc > 1) {
		return husk_error_make(err, 0, "version: unexpected argument `%s`", argv[1]);
	}
	husk_seccomp_library_version(lib, sizeof(lib));
	printf("husk version %s\nspec: %s\nlibseccomp: %s\n", HUSK_VERSION, HUSK_OCI_VERSION, lib);
	return 0;
}
