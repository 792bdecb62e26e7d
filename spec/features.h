/* husk spec: `husk features`, the runtime-spec features document. */
#ifndef HUSK_SPEC_FEATURES_H
#define HUSK_SPEC_FEATURES_H

#include "util/error.h"

/* The features JSON, newline-terminated.  It says only what this husk does:
 * seccomp's lists come from the linked libseccomp at run time, everything
 * husk does not act on yet is reported empty or disabled. */
char *husk_features_json(void);

/* Print husk_features_json() on stdout. */
int husk_features_print(husk_error_t *err);

#endif
