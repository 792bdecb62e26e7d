/* husk runtime: the few steps of the command line's own that need the
 * layers below (runtime/husk.h, "starting up"). */
#include <stdbool.h>

#include "init/seal.h"
#include "runtime/husk.h"
#include "seccomp/features.h"
#include "spec/default.h"
#include "state/statedir.h"

int husk_startup_seal(char **argv, husk_error_t *err)
{
	return husk_seal_self(argv, err);
}

char *husk_default_root(void)
{
	return husk_statedir_default_root();
}

int husk_spec_write(const char *bundle, bool rootless, husk_error_t *err)
{
	return husk_spec_write_default(bundle, rootless, err);
}

void husk_libseccomp_version(char *buf, size_t len)
{
	husk_seccomp_library_version(buf, len);
}
