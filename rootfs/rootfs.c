/* husk rootfs: building the container's root filesystem and entering it.
 *
 * The stages, in order, and why:
 *   1. open the inputs: the bundle, the rootfs directory and the host's
 *      /dev/null (checked to be char 1:3) while the host's view is intact;
 *   2. propagation of "/": rslave unless linux.rootfsPropagation says
 *      otherwise (runc's default), so nothing mounted from here on reaches
 *      the host, while host mounts still reach the container (an unbindable
 *      one waits for step 9: nothing could be bound from the host after it);
 *   3. make the mount holding the rootfs private and bind the rootfs onto
 *      itself: pivot_root needs a mount point whose parent is not shared, and
 *      the bind's descriptor is the root every later path is resolved from;
 *   4. refuse a /dev symlink (before any mount could follow it);
 *   5. config.json mounts, in order;
 *   6. /dev nodes and links, linux.devices, /dev/console (after the mounts:
 *      /dev is usually a tmpfs from config.json);
 *   7. masked and read-only paths: after the mounts they cover (/proc), and
 *      still before pivot_root, because the verified /dev/null lives on the
 *      host's /dev, which pivot_root takes away (open_tree can only clone a
 *      mount of this namespace).  Paths resolve from the rootfs descriptor,
 *      so they name exactly what they will name after pivot_root;
 *   8. pivot_root(".", ".") and detach the old root (runc's trick: no
 *      directory for the old root is needed), or with --no-pivot move the
 *      rootfs onto "/" and chroot;
 *   9. root.readonly (last: everything above writes into the rootfs) and
 *      linux.rootfsPropagation on the new "/".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "rootfs/rootfs.h"
#include "rootfs/rootfs-internal.h"
#include "util/cleanup.h"
#include "util/open.h"
#include "util/pathfs.h"

static void ctx_clear(husk_rootfs_ctx_t *ctx)
{
	ctx->bundlefd = husk_safe_close(ctx->bundlefd);
	ctx->rootfd = husk_safe_close(ctx->rootfd);
	ctx->nullfd = husk_safe_close(ctx->nullfd);
}

static unsigned long propagation_flags(int p)
{
	static const unsigned long flags[HUSK_PROP_COUNT] = {
		[HUSK_PROP_SHARED] = MS_SHARED,
		[HUSK_PROP_SLAVE] = MS_SLAVE,
		[HUSK_PROP_PRIVATE] = MS_PRIVATE,
		[HUSK_PROP_UNBINDABLE] = MS_UNBINDABLE,
		[HUSK_PROP_RSHARED] = MS_SHARED | MS_REC,
		[HUSK_PROP_RSLAVE] = MS_SLAVE | MS_REC,
		[HUSK_PROP_RPRIVATE] = MS_PRIVATE | MS_REC,
		[HUSK_PROP_RUNBINDABLE] = MS_UNBINDABLE | MS_REC,
	};

	return p >= 0 && p < HUSK_PROP_COUNT ? flags[p] : 0;
}

static bool has_propagation(const husk_config_t *cfg)
{
	return cfg->linux_ != NULL && cfg->linux_->has_rootfs_propagation;
}

/* The host's /dev/null, for masking: opened without following a link and
 * checked to be the null device itself. */
static int open_null(husk_error_t *err)
{
	_cleanup_close_ int fd = open("/dev/null", HUSK_O_PATH);
	struct stat st;

	if (fd < 0) {
		return husk_error_errno(err, "open `/dev/null`");
	}
	if (fstat(fd, &st) < 0) {
		return husk_error_errno(err, "stat `/dev/null`");
	}
	if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) {
		return husk_error_make(err, 0, "`/dev/null` is not the null device (char 1:3)");
	}
	return TAKE_FD(fd);
}

/* The bundle and the rootfs are the caller's host paths: symlinks in them
 * are followed. */
static int open_inputs(husk_rootfs_ctx_t *ctx, int *rootdir, husk_error_t *err)
{
	const char *root = ctx->cfg->root->path;

	ctx->bundlefd = open(ctx->o->bundle != NULL ? ctx->o->bundle : ".",
			     O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (ctx->bundlefd < 0) {
		return husk_error_errno(err, "open bundle `%s`", ctx->o->bundle);
	}
	*rootdir = openat(ctx->bundlefd, root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*rootdir < 0) {
		return husk_error_errno(err, "open rootfs `%s`", root);
	}
	ctx->nullfd = open_null(err);
	return ctx->nullfd < 0 ? -1 : 0;
}

static int mount_id_of(int fd, uint64_t *id, husk_error_t *err)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0) {
		return husk_error_errno(err, "statx");
	}
	if (!(stx.stx_mask & STATX_MNT_ID)) {
		return husk_error_make(err, EOPNOTSUPP, "statx: no mount id");
	}
	*id = stx.stx_mnt_id;
	return 0;
}

/* A shared mount holding the rootfs would hand the bind below to its peers
 * (the host's copy, with rootfsPropagation shared) and make pivot_root fail;
 * an unbindable one (rootfsPropagation unbindable or runbindable) cannot be
 * bound at all: make that one mount private, in this namespace only.  The
 * container's own "/" gets rootfsPropagation again once it is "/". */
static int make_parent_private(husk_rootfs_ctx_t *ctx, int rootdir, husk_error_t *err)
{
	_cleanup_free_ char *info = NULL;
	_cleanup_close_ int fd = -1;
	husk_mountinfo_t mi;
	uint64_t id, got;
	char *cursor;

	if (mount_id_of(rootdir, &id, err) < 0) {
		return -1;
	}
	info = husk_mountinfo_read(ctx->o->procfd, err);
	if (info == NULL) {
		return -1;
	}
	cursor = info;
	do {
		if (husk_mountinfo_next(&cursor, &mi) == 0) {
			return husk_error_make(err, ENOENT, "mount %llu not in mountinfo",
					       (unsigned long long) id);
		}
	} while ((uint64_t) mi.id != id);
	if (strstr(mi.optional, "shared:") == NULL && strstr(mi.optional, "unbindable") == NULL) {
		return 0;
	}
	fd = open(mi.mountpoint, HUSK_O_PATH_DIR);
	if (fd < 0 || mount_id_of(fd, &got, err) < 0) {
		return *err ? -1 : husk_error_errno(err, "open `%s`", mi.mountpoint);
	}
	if (got != id) {
		return husk_error_make(err, EBUSY, "`%s` is covered by another mount",
				       mi.mountpoint);
	}
	return husk_mnt_setattr(fd, false, 0, 0, MS_PRIVATE, err);
}

int husk_rootfs_clone_host(const husk_config_t *cfg, int bundlefd, husk_error_t *err)
{
	_cleanup_close_ int rootdir = -1;
	int mfd;

	if (cfg->root == NULL || cfg->root->path == NULL) {
		return husk_error_make(err, EINVAL, "config.json: root.path: missing");
	}
	rootdir = openat(bundlefd, cfg->root->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootdir < 0) {
		return husk_error_errno(err, "open rootfs `%s`", cfg->root->path);
	}
	mfd = husk_mnt_clone(rootdir, true, err);
	return mfd >= 0 ? mfd : husk_error_wrap(err, "rootfs `%s`", cfg->root->path);
}

/* The rootfs the runtime cloned on the host's side: stacked on this
 * namespace's "/", which pivot_root then leaves behind as it would the
 * rootfs's parent.  The bundle itself is never opened. */
static int take_host_clone(husk_rootfs_ctx_t *ctx, unsigned long flags, husk_error_t *err)
{
	_cleanup_close_ int mfd = fcntl(ctx->o->rootfs_mfd, F_DUPFD_CLOEXEC, 3);

	if (mfd < 0) {
		return husk_error_errno(err, "take the rootfs from the runtime");
	}
	if (mount(NULL, "/", NULL, flags, NULL) < 0) {
		return husk_error_errno(err, "set the propagation of `/`");
	}
	if (move_mount(mfd, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) < 0) {
		return husk_error_errno(err, "attach the rootfs");
	}
	ctx->nullfd = open_null(err);
	if (ctx->nullfd < 0) {
		return -1;
	}
	ctx->rootfd = TAKE_FD(mfd);
	return 0;
}

static int prepare(husk_rootfs_ctx_t *ctx, husk_error_t *err)
{
	_cleanup_close_ int rootdir = -1;
	_cleanup_close_ int mfd = -1;
	unsigned long flags = MS_SLAVE | MS_REC;

	/* An unbindable "/" (and with runbindable everything under it) could
	 * not be bound any more: not the rootfs, not a host directory, not the
	 * verified /dev/null for the masks.  Those keep the default here and
	 * get what they asked for on the container's own "/" (finalize). */
	if (has_propagation(ctx->cfg) &&
	    !(propagation_flags(ctx->cfg->linux_->rootfs_propagation) & MS_UNBINDABLE)) {
		flags = propagation_flags(ctx->cfg->linux_->rootfs_propagation);
	}
	if (ctx->o->rootfs_mfd >= 0) {
		return take_host_clone(ctx, flags, err);
	}
	if (open_inputs(ctx, &rootdir, err) < 0) {
		return -1;
	}
	if (mount(NULL, "/", NULL, flags, NULL) < 0) {
		return husk_error_errno(err, "set the propagation of `/`");
	}
	if (make_parent_private(ctx, rootdir, err) < 0) {
		return husk_error_wrap(err, "make the mount holding the rootfs private");
	}
	mfd = husk_mnt_clone(rootdir, true, err);
	if (mfd < 0 || husk_mnt_attach(mfd, rootdir, err) < 0) {
		return husk_error_wrap(err, "bind the rootfs onto itself");
	}
	/* After move_mount the descriptor names the attached bind's root. */
	ctx->rootfd = TAKE_FD(mfd);
	return 0;
}

static int pivot(husk_error_t *err)
{
	_cleanup_close_ int oldroot = open("/", HUSK_O_PATH_DIR);

	if (oldroot < 0) {
		return husk_error_errno(err, "open the old root");
	}
	if (syscall(SYS_pivot_root, ".", ".") < 0) {
		return husk_error_errno(err, "pivot_root");
	}
	/* The old root is now stacked on "/".  Make it rslave first, so the
	 * detach below cannot propagate to the host's mounts: it, not the new
	 * root under it, whose propagation (rshared for a Kubernetes
	 * Bidirectional mount) is the container's to keep.  "." after
	 * pivot_root may be either; the descriptor names the old root. */
	if (fchdir(oldroot) < 0) {
		return husk_error_errno(err, "chdir to the old root");
	}
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0) {
		return husk_error_errno(err, "make the old root rslave");
	}
	if (umount2(".", MNT_DETACH) < 0) {
		return husk_error_errno(err, "detach the old root");
	}
	return 0;
}

/* --no-pivot, for a rootfs on an initramfs where pivot_root cannot work: the
 * host's mounts stay in the namespace, only out of reach of a chrooted
 * process. */
static int move_root(husk_rootfs_ctx_t *ctx, husk_error_t *err)
{
	if (move_mount(ctx->rootfd, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) < 0) {
		return husk_error_errno(err, "move the rootfs onto `/`");
	}
	if (chroot(".") < 0) {
		return husk_error_errno(err, "chroot");
	}
	return 0;
}

static int switch_root(husk_rootfs_ctx_t *ctx, husk_error_t *err)
{
	if (fchdir(ctx->rootfd) < 0) {
		return husk_error_errno(err, "chdir to the rootfs");
	}
	if ((ctx->o->no_pivot ? move_root(ctx, err) : pivot(err)) < 0) {
		return -1;
	}
	if (chdir("/") < 0) {
		return husk_error_errno(err, "chdir `/`");
	}
	return 0;
}

/* process.cwd, made if missing, as runc does: inside the new root, as root
 * of the container, before "/" may turn read-only.  Whether the process
 * may enter it is for chdir to say, as that user. */
static int make_cwd(husk_rootfs_ctx_t *ctx, husk_error_t *err)
{
	const husk_process_t *p = ctx->cfg->process;
	_cleanup_close_ int fd = -1;

	if (p == NULL || p->cwd == NULL || p->cwd[0] == '\0') {
		return 0;
	}
	fd = husk_path_mkdir_at(ctx->rootfd, p->cwd, 0755, err);
	return fd < 0 ? husk_error_wrap(err, "process.cwd `%s`", p->cwd) : 0;
}

/* Stdio that is the host's /dev/null becomes the container's own, as runc
 * does: the same device, but on a mount the container has, so CRIU can
 * checkpoint a container started from a script whose stdin is /dev/null. */
static int reopen_dev_null(husk_rootfs_ctx_t *ctx, husk_error_t *err)
{
	_cleanup_close_ int null = -1;
	struct stat st;

	if (ctx->dev_bound) {
		return 0; /* /dev is not husk's: its null is the config's business */
	}
	null = husk_path_open_at(ctx->rootfd, "dev/null", O_RDWR | O_NOFOLLOW, 0, err);
	if (null < 0 || fstat(null, &st) < 0) {
		return null < 0 ? -1 : husk_error_errno(err, "stat the container's `/dev/null`");
	}
	if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) {
		return husk_error_make(err, 0, "the container's `/dev/null` is not char 1:3");
	}
	for (int fd = 0; fd < 3; fd++) {
		if (fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3) &&
		    dup3(null, fd, 0) < 0) {
			return husk_error_errno(err, "reopen descriptor %d on `/dev/null`", fd);
		}
	}
	return 0;
}

static int finalize(husk_rootfs_ctx_t *ctx, husk_error_t *err)
{
	if (make_cwd(ctx, err) < 0 || reopen_dev_null(ctx, err) < 0) {
		return -1;
	}
	/* Only the root mount: /dev, /proc and the rest keep their own flags. */
	if (ctx->cfg->root->readonly &&
	    husk_mnt_setattr(ctx->rootfd, false, MOUNT_ATTR_RDONLY, 0, 0, err) < 0) {
		return husk_error_wrap(err, "make `/` read-only");
	}
	/* Again on the new root: the first time it was the host's "/" in this
	 * namespace (runc applies it at both places). */
	if (has_propagation(ctx->cfg) &&
	    mount(NULL, "/", NULL, propagation_flags(ctx->cfg->linux_->rootfs_propagation), NULL) <
		    0) {
		return husk_error_errno(
			err, "set rootfsPropagation `%s` on `/`",
			husk_propagation_name(ctx->cfg->linux_->rootfs_propagation));
	}
	return 0;
}

int husk_rootfs_setup(const husk_config_t *cfg, const husk_rootfs_opts_t *o, husk_error_t *err)
{
	__attribute__((cleanup(ctx_clear))) husk_rootfs_ctx_t ctx = {
		.cfg = cfg,
		.o = o,
		.bundlefd = -1,
		.rootfd = -1,
		.nullfd = -1,
	};

	if (cfg->root == NULL || cfg->root->path == NULL) {
		return husk_error_make(err, EINVAL, "config.json: root.path: missing");
	}
	if (prepare(&ctx, err) < 0) {
		return husk_error_wrap(err, "rootfs `%s`", cfg->root->path);
	}
	if (husk_rootfs_check_dev(ctx.rootfd, err) < 0 || husk_mounts_apply(&ctx, err) < 0) {
		return -1;
	}
	if (o->after_mounts != NULL && o->after_mounts(o->after_mounts_data, ctx.rootfd, err) < 0) {
		return -1;
	}
	if (husk_devices_setup(&ctx, err) < 0 || husk_masks_apply(&ctx, err) < 0) {
		return -1;
	}
	if (o->before_pivot != NULL && o->before_pivot(o->before_pivot_data, err) < 0) {
		return -1;
	}
	if (switch_root(&ctx, err) < 0) {
		return husk_error_wrap(err, "enter the rootfs");
	}
	return finalize(&ctx, err);
}
