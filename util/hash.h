/* husk: FNV-1a, the 64-bit hash that names cache entries (seccomp programs,
 * device program notes, shared sandbox roots).  Only names: whoever finds
 * an entry by it checks the entry's whole content. */
#ifndef HUSK_UTIL_HASH_H
#define HUSK_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HUSK_FNV1A_INIT 0xcbf29ce484222325ULL

/* H extended with LEN bytes of DATA (H: HUSK_FNV1A_INIT to start). */
static inline uint64_t husk_fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		h = (h ^ p[i]) * 0x100000001b3ULL;
	}
	return h;
}

#endif
