/* husk cgroups: one container's cgroup, on whatever layout the host has.
 *
 * A cgroup manager (--cgroup-manager, runc's --systemd-cgroup) says how the
 * cgroup is made; every call below works the same whichever made it:
 *   v2        a unified hierarchy: the cgroup is made (controllers enabled up
 *             the tree) before clone and the init is born in it with
 *             CLONE_INTO_CGROUP; cgroup.kill and cgroup.freeze;
 *   v1        v1 controllers (libcgroup finds where each is mounted), plus
 *             the unified hierarchy of a hybrid host, as runc does: the init
 *             is cloned into the unified one and written into each v1 one
 *             before it runs anything;
 *   systemd   (cgroup v2 hosts with systemd as PID 1) a transient scope,
 *             `PREFIX-NAME.scope` in SLICE for a cgroupsPath
 *             "SLICE:PREFIX:NAME" (husk-<id>.scope in system.slice when
 *             there is none), made through systemd's D-Bus API with
 *             Delegate=yes and the resources as unit properties; the
 *             container is born in the scope's sub-cgroup `container`,
 *             where the v2 code writes every resource too, so that systemd
 *             rewriting the scope (daemon-reload) changes nothing of the
 *             container's.  A NAME ending in .slice makes that slice, and
 *             the container is its cgroup, as with runc;
 *   disabled  the container stays in the caller's cgroups; resources in the
 *             config are an error.
 * The cgroupfs managers' path is absolute in each hierarchy:
 * linux.cgroupsPath when it starts with '/', husk's own cgroup plus
 * cgroupsPath when relative, and /husk/<id> when missing.
 */
#ifndef HUSK_CGROUPS_CGROUP_H
#define HUSK_CGROUPS_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cgroups/cgroup-types.h"
#include "spec/config.h"
#include "util/error.h"

/* libcgroup's cgroup_init(), done once per process whoever asks. */
int husk_cgroup_lib_init(husk_error_t *err);

/* The manager --cgroup-manager NAME stands for on this host: "cgroupfs"
 * (also NULL) is v2 or v1 by the layout of /sys/fs/cgroup; "systemd" needs
 * systemd as PID 1 (else runc's words) and cgroup v2; "disabled". */
const husk_cgroup_manager_t *husk_cgroup_manager_for(const char *name, husk_error_t *err);
/* "v2", "v1", "systemd" or "disabled", as state.json records it. */
const char *husk_cgroup_manager_name(const husk_cgroup_manager_t *m);

/* Rootless: the delegated subtree husk's own cgroup is in (the highest
 * cgroup above it, itself included, that the caller owns with its
 * cgroup.procs), as a path in every hierarchy; NULL when nothing is
 * delegated (*ERR then stays unset; v1 looks at the pids hierarchy). */
char *husk_cgroup_delegated(const husk_cgroup_manager_t *m, husk_error_t *err);

/* For `sandbox`'s plan: whether M can make a cgroup of controller CTL
 * ("memory") under PARENT (the deepest level of it that exists is the
 * caller's to write and, on v2, offers CTL); the file its limit goes to
 * ("memory.max"); whether swap is accounted, so that a memory limit can
 * cap it too (v1 needs memsw; on v2 without any swap there is nothing to
 * cap). */
bool husk_cgroup_can_limit(const husk_cgroup_manager_t *m, const char *ctl, const char *parent);
const char *husk_cgroup_limit_file(const husk_cgroup_manager_t *m, const char *ctl);
bool husk_cgroup_swap_accounted(const husk_cgroup_manager_t *m);

/* Make the container's cgroup with M for REQ and apply its resources,
 * before the init is cloned. */
husk_cgroup_t *husk_cgroup_make(const husk_cgroup_manager_t *m, const husk_cgroup_req_t *req,
				husk_error_t *err);
/* Open an existing one, as state.json recorded it (MANAGER a name
 * husk_cgroup_manager_name gave, PATH husk_cgroup_path's): in the
 * hierarchies where it exists (made in some only, or, not root, left out of
 * others). */
husk_cgroup_t *husk_cgroup_open(const char *manager, const char *path, husk_error_t *err);
/* Whatever stood in for the init while the cgroup was made (systemd's
 * placeholder process) goes too, if husk_cgroup_enter() has not seen it
 * off already. */
void husk_cgroup_free(husk_cgroup_t *cg);

/* The manager CG was made or opened with (rootless with nothing delegated:
 * `disabled`), and the path to record; NULL when disabled. */
const husk_cgroup_manager_t *husk_cgroup_manager(const husk_cgroup_t *cg);
const char *husk_cgroup_path(const husk_cgroup_t *cg);
/* The container's directory where one cgroup2 directory is all of it (v2,
 * systemd), as CRIU's --freeze-cgroup wants it; NULL elsewhere. */
const char *husk_cgroup_unified_dir(const husk_cgroup_t *cg);

/* `exec --cgroup`: move CG to sub-cgroups of itself.  Each of SPECS
 * (NULL-terminated) is "PATH", for every hierarchy, or "CTL[,CTL...]:PATH"
 * for those hierarchies only (v1); PATH is relative to the container's
 * cgroup and must exist.  Nothing changes on error. */
int husk_cgroup_use_sub(husk_cgroup_t *cg, char *const *specs, husk_error_t *err);

/* A descriptor for CLONE_INTO_CGROUP, or -1 when the init must be moved in
 * with husk_cgroup_enter() instead (no unified hierarchy, or disabled). */
int husk_cgroup_clone_fd(const husk_cgroup_t *cg);
/* Whether husk_cgroup_enter() has hierarchies to move the init into. */
bool husk_cgroup_moves_after_clone(const husk_cgroup_t *cg);
/* The init PID has been cloned: move it into every hierarchy
 * CLONE_INTO_CGROUP did not cover, and let whatever stood in for it before
 * (systemd's placeholder) go. */
int husk_cgroup_enter(husk_cgroup_t *cg, pid_t pid, husk_error_t *err);
/* The same for the calling process, which must be single-threaded and able
 * to write the cgroup files (so not yet in a user namespace of its own).
 * Cheaper than husk_cgroup_enter(): a task that moves itself through a v1
 * `tasks` file skips the global threadgroup lock a move by pid takes, and
 * the RCU grace period that lock waits for (8-15 ms on a v1 host, most of a
 * container start). */
int husk_cgroup_enter_self(const husk_cgroup_t *cg, husk_error_t *err);

/* The pids in the cgroup (a v1 host reads the pids or freezer hierarchy).
 * Returns the count, with *PIDS a new array. */
ssize_t husk_cgroup_pids(const husk_cgroup_t *cg, pid_t **pids, husk_error_t *err);
/* Signal every process in the cgroup (SIGKILL through cgroup.kill on v2). */
int husk_cgroup_signal_all(const husk_cgroup_t *cg, int signo, husk_error_t *err);

/* Apply R to a running container's cgroup (`update`; systemd: the unit's
 * properties too). */
int husk_cgroup_update(husk_cgroup_t *cg, const husk_resources_t *r, husk_error_t *err);

int husk_cgroup_freeze(const husk_cgroup_t *cg, bool frozen, husk_error_t *err);
bool husk_cgroup_is_frozen(const husk_cgroup_t *cg);

/* Kill what is left, wait for it to be gone and remove the cgroup from every
 * hierarchy (systemd: stop the unit, and leave nothing of it). */
int husk_cgroup_destroy(husk_cgroup_t *cg, husk_error_t *err);

#endif
