/* husk runtime: a container's recorded state and its live status.
 *
 * state.json says what was created; it never says whether the container
 * still runs.  That is read from the kernel every time: the recorded init
 * must be alive with its recorded start time (a reused pid is not our
 * container), and exec.fifo still existing means `start` has not run yet.
 */
#include "runtime/state.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroups/cgroup.h"
#include "runtime/container.h"
#include "runtime/liveness.h"
#include "runtime/statedir.h"
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

char *husk_now_rfc3339(void)
{
	struct timespec ts;
	char buf[64];

	clock_gettime(CLOCK_REALTIME, &ts);
	husk_utc_stamp(&ts, true, buf, sizeof(buf));
	return xstrdup(buf);
}

/* runc leaves the owner empty for root's containers. */
static char *owner_name(void)
{
	return geteuid() == 0 ? xstrdup("") : xasprintf("%u", (unsigned) geteuid());
}

int husk_state_record(const husk_created_t *c, const char *id, husk_error_t *err)
{
	husk_state_t st = {
		.id = (char *) id,
		.pid = c->pid,
		.bundle = c->bundle,
		.own_pid_ns = (c->clone_flags & CLONE_NEWPID) != 0,
		.no_sync = c->volatile_state,
	};
	_cleanup_free_ char *rootfs = NULL;
	_cleanup_free_ char *created = husk_now_rfc3339();
	_cleanup_free_ char *owner = owner_name();
	const char *root = c->cfg->root->path;

	if (root[0] == '/') {
		rootfs = xstrdup(root);
	} else {
		rootfs = xasprintf("%s/%s", c->bundle, root);
	}
	st.rootfs = rootfs;
	st.created = created;
	st.owner = owner;
	st.annotations = c->cfg->annotations;
	st.cgroup_manager = (char *) husk_cgroup_manager_name(husk_cgroup_manager(c->cgroup));
	st.cgroup_path = (char *) husk_cgroup_path(c->cgroup);
	st.output_log = (char *) c->output_log;
	if (husk_pid_start_time(c->procfd, c->pid, &st.init_start_time, err) < 0) {
		return husk_error_wrap(err, "record the container init");
	}
	if (c->monitored) {
		st.monitor_pid = getpid();
		if (husk_pid_start_time(c->procfd, st.monitor_pid, &st.monitor_start_time, err) <
		    0) {
			return husk_error_wrap(err, "record the monitor");
		}
	}
	return husk_state_write_at(c->dirfd, &st, err);
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
static husk_state_t *load_live(int rootfd, const char *id, husk_error_t *err)
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

int husk_container_state(const char *root, const char *id, husk_error_t *err)
{
	_cleanup_close_ int rootfd = husk_statedir_open_root_for(root, id, err);
	_cleanup_state_ husk_state_t *st = NULL;
	_cleanup_free_ char *json = NULL;

	if (rootfd < 0) {
		return -1;
	}
	st = load_live(rootfd, id, err);
	if (st == NULL) {
		return -1;
	}
	json = husk_state_to_json(st);
	printf("%s\n", json);
	return fflush(stdout) == 0 ? 0 : husk_error_errno(err, "write the state");
}

int husk_container_list(const char *root, enum husk_list_format format, bool quiet,
			husk_error_t *err)
{
	_cleanup_close_ int rootfd = -1;
	_cleanup_strv_ char **ids = NULL;
	husk_state_t **v = NULL;
	size_t n = 0, count = 0;

	rootfd = husk_statedir_open_root(root, false, err);
	if (rootfd < 0) {
		if (husk_error_errno_of(*err) != ENOENT) {
			return -1;
		}
		/* No root yet: no containers, as runc says. */
		husk_error_free(err);
	} else {
		ids = husk_statedir_list(rootfd, &count, err);
		if (ids == NULL) {
			return -1;
		}
	}
	v = xcalloc(count + 1, sizeof(*v));
	for (size_t i = 0; i < count; i++) {
		_cleanup_error_ husk_error_t e = NULL;

		/* A container deleted while we list is simply not listed. */
		v[n] = load_live(rootfd, ids[i], &e);
		if (v[n] != NULL) {
			n++;
		}
	}
	if (quiet) {
		for (size_t i = 0; i < n; i++) {
			printf("%s\n", v[i]->id);
		}
	} else if (format == HUSK_LIST_JSON) {
		_cleanup_free_ char *json = husk_state_list_to_json(v, n);

		printf("%s\n", json);
	} else {
		printf("%-12s %-8s %-10s %-40s %-30s %-8s %s\n", "ID", "PID", "STATUS", "BUNDLE",
		       "CREATED", "OWNER", "EXIT");
		for (size_t i = 0; i < n; i++) {
			char code[16] = "-";

			if (v[i]->exit != NULL) {
				snprintf(code, sizeof(code), "%d", v[i]->exit->code);
			} else if (v[i]->exit_unknown) {
				snprintf(code, sizeof(code), "unknown");
			}
			printf("%-12s %-8d %-10s %-40s %-30s %-8s %s\n", v[i]->id, v[i]->pid,
			       v[i]->status, v[i]->bundle, v[i]->created,
			       v[i]->owner[0] != '\0' ? v[i]->owner : "root", code);
		}
	}
	for (size_t i = 0; i < n; i++) {
		husk_state_free(v[i]);
	}
	free(v);
	return fflush(stdout) == 0 ? 0 : husk_error_errno(err, "write the list");
}
