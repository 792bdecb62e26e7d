/* husk rootfs: tmpcopyup, runc's extension for tmpfs mounts: the new tmpfs starts
 * with a copy of what the image had at the destination (podman sends it for
 * its tmpfs mounts).
 *
 * The copy runs on descriptors only: the source tree is walked with
 * O_NOFOLLOW opens relative to each directory's descriptor, so a symlink in
 * the image is copied as a symlink and never followed out of the rootfs; the
 * target is the detached tmpfs, which nothing else can see yet.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootfs/rootfs-internal.h"
#include "util/cleanup.h"
#include "util/open.h"

/* Deeper trees than this are not something an image needs on a tmpfs. */
#define COPYUP_MAX_DEPTH 64

static int copy_tree(int src, int dst, int depth, husk_error_t *err);

static int copy_data(int in, int out, husk_error_t *err)
{
	char buf[65536];

	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			return husk_error_errno(err, "read");
		}
		if (n == 0) {
			return 0;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t) (n - off));

			if (w < 0 && errno != EINTR) {
				return husk_error_errno(err, "write");
			}
			off += w > 0 ? w : 0;
		}
	}
}

static int copy_file(int src, int dst, const char *name, mode_t mode, husk_error_t *err)
{
	_cleanup_close_ int in = openat(src, name, HUSK_O_RDONLY);
	_cleanup_close_ int out = -1;

	if (in < 0) {
		return husk_error_errno(err, "open `%s`", name);
	}
	out = openat(dst, name, HUSK_O_CREAT_EXCL, mode & 07777);
	if (out < 0) {
		return husk_error_errno(err, "create `%s`", name);
	}
	return copy_data(in, out, err);
}

static int copy_entry(int src, int dst, const char *name, int depth, husk_error_t *err)
{
	struct stat st;

	if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		return husk_error_errno(err, "stat `%s`", name);
	}
	if (S_ISDIR(st.st_mode)) {
		_cleanup_close_ int s = openat(src, name, HUSK_O_DIR);
		_cleanup_close_ int d = -1;

		if (s < 0 || mkdirat(dst, name, st.st_mode & 07777) < 0) {
			return husk_error_errno(err, "copy directory `%s`", name);
		}
		d = openat(dst, name, HUSK_O_PATH_DIR);
		if (d < 0 || copy_tree(s, d, depth + 1, err) < 0) {
			return *err ? -1 : husk_error_errno(err, "open `%s`", name);
		}
	} else if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(src, name, target, sizeof(target) - 1);

		if (n < 0) {
			return husk_error_errno(err, "readlink `%s`", name);
		}
		target[n] = '\0';
		if (symlinkat(target, dst, name) < 0) {
			return husk_error_errno(err, "symlink `%s`", name);
		}
	} else if (S_ISREG(st.st_mode)) {
		if (copy_file(src, dst, name, st.st_mode, err) < 0) {
			return -1;
		}
	} else if (mknodat(dst, name, st.st_mode, st.st_rdev) < 0) {
		return husk_error_errno(err, "mknod `%s`", name);
	}
	/* The owner, and the mode again (mkdir and create went through the umask). */
	if (fchownat(dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
	    (!S_ISLNK(st.st_mode) && fchmodat(dst, name, st.st_mode & 07777, 0) < 0)) {
		return husk_error_errno(err, "set the owner and mode of `%s`", name);
	}
	return 0;
}

static int copy_tree(int src, int dst, int depth, husk_error_t *err)
{
	_cleanup_closedir_ DIR *d = NULL;
	int fd = openat(src, ".", HUSK_O_DIR);
	struct dirent *de;

	if (depth > COPYUP_MAX_DEPTH) {
		return husk_error_make(err, ELOOP, "too deep");
	}
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		husk_safe_close(fd);
		return husk_error_errno(err, "open directory");
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
			continue;
		}
		if (copy_entry(dirfd(d), dst, de->d_name, depth, err) < 0) {
			return -1;
		}
	}
	return errno != 0 ? husk_error_errno(err, "readdir") : 0;
}

int husk_copyup(int srcdir, int dstmnt, husk_error_t *err)
{
	if (copy_tree(srcdir, dstmnt, 0, err) < 0) {
		return husk_error_wrap(err, "tmpcopyup");
	}
	return 0;
}
