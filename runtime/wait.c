/* husk runtime: waiting in the foreground, forwarding and relaying. */
#include "runtime/wait.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init/tty.h"
#include "util/cleanup.h"
#include "util/proc.h"

void husk_wait_forwardable(sigset_t *set)
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

/* Reap what is ours; true once PID is among it. */
static bool reap(pid_t pid, int *exit_status)
{
	for (;;) {
		int wstatus;
		pid_t got = waitpid(-1, &wstatus, WNOHANG);

		if (got <= 0) {
			return false;
		}
		if (got == pid) {
			*exit_status = WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus)
							    : WEXITSTATUS(wstatus);
			return true;
		}
	}
}

/* Signals come through a signalfd so that one poll() serves the signals,
 * the caller's input and the console's output. */
int husk_wait_forwarding(pid_t pid, int pidfd, int master, const sigset_t *set, int *exit_status,
			 husk_error_t *err)
{
	_cleanup_close_ int sfd = signalfd(-1, set, SFD_CLOEXEC);
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
			husk_pidfd_send(pidfd, (int) si.ssi_signo);
		} else if (reap(pid, exit_status)) {
			/* What the process wrote last is still in the pty. */
			while (out_open && husk_tty_pump(master, STDOUT_FILENO) > 0) {
			}
			return 0;
		}
	}
}
