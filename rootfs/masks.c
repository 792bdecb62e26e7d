/* husk rootfs: linux.maskedPaths and linux.readonlyPaths.
 *
 * A masked file gets /dev/null bound over it, and that /dev/null is the one
 * husk opened on the host before touching the rootfs and checked to be char
 * 1:3: never the container's /dev/null, which an image (or a racing
 * container sharing /dev) can make a symlink to some /proc file that the bind
 * would then expose writable (CVE-2025-31133).  A masked directory gets an
 * empty read-only tmpfs, one for all of them: the kubelet masks every CPU's
 * thermal_throttle directory, a hundred and more on a big node, and a tmpfs
 * each would be a superblock each; the first is made, the others are clones
 * of its mount (runc 1.5 does the same), labelled with linux.mountLabel.  A
 * read-only path is cloned with its submounts, made read-only while still
 * detached, and put back over itself, so it is never
 * writable after it appears.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootfs/rootfs-internal.h"
#include "util/cleanup.h"
#include "util/open.h"
#include "util/pathfs.h"

/* PATH inside the rootfs, or -1 with no error when it does not exist (the
 * spec's lists name paths that many kernels lack). */
static int open_if_exists(husk_rootfs_ctx_t *ctx, const char *path, husk_error_t *err)
{
	int fd = husk_path_open_at(ctx->rootfd, path, O_PATH, 0, err);

	if (fd < 0 && husk_error_errno_of(*err) == ENOENT) {
		husk_error_free(err);
	}
	return fd;
}

/* The mount for a masked directory: a clone of *SHARED, the tmpfs attached
 * over the first one; made (and kept in *SHARED once attached) for the first. */
static int mask_dir_mount(husk_rootfs_ctx_t *ctx, int *shared, husk_error_t *err)
{
	char *const opts[] = { "size=0", "mode=0755", NULL };

	if (*shared >= 0) {
		return husk_mnt_clone(*shared, false, err);
	}
	return husk_mnt_new_labelled(
		ctx, "tmpfs", "tmpfs", opts,
		MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, err);
}

static int mask_one(husk_rootfs_ctx_t *ctx, const char *path, int *shared, husk_error_t *err)
{
	_cleanup_close_ int fd = open_if_exists(ctx, path, err);
	_cleanup_close_ int mfd = -1;
	struct stat st;
	bool dir;

	if (fd < 0) {
		return *err != NULL ? -1 : 0;
	}
	if (fstat(fd, &st) < 0) {
		return husk_error_errno(err, "stat");
	}
	dir = S_ISDIR(st.st_mode);
	mfd = dir ? mask_dir_mount(ctx, shared, err) : husk_mnt_clone(ctx->nullfd, false, err);
	if (mfd < 0 || husk_mnt_attach(mfd, fd, err) < 0) {
		return -1;
	}
	/* Attached, the new tmpfs can be cloned for the next directories. */
	if (dir && *shared < 0) {
		*shared = TAKE_FD(mfd);
	}
	return 0;
}

static int readonly_one(husk_rootfs_ctx_t *ctx, const char *path, husk_error_t *err)
{
	_cleanup_close_ int fd = open_if_exists(ctx, path, err);
	_cleanup_close_ int mfd = -1;

	if (fd < 0) {
		return *err != NULL ? -1 : 0;
	}
	mfd = husk_mnt_clone(fd, true, err);
	if (mfd < 0 || husk_mnt_setattr(mfd, true, MOUNT_ATTR_RDONLY, 0, 0, err) < 0 ||
	    husk_mnt_attach(mfd, fd, err) < 0) {
		return -1;
	}
	return 0;
}

int husk_masks_apply(husk_rootfs_ctx_t *ctx, husk_error_t *err)
{
	const husk_linux_t *lx = ctx->cfg->linux_;
	_cleanup_close_ int shared = -1;

	if (lx == NULL) {
		return 0;
	}
	for (size_t i = 0; lx->masked_paths != NULL && lx->masked_paths[i] != NULL; i++) {
		if (mask_one(ctx, lx->masked_paths[i], &shared, err) < 0) {
			return husk_error_wrap(err, "mask `%s`", lx->masked_paths[i]);
		}
	}
	for (size_t i = 0; lx->readonly_paths != NULL && lx->readonly_paths[i] != NULL; i++) {
		if (readonly_one(ctx, lx->readonly_paths[i], err) < 0) {
			return husk_error_wrap(err, "read-only path `%s`", lx->readonly_paths[i]);
		}
	}
	return 0;
}
