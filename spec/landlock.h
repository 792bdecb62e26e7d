/* husk spec: a container's Landlock policy, from the annotation husk.landlock.
 *
 * The runtime-spec has no field for Landlock yet; until it has, a config
 * asks for it with an annotation, which `husk sandbox --landlock` writes
 * too, so one code path (init/landlock.h) confines both.  Its value is
 *
 *   "auto"     confine the container where the kernel has Landlock, run it
 *              unconfined (the sandbox's report says why) where it has none;
 *   "strict"   confine it or refuse to create it;
 *   "off"      (the same as no annotation) do not confine it;
 *   {"mode": "auto"|"strict"|"off", "tcpBind": [PORT...],
 *    "tcpConnect": [PORT...], "scoped": true|false}
 *              the same, and with tcpBind (tcpConnect) TCP bind (connect)
 *              only to the ports listed, none for [] (Landlock ABI 4);
 *              "scoped": false leaves abstract unix sockets and signals
 *              outside the container reachable (ABI 6 scopes them).
 *
 * What Landlock then allows is the container's own file tree: the root and
 * its mounts, read-only where the mount is, writable where it is, executable
 * where it is not noexec; nothing reached outside it (a descriptor of the
 * host's, /proc/<pid>/root of a process elsewhere) can be opened.
 */
#ifndef HUSK_SPEC_LANDLOCK_H
#define HUSK_SPEC_LANDLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/config.h"
#include "util/error.h"

#define HUSK_LANDLOCK_ANNOTATION "husk.landlock"
/* Ports one list may hold. */
#define HUSK_LANDLOCK_MAX_PORTS  64

enum husk_landlock_mode {
	HUSK_LANDLOCK_OFF,
	HUSK_LANDLOCK_AUTO,
	HUSK_LANDLOCK_STRICT,
};

/* A list of TCP ports; SET false: TCP is not restricted at all. */
typedef struct husk_landlock_ports_s {
	bool set;
	size_t n;
	uint16_t v[HUSK_LANDLOCK_MAX_PORTS];
} husk_landlock_ports_t;

typedef struct husk_landlock_policy_s {
	int mode; /* enum husk_landlock_mode */
	husk_landlock_ports_t tcp_bind, tcp_connect;
	bool unscoped; /* "scoped": false */
} husk_landlock_policy_t;

/* "auto", "strict", "off" (and "" for off), as `--landlock` and the
 * annotation spell them; NULL for another value. */
const char *husk_landlock_mode_name(int mode);

/* Parse an annotation's VALUE into *P.  WHAT prefixes errors
 * ("annotation husk.landlock"). */
int husk_landlock_policy_parse(const char *value, const char *what, husk_landlock_policy_t *p,
			       husk_error_t *err);

/* CFG's policy: its annotation's, or off without one. */
int husk_config_landlock(const husk_config_t *cfg, husk_landlock_policy_t *p, husk_error_t *err);

/* The annotation's value that says P. */
char *husk_landlock_policy_text(const husk_landlock_policy_t *p);

#endif
