/* husk runtime: run = create + start (+ wait, forward signals, delete). */
#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "runtime/husk.h"
#include "runtime/create.h"
#include "runtime/monitor.h"
#include "init/stage.h"
#include "init/tty.h"
#include "runtime/wait.h"
#include "util/cleanup.h"
#include "util/log.h"

/* run --detach with a monitor: it creates the container, we start it. */
static int run_monitored(const husk_create_opts_t *o, const husk_monitor_opts_t *m,
			 husk_error_t *err)
{
	if (husk_monitor_create(o, m, err) < 0) {
		return -1;
	}
	husk_stage("run-monitored");
	if (husk_container_start(o->root, o->id, err) < 0) {
		_cleanup_error_ husk_error_t e = NULL;

		if (husk_container_delete(o->root, o->id, true, &e) < 0) {
			husk_log_error(e);
		}
		return -1;
	}
	return 0;
}

int husk_container_run(const husk_create_opts_t *o, const husk_run_opts_t *r, int *exit_status,
		       husk_error_t *err)
{
	husk_create_opts_t opts = *o;
	husk_tty_saved_t saved = { .raw = false };
	husk_created_t c;
	sigset_t set, old;
	int ret = -1;

	*exit_status = 0;
	if (r->detach && r->monitor.enabled) {
		return run_monitored(o, &r->monitor, err);
	}
	if (!r->detach && !r->no_subreaper && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		return husk_error_errno(err, "prctl(PR_SET_CHILD_SUBREAPER)");
	}
	/* Blocked before the clone, so no signal meant for the container is
	 * lost (or kills husk) between create and wait; the init unblocks its
	 * own copy at once. */
	husk_wait_forwardable(&set);
	if (!r->detach) {
		sigprocmask(SIG_BLOCK, &set, &old);
	}
	if (!r->detach) {
		opts.tty_relay = true;
	}
	if (husk_create_run_stages(&opts, &c, err) < 0) {
		goto out;
	}
	if (c.console_master >= 0 && husk_tty_make_raw(STDIN_FILENO, &saved, err) < 0) {
		_cleanup_error_ husk_error_t e = NULL;

		/* delete locks the state dir itself: a lock still held here, on
		 * another open of it, would block it for good. */
		c.dirfd = husk_safe_close(c.dirfd);
		if (husk_container_delete(o->root, o->id, true, &e) < 0) {
			husk_log_error(e);
		}
		goto release;
	}
	husk_stage("run-created");
	if (husk_container_start_created(&c, o->id, err) < 0) {
		_cleanup_error_ husk_error_t e = NULL;

		if (husk_container_delete(o->root, o->id, true, &e) < 0) {
			husk_log_error(e);
		}
		goto release;
	}
	if (r->detach) {
		ret = 0;
		goto release;
	}
	husk_stage("run-started");
	ret = husk_wait_forwarding(c.pid, c.pidfd, c.console_master, &set, exit_status, err);
	if (ret == 0 && !r->keep) {
		_cleanup_error_ husk_error_t e = NULL;

		if (husk_container_delete(o->root, o->id, true, &e) < 0) {
			husk_log_error(e);
		}
	}
release:
	husk_tty_restore(STDIN_FILENO, &saved);
	husk_created_release(&c);
out:
	if (!r->detach) {
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	return ret;
}
