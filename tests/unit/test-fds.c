/* Unit tests: closing every descriptor before a container's program runs
 * (util/fds.h), with close_range and, under a seccomp filter that refuses
 * it as profiles written before 2020 do, without. */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/fds.h"
#include "util/procfs.h"

static bool is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* Refuse close_range with EPERM from here on, as docker's profile before
 * 2020 and the OCI generator's do. */
static int refuse_close_range(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int r;

	if (ctx == NULL || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		return -1;
	}
	r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
			     seccomp_syscall_resolve_name("close_range"), 0);
	if (r == 0) {
		r = seccomp_load(ctx);
	}
	seccomp_release(ctx);
	return r;
}

/* In a child, so that what it closes is its own: a bit mask of what went
 * as the exit status (1: a closed one was kept, 2: a kept one was closed,
 * 4: the later close missed one, 8: setup failed). */
static int child(bool filtered, bool with_procfs)
{
	_cleanup_error_ husk_error_t err = NULL;
	int procfd = with_procfs ? husk_procfs_open(&err) : -1;
	int a = open("/", O_RDONLY | O_CLOEXEC);
	int b = open("/", O_RDONLY | O_CLOEXEC);
	int c = open("/", O_RDONLY | O_CLOEXEC);
	int high = fcntl(a, F_DUPFD_CLOEXEC, 40);
	int keep[] = { b, procfd };
	int bad = 0;

	if (a < 0 || b < 0 || c < 0 || high < 0 || (with_procfs && procfd < 0) ||
	    (filtered && refuse_close_range() < 0)) {
		return 8;
	}
	if (husk_fds_close_except(3, keep, 2, procfd, &err) < 0) {
		return 8;
	}
	bad |= is_open(a) || is_open(c) || is_open(high) ? 1 : 0;
	bad |= !is_open(b) || (with_procfs && !is_open(procfd)) ? 2 : 0;
	/* Opened after the mark, as a program lookup would, and left open. */
	a = open("/", O_RDONLY | O_CLOEXEC);
	husk_fds_close_from(3, filtered);
	bad |= is_open(a) || is_open(b) || is_open(procfd) ? 4 : 0;
	bad |= !is_open(0) || !is_open(1) || !is_open(2) ? 2 : 0;
	return bad;
}

static int run_child(bool filtered, bool with_procfs)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		_exit(child(filtered, with_procfs));
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status)) {
		return -1;
	}
	return WEXITSTATUS(status);
}

int main(void)
{
	plan(4);
	is_int(run_child(false, true), 0,
	       "close_range: everything but the kept ones goes, then those");
	is_int(run_child(true, true), 0,
	       "close_range refused: the procfs handle's fd list says what to close");
	is_int(run_child(true, false), 0,
	       "close_range refused, no procfs handle: close(2) up to RLIMIT_NOFILE");
	{
		_cleanup_error_ husk_error_t err = NULL;
		int fd, r;

		close(3);
		fd = open("/", O_RDONLY | O_CLOEXEC);
		r = husk_fds_check_passed(1, "--preserve-fds", &err);

		/* Descriptor 3 is close-on-exec here, as one of husk's is. */
		ok(fd == 3 && r < 0 && strstr(err->msg, "descriptor 3 is not open") != NULL,
		   "a close-on-exec descriptor in the passed range is husk's, refused");
		husk_safe_close(fd);
	}
	return done();
}
