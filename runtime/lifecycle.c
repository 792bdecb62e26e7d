/* husk runtime: start, kill and delete, with runc's contract and words. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroups/cgroup.h"
#include "runtime/husk.h"
#include "runtime/create.h"
#include "state/evlog.h"
#include "init/hooks.h"
#include "init/sync.h"
#include "runtime/monitor.h"
#include "state/record.h"
#include "state/statedir.h"
#include "util/cleanup.h"
#include "util/file.h"
#include "util/log.h"
#include "util/open.h"
#include "util/proc.h"
#include "util/xalloc.h"

/* poststart and poststop: from the config kept in the state dir DIRFD,
 * read while the caller still holds its lock.  Their failures are warnings
 * (runtime-spec), and so is a kept config that cannot be read. */
static husk_config_t *kept_config(int dirfd, const char *id)
{
	_cleanup_error_ husk_error_t e = NULL;
	husk_config_t *cfg = husk_hooks_kept_config(dirfd, &e);

	if (cfg == NULL && e != NULL) {
		husk_warn("`%s`: cannot read its hooks: %s", id, e->msg);
	}
	return cfg;
}

static void run_hooks_warn(const husk_config_t *cfg, enum husk_hook_kind kind, husk_state_t *st,
			   const char *status)
{
	if (!husk_hooks_has(cfg, kind)) {
		return;
	}
	free(st->status);
	st->status = xstrdup(status);
	husk_hooks_run_warn(cfg, kind, st);
}

static int send_signal(int pidfd, int signo, husk_error_t *err)
{
	if (husk_pidfd_send(pidfd, signo) < 0) {
		if (errno == ESRCH) {
			return husk_error_make(err, 0, "container not running");
		}
		return husk_error_errno(err, "send signal %d", signo);
	}
	return 0;
}

/* poststart hooks, once the program runs.  runtime-spec 1.3 made a failing
 * one an error that stops the container (1.2 and before only warned): the
 * init is killed, and `delete` goes on from there. */
static int run_poststart(const husk_config_t *cfg, husk_state_t *st, int pidfd, husk_error_t *err)
{
	if (!husk_hooks_has(cfg, HUSK_HOOK_POSTSTART)) {
		return 0;
	}
	free(st->status);
	st->status = xstrdup("running");
	if (husk_hooks_run(cfg, HUSK_HOOK_POSTSTART, st, err) < 0) {
		if (pidfd >= 0) {
			husk_pidfd_send(pidfd, SIGKILL);
		}
		return husk_error_wrap(err, "the container is stopped");
	}
	return 0;
}

/* Tell the init to start: the byte on exec.fifo, or on START_FD, a volatile
 * container's socket (runtime/husk.h), which has neither the fifo nor an
 * events log. */
static int signal_start(int dirfd, const char *id, int start_fd, husk_error_t *err)
{
	_cleanup_close_ int fifo = -1;

	if (start_fd >= 0) {
		if (send(start_fd, "0", 1, MSG_NOSIGNAL) != 1) {
			if (errno == EPIPE || errno == ECONNRESET) {
				return husk_error_make(err, 0,
						       "cannot start a container that has stopped");
			}
			return husk_error_errno(err, "send start to the init");
		}
		return 0;
	}
	/* The init holds exec.fifo open for reading, so a non-blocking open for
	 * writing succeeds exactly while it lives (ENXIO once it is gone). */
	fifo = openat(dirfd, HUSK_EXEC_FIFO, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fifo < 0) {
		if (errno == ENXIO) {
			return husk_error_make(err, 0, "cannot start a container that has stopped");
		}
		return husk_error_errno(err, "open %s", HUSK_EXEC_FIFO);
	}
	if (write(fifo, "0", 1) != 1) {
		if (errno == EPIPE) {
			return husk_error_make(err, 0, "cannot start a container that has stopped");
		}
		return husk_error_errno(err, "write %s", HUSK_EXEC_FIFO);
	}
	/* Running from now on, as `state` reads it. */
	if (unlinkat(dirfd, HUSK_EXEC_FIFO, 0) < 0 && errno != ENOENT) {
		return husk_error_errno(err, "remove %s", HUSK_EXEC_FIFO);
	}
	husk_evlog_append(dirfd, id, "started", NULL);
	return 0;
}

/* Start container ID, CREATED as far as its state dir DIRFD (locked; closed
 * here, on every path) says.  ST is its state, or NULL to read it only if a
 * poststart hook needs it; PIDFD its init, to stop it if one fails; START_FD
 * a volatile container's start socket, or -1. */
static int start_locked(int dirfd_in, const char *id, husk_state_t *st, int pidfd, int start_fd,
			husk_error_t *err)
{
	_cleanup_close_ int dirfd = dirfd_in;
	_cleanup_state_ husk_state_t *read_st = NULL;
	_cleanup_config_ husk_config_t *cfg = NULL;

	if (signal_start(dirfd, id, start_fd, err) < 0) {
		return -1;
	}
	cfg = kept_config(dirfd, id);
	if (st == NULL && husk_hooks_has(cfg, HUSK_HOOK_POSTSTART)) {
		_cleanup_error_ husk_error_t e = NULL;

		st = read_st = husk_state_load(dirfd, &e);
		if (st == NULL) {
			husk_warn("`%s`: poststart hooks not run: %s", id, e->msg);
			return 0;
		}
	}
	/* Unlocked while hooks run: a hook may well ask `husk state`. */
	dirfd = husk_safe_close(dirfd);
	return st != NULL ? run_poststart(cfg, st, pidfd, err) : 0;
}

/* create: through the monitor when there is to be one (it makes the
 * container as its own child), else straight. */
int husk_container_create(const husk_create_opts_t *o, const husk_monitor_opts_t *m,
			  husk_error_t *err)
{
	husk_created_t c;

	if (m != NULL && m->enabled) {
		return husk_monitor_create(o, m, err);
	}

	if (husk_create_run_stages(o, &c, err) < 0) {
		return -1;
	}
	/* The init is now the caller's (or its subreaper's) to reap. */
	husk_created_release(&c);
	return 0;
}

int husk_container_start(const char *root, const char *id, husk_error_t *err)
{
	_cleanup_close_ int dirfd = -1;
	_cleanup_close_ int pidfd = -1;
	_cleanup_state_ husk_state_t *st = NULL;

	st = husk_state_open(root, id, false, NULL, &dirfd, err);
	if (st == NULL) {
		return -1;
	}
	switch (husk_state_status(dirfd, st, &pidfd)) {
	case HUSK_STATUS_CREATED:
		break;
	case HUSK_STATUS_STOPPED:
		return husk_error_make(err, 0, "cannot start a container that has stopped");
	default:
		return husk_error_make(err, 0, "cannot start an already running container");
	}
	return start_locked(TAKE_FD(dirfd), id, st, pidfd, -1, err);
}

int husk_container_start_created(husk_created_t *c, const char *id, husk_error_t *err)
{
	_cleanup_close_ int start_fd = TAKE_FD(c->start_fd);

	/* The init's answer to READY, or the error it sent instead. */
	if (c->ready_pending) {
		c->ready_pending = false;
		if (husk_sync_expect(c->sync, HUSK_SYNC_READY, NULL, NULL, NULL, err) < 0) {
			return -1;
		}
	}
	return start_locked(TAKE_FD(c->dirfd), id, NULL, c->pidfd, start_fd, err);
}

/* kill --all of a stopped container: what is left in its cgroup, as runc
 * does.  containerd's shim asks for it when the init of a container that
 * shares a pid namespace exits, so that its other processes do not outlive
 * it.  Never through the pid namespace of the recorded pid: that pid may be
 * another process's by now (and with a namespace of its own, nothing is
 * left once the init is gone). */
static int kill_leftovers(const husk_state_t *st, int signo, husk_error_t *err)
{
	husk_cgroup_t *cg;
	int r;

	if (st->cgroup_path == NULL) {
		return 0;
	}
	cg = husk_state_cgroup(st, err);
	if (cg == NULL) {
		return *err != NULL ? -1 : 0;
	}
	r = husk_cgroup_signal_all(cg, signo, err);
	husk_cgroup_free(cg);
	return r;
}

int husk_container_kill(const char *root, const char *id, int signo, bool all, husk_error_t *err)
{
	_cleanup_close_ int dirfd = -1;
	_cleanup_close_ int pidfd = -1;
	_cleanup_state_ husk_state_t *st = NULL;

	st = husk_state_open(root, id, true, NULL, &dirfd, err);
	if (st == NULL) {
		return -1;
	}
	if (husk_state_status(dirfd, st, &pidfd) == HUSK_STATUS_STOPPED) {
		if (all) {
			return kill_leftovers(st, signo, err);
		}
		return husk_error_make(err, 0, "container not running");
	}
	if (all) {
		int r = husk_state_kill_all(st, signo, err);

		if (r < 0) {
			return -1;
		}
		if (r == 0) {
			/* Without a pid namespace or a cgroup of its own, the
			 * container's other processes cannot be told from the
			 * host's: only the init is signalled. */
			husk_warn("kill --all: `%s` shares the host's pid namespace and has no "
				  "cgroup: only its init is signalled",
				  id);
		}
		/* The cgroup's processes include the init: it may be gone
		 * already, which is what was asked. */
		if (husk_pidfd_send(pidfd, signo) < 0 && errno != ESRCH) {
			return husk_error_errno(err, "send signal %d", signo);
		}
		return 0;
	}
	return send_signal(pidfd, signo, err);
}

/* Kill everything in the container and wait (through the pidfd) for the
 * init to be gone, so nothing of it survives the state dir. */
static int kill_and_wait(const husk_state_t *st, int pidfd, husk_error_t *err)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };

	{
		/* The init's death takes its pid namespace with it, but not
		 * before the init is reaped; do not leave stragglers meanwhile. */
		_cleanup_error_ husk_error_t e = NULL;

		husk_state_kill_all(st, SIGKILL, &e);
	}
	if (husk_pidfd_send(pidfd, SIGKILL) < 0 && errno != ESRCH) {
		return husk_error_errno(err, "kill the container");
	}
	/* A pidfd polls readable once the process has exited (zombie or
	 * reaped); a child of ours is reaped here too. */
	for (int waited = 0; waited < 100; waited++) {
		int r = poll(&pfd, 1, 100);

		if (r > 0) {
			waitpid(st->pid, NULL, WNOHANG);
			return 0;
		}
		if (r < 0 && errno != EINTR) {
			return husk_error_errno(err, "wait for the container to exit");
		}
	}
	return husk_error_make(err, ETIMEDOUT, "the container's init did not exit after SIGKILL");
}

static int set_frozen(const husk_state_t *st, bool frozen, husk_error_t *err)
{
	husk_cgroup_t *cg = husk_state_cgroup(st, err);
	int r;

	if (cg == NULL) {
		return *err != NULL ? -1 : husk_error_make(err, 0, "the container has no cgroup");
	}
	r = husk_cgroup_freeze(cg, frozen, err);
	husk_cgroup_free(cg);
	return r;
}

static int destroy_cgroup(const husk_state_t *st, husk_error_t *err)
{
	husk_cgroup_t *cg = husk_state_cgroup(st, err);
	int r;

	if (cg == NULL) {
		return *err != NULL ? -1 : 0;
	}
	r = husk_cgroup_destroy(cg, err);
	husk_cgroup_free(cg);
	return r;
}

/* Up to two seconds: a monitor only reaps, writes a file and exits. */
static void wait_for_monitor(const husk_state_t *st)
{
	_cleanup_close_ int fd = husk_state_monitor_pidfd(st);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (fd >= 0) {
		poll(&pfd, 1, 2000);
	}
}

/* Block until the pidfd FD is readable (its process ended). */
static int wait_pidfd(int fd, const char *what, husk_error_t *err)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	while (poll(&pfd, 1, -1) < 0) {
		if (errno != EINTR) {
			return husk_error_errno(err, "wait: %s", what);
		}
	}
	return 0;
}

int husk_container_wait(const char *root, const char *id, int *exit_status, husk_error_t *err)
{
	_cleanup_close_ int dirfd = -1, plain = -1, init = -1, monitor = -1;
	_cleanup_state_ husk_state_t *st = NULL;

	/* Shared lock, dropped at once: waiting must not hold up delete. */
	st = husk_state_open(root, id, true, NULL, &dirfd, err);
	if (st == NULL) {
		return -1;
	}
	husk_state_status(dirfd, st, &init);
	/* Without a monitor nobody records the exit: say so now, not after
	 * the container's whole life. */
	if (st->monitor_pid <= 0) {
		return husk_error_make(err, 0,
				       "wait: the exit status of %s is unknown: it has no monitor "
				       "(create --monitor, run --detach)",
				       id);
	}
	monitor = husk_state_monitor_pidfd(st);
	/* The same directory through a descriptor of its own, which holds no
	 * lock: a delete --force must not wait for us while we wait for it. */
	plain = openat(dirfd, ".", HUSK_O_DIR);
	if (plain < 0) {
		return husk_error_errno(err, "wait: open the state of %s", id);
	}
	husk_safe_close(dirfd);
	dirfd = TAKE_FD(plain);
	if ((init >= 0 && wait_pidfd(init, "the container", err) < 0) ||
	    (monitor >= 0 && wait_pidfd(monitor, "the monitor", err) < 0)) {
		return -1;
	}
	husk_state_load_exit(dirfd, st);
	if (st->exit == NULL) {
		return husk_error_make(err, 0, "wait: the exit status of %s is unknown: %s", id,
				       "its monitor ended before recording it");
	}
	*exit_status = st->exit->code;
	printf("%d\n", st->exit->code);
	return fflush(stdout) == 0 ? 0 : husk_error_errno(err, "wait: write to stdout");
}

int husk_container_delete(const char *root, const char *id, bool force, husk_error_t *err)
{
	_cleanup_close_ int rootfd = -1;
	_cleanup_close_ int dirfd = -1;
	_cleanup_close_ int pidfd = -1;
	_cleanup_state_ husk_state_t *st = NULL;
	_cleanup_config_ husk_config_t *cfg = NULL;
	enum husk_status status;

	rootfd = husk_statedir_open_root_for(root, id, err);
	if (rootfd >= 0) {
		dirfd = husk_statedir_open(rootfd, id, false, err);
	}
	if (dirfd < 0) {
		/* runc: deleting a container that does not exist is not an
		 * error when forced. */
		if (force && strstr((*err)->msg, "container does not exist") != NULL) {
			husk_error_free(err);
			return 0;
		}
		return -1;
	}
	st = husk_state_load(dirfd, err);
	if (st == NULL) {
		if (!force) {
			return husk_error_wrap(err, "delete `%s`", id);
		}
		/* A state dir without a readable state.json (a create killed
		 * at the wrong moment) is only removable by force. */
		husk_log_error(*err);
		husk_error_free(err);
		return husk_statedir_remove(rootfd, id, dirfd, err);
	}
	status = husk_state_status(dirfd, st, &pidfd);
	switch (status) {
	case HUSK_STATUS_STOPPED:
		break;
	case HUSK_STATUS_CREATED:
		/* runc deletes a created container without --force: its init
		 * has not run the user's program yet. */
		if (kill_and_wait(st, pidfd, err) < 0) {
			return -1;
		}
		break;
	default:
		if (!force) {
			return husk_error_make(err, 0,
					       "cannot delete container %s that is not stopped: %s",
					       id, husk_status_name(status));
		}
		/* A frozen init cannot act on SIGKILL: thaw it first. */
		if (status == HUSK_STATUS_PAUSED && set_frozen(st, false, err) < 0) {
			return -1;
		}
		if (kill_and_wait(st, pidfd, err) < 0) {
			return -1;
		}
		break;
	}
	/* A monitor is recording the exit into the state dir: let it finish
	 * before the dir goes. */
	wait_for_monitor(st);
	/* Whatever is left in the cgroup (processes that outlived the init
	 * without a pid namespace of their own) goes with it. */
	if (destroy_cgroup(st, err) < 0) {
		return -1;
	}
	cfg = kept_config(dirfd, id);
	if (husk_statedir_remove(rootfd, id, dirfd, err) < 0) {
		return -1;
	}
	/* poststop: after the container is gone, before delete returns. */
	dirfd = husk_safe_close(dirfd);
	run_hooks_warn(cfg, HUSK_HOOK_POSTSTOP, st, "stopped");
	return 0;
}

/* pause and resume: the cgroup freezer, with runc's words for the wrong
 * state. */
static int pause_resume(const char *root, const char *id, bool pause, husk_error_t *err)
{
	_cleanup_close_ int dirfd = -1;
	_cleanup_state_ husk_state_t *st = NULL;
	enum husk_status status;

	st = husk_state_open(root, id, false, NULL, &dirfd, err);
	if (st == NULL) {
		return -1;
	}
	status = husk_state_status(dirfd, st, NULL);
	if (pause && status != HUSK_STATUS_RUNNING) {
		return husk_error_make(err, 0, "container not running");
	}
	if (!pause && status != HUSK_STATUS_PAUSED) {
		return husk_error_make(err, 0, "container not paused");
	}
	if (set_frozen(st, pause, err) < 0) {
		return -1;
	}
	husk_evlog_append(dirfd, id, pause ? "paused" : "resumed", NULL);
	return 0;
}

int husk_container_pause(const char *root, const char *id, husk_error_t *err)
{
	return pause_resume(root, id, true, err);
}

int husk_container_resume(const char *root, const char *id, husk_error_t *err)
{
	return pause_resume(root, id, false, err);
}

int husk_container_pids(const char *root, const char *id, pid_t **pids, husk_error_t *err)
{
	_cleanup_close_ int dirfd = -1;
	_cleanup_state_ husk_state_t *st = NULL;
	husk_cgroup_t *cg;
	ssize_t n;

	*pids = NULL;
	st = husk_state_open(root, id, true, NULL, &dirfd, err);
	if (st == NULL) {
		return -1;
	}
	cg = husk_state_cgroup(st, err);
	if (cg == NULL || st->cgroup_path == NULL) {
		husk_cgroup_free(cg);
		if (*err != NULL) {
			return -1;
		}
		return husk_error_make(err, 0, "ps: `%s` has no cgroup to list", id);
	}
	n = husk_cgroup_pids(cg, pids, err);
	husk_cgroup_free(cg);
	return (int) n;
}

int husk_container_update(const char *root, const char *id, const char *file,
			  const husk_resources_t *flags, husk_error_t *err)
{
	_cleanup_close_ int dirfd = -1;
	_cleanup_state_ husk_state_t *st = NULL;
	_cleanup_free_ char *json = NULL;
	husk_resources_t *parsed = NULL;
	husk_cgroup_t *cg;
	size_t len = 0;
	int r;

	st = husk_state_open(root, id, false, NULL, &dirfd, err);
	if (st == NULL) {
		return -1;
	}
	if (husk_state_status(dirfd, st, NULL) == HUSK_STATUS_STOPPED) {
		return husk_error_make(err, 0, "container not running");
	}
	if (file != NULL) {
		json = husk_read_file(file, 4 << 20, &len, err);
		if (json == NULL) {
			return husk_error_wrap(err, "update");
		}
		parsed = husk_resources_parse(json, len, "update", err);
		if (parsed == NULL) {
			return -1;
		}
	}
	cg = husk_state_cgroup(st, err);
	if (cg == NULL) {
		husk_resources_free(parsed);
		return *err != NULL ? -1
				    : husk_error_make(err, 0, "update: `%s` has no cgroup", id);
	}
	r = husk_cgroup_update(cg, parsed != NULL ? parsed : flags, err);
	husk_cgroup_free(cg);
	husk_resources_free(parsed);
	return r;
}
