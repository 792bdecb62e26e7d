/* husk seccomp: what the linked libseccomp and the running kernel support,
 * asked at run time (for `husk features`). */
#ifndef HUSK_SECCOMP_FEATURES_H
#define HUSK_SECCOMP_FEATURES_H

#include <stddef.h>

#include "spec/features.h"

/* The version of the libseccomp husk runs with (not the one it was built
 * against), "major.minor.micro". */
void husk_seccomp_library_version(char *buf, size_t len);

/* Fill F in, libseccomp's version included. */
void husk_seccomp_features(husk_seccomp_facts_t *f);

#endif
