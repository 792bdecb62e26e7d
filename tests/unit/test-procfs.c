/* Unit tests: the private, verified procfs handle. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/open.h"
#include "util/procfs.h"

static void test_handle(void)
{
	_cleanup_error_ husk_error_t err = NULL;
	_cleanup_close_ int proc = husk_procfs_open(&err);
	_cleanup_close_ int tmp = open("/tmp", HUSK_O_PATH_DIR);
	_cleanup_close_ int sub = open("/proc/sys", HUSK_O_PATH_DIR);
	_cleanup_free_ char *status = NULL;
	_cleanup_free_ char *path = NULL;
	char value[32];
	pid_t self;

	ok(proc >= 0, "a procfs handle opens");
	ok(fcntl(proc, F_GETFD) & FD_CLOEXEC, "it is close-on-exec");
	self = husk_procfs_self_pid(proc, &err);
	is_int(self, getpid(), "the handle names this process by its pid");

	path = NULL;
	if (asprintf(&path, "%d/status", self) < 0) {
		abort();
	}
	status = husk_procfs_read(proc, path, 8192, &err);
	ok(status != NULL && strncmp(status, "Name:", 5) == 0, "reads /proc/<pid>/status");
	free(path);
	if (asprintf(&path, "%d/oom_score_adj", self) < 0) {
		abort();
	}
	snprintf(value, sizeof(value), "%d\n", 17);
	ok(husk_procfs_write(proc, path, value, strlen(value), &err) == 0, "writes oom_score_adj");
	free(status);
	status = husk_procfs_read(proc, path, 32, &err);
	is_str(status, "17\n", "and the write landed");

	is_int(husk_procfs_open_at(proc, "self/status", O_RDONLY, &err), -1,
	       "`self` (a symlink) is refused as a first component");
	husk_error_free(&err);
	is_int(husk_procfs_open_at(proc, "../etc/passwd", O_RDONLY, &err), -1,
	       "`..` cannot leave the handle");
	husk_error_free(&err);
	is_int(husk_procfs_adopt(tmp, &err), -1, "a non-procfs directory is refused as a handle");
	ok(err && strstr(err->msg, "not a procfs") != NULL, "saying why");
	husk_error_free(&err);
	is_int(husk_procfs_adopt(sub, &err), -1, "a procfs subdirectory is refused as a handle");
	husk_error_free(&err);
}

/* In a private mount namespace, shadow /proc/<pid>/attr with a tmpfs (what a
 * hostile container does to redirect an LSM write) and check that a handle on
 * that /proc refuses to write through the overmount. */
static int overmount_child(void)
{
	_cleanup_error_ husk_error_t err = NULL;
	char path[64], rel[64];
	int proc, raw, fd;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		return 77;
	}
	snprintf(path, sizeof(path), "/proc/%d/attr", getpid());
	snprintf(rel, sizeof(rel), "%d/attr/current", getpid());
	if (mount("tmpfs", path, "tmpfs", 0, NULL) < 0) {
		return 77;
	}
	fd = open("/proc/self/attr/current", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		return 3; /* the overmount should make this a plain file on tmpfs */
	}
	close(fd);
	raw = open("/proc", HUSK_O_PATH_DIR);
	proc = husk_procfs_adopt(raw, &err);
	close(raw);
	if (proc < 0) {
		return 4;
	}
	fd = husk_procfs_open_at(proc, rel, O_WRONLY, &err);
	return fd < 0 ? 0 : 5;
}

static void test_overmount(void)
{
	pid_t pid = fork();
	int status = 0;

	if (pid == 0) {
		_exit(overmount_child());
	}
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
		skip("cannot make a private mount namespace here");
		return;
	}
	is_int(WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status), 0,
	       "a write through an overmounted /proc/<pid>/attr is refused");
}

static uint64_t mount_id(int fd)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) < 0 ||
	    !(stx.stx_mask & STATX_MNT_ID)) {
		return 0;
	}
	return stx.stx_mnt_id;
}

/* In a new pid namespace where this process is pid 1, and then again in a
 * child of it, also pid 1 of a newer one: the child's handle must be its
 * own, naming it 1, not the parent's kept one, which numbers it 2.  Exits
 * 0 when it does. */
static int nested_pid1(void)
{
	_cleanup_error_ husk_error_t err = NULL;
	_cleanup_close_ int mine = -1;
	_cleanup_close_ int theirs = -1;
	pid_t pid;
	int status;

	if (getpid() != 1 || (theirs = husk_procfs_open(&err)) < 0) {
		return 2;
	}
	if (unshare(CLONE_NEWPID) < 0) {
		return 77;
	}
	pid = fork();
	if (pid == 0) {
		mine = husk_procfs_open(&err);
		_exit(mine >= 0 && getpid() == 1 && husk_procfs_self_pid(mine, &err) == 1 ? 0 : 3);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
		return 4;
	}
	return WEXITSTATUS(status);
}

static int in_new_pidns(int (*fn)(void))
{
	pid_t pid = fork();
	int status = 0;

	if (pid == 0) {
		if (unshare(CLONE_NEWPID) < 0) {
			_exit(77);
		}
		pid = fork();
		if (pid == 0) {
			_exit(fn());
		}
		_exit(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status)
			      ? WEXITSTATUS(status)
			      : 5);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

static void test_one_per_process(void)
{
	_cleanup_error_ husk_error_t err = NULL;
	_cleanup_close_ int a = husk_procfs_open(&err);
	_cleanup_close_ int b = husk_procfs_open(&err);
	_cleanup_close_ int host = open("/proc", HUSK_O_PATH_DIR);
	uint64_t id = mount_id(a);
	int status = 0, r;
	pid_t pid;

	if (id == 0 || id == mount_id(host)) {
		for (int i = 0; i < 5; i++) {
			skip("no private procfs here (mount API not allowed)");
		}
		return;
	}
	ok(a >= 0 && b >= 0 && a != b && (fcntl(b, F_GETFD) & FD_CLOEXEC),
	   "a second open returns another close-on-exec descriptor");
	is_int((long) mount_id(b), (long) id, "of the same private procfs");
	pid = fork();
	if (pid == 0) {
		_cleanup_close_ int c = husk_procfs_open(&err);

		_exit(c >= 0 && mount_id(c) != id && husk_procfs_self_pid(c, &err) == getpid() ? 0
											       : 1);
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a forked child opens its own");
	/* What husk_clone3 does in every child it makes. */
	husk_procfs_forget();
	{
		_cleanup_close_ int c = husk_procfs_open(&err);

		ok(c >= 0 && mount_id(c) != id && husk_procfs_self_pid(a, &err) == getpid(),
		   "once forgotten, the next open makes another; handles given out still work");
	}
	r = in_new_pidns(nested_pid1);
	if (r == 77) {
		skip("no pid namespaces here");
	} else {
		is_int(r, 0,
		       "pid 1 of a nested pid namespace does not get its parent's, also pid 1");
	}
}

int main(void)
{
	plan(17);
	test_handle();
	test_overmount();
	test_one_per_process();
	return done();
}
