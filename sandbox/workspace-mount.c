/* husk sandbox: the workspace's mounts, made in the init through create's
 * after_mounts hook (rootfs/opts.h), with config.json's mounts in place:
 * the tmpfs, the overlays stacked on their sources' read-only binds, /tmp
 * with --disk-limit, and the protected paths bound onto themselves
 * (sandbox/workspace.c says why each is so).  Everything inside the box is
 * resolved from the rootfs's descriptor through the path layer, and every
 * mount attached to a descriptor. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init/sync.h"
#include "rootfs/mntapi.h"
#include "sandbox/workspace-internal.h"
#include "util/cleanup.h"
#include "util/open.h"
#include "util/pathfs.h"
#include "util/xalloc.h"

char *ws_join(const char *dir, const char *rel)
{
	return xasprintf("%s/%s", strcmp(dir, "/") == 0 ? "" : dir, rel);
}

/* The workspace's tmpfs, detached: with --disk-limit SIZE bytes and one
 * inode per KiB (an empty file costs kernel memory that size= does not
 * count); without, the kernel's default (half of the memory, which a
 * --memory limit counts as the job's). */
static int make_tmpfs(const struct husk_workspace *ws, husk_error_t *err)
{
	char size[40], inodes[48];
	char *opts[4] = { ws->n_overlays > 0 ? "mode=0700" : "mode=1777", NULL, NULL, NULL };

	if (ws->size > 0) {
		uint64_t n = ws->size / 1024 > 1024 ? ws->size / 1024 : 1024;

		snprintf(size, sizeof(size), "size=%llu", (unsigned long long) ws->size);
		snprintf(inodes, sizeof(inodes), "nr_inodes=%llu", (unsigned long long) n);
		opts[1] = size;
		opts[2] = inodes;
	}
	return husk_mnt_new("tmpfs", "tmpfs", opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, err);
}

/* A directory of the tmpfs, with exactly MODE (no umask). */
static int make_dir(int tmpfd, const char *name, mode_t mode, husk_error_t *err)
{
	if (mkdirat(tmpfd, name, 0700) < 0 || fchmodat(tmpfd, name, mode, 0) < 0) {
		return husk_error_errno(err, "make `%s` in the workspace's tmpfs", name);
	}
	return 0;
}

/* /tmp from the tmpfs (--disk-limit): the tmpfs itself without overlays,
 * else a bind of its tmp directory. */
static int mount_tmp(const struct husk_workspace *ws, int rootfd, int tmpfd, husk_error_t *err)
{
	_cleanup_close_ int dst = husk_path_mkdir_at(rootfd, "/tmp", 01777, err);
	_cleanup_close_ int sub = -1;
	_cleanup_close_ int mfd = -1;

	if (dst < 0) {
		return -1;
	}
	if (ws->n_overlays == 0) {
		return husk_mnt_attach(tmpfd, dst, err);
	}
	if (make_dir(tmpfd, WS_TMP, 01777, err) < 0) {
		return -1;
	}
	sub = openat(tmpfd, WS_TMP, HUSK_O_PATH_DIR);
	if (sub < 0) {
		return husk_error_errno(err, "open the workspace's `%s`", WS_TMP);
	}
	mfd = husk_mnt_clone(sub, false, err);
	return mfd < 0 ? -1 : husk_mnt_attach(mfd, dst, err);
}

/* The overlay's protect layer: an empty file or directory for each
 * protected path its source lacks.  Above the source, so the diff (which
 * reads only the upper layer) never shows them. */
static int make_placeholders(const ws_mount_t *m, int protfd, husk_error_t *err)
{
	for (size_t i = 0; i < m->n_paths; i++) {
		const ws_path_t *p = &m->paths[i];
		_cleanup_close_ int fd = -1;

		if (!p->missing || p->pin == WS_PIN_ANCHOR || p->pin == WS_PIN_WATCH) {
			continue;
		}
		fd = p->pin == WS_PIN_DIR ? husk_path_mkdir_at(protfd, p->path, 0755, err)
					  : husk_path_create_file_at(protfd, p->path, 0644, err);
		if (fd < 0) {
			return husk_error_wrap(err, "placeholder for `%s`", p->path);
		}
	}
	return 0;
}

/* The upper directory stands for the overlay's root: it gets the
 * source's owner (where the user namespace maps it) and mode. */
static int make_layers(const ws_mount_t *m, int tmpfd, int lowerfd, char names[3][24],
		       husk_error_t *err)
{
	struct stat st;

	snprintf(names[0], 24, WS_UPPER, m->layer);
	snprintf(names[1], 24, WS_WORK, m->layer);
	snprintf(names[2], 24, WS_PROTECT, m->layer);
	if (fstat(lowerfd, &st) < 0) {
		return husk_error_errno(err, "stat the source");
	}
	if (make_dir(tmpfd, names[0], st.st_mode & 07777, err) < 0 ||
	    make_dir(tmpfd, names[1], 0700, err) < 0 || make_dir(tmpfd, names[2], 0755, err) < 0) {
		return -1;
	}
	if (fchownat(tmpfd, names[0], st.st_uid, st.st_gid, 0) < 0 && errno != EINVAL &&
	    errno != EPERM) {
		return husk_error_errno(err, "give `%s` the source's owner", names[0]);
	}
	return 0;
}

/* Overlayfs takes its layers as paths: /proc/self/fd/N of descriptors
 * resolved here, so the kernel jumps to what they name and walks nothing
 * the box holds. */
static int make_overlay(const struct husk_workspace *ws, const ws_mount_t *m, int tmpfd,
			int lowerfd, husk_error_t *err)
{
	char names[3][24];
	int fds[3] = { -1, -1, -1 };
	char lower[80], upper[48], work[48];
	char *opts[] = { lower,
			 upper,
			 work,
			 "redirect_dir=nofollow",
			 "index=off",
			 "metacopy=off",
			 ws->userns ? "userxattr" : NULL,
			 NULL };
	int mfd = -1;

	if (make_layers(m, tmpfd, lowerfd, names, err) == 0) {
		for (int i = 0; i < 3; i++) {
			fds[i] = openat(tmpfd, names[i], HUSK_O_PATH_DIR);
		}
	}
	if (fds[0] >= 0 && fds[1] >= 0 && fds[2] >= 0 && make_placeholders(m, fds[2], err) == 0) {
		snprintf(lower, sizeof(lower), "lowerdir=/proc/self/fd/%d:/proc/self/fd/%d", fds[2],
			 lowerfd);
		snprintf(upper, sizeof(upper), "upperdir=/proc/self/fd/%d", fds[0]);
		snprintf(work, sizeof(work), "workdir=/proc/self/fd/%d", fds[1]);
		mfd = husk_mnt_new("overlay", "overlay", opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
				   err);
	} else if (*err == NULL) {
		husk_error_errno(err, "open the overlay's layers");
	}
	for (int i = 0; i < 3; i++) {
		husk_safe_close(fds[i]);
	}
	return mfd;
}

static int mount_overlays(const struct husk_workspace *ws, int tmpfd, const int *lowers,
			  husk_error_t *err)
{
	for (size_t i = 0; i < ws->n_overlays; i++) {
		const ws_mount_t *m = &ws->mounts[i];
		_cleanup_close_ int mfd = make_overlay(ws, m, tmpfd, lowers[i], err);

		/* Onto the source's bind: the kernel stacks it on whatever is
		 * on top there (the tmpfs, at the first). */
		if (mfd < 0 || husk_mnt_attach(mfd, lowers[i], err) < 0) {
			return husk_error_wrap(err, "sandbox: --overlay `%s:%s`", m->source,
					       m->destination);
		}
	}
	return 0;
}

/* Bind what FD names onto itself: read-only, or (an anchor) as it is. */
static int pin_fd(int fd, bool ro, husk_error_t *err)
{
	_cleanup_close_ int mfd = husk_mnt_clone(fd, true, err);

	if (mfd < 0 ||
	    husk_mnt_setattr(mfd, true,
			     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (ro ? MOUNT_ATTR_RDONLY : 0), 0,
			     0, err) < 0) {
		return -1;
	}
	return husk_mnt_attach(mfd, fd, err);
}

/* One protected path, as the box resolves it.  A symlink is pinned itself
 * (so it cannot be pointed elsewhere) and so is what it leads to. */
static int pin(int rootfd, const char *path, enum ws_pin how, husk_error_t *err)
{
	_cleanup_close_ int fd = husk_path_open_at(rootfd, path, O_PATH | O_NOFOLLOW, 0, err);
	_cleanup_close_ int target = -1;
	struct stat st;

	if (fd < 0) {
		int e = husk_error_errno_of(*err);

		if (e == ENOENT || e == ENOTDIR) {
			husk_error_free(err);
			return 0;
		}
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		return husk_error_errno(err, "stat");
	}
	if (pin_fd(fd, how != WS_PIN_ANCHOR || !S_ISDIR(st.st_mode), err) < 0) {
		return -1;
	}
	if (!S_ISLNK(st.st_mode)) {
		return 0;
	}
	target = husk_path_open_at(rootfd, path, O_PATH, 0, err);
	if (target < 0) {
		int e = husk_error_errno_of(*err);

		if (e == ENOENT || e == ENOTDIR || e == ELOOP) {
			husk_error_free(err);
			return 0;
		}
		return -1;
	}
	if (fstat(target, &st) < 0) {
		return husk_error_errno(err, "stat");
	}
	return pin_fd(target, how != WS_PIN_ANCHOR || !S_ISDIR(st.st_mode), err);
}

static int pin_all(const struct husk_workspace *ws, int rootfd, husk_error_t *err)
{
	for (size_t i = 0; i < ws->n_mounts; i++) {
		const ws_mount_t *m = &ws->mounts[i];

		for (size_t j = 0; j < m->n_paths; j++) {
			_cleanup_free_ char *path = ws_join(m->destination, m->paths[j].path);

			if (pin(rootfd, path, m->paths[j].pin, err) < 0) {
				return husk_error_wrap(err, "sandbox: protect `%s`", path);
			}
		}
	}
	return 0;
}

/* Each overlay's destination, opened before the tmpfs covers the first:
 * the source's read-only bind there, its lower layer. */
static int open_lowers(const struct husk_workspace *ws, int rootfd, int *lowers, husk_error_t *err)
{
	for (size_t i = 0; i < ws->n_overlays; i++) {
		lowers[i] = husk_path_open_at(rootfd, ws->mounts[i].destination,
					      O_PATH | O_DIRECTORY, 0, err);
		if (lowers[i] < 0) {
			return husk_error_wrap(err, "sandbox: --overlay `%s`",
					       ws->mounts[i].destination);
		}
	}
	return 0;
}

static int mount_tmpfs(const struct husk_workspace *ws, int rootfd, int tmpfd, husk_error_t *err)
{
	_cleanup_free_ int *lowers = xmalloc((ws->n_overlays + 1) * sizeof(*lowers));
	int r = -1;

	for (size_t i = 0; i < ws->n_overlays; i++) {
		lowers[i] = -1;
	}
	if (open_lowers(ws, rootfd, lowers, err) == 0 &&
	    (ws->n_overlays == 0 || husk_mnt_attach(tmpfd, lowers[0], err) == 0) &&
	    (ws->size == 0 || mount_tmp(ws, rootfd, tmpfd, err) == 0) &&
	    mount_overlays(ws, tmpfd, lowers, err) == 0) {
		r = 0;
	}
	for (size_t i = 0; i < ws->n_overlays; i++) {
		husk_safe_close(lowers[i]);
	}
	return r;
}

int husk_sandbox_workspace_mount(void *data, int rootfd, husk_error_t *err)
{
	const struct husk_workspace *ws = data;
	_cleanup_close_ int tmpfd = -1;

	if (ws->tmpfs) {
		tmpfd = make_tmpfs(ws, err);
		if (tmpfd < 0 || mount_tmpfs(ws, rootfd, tmpfd, err) < 0) {
			return husk_error_wrap(err, "sandbox: the workspace's tmpfs");
		}
	}
	if (pin_all(ws, rootfd, err) < 0) {
		return -1;
	}
	if (ws->tmpfs && husk_sync_send(ws->sock[1], HUSK_SYNC_FD, NULL, 0, tmpfd, err) < 0) {
		return husk_error_wrap(err, "sandbox: send the workspace's tmpfs");
	}
	return 0;
}
