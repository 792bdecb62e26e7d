/* husk seccomp: a compiled filter, the one type the module's files share
 * with its users. */
#ifndef HUSK_SECCOMP_FILTER_H
#define HUSK_SECCOMP_FILTER_H

#include <stdbool.h>
#include <stddef.h>

/* The cache of compiled filters, a directory under the state root. */
#define HUSK_SECCOMP_CACHE_DIR ".seccomp-cache"

typedef struct husk_seccomp_filter_s {
	void *prog;         /* struct sock_filter[len] */
	size_t len;         /* instructions */
	unsigned int flags; /* SECCOMP_FILTER_FLAG_* for seccomp(2), NEW_LISTENER included */
	bool from_cache;    /* found compiled in the cache */
	/* A watched filter (husk_seccomp_watch in seccomp/seccomp.h): the
	 * profile's own program and flags, which PROG answers with
	 * notifications where it refused; NULL when not watched. */
	void *judge;
	unsigned int judge_flags;
	int watch; /* enum husk_seccomp_watch */
	/* Why a watch asked for was not made (static), or NULL */
	const char *unwatched;
} husk_seccomp_filter_t;

#endif
