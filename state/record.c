/* husk state: a container's recorded state and its live status.
 *
 * state.json says what was created; it never says whether the container
 * still runs.  That is read from the kernel every time: the recorded init
 * must be alive with its recorded start time (a reused pid is not our
 * container), and exec.fifo still existing means `start` has not run yet.
 */
#include "state/record.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroups/cgroup.h"
#include "state/liveness.h"
#include "state/statedir.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/procfs.h"
#include "util/xalloc.h"

const char *husk_status_name(enum husk_status s)
{
	switch (s) {
	case HUSK_STATUS_CREATED:
		return "created";
	case HUSK_STATUS_RUNNING:
		return "running";
	case HUSK_STATUS_PAUSED:
		return "paused";
	case HUSK_STATUS_STOPPED:
		return "stopped";
	}
	return "unknown";
}

husk_state_t *husk_state_load(int dirfd, husk_error_t *err)
{
	return husk_state_read_at(dirfd, err);
}

enum husk_status husk_state_status(int dirfd, const husk_state_t *st, int *pidfd)
{
	_cleanup_error_ husk_error_t e = NULL;
	_cleanup_close_ int procfd = -1;
	_cleanup_close_ int fd = -1;
	struct stat sb;

	if (pidfd != NULL) {
		*pidfd = -1;
	}
	if (st->pid <= 0) {
		return HUSK_STATUS_STOPPED;
	}
	procfd = husk_procfs_open(&e);
	if (procfd < 0) {
		return HUSK_STATUS_STOPPED;
	}
	fd = husk_pid_open_if_same(procfd, st->pid, st->init_start_time, &e);
	if (fd < 0) {
		return HUSK_STATUS_STOPPED;
	}
	if (pidfd != NULL) {
		*pidfd = TAKE_FD(fd);
	}
	if (fstatat(dirfd, HUSK_EXEC_FIFO, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
		return HUSK_STATUS_CREATED;
	}
	{
		husk_cgroup_t *cg = husk_state_cgroup(st, &e);
		bool frozen = cg != NULL && husk_cgroup_is_frozen(cg);

		husk_cgroup_free(cg);
		if (frozen) {
			return HUSK_STATUS_PAUSED;
		}
	}
	return HUSK_STATUS_RUNNING;
}

husk_state_t *husk_state_open(const char *root, const char *id, bool shared, int *rootfd,
			      int *dirfd, husk_error_t *err)
{
	_cleanup_close_ int rfd = husk_statedir_open_root_for(root, id, err);
	_cleanup_close_ int dfd = -1;
	husk_state_t *st;

	if (rfd < 0) {
		return NULL;
	}
	dfd = husk_statedir_open(rfd, id, shared, err);
	if (dfd < 0) {
		return NULL;
	}
	st = husk_state_load(dfd, err);
	if (st == NULL) {
		return NULL;
	}
	*dirfd = TAKE_FD(dfd);
	if (rootfd != NULL) {
		*rootfd = TAKE_FD(rfd);
	}
	return st;
}

husk_cgroup_t *husk_state_cgroup(const husk_state_t *st, husk_error_t *err)
{
	if (st->cgroup_manager == NULL) {
		return NULL;
	}
	return husk_cgroup_open(st->cgroup_manager, st->cgroup_path, err);
}

int husk_state_kill_all(const husk_state_t *st, int signo, husk_error_t *err)
{
	_cleanup_close_ int procfd = -1;
	husk_cgroup_t *cg = husk_state_cgroup(st, err);
	int r;

	if (cg == NULL && *err != NULL) {
		return -1;
	}
	/* The cgroup holds every process of the container, whatever its
	 * namespaces; without one, a pid namespace of its own does. */
	if (cg != NULL && st->cgroup_path != NULL) {
		r = husk_cgroup_signal_all(cg, signo, err);
		husk_cgroup_free(cg);
		return r < 0 ? -1 : 1;
	}
	husk_cgroup_free(cg);
	if (!st->own_pid_ns) {
		return 0;
	}
	procfd = husk_procfs_open(err);
	if (procfd < 0 || husk_pidns_signal_all(procfd, st->pid, signo, err) < 0) {
		return -1;
	}
	return 1;
}

int husk_state_monitor_pidfd(const husk_state_t *st)
{
	_cleanup_error_ husk_error_t e = NULL;
	_cleanup_close_ int procfd = -1;

	if (st->monitor_pid <= 0) {
		return -1;
	}
	procfd = husk_procfs_open(&e);
	if (procfd < 0) {
		return -1;
	}
	return husk_pid_open_if_same(procfd, st->monitor_pid, st->monitor_start_time, &e);
}

void husk_state_load_exit(int dirfd, husk_state_t *st)
{
	_cleanup_error_ husk_error_t e = NULL;
	_cleanup_close_ int monitor = -1;

	if (st->monitor_pid <= 0 || st->exit != NULL) {
		return;
	}
	st->exit = husk_exit_read_at(dirfd, &e);
	if (st->exit != NULL) {
		return;
	}
	/* No record: still being written while the monitor runs, lost for
	 * good once it is gone. */
	monitor = husk_state_monitor_pidfd(st);
	st->exit_unknown = monitor < 0;
}

/* Load ID's state with its live status filled in.  The state dir lock is
 * shared: readers never block each other. */
husk_state_t *husk_state_load_live(int rootfd, const char *id, husk_error_t *err)
{
	_cleanup_close_ int dirfd = husk_statedir_open(rootfd, id, true, err);
	husk_state_t *st;

	if (dirfd < 0) {
		return NULL;
	}
	st = husk_state_load(dirfd, err);
	if (st == NULL) {
		return NULL;
	}
	free(st->status);
	st->status = xstrdup(husk_status_name(husk_state_status(dirfd, st, NULL)));
	if (strcmp(st->status, "stopped") == 0) {
		st->pid = 0; /* runc prints pid 0 once the init is gone */
		husk_state_load_exit(dirfd, st);
	}
	return st;
}
