/* husk seccomp: what the linked libseccomp and the running kernel support,
 * asked at run time (for `husk features`). */
#ifndef HUSK_SECCOMP_FEATURES_H
#define HUSK_SECCOMP_FEATURES_H

#include "spec/features.h"

/* Fill F in, libseccomp's version included. */
void husk_seccomp_features(husk_seccomp_facts_t *f);

#endif
