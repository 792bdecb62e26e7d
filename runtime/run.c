/* husk runtime: run = create + start (+ wait, forward signals, delete). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/container.h"
#include "runtime/create.h"
#include "runtime/tty.h"
#include "util/cleanup.h"
#include "util/log.h"

/* Signals husk receives are the container's: forwarded, never acted on.
 * Those a fault raises in husk itself stay deliverable. */
void husk_run_forwardable(sigset_t *set)
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

/* Reap what is ours; true once the init is among it. */
static bool reap(const husk_created_t *c, int *exit_status)
{
	for (;;) {
		int wstatus;
		pid_t pid = waitpid(-1, &wstatus, WNOHANG);

		if (pid <= 0) {
			return false;
		}
		if (pid == c->pid) {
			*exit_status = exit_status_of(wstatus);
			return true;
		}
	}
}

/* Wait for the init, forwarding every signal to it, reaping whatever else
 * ends up ours as subreaper and, with a terminal, copying between the
 * caller's terminal and the container's console.  Signals come through a
 * signalfd so that one poll() serves all three. */
int husk_run_wait(const husk_created_t *c, const sigset_t *set, int *exit_status, husk_error_t *err)
{
	_cleanup_close_ int sfd = signalfd(-1, set, SFD_CLOEXEC);
	int master = c->console_master;
	bool in_open = master >= 0, out_open = master >= 0;

	if (sfd < 0) {
		return husk_error_errno(err, "signalfd");
	}
	if (master >= 0) {
		husk_tty_copy_size(STDIN_FILENO, master);
	}
	for (;;) {
		struct pollfd p[3] = {
			{ .fd = sfd, .events = POLLIN },
			{ .fd = in_open ? STDIN_FILENO : -1, .events = POLLIN },
			{ .fd = out_open ? master : -1, .events = POLLIN },
		};
		struct signalfd_siginfo si;

		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR) {
				continue;
			}
			return husk_error_errno(err, "wait for the container");
		}
		if (p[1].revents != 0 && husk_tty_pump(STDIN_FILENO, master) <= 0) {
			in_open = false; /* the caller's input ended */
		}
		if (p[2].revents != 0 && husk_tty_pump(master, STDOUT_FILENO) <= 0) {
			out_open = false; /* the container closed its console */
		}
		if (!(p[0].revents & POLLIN) || read(sfd, &si, sizeof(si)) != sizeof(si)) {
			continue;
		}
		if (si.ssi_signo == SIGWINCH && master >= 0) {
			husk_tty_copy_size(STDIN_FILENO, master);
		} else if (si.ssi_signo != SIGCHLD) {
			syscall(SYS_pidfd_send_signal, c->pidfd, (int) si.ssi_signo, NULL, 0);
		} else if (reap(c, exit_status)) {
			/* What the container wrote last is still in the pty. */
			while (out_open && husk_tty_pump(master, STDOUT_FILENO) > 0) {
			}
			return 0;
		}
	}
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
	if (!r->detach && !r->no_subreaper && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		return husk_error_errno(err, "prctl(PR_SET_CHILD_SUBREAPER)");
	}
	/* Blocked before the clone, so no signal meant for the container is
	 * lost (or kills husk) between create and wait; the init unblocks its
	 * own copy at once. */
	husk_run_forwardable(&set);
	if (!r->detach) {
		sigprocmask(SIG_BLOCK, &set, &old);
	}
	if (!r->detach) {
		opts.tty_relay = true;
	}
	if (husk_create_container(&opts, &c, err) < 0) {
		goto out;
	}
	if (c.console_master >= 0 && husk_tty_make_raw(STDIN_FILENO, &saved, err) < 0) {
		_cleanup_error_ husk_error_t e = NULL;

		if (husk_container_delete(o->root, o->id, true, &e) < 0) {
			husk_log_error(e);
		}
		goto release;
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
	ret = husk_run_wait(&c, &set, exit_status, err);
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
