/* husk spec: what callers ask of a parsed config (spec/config.h); the
 * parsing itself is spec/parse.c's. */
#include "spec/config.h"

#include <stddef.h>

const husk_namespace_t *husk_config_namespace(const husk_config_t *cfg, int type)
{
	if (cfg->linux_ == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < cfg->linux_->namespaces.n; i++) {
		if (cfg->linux_->namespaces.v[i].type == type) {
			return &cfg->linux_->namespaces.v[i];
		}
	}
	return NULL;
}
