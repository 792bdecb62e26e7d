/* husk rootfs: config.json mounts, through the mount API.
 *
 * Each mount is prepared detached (fsopen + fsmount for a new filesystem,
 * open_tree(OPEN_TREE_CLONE) for a bind), given its flags while nobody can see
 * it, and only then attached with move_mount() onto the descriptor that
 * util/pathfs.h resolved inside the rootfs.  No step names the destination by
 * a string the kernel would walk again, so a symlink planted in the rootfs
 * between "resolve" and "mount" cannot send the mount outside it
 * (CVE-2021-30465, CVE-2024-45310), and a read-only bind is never writable,
 * not even for a moment.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "rootfs/idmap.h"
#include "rootfs/rootfs-internal.h"
#include "util/cleanup.h"
#include "util/open.h"
#include "util/pathfs.h"
#include "util/xalloc.h"

static bool path_is(const char *path, const char *want)
{
	while (*path != '\0' || *want != '\0') {
		while (path[0] == '/' && path[1] == '/') {
			path++;
		}
		if (*path == '/' && path[1] == '\0' && *want == '\0') {
			return true;
		}
		if (*path != *want) {
			return false;
		}
		path++;
		want++;
	}
	return true;
}

static bool type_is(const husk_mount_t *m, const char *type)
{
	return m->type != NULL && strcmp(m->type, type) == 0;
}

/* A bind's source: a host path, relative to the bundle when not absolute.
 * It is the config author's to choose, so symlinks in it are followed. */
static int open_source(husk_rootfs_ctx_t *ctx, const husk_mount_t *m, husk_error_t *err)
{
	int fd;

	if (m->source == NULL) {
		return husk_error_make(err, EINVAL, "bind without a source");
	}
	fd = openat(ctx->bundlefd, m->source, O_PATH | O_CLOEXEC);
	if (fd < 0) {
		return husk_error_errno(err, "open source");
	}
	return fd;
}

/* The destination, resolved once inside the rootfs: a directory, or a file
 * when a non-directory is bound onto it. */
static int open_destination(husk_rootfs_ctx_t *ctx, const husk_mount_t *m, bool dir,
			    husk_error_t *err)
{
	int fd;

	if (dir) {
		fd = husk_path_mkdir_at(ctx->rootfd, m->destination, 0755, err);
	} else {
		fd = husk_path_create_file_at(ctx->rootfd, m->destination, 0644, err);
	}
	if (fd < 0) {
		return husk_error_wrap(err, "destination");
	}
	return fd;
}

/* The detached copy of a bind's source: a plain clone, or an idmapped one
 * (IDM not NULL); the runtime makes both before clone for a container with
 * its own user namespace (see rootfs/idmap.h). */
static int clone_source(husk_rootfs_ctx_t *ctx, size_t i, const husk_mount_t *m,
			const husk_mount_flags_t *f, const husk_idmap_req_t *idm, husk_error_t *err)
{
	_cleanup_close_ int src = -1;
	int mfd = husk_idmap_mounts_take(i);

	if (mfd >= 0) {
		return mfd;
	}
	src = open_source(ctx, m, err);
	if (src < 0) {
		return -1;
	}
	if (idm == NULL) {
		return husk_mnt_clone(src, f->recursive, err);
	}
	if (ctx->o->in_userns) {
		return husk_error_make(err, EOPNOTSUPP,
				       "an idmapped mount in a new user namespace must be "
				       "prepared by the runtime before clone");
	}
	return husk_idmap_clone(ctx->o->procfd, src, idm, err);
}

/* A detached copy of the source with the options applied.  A plain "ro"
 * concerns the top mount only (runc's meaning); "rro" and friends the whole
 * subtree, through mount_setattr(AT_RECURSIVE).  Flags the options do not
 * name are kept, so locked nosuid/nodev from the host survive. */
static int prepare_bind(husk_rootfs_ctx_t *ctx, size_t i, const husk_mount_t *m,
			const husk_mount_flags_t *f, const husk_idmap_req_t *idm, int *dstfd,
			husk_error_t *err)
{
	_cleanup_close_ int mfd = clone_source(ctx, i, m, f, idm, err);
	struct stat st;

	if (mfd < 0) {
		return -1;
	}
	if (fstat(mfd, &st) < 0) {
		return husk_error_errno(err, "stat source");
	}
	*dstfd = open_destination(ctx, m, S_ISDIR(st.st_mode), err);
	if (*dstfd < 0) {
		return -1;
	}
	if (husk_mnt_setattr(mfd, true, f->rattr_set, f->rattr_clr, 0, err) < 0 ||
	    husk_mnt_setattr(mfd, false, f->attr_set, f->attr_clr, 0, err) < 0) {
		return -1;
	}
	return TAKE_FD(mfd);
}

/* sysfs in a user namespace without its own network namespace cannot be
 * mounted (the kernel ties sysfs to a netns): bind the host's, read-only,
 * as runc and crun do. */
static int sysfs_fallback(husk_error_t *err)
{
	_cleanup_close_ int src = open("/sys", HUSK_O_PATH_DIR);
	_cleanup_close_ int mfd = -1;

	if (src < 0) {
		return husk_error_errno(err, "open `/sys`");
	}
	mfd = husk_mnt_clone(src, true, err);
	if (mfd < 0 || husk_mnt_setattr(mfd, true,
					MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
						MOUNT_ATTR_NOEXEC,
					0, 0, err) < 0) {
		return -1;
	}
	return TAKE_FD(mfd);
}

/* proc and sysfs go only onto a directory, never onto what a symlink in the
 * image names (runc's rule): the container's /proc must be the procfs the
 * masks and read-only paths cover, wherever the image points it
 * (CVE-2019-16884, CVE-2025-52881). */
static int check_kernel_fs_destination(husk_rootfs_ctx_t *ctx, const husk_mount_t *m,
				       husk_error_t *err)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (!type_is(m, "proc") && !type_is(m, "sysfs")) {
		return 0;
	}
	fd = husk_path_open_at(ctx->rootfd, m->destination, O_PATH | O_NOFOLLOW, 0, err);
	if (fd < 0) {
		if (husk_error_errno_of(*err) != ENOENT) {
			return husk_error_wrap(err, "destination");
		}
		husk_error_free(err);
		return 0;
	}
	if (fstat(fd, &st) < 0) {
		return husk_error_errno(err, "stat destination");
	}
	if (!S_ISDIR(st.st_mode)) {
		return husk_error_make(err, 0,
				       "filesystem `%s` must be mounted on an ordinary directory",
				       m->type);
	}
	return 0;
}

static int prepare_fs(husk_rootfs_ctx_t *ctx, const husk_mount_t *m, husk_mount_flags_t *f,
		      int *dstfd, husk_error_t *err)
{
	_cleanup_close_ int mfd = -1;

	if (check_kernel_fs_destination(ctx, m, err) < 0) {
		return -1;
	}
	*dstfd = open_destination(ctx, m, true, err);
	if (*dstfd < 0) {
		return -1;
	}
	/* A container that shares the host's network namespace sees the
	 * host's devices in sysfs: never let it write there. */
	if (type_is(m, "sysfs") && !ctx->o->own_netns) {
		f->attr_set |= MOUNT_ATTR_RDONLY;
		f->attr_clr &= ~(uint64_t) MOUNT_ATTR_RDONLY;
	}
	mfd = husk_mnt_new_config(ctx, m, f, err);
	if (mfd < 0 && type_is(m, "sysfs") && ctx->o->in_userns && !ctx->o->own_netns &&
	    husk_error_errno_of(*err) == EPERM) {
		husk_error_free(err);
		mfd = sysfs_fallback(err);
	}
	if (mfd < 0) {
		return -1;
	}
	/* Filled while detached, so the container never sees it half copied. */
	if (f->tmpcopyup && husk_copyup(*dstfd, mfd, err) < 0) {
		return -1;
	}
	if (husk_mnt_setattr(mfd, true, f->rattr_set, f->rattr_clr, 0, err) < 0) {
		return -1;
	}
	return TAKE_FD(mfd);
}

static int mount_one(husk_rootfs_ctx_t *ctx, size_t i, const husk_mount_t *m, husk_error_t *err)
{
	__attribute__((cleanup(husk_mount_flags_clear))) husk_mount_flags_t f = { 0 };
	_cleanup_close_ int dst = -1;
	_cleanup_close_ int mfd = -1;
	husk_idmap_req_t idm;
	int idmapped;

	if (husk_mount_flags_parse(m->options, &f, err) < 0) {
		return -1;
	}
	idmapped = husk_idmap_request(ctx->cfg, m, &idm, err);
	if (idmapped < 0) {
		return -1;
	}
	if (type_is(m, "bind") || type_is(m, "rbind")) {
		f.bind = true;
		f.recursive = f.recursive || type_is(m, "rbind");
	}
	if (f.tmpcopyup && !type_is(m, "tmpfs")) {
		return husk_error_make(err, EINVAL, "option `tmpcopyup` is for tmpfs only");
	}
	if (f.bind) {
		mfd = prepare_bind(ctx, i, m, &f, idmapped ? &idm : NULL, &dst, err);
	} else if (type_is(m, "cgroup") || type_is(m, "cgroup2")) {
		return husk_mount_cgroup(ctx, m, &f, err);
	} else if (m->type == NULL) {
		return husk_error_make(err, EINVAL, "no type");
	} else {
		mfd = prepare_fs(ctx, m, &f, &dst, err);
	}
	if (mfd < 0 || husk_mnt_attach(mfd, dst, err) < 0) {
		return -1;
	}
	/* Propagation only once attached: a detached mount has no peers. */
	if (husk_mnt_setattr(mfd, f.propagation_rec, 0, 0, f.propagation, err) < 0) {
		return -1;
	}
	if (f.bind && path_is(m->destination, "/dev")) {
		ctx->dev_bound = true;
	}
	return 0;
}

int husk_mounts_apply(husk_rootfs_ctx_t *ctx, husk_error_t *err)
{
	for (size_t i = 0; i < ctx->cfg->mounts.n; i++) {
		const husk_mount_t *m = &ctx->cfg->mounts.v[i];

		if (mount_one(ctx, i, m, err) < 0) {
			husk_idmap_mounts_release();
			return husk_error_wrap(err, "mount `%s` onto `%s`",
					       m->source != NULL ? m->source
								 : (m->type ? m->type : "none"),
					       m->destination);
		}
	}
	/* Whatever the runtime prepared and no mount took. */
	husk_idmap_mounts_release();
	return 0;
}
