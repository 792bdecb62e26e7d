/* husk cgroups: one container's cgroup, on whatever layout the host has.
 *
 * Three managers behind one small set of operations:
 *   v2        a unified hierarchy: the cgroup is made (controllers enabled up
 *             the tree) before clone and the init is born in it with
 *             CLONE_INTO_CGROUP; cgroup.kill and cgroup.freeze;
 *   v1        v1 controllers (libcgroup finds where each is mounted), plus
 *             the unified hierarchy of a hybrid host, as runc does: the init
 *             is cloned into the unified one and written into each v1 one
 *             before it runs anything;
 *   disabled  the container stays in the caller's cgroups; resources in the
 *             config are an error.
 * The cgroup path is absolute in each hierarchy: linux.cgroupsPath when it
 * starts with '/', husk's own cgroup plus cgroupsPath when relative, and
 * /husk/<id> when missing.
 */
#ifndef HUSK_CGROUPS_CGROUP_H
#define HUSK_CGROUPS_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "spec/config.h"
#include "util/error.h"

enum husk_cg_mode {
	HUSK_CG_V2,
	HUSK_CG_V1,
	HUSK_CG_DISABLED,
};

typedef struct husk_cgroup_s husk_cgroup_t;

/* "v2", "v1" or "disabled". */
const char *husk_cg_mode_name(enum husk_cg_mode m);
int husk_cg_mode_parse(const char *s, enum husk_cg_mode *m, husk_error_t *err);

/* libcgroup's cgroup_init(), done once per process whoever asks. */
int husk_cgroup_lib_init(husk_error_t *err);

/* The host's layout: v2 when /sys/fs/cgroup is a cgroup2, else v1. */
int husk_cgroup_detect(enum husk_cg_mode *m, husk_error_t *err);

/* The absolute cgroup path for CFG's cgroupsPath and ID (NULL for disabled);
 * refuses ".." and empty components. */
char *husk_cgroup_path_for(enum husk_cg_mode m, const char *cgroups_path, const char *id,
			   husk_error_t *err);

/* Rootless: the delegated subtree husk's own cgroup is in (the highest
 * cgroup above it, itself included, that the caller owns with its
 * cgroup.procs), as a path in every hierarchy; NULL when nothing is
 * delegated (*ERR then stays unset; v1 looks at the pids hierarchy). */
char *husk_cgroup_delegated(enum husk_cg_mode m, husk_error_t *err);

/* Make the container's cgroup at PATH (mkdir -p in every hierarchy) and
 * apply L's resources (device rules also allow L's devices and the default
 * ones, as runc does).  ROOTLESS (runc's --rootless): a hierarchy the
 * caller may not make the cgroup in is left out, and device rules, which
 * take privilege, are not written; a limit that needs a hierarchy left out
 * is an error, and with none left the cgroup is husk_cgroup_mode()
 * HUSK_CG_DISABLED. */
husk_cgroup_t *husk_cgroup_create(enum husk_cg_mode m, const char *path, const husk_linux_t *l,
				  bool rootless, husk_error_t *err);
/* The same, on a v1 host only in the hierarchies that hold one of
 * CONTROLLERS (NULL-terminated; NULL: every hierarchy, as
 * husk_cgroup_create): a cgroup that needs only memory and pids then costs no
 * directory in the seven others.  Ignored on v2, where one directory holds
 * every controller. */
husk_cgroup_t *husk_cgroup_create_only(enum husk_cg_mode m, const char *path, const husk_linux_t *l,
				       bool rootless, const char *const *controllers,
				       husk_error_t *err);
/* Open an existing one, as state.json recorded it: in the hierarchies where
 * it exists (made in some only, or, not root, left out of others). */
husk_cgroup_t *husk_cgroup_open(enum husk_cg_mode m, const char *path, husk_error_t *err);
enum husk_cg_mode husk_cgroup_mode(const husk_cgroup_t *cg);
void husk_cgroup_free(husk_cgroup_t *cg);

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
/* Move PID into every hierarchy CLONE_INTO_CGROUP did not cover. */
int husk_cgroup_enter(const husk_cgroup_t *cg, pid_t pid, husk_error_t *err);
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

/* Apply R to a running container's cgroup (`update`). */
int husk_cgroup_update(const husk_cgroup_t *cg, const husk_resources_t *r, husk_error_t *err);

int husk_cgroup_freeze(const husk_cgroup_t *cg, bool frozen, husk_error_t *err);
bool husk_cgroup_is_frozen(const husk_cgroup_t *cg);

/* Kill what is left, wait for it to be gone and remove the cgroup from every
 * hierarchy. */
int husk_cgroup_destroy(husk_cgroup_t *cg, husk_error_t *err);

#endif
