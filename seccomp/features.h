/* husk seccomp: what the linked libseccomp and the running kernel support,
 * asked at run time (for `husk features`). */
#ifndef HUSK_SECCOMP_FEATURES_H
#define HUSK_SECCOMP_FEATURES_H

typedef struct husk_seccomp_features_s {
	unsigned int api; /* seccomp_api_get(): 0 when seccomp is unusable */
	/* NULL-terminated lists of the runtime-spec's names, static strings. */
	const char *actions[16];
	const char *operators[8];
	const char *archs[32];
	const char *known_flags[8];     /* flags libseccomp can express */
	const char *supported_flags[8]; /* ... that the kernel also accepts */
} husk_seccomp_features_t;

void husk_seccomp_features(husk_seccomp_features_t *f);

#endif
