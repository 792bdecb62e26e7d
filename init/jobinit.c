/* husk init: the sandbox's pid 1 (init/jobinit.h). */
#include "init/jobinit.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init/process.h"
#include "util/cleanup.h"
#include "util/log.h"

husk_job_status_t *husk_job_status_new(void)
{
	void *page = mmap(NULL, sizeof(husk_job_status_t), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return page == MAP_FAILED ? NULL : page;
}

void husk_job_status_free(husk_job_status_t *s)
{
	if (s != NULL) {
		munmap(s, sizeof(*s));
	}
}

/* The job: back to an empty signal mask, then the exec, with nothing of
 * husk's open. */
static void __attribute__((noreturn)) job(const husk_process_t *p, const char *path,
					  const husk_seccomp_filter_t *seccomp, bool under_filter)
{
	_cleanup_error_ husk_error_t err = NULL;
	sigset_t none;

	/* With a terminal, the job is its foreground process group, so ^C
	 * reaches it and not its init (SIGTTOU is blocked still, so the
	 * background init's child may take the terminal). */
	if (p->terminal && (setpgid(0, 0) < 0 || tcsetpgrp(STDIN_FILENO, getpid()) < 0)) {
		husk_error_errno(&err, "sandbox: make the job the terminal's foreground");
		husk_log_error(err);
		_exit(126);
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	husk_process_exec(p, path, 0, seccomp, under_filter, &err);
	husk_log_error(err);
	/* As docker and podman: 127 for a program not there, 126 for one
	 * that is but cannot be run. */
	_exit(husk_error_errno_of(err) == ENOENT ? 127 : 126);
}

/* Reap every child there is to reap; true once JOB was among them, with
 * its status in *WSTATUS. */
static bool reap(pid_t job_pid, int *wstatus)
{
	bool gone = false;
	int st;
	pid_t got;

	while ((got = waitpid(-1, &st, WNOHANG)) > 0) {
		if (got == job_pid) {
			*wstatus = st;
			gone = true;
		}
	}
	return gone;
}

int husk_jobinit_run(const husk_process_t *p, const char *path,
		     const husk_seccomp_filter_t *seccomp, bool under_filter,
		     husk_job_status_t *status)
{
	sigset_t all;
	pid_t pid;
	int wstatus = 0;

	/* Every signal waits in the queue for sigwaitinfo below, so none is
	 * lost between the fork and the loop; the job unblocks its own. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	pid = fork();
	if (pid < 0) {
		_cleanup_error_ husk_error_t err = NULL;

		husk_error_errno(&err, "sandbox: fork the job");
		husk_log_error(err);
		return 126;
	}
	if (pid == 0) {
		job(p, path, seccomp, under_filter);
	}
	/* The job's output is its own: the init holds none of its pipes, so
	 * they reach EOF when the job's processes close them. */
	for (int fd = 0; fd < 3; fd++) {
		close(fd);
	}
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&all, &si);

		if (sig == SIGCHLD) {
			if (reap(pid, &wstatus)) {
				break;
			}
		} else if (sig > 0) {
			kill(pid, sig);
		}
	}
	status->wstatus = wstatus;
	status->set = 1;
	return WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus) : WEXITSTATUS(wstatus);
}
