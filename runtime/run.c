/* husk runtime: run = create + start (+ wait, forward signals, delete). */
#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/container.h"
#include "runtime/create.h"
#include "util/cleanup.h"
#include "util/log.h"

/* Signals husk receives are the container's: forwarded, never acted on.
 * Those a fault raises in husk itself stay deliverable. */
static void forwardable(sigset_t *set)
{
	sigfillset(set);
	sigdelset(set, SIGSEGV);
	sigdelset(set, SIGBUS);
	sigdelset(set, SIGFPE);
	sigdelset(set, SIGILL);
	sigdelset(set, SIGABRT);
	sigdelset(set, SIGTRAP);
	sigdelset(set, SIGSYS);
}

static int exit_status_of(int wstatus)
{
	if (WIFSIGNALED(wstatus)) {
		return 128 + WTERMSIG(wstatus);
	}
	return WEXITSTATUS(wstatus);
}

/* Wait for the init, forwarding every signal to it and reaping whatever
 * else ends up ours as subreaper. */
static int wait_forwarding(const husk_created_t *c, const sigset_t *set, int *exit_status,
			   husk_error_t *err)
{
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(set, &si);

		if (sig < 0) {
			if (errno == EINTR) {
				continue;
			}
			return husk_error_errno(err, "wait for signals");
		}
		if (sig != SIGCHLD) {
			syscall(SYS_pidfd_send_signal, c->pidfd, sig, NULL, 0);
			continue;
		}
		for (;;) {
			int wstatus;
			pid_t pid = waitpid(-1, &wstatus, WNOHANG);

			if (pid <= 0) {
				break;
			}
			if (pid == c->pid) {
				*exit_status = exit_status_of(wstatus);
				return 0;
			}
		}
	}
}

int husk_container_run(const husk_create_opts_t *o, const husk_run_opts_t *r, int *exit_status,
		       husk_error_t *err)
{
	husk_created_t c;
	sigset_t set, old;
	int ret = -1;

	*exit_status = 0;
	if (!r->detach && !r->no_subreaper && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		return husk_error_errno(err, "prctl(PR_SET_CHILD_SUBREAPER)");
	}
	/* Blocked before the clone, so no signal meant for the container is
	 * lost (or kills husk) between create and wait; the init unblocks its
	 * own copy at once. */
	forwardable(&set);
	if (!r->detach) {
		sigprocmask(SIG_BLOCK, &set, &old);
	}
	if (husk_create_container(o, &c, err) < 0) {
		goto out;
	}
	/* start takes the state dir lock itself. */
	c.dirfd = husk_safe_close(c.dirfd);
	if (husk_container_start(o->root, o->id, err) < 0) {
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
	ret = wait_forwarding(&c, &set, exit_status, err);
	if (ret == 0 && !r->keep) {
		_cleanup_error_ husk_error_t e = NULL;

		if (husk_container_delete(o->root, o->id, true, &e) < 0) {
			husk_log_error(e);
		}
	}
release:
	husk_created_release(&c);
out:
	if (!r->detach) {
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	return ret;
}
