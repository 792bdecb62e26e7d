/* husk spec: `husk features`, the runtime-spec features document. */
#ifndef HUSK_SPEC_FEATURES_H
#define HUSK_SPEC_FEATURES_H

#include <stdbool.h>

#include "util/error.h"

/* What the linked libseccomp and the running kernel support (seccomp/
 * fills it in: seccomp/features.h), as the runtime-spec names them. */
typedef struct husk_seccomp_facts_s {
	unsigned int api; /* seccomp_api_get(): 0 when seccomp is unusable */
	char version[32]; /* libseccomp's */
	/* NULL-terminated lists of static strings. */
	const char *actions[16];
	const char *operators[8];
	const char *archs[32];
	const char *known_flags[8];     /* flags libseccomp can express */
	const char *supported_flags[8]; /* ... that the kernel also accepts */
} husk_seccomp_facts_t;

/* What the features document says that only the running host can tell;
 * spec/ knows no other module's API, so the runtime gathers these. */
typedef struct husk_features_facts_s {
	husk_seccomp_facts_t seccomp;
	const char *criu_version; /* the CRIU found ("3.17.1"); NULL: none */
	bool checkpoint;          /* and it works here */
	bool apparmor, selinux;   /* active here (util/lsm.h) */
	int landlock_abi;         /* the kernel's Landlock ABI, 0 for none (util/landlock.h) */
} husk_features_facts_t;

/* The features JSON, newline-terminated.  It says only what this husk does:
 * seccomp's lists come from the linked libseccomp at run time, everything
 * husk does not act on yet is reported empty or disabled.  The annotations
 * say whether `checkpoint` and `restore` can run (runc's
 * org.opencontainers.runc.checkpoint.enabled) and with which CRIU, and that
 * the annotation husk.landlock is understood (spec/landlock.h), with the
 * Landlock ABI this kernel has (husk.landlock.abi). */
char *husk_features_json(const husk_features_facts_t *facts);

/* Print husk_features_json(FACTS) on stdout. */
int husk_features_print(const husk_features_facts_t *facts, husk_error_t *err);

#endif
