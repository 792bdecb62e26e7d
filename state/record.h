/* husk state: a container's recorded state and its live status. */
#ifndef HUSK_STATE_RECORD_H
#define HUSK_STATE_RECORD_H

#include "spec/state.h"

enum husk_status {
	HUSK_STATUS_CREATED,
	HUSK_STATUS_RUNNING,
	HUSK_STATUS_PAUSED,
	HUSK_STATUS_STOPPED,
};

const char *husk_status_name(enum husk_status s);

/* A pidfd on ST's monitor while it runs (the same process: start time
 * checked), else -1. */
int husk_state_monitor_pidfd(const husk_state_t *st);

/* For a stopped container: the exit its monitor recorded into st->exit,
 * or st->exit_unknown when the monitor is gone without one. */
void husk_state_load_exit(int dirfd, husk_state_t *st);

/* Open the existing container ID under ROOT: its state dir, locked (shared
 * or not) in *DIRFD, the root in *ROOTFD when not NULL, and its state.
 * Errors use runc's words ("container does not exist: ID"). */
husk_state_t *husk_state_open(const char *root, const char *id, bool shared, int *rootfd,
			      int *dirfd, husk_error_t *err);

/* ID's state under ROOTFD with its live status filled in (its exit too,
 * once stopped); the state dir is locked shared meanwhile, so readers never
 * block each other. */
husk_state_t *husk_state_load_live(int rootfd, const char *id, husk_error_t *err);

/* Read state.json from the (locked) state dir. */
husk_state_t *husk_state_load(int dirfd, husk_error_t *err);

/* The live status: stopped unless the recorded init is alive with its
 * recorded start time; created while exec.fifo exists.  When alive and
 * PIDFD is not NULL, *PIDFD receives a pidfd pinning the init. */
enum husk_status husk_state_status(int dirfd, const husk_state_t *st, int *pidfd);

/* The container's cgroup as state.json recorded it; NULL without one. */
struct husk_cgroup_s *husk_state_cgroup(const husk_state_t *st, husk_error_t *err);

/* Signal every process of the container, through its cgroup, or else its
 * own pid namespace (all but the init, see liveness.h).  Returns 1 when it
 * could, 0 when neither exists (only the init can be told apart), -1. */
int husk_state_kill_all(const husk_state_t *st, int signo, husk_error_t *err);

#endif
