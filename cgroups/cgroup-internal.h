/* husk cgroups: the manager table and what the drivers share (private to
 * cgroups/).
 *
 * A manager is a small table of operations (struct husk_cgroup_manager_s);
 * cgroup.c, the public API, dispatches every husk_cgroup_* call through the
 * table of the cgroup's manager and never asks which one it is.  The
 * managers:
 *   v1.c        v1 controllers through libcgroup, plus the unified
 *               hierarchy of a hybrid host;
 *   v2.c        one cgroup2 directory;
 *   systemd.c   a transient unit made through systemd's D-Bus API, with
 *               the container in a sub-cgroup of it that the v2 code fills;
 *   disabled.c  no cgroup at all.
 * What drives a cgroup once it exists (listing, signalling, freezing,
 * removing its directories) is the same for every cgroupfs layout and
 * lives in cgroupfs.c, over the directories a manager filled in.  The
 * order, each file using only those after it: cgroup.c; systemd.c; v1.c,
 * v2.c, sub.c; disabled.c; cgroupfs.c (tests/layers.py holds it to no
 * cycle).
 */
#ifndef HUSK_CGROUPS_CGROUP_INTERNAL_H
#define HUSK_CGROUPS_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroups/cgroup-types.h"
#include "spec/config.h"
#include "util/error.h"

#define HUSK_CG_ROOT    "/sys/fs/cgroup"
#define HUSK_CG_UNIFIED "/sys/fs/cgroup/unified"
#define HUSK_CG_V1_MAX  16

struct husk_cg_systemd_s;

struct husk_cgroup_s {
	const husk_cgroup_manager_t *m;
	char *path;                     /* absolute in each hierarchy; NULL when disabled */
	char *unified;                  /* its directory in the cgroup2 hierarchy, or NULL */
	int unified_fd;                 /* O_PATH of it, for CLONE_INTO_CGROUP */
	size_t n;                       /* v1 hierarchies */
	char *v1[HUSK_CG_V1_MAX];       /* the cgroup's directory in each */
	char *v1_ctl[HUSK_CG_V1_MAX];   /* a controller of each ("memory"), to find files */
	bool rootless;                  /* hierarchies the caller may not write are left out */
	char *dropped;                  /* those left out, "memory pids", for errors; or NULL */
	bool existed;                   /* made: some of its directories were there already */
	struct husk_cg_systemd_s *unit; /* the systemd driver's own part, or NULL */
};

struct husk_cgroup_manager_s {
	/* As state.json records it. */
	const char *name;
	/* The container is one cgroup2 directory (cg->unified): cgroup.kill,
	 * cgroup.freeze, one cgroup.procs. */
	bool unified;
	/* Fill CG (its m set, the rest empty) for REQ: make the cgroup and
	 * apply the config's resources.  May hand CG to `disabled` (rootless
	 * with nothing delegated), which then makes it. */
	int (*make)(husk_cgroup_t *cg, const husk_cgroup_req_t *req, husk_error_t *err);
	/* Fill CG for the existing cgroup at cg->path, as state.json recorded
	 * it. */
	int (*open)(husk_cgroup_t *cg, husk_error_t *err);
	/* Apply R to the running container (`update`). */
	int (*update)(husk_cgroup_t *cg, const husk_resources_t *r, husk_error_t *err);
	/* PID, the init, is in now: move it where CLONE_INTO_CGROUP did not
	 * put it. */
	int (*enter)(husk_cgroup_t *cg, pid_t pid, husk_error_t *err);
	/* Kill what is left and remove everything the manager made. */
	int (*destroy)(husk_cgroup_t *cg, husk_error_t *err);
	/* Free what the manager keeps of its own (NULL: nothing). */
	void (*release)(husk_cgroup_t *cg);
};

extern const husk_cgroup_manager_t husk_cg_v1;
extern const husk_cgroup_manager_t husk_cg_v2;
extern const husk_cgroup_manager_t husk_cg_systemd;
extern const husk_cgroup_manager_t husk_cg_disabled;

/* ---- cgroupfs.c: files and directories ---- */

int husk_cg_write(const char *dir, const char *file, const char *value, husk_error_t *err);
int husk_cg_write_int(const char *dir, const char *file, int64_t v, husk_error_t *err);
/* FILE of DIR whole, NUL-terminated. */
char *husk_cg_read(const char *dir, const char *file, husk_error_t *err);
bool husk_cg_exists(const char *dir, const char *file);
/* Whether the space-separated LIST names CTL. */
bool husk_cg_listed(const char *list, const char *ctl);

/* mkdir -p of ROOT + PATH.  INIT_CPUSET: each new level copies its parent's
 * cpuset.cpus and cpuset.mems (a v1 cpuset cgroup starts empty and takes no
 * task).  ENABLE (v2): each level's parent first hands down every
 * controller it has (husk_cg_enable_controllers).  *EXISTED says whether the
 * last level was there already.  Returns the directory made. */
char *husk_cg_make_dirs(const char *root, const char *path, bool init_cpuset, bool enable,
			bool *existed, husk_error_t *err);
/* v2: enable in DIR's cgroup.subtree_control every controller DIR has that
 * is not enabled yet (best effort per controller). */
int husk_cg_enable_controllers(const char *dir, husk_error_t *err);

/* husk's own cgroup, from /proc/self/cgroup: the unified line when
 * UNIFIED, else the pids hierarchy's. */
char *husk_cg_own(bool unified, husk_error_t *err);
/* libcgroup's cgroup_init(), once per process (husk_cgroup_lib_init). */
int husk_cg_lib_init(husk_error_t *err);
/* husk_cgroup_delegated() of a cgroupfs layout: UNIFIED (v2) or v1. */
char *husk_cg_delegated(bool unified, husk_error_t *err);

/* The unified hierarchy's part of opening (CREATE false) or making a
 * cgroup at cg->path under UROOT: cg->unified and cg->unified_fd.  Rootless,
 * a directory the caller may not make, or may not move a process into, is
 * left out (noted in cg->dropped as WHAT). */
int husk_cg_unified_setup(husk_cgroup_t *cg, const char *uroot, bool create, const char *what,
			  husk_error_t *err);
void husk_cg_add_dropped(husk_cgroup_t *cg, const char *what);
/* Whether a failure to make a cgroup is one a rootless caller is expected to
 * meet: a hierarchy nobody delegated to it. */
bool husk_cg_not_ours(husk_error_t e);
/* linux.resources.WHAT needs DIR: an error naming why there is none. */
int husk_cg_need_dir(const husk_cgroup_t *cg, const char *dir, const char *what, husk_error_t *err);

/* The cgroupfs drivers' path for REQ, in cg->path: linux.cgroupsPath,
 * /husk/<id>, or /husk/<id> under the rootless caller's delegated subtree.
 * Returns 0, 1 when the caller is rootless with nothing delegated (no path:
 * hand CG to `disabled`), or -1 on error. */
int husk_cg_fs_path(husk_cgroup_t *cg, const husk_cgroup_req_t *req, husk_error_t *err);
/* Hand CG to `disabled` and make it there (disabled.c). */
int husk_cg_make_disabled(husk_cgroup_t *cg, const husk_cgroup_req_t *req, husk_error_t *err);
/* Rootless, and the driver found no hierarchy it may write: an error if L
 * asks for a limit, else CG handed to `disabled` (the container stays in
 * the caller's cgroups).  disabled.c. */
int husk_cg_none_writable(husk_cgroup_t *cg, const husk_linux_t *l, husk_error_t *err);
/* After the driver made its directories: refuse a cgroup that other
 * processes are in, then apply L's resources with APPLY.  On error the
 * directories made are removed. */
int husk_cg_fs_finish(husk_cgroup_t *cg, const husk_linux_t *l,
		      int (*apply)(husk_cgroup_t *cg, const husk_linux_t *l, husk_error_t *err),
		      husk_error_t *err);
/* Whether R asks for any limit at all. */
bool husk_cg_any_limit(const husk_resources_t *r);
/* R's linux.resources.rdma into DIR's rdma.max, a line per device
 * ("mlx5_0 hca_handle=3 hca_object=max"), the same on v1 and v2; DIR NULL,
 * or without the file: an error, when R asks for any. */
int husk_cg_apply_rdma(const char *dir, const husk_resources_t *r, husk_error_t *err);

/* Every device rule the container's cgroup gets, in order: the config's
 * linux.resources.devices, the default devices, then the devices the config
 * itself asks to be made.  The strings are borrowed.  Returns the count,
 * with *RULES a new array. */
size_t husk_cg_device_rules(const husk_linux_t *l, husk_device_rule_t **rules);

/* The directory whose cgroup.procs lists every process of the container. */
const char *husk_cg_procs_dir(const husk_cgroup_t *cg);
/* What husk_cgroup_pids, _signal_all, _freeze, _is_frozen and _use_sub
 * (cgroups/cgroup.h) say, over any cgroupfs layout. */
ssize_t husk_cg_pids(const husk_cgroup_t *cg, pid_t **pids, husk_error_t *err);
int husk_cg_signal_all(const husk_cgroup_t *cg, int signo, husk_error_t *err);
int husk_cg_freeze(const husk_cgroup_t *cg, bool frozen, husk_error_t *err);
bool husk_cg_is_frozen(const husk_cgroup_t *cg);
int husk_cg_use_sub(husk_cgroup_t *cg, char *const *specs, husk_error_t *err);
/* Kill everything in the cgroup, wait (bounded) until it is empty, and
 * remove its directories in every hierarchy. */
int husk_cg_fs_destroy(husk_cgroup_t *cg, husk_error_t *err);
/* The processes in the cgroup leave, as husk_cg_fs_destroy's first half. */
void husk_cg_fs_empty(husk_cgroup_t *cg);
/* DIR and the cgroups below it, deepest first. */
int husk_cg_remove_dir(const char *dir, husk_error_t *err);

/* ---- v2.c: what the systemd driver builds on ---- */

/* The v2 resources of L, written into cg->unified. */
int husk_cg_v2_apply(husk_cgroup_t *cg, const husk_linux_t *l, husk_error_t *err);
/* `update` on v2: checkBeforeUpdate, then husk_cg_v2_apply. */
int husk_cg_v2_update(husk_cgroup_t *cg, const husk_resources_t *r, husk_error_t *err);
/* The conversions from the v1 values the spec speaks in: Kubernetes'
 * curve for cpu.shares, runc's line for the blkio weight. */
uint64_t husk_cg_shares_to_weight(uint64_t shares);
uint64_t husk_cg_blkio_to_io_weight(uint64_t w);

/* `update`'s checkBeforeUpdate: DIR's usage (its FILE) against R's new
 * memory limit. */
int husk_cg_check_before_update(const husk_cgroup_t *cg, const char *dir, const char *file,
				const husk_resources_t *r, husk_error_t *err);

#endif
