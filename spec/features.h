/* husk spec: `husk features`, the runtime-spec features document. */
#ifndef HUSK_SPEC_FEATURES_H
#define HUSK_SPEC_FEATURES_H

#include <stdbool.h>

#include "util/error.h"

/* The features JSON, newline-terminated.  It says only what this husk does:
 * seccomp's lists come from the linked libseccomp at run time, everything
 * husk does not act on yet is reported empty or disabled.  CRIU_VERSION is
 * the version of the CRIU found ("3.17.1"), NULL when there is none, and
 * CHECKPOINT whether it works here: the annotations say whether
 * `checkpoint` and `restore` can run (runc's
 * org.opencontainers.runc.checkpoint.enabled) and with which CRIU. */
char *husk_features_json(const char *criu_version, bool checkpoint);

/* Print husk_features_json(CRIU_VERSION, CHECKPOINT) on stdout. */
int husk_features_print(const char *criu_version, bool checkpoint, husk_error_t *err);

#endif
