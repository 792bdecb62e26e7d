/* husk: a private, verified handle on procfs. */
#include "util/procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/num.h"
#include "util/io.h"
#include "util/openat2.h"
#include "util/open.h"
#include "util/xalloc.h"

/* The inode number of every procfs root directory (PROC_ROOT_INO). */
#define PROCFS_ROOT_INO 1

static int is_procfs(int fd)
{
	struct statfs sfs;

	return fstatfs(fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
}

static int mount_id_of(int fd, uint64_t *id)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0) {
		return -1;
	}
	if (!(stx.stx_mask & STATX_MNT_ID)) {
		errno = EOPNOTSUPP;
		return -1;
	}
	*id = stx.stx_mnt_id;
	return 0;
}

int husk_procfs_adopt(int fd, husk_error_t *err)
{
	struct stat st;

	if (!is_procfs(fd)) {
		return husk_error_make(err, 0, "procfs handle: not a procfs");
	}
	if (fstat(fd, &st) < 0) {
		return husk_error_errno(err, "procfs handle: fstat");
	}
	if (!S_ISDIR(st.st_mode) || st.st_ino != PROCFS_ROOT_INO) {
		return husk_error_make(err, 0, "procfs handle: not the root of a procfs");
	}
	fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0) {
		return husk_error_errno(err, "procfs handle: dup");
	}
	return fd;
}

/* A detached procfs of our own: nothing a container mounted can shadow it. */
static int open_fresh(void)
{
	_cleanup_close_ int fsfd = -1;
	int mfd;

	fsfd = (int) syscall(SYS_fsopen, "proc", FSOPEN_CLOEXEC);
	if (fsfd < 0) {
		return -1;
	}
	if (syscall(SYS_fsconfig, fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		return -1;
	}
	mfd = (int) syscall(SYS_fsmount, fsfd, FSMOUNT_CLOEXEC,
			    MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	return mfd;
}

/* This process's own private procfs, once opened: every later
 * husk_procfs_open() in the process returns a duplicate of it.  Closing
 * the last descriptor of a detached mount dissolves it, and the kernel
 * waits for an expedited RCU grace period to do so, once per handle: a
 * `run` (create, start, delete) would pay it three times.  The handle is
 * tied to the process that opened it (PID) and to its pid namespace: a
 * child, forked or cloned into a new pid namespace, opens its own as it
 * always did. */
static struct {
	int fd;
	pid_t pid;
} kept = { .fd = -1 };

/* Whether KEPT belongs to this process, which its procfs numbers as
 * getpid() does: the same pid namespace. */
static bool kept_is_ours(void)
{
	_cleanup_error_ husk_error_t e = NULL;
	pid_t self = getpid();

	return kept.fd >= 0 && kept.pid == self && husk_procfs_self_pid(kept.fd, &e) == self;
}

void husk_procfs_forget(void)
{
	/* Right after the clone the number is still the inherited one. */
	kept.fd = husk_safe_close(kept.fd);
}

int husk_procfs_open(husk_error_t *err)
{
	_cleanup_close_ int fd = -1;
	int r;

	if (kept_is_ours()) {
		r = fcntl(kept.fd, F_DUPFD_CLOEXEC, 3);
		return r < 0 ? husk_error_errno(err, "procfs handle: dup") : r;
	}
	/* A parent's, inherited: forgotten, not closed, as the child may have
	 * closed the number and reused it since (it is close-on-exec). */
	kept.fd = -1;
	fd = open_fresh();
	if (fd < 0) {
		/* No mount API, or not allowed here (no CAP_SYS_ADMIN, or a
		 * /proc that is not fully visible): use /proc, verified.  Not
		 * kept: it is no detached mount, and it lives in the mount
		 * namespace, which the process may leave. */
		fd = open("/proc", HUSK_O_PATH_DIR);
		if (fd < 0) {
			return husk_error_errno(err, "open `/proc`");
		}
		return husk_procfs_adopt(fd, err);
	}
	r = husk_procfs_adopt(fd, err);
	if (r >= 0) {
		kept.fd = fcntl(r, F_DUPFD_CLOEXEC, 3);
		kept.pid = getpid();
	}
	return r;
}

static int open_beneath_openat2(int procfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t) (flags | O_CLOEXEC | O_NOFOLLOW),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
			   RESOLVE_NO_XDEV,
	};

	return (int) syscall(SYS_openat2, procfd, path, &how, sizeof(how));
}

/* Without openat2: walk one component at a time, refusing symlinks
 * (O_NOFOLLOW on an O_PATH open returns the link itself, which we reject) and
 * any component on another mount than the handle's root. */
static int open_beneath_walk(int procfd, const char *path, int flags)
{
	_cleanup_free_ char *copy = xstrdup(path);
	_cleanup_close_ int cur = -1;
	uint64_t root_mnt, mnt;
	char *save = NULL;
	char *name = strtok_r(copy, "/", &save);
	int dirfd = procfd;

	if (mount_id_of(procfd, &root_mnt) < 0) {
		return -1;
	}
	while (name != NULL) {
		char *next = strtok_r(NULL, "/", &save);
		struct stat st;
		int fd;

		if (strcmp(name, "..") == 0 || strcmp(name, ".") == 0) {
			errno = EXDEV;
			return -1;
		}
		fd = openat(dirfd, name,
			    next != NULL ? HUSK_O_PATH : (flags | O_CLOEXEC | O_NOFOLLOW));
		if (fd < 0) {
			return -1;
		}
		husk_safe_close(cur);
		cur = dirfd = fd;
		if (fstat(fd, &st) < 0 || mount_id_of(fd, &mnt) < 0) {
			return -1;
		}
		if (S_ISLNK(st.st_mode)) {
			errno = ELOOP;
			return -1;
		}
		if (mnt != root_mnt) {
			errno = EXDEV;
			return -1;
		}
		name = next;
	}
	if (cur < 0) {
		errno = EINVAL;
		return -1;
	}
	return TAKE_FD(cur);
}

int husk_procfs_open_at(int procfd, const char *path, int flags, husk_error_t *err)
{
	_cleanup_close_ int fd = -1;

	if (path[0] == '/' || strncmp(path, "self/", 5) == 0 ||
	    strncmp(path, "thread-self/", 12) == 0) {
		return husk_error_make(err, 0, "procfs: `%s` must be relative and name a pid",
				       path);
	}
	if (husk_openat2_usable()) {
		fd = open_beneath_openat2(procfd, path, flags);
	}
	if (fd < 0 && (!husk_openat2_usable() || husk_openat2_refused(errno))) {
		fd = open_beneath_walk(procfd, path, flags);
	}
	if (fd < 0) {
		return husk_error_errno(err, "open `/proc/%s` through the procfs handle", path);
	}
	if (!is_procfs(fd)) {
		return husk_error_make(err, 0, "open `/proc/%s`: not on procfs", path);
	}
	return TAKE_FD(fd);
}

pid_t husk_procfs_self_pid(int procfd, husk_error_t *err)
{
	char buf[32];
	ssize_t n;
	uint64_t pid;

	/* "self" is a symlink whose text is our pid in the handle's pid namespace. */
	n = readlinkat(procfd, "self", buf, sizeof(buf) - 1);
	if (n < 0) {
		return husk_error_errno(err, "readlink `/proc/self` through the procfs handle");
	}
	buf[n] = '\0';
	if (husk_parse_u64(buf, INT32_MAX, &pid) < 0 || pid == 0) {
		return husk_error_make(err, 0, "procfs: `/proc/self` reads `%s`, not a pid", buf);
	}
	return (pid_t) pid;
}

int husk_procfs_write(int procfd, const char *path, const void *data, size_t len, husk_error_t *err)
{
	_cleanup_close_ int fd = husk_procfs_open_at(procfd, path, O_WRONLY | O_NOCTTY, err);
	ssize_t w;

	if (fd < 0) {
		return -1;
	}
	/* One write: /proc files such as uid_map take their whole content at once. */
	w = write(fd, data, len);
	if (w < 0) {
		return husk_error_errno(err, "write `/proc/%s`", path);
	}
	if ((size_t) w != len) {
		return husk_error_make(err, 0, "write `/proc/%s`: short write (%zd of %zu bytes)",
				       path, w, len);
	}
	return 0;
}

char *husk_procfs_read(int procfd, const char *path, size_t max, husk_error_t *err)
{
	_cleanup_close_ int fd = husk_procfs_open_at(procfd, path, O_RDONLY | O_NOCTTY, err);
	ssize_t n;
	char *buf;

	if (fd < 0) {
		return NULL;
	}
	/* What fits in MAX: a /proc file read for a few fields may be longer. */
	buf = xmalloc(max + 1);
	n = husk_read_upto(fd, buf, max);
	if (n < 0) {
		free(buf);
		husk_error_errno(err, "read `/proc/%s`", path);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

pid_t husk_procfs_pid_of_pidfd(int procfd, int pidfd, husk_error_t *err)
{
	_cleanup_free_ char *info = NULL;
	pid_t self = husk_procfs_self_pid(procfd, err);
	char path[64], *p, *end;
	long pid;

	if (self < 0) {
		return -1;
	}
	snprintf(path, sizeof(path), "%d/fdinfo/%d", (int) self, pidfd);
	info = husk_procfs_read(procfd, path, 4096, err);
	if (info == NULL) {
		return -1;
	}
	p = strstr(info, "\nPid:");
	pid = p != NULL ? strtol(p + 5, &end, 10) : 0;
	if (pid <= 0) {
		return husk_error_make(err, 0, "`/proc/%s`: no pid for the process", path);
	}
	return (pid_t) pid;
}
