/* husk state: is a recorded container process still the one we started? */
#include "state/liveness.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/num.h"
#include "util/open.h"
#include "util/proc.h"
#include "util/procfs.h"

int husk_pid_start_time(int procfd, pid_t pid, uint64_t *start, husk_error_t *err)
{
	char path[32];
	_cleanup_free_ char *stat = NULL;
	unsigned long long t;
	char state;
	char *p;

	snprintf(path, sizeof(path), "%d/stat", pid);
	stat = husk_procfs_read(procfd, path, 4096, err);
	if (stat == NULL) {
		if (husk_error_errno_of(*err) == ENOENT) {
			return husk_error_make(err, ESRCH, "process %d", pid);
		}
		return -1;
	}
	/* comm may hold spaces and parentheses: fields restart after the last ')'. */
	p = strrchr(stat, ')');
	if (p == NULL || sscanf(p + 1,
				" %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d "
				"%*d %*d %*d %llu",
				&state, &t) != 2) {
		return husk_error_make(err, 0, "cannot parse `/proc/%d/stat`", pid);
	}
	if (state == 'Z' || state == 'X') {
		return husk_error_make(err, ESRCH, "process %d", pid);
	}
	*start = t;
	return 0;
}

int husk_pid_open_if_same(int procfd, pid_t pid, uint64_t start, husk_error_t *err)
{
	_cleanup_close_ int pidfd = husk_pidfd_open(pid);
	uint64_t now;

	if (pidfd < 0) {
		return husk_error_errno(err, "open process %d", pid);
	}
	if (husk_pid_start_time(procfd, pid, &now, err) < 0) {
		return -1;
	}
	if (now != start) {
		return husk_error_make(err, ESRCH, "process %d is not the container's any more",
				       pid);
	}
	return TAKE_FD(pidfd);
}

static int ns_inode(int procfd, pid_t pid, ino_t *ino)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "%d/ns/pid", pid);
	if (fstatat(procfd, path, &st, 0) < 0) {
		return -1;
	}
	*ino = st.st_ino;
	return 0;
}

int husk_pidns_signal_all(int procfd, pid_t init_pid, int signo, husk_error_t *err)
{
	_cleanup_closedir_ DIR *d = NULL;
	int fd = openat(procfd, ".", HUSK_O_DIR);
	struct dirent *e;
	ino_t want, got;

	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		husk_safe_close(fd);
		return husk_error_errno(err, "list processes");
	}
	if (ns_inode(procfd, init_pid, &want) < 0) {
		return husk_error_errno(err, "pid namespace of process %d", init_pid);
	}
	while ((e = readdir(d)) != NULL) {
		uint64_t pid;

		if (husk_parse_u64(e->d_name, INT32_MAX, &pid) < 0 || pid == 0 ||
		    pid == (uint64_t) init_pid) {
			continue;
		}
		/* pidfd first, check second, signal through the pidfd: a pid
		 * reused after the check can never be the one signalled. */
		_cleanup_close_ int pidfd = husk_pidfd_open((pid_t) pid);

		if (pidfd >= 0 && ns_inode(procfd, (pid_t) pid, &got) == 0 && got == want) {
			husk_pidfd_send(pidfd, signo);
		}
	}
	return 0;
}
