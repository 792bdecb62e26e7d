/* husk features: what this husk supports, as runtime-spec features JSON. */
#include "cmd/cmd.h"
#include "runtime/container.h"

int husk_cmd_features(husk_global_t *g, int argc, char **argv, husk_error_t *err)
{
	if (argc > 1) {
		return husk_error_make(err, 0, "features: unexpected argument `%s`", argv[1]);
	}
	return husk_features_show(g->criu, err);
}
