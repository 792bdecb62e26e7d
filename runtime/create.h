/* husk runtime: create, shared by `create` and `run` (runtime-private). */
#ifndef HUSK_RUNTIME_CREATE_H
#define HUSK_RUNTIME_CREATE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "init/lsm.h"
#include "runtime/husk.h"
#include "seccomp/seccomp.h"
#include "spec/config.h"

/* What a successful create leaves in the caller's hands. */
typedef struct husk_created_s {
	husk_config_t *cfg;
	char *bundle; /* absolute */
	uint64_t clone_flags;
	pid_t pid; /* the init, in husk's pid namespace */
	int pidfd;
	int dirfd; /* <root>/<id>, locked */
	int rootfd;
	int procfd;
	int sync;
	bool setgroups_denied;
	int console_master; /* the pty master, for `run` to relay; -1 without a terminal */
	int parent_pidfd;   /* die_with_parent: husk's own, for the init to watch; else -1 */
	int rootfs_mfd;     /* a user namespace's rootfs, cloned by husk before clone; else -1 */
	int passed_fds;     /* descriptors from 3 up passed to the container */
	bool joined_userns; /* the init joined a user namespace by path */
	bool late_cgroupns; /* the init unshares its cgroup namespace once moved in */
	struct husk_cgroup_s *cgroup; /* the container's cgroup (cgroups/cgroup.h) */
	bool monitored;               /* created by a monitor, which is its parent */
	bool volatile_state;          /* state.json not synced (husk_create_opts_t) */
	int start_fd;           /* volatile_state: husk's end of the start socket pair, else -1 */
	bool ready_pending;     /* die_with_parent: the init's READY is read at start */
	const char *output_log; /* the monitor's log of its output */
	/* linux.seccomp compiled, or NULL */
	husk_seccomp_filter_t *seccomp;
	int netns;           /* keep_netns: the container's network namespace, else -1 */
	husk_lsm_plan_t lsm; /* the process's AppArmor profile and SELinux label */
	/* The listener of a watched filter (husk_create_opts_t.seccomp_watch),
	 * for the caller to answer; -1 for none */
	int seccomp_notify;
} husk_created_t;

/* A husk_created_t holding nothing: every descriptor -1. */
#define HUSK_CREATED_INIT                        \
	((husk_created_t){ .pidfd = -1,          \
			   .dirfd = -1,          \
			   .rootfd = -1,         \
			   .procfd = -1,         \
			   .sync = -1,           \
			   .console_master = -1, \
			   .parent_pidfd = -1,   \
			   .rootfs_mfd = -1,     \
			   .netns = -1,          \
			   .seccomp_notify = -1, \
			   .start_fd = -1 })

/* Create's stages, from the bundle to a recorded, CREATED container whose
 * init waits on exec.fifo, with *C filled.  The verbs build on it: `create`
 * through husk_container_create() (runtime/lifecycle.c), `run`, the
 * monitor and the sandbox.  On failure nothing is left: no state dir,
 * cgroup, mount or process. */
int husk_create_run_stages(const husk_create_opts_t *o, husk_created_t *c, husk_error_t *err);
/* `run` and `sandbox`: start the container C that this process has just
 * created, whose state dir it still holds locked (C->dirfd, closed here):
 * nothing to read back or to check, and no other command in between. */
int husk_container_start_created(husk_created_t *c, const char *id, husk_error_t *err);
void husk_created_release(husk_created_t *c);
/* Undo a create (or restore) that failed after the state dir was made:
 * kill and reap the init, remove its cgroup and its state dir. */
void husk_create_abort(husk_created_t *c, const char *id);

/* Make the container's cgroup for C->cfg (--cgroup-manager O->cgroup_manager,
 * linux.cgroupsPath or /husk/<O->id>) with its resources applied: fills
 * C->cgroup. */
int husk_create_make_cgroup(const husk_create_opts_t *o, husk_created_t *c, husk_error_t *err);

/* Write PID to PATH atomically (temp file + rename): engines poll for it and
 * must never read a partial number. */
/* Write state.json for the container C has just made. */
int husk_create_record(const husk_created_t *c, const char *id, husk_error_t *err);

int husk_write_pid_file(const char *path, pid_t pid, husk_error_t *err);

#endif
