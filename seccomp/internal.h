/* husk seccomp: what the module's files share (module-private). */
#ifndef HUSK_SECCOMP_INTERNAL_H
#define HUSK_SECCOMP_INTERNAL_H

#include <stddef.h>

#include "seccomp/filter.h"

/* The kernel's limit on a classic BPF program (BPF_MAXINSNS). */
#define HUSK_SECCOMP_MAX_INSNS 4096

/* Look KEY[0..KEYLEN) up in ROOTFD's cache; on a hit fill F's program and
 * return 0.  Any miss or unusable entry returns -1 (with a debug line for
 * the unusable ones): the cache is never a reason to fail. */
int husk_seccomp_cache_get(int rootfd, const char *key, size_t keylen, husk_seccomp_filter_t *f);
/* Store F's program under KEY, atomically; best effort. */
void husk_seccomp_cache_put(int rootfd, const char *key, size_t keylen,
			    const husk_seccomp_filter_t *f);

/* libseccomp's arch token for the runtime-spec's name, 0 when the linked
 * libseccomp does not know it. */
unsigned int husk_seccomp_arch_token(const char *oci_name);

#endif
