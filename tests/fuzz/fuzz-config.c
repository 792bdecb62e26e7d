/* libFuzzer target: the config.json parser, validator and support check.
 * Any input must give a config or one error, never a crash or a leak. */
#include <stddef.h>
#include <stdint.h>

#include "spec/config.h"
#include "util/log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* Unknown keys warn; at fuzzing rates that is only noise. */
	husk_log_init(NULL, HUSK_LOG_TEXT, HUSK_LOG_ERROR, NULL);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	husk_error_t err = NULL;
	husk_config_t *cfg = husk_config_parse((const char *) data, size, &err);

	if (cfg != NULL) {
		husk_config_check_supported(cfg, &err);
		husk_config_free(cfg);
	}
	husk_error_free(&err);
	return 0;
}
