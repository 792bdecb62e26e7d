/* husk cgroups: the types the cgroup API (cgroups/cgroup.h) and the
 * managers behind it (cgroups/cgroup-internal.h) share, in a header of their
 * own so that neither includes the other. */
#ifndef HUSK_CGROUPS_CGROUP_TYPES_H
#define HUSK_CGROUPS_CGROUP_TYPES_H

#include <stdbool.h>

#include "spec/config.h"

/* One container's cgroup. */
typedef struct husk_cgroup_s husk_cgroup_t;
/* A cgroup manager: v1, v2, systemd or disabled. */
typedef struct husk_cgroup_manager_s husk_cgroup_manager_t;

/* What a container's cgroup is made from. */
typedef struct husk_cgroup_req_s {
	const char *id;
	/* linux.cgroupsPath, linux.resources (device rules also allow
	 * linux.devices and the default ones, as runc does), and the
	 * annotations (systemd: org.systemd.property.*). */
	const husk_config_t *cfg;
	/* runc's --rootless: a hierarchy the caller may not make the cgroup
	 * in is left out, and device rules, which take privilege, are not
	 * written; a limit that needs a hierarchy left out is an error, and
	 * with none left the manager is `disabled`. */
	bool rootless;
	/* v1: only the hierarchies holding one of these (NULL-terminated;
	 * NULL: every one): a cgroup that needs only memory and pids then
	 * costs no directory in the seven others.  Ignored elsewhere. */
	const char *const *controllers;
} husk_cgroup_req_t;

#endif
