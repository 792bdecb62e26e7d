/* husk rootfs: /dev inside the container.
 *
 * Runs after the config mounts (/dev is usually a tmpfs from config.json) and
 * before pivot_root, with the host's /dev still reachable for binding nodes
 * into a user namespace, where mknod is not allowed.  Every node is created
 * by a single name in a verified directory descriptor after removing whatever
 * the image had there, so a planted symlink is never followed.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "rootfs/devices.h"
#include "rootfs/rootfs-internal.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/open.h"
#include "util/pathfs.h"
#include "util/xalloc.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

typedef struct node_s {
	const char *name;
	mode_t type; /* S_IFCHR, S_IFBLK, S_IFIFO */
	mode_t perm;
	dev_t rdev;
	uid_t uid;
	gid_t gid;
} node_t;

/* The nodes every container gets (the OCI spec's list). */
static const struct {
	const char *name;
	unsigned int major, minor;
} default_nodes[] = {
	{ "null", 1, 3 },   { "zero", 1, 5 },    { "full", 1, 7 },
	{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
};

static const struct {
	const char *name;
	const char *target;
} default_links[] = {
	{ "fd", "/proc/self/fd" },       { "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
	{ "ptmx", "pts/ptmx" },
};

/* Clear NAME in DIRFD without following it: a file, link, node, or an empty
 * directory. */
static int clear_name(int dirfd, const char *name, husk_error_t *err)
{
	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT) {
		return 0;
	}
	if (errno == EISDIR && unlinkat(dirfd, name, AT_REMOVEDIR) == 0) {
		return 0;
	}
	return husk_error_errno(err, "remove `%s`", name);
}

/* A host node for a user namespace: opened without following links, and
 * checked to be the device it claims to be. */
static int open_host_node(const node_t *n, const char *hostpath, husk_error_t *err)
{
	_cleanup_close_ int fd = open(hostpath, HUSK_O_PATH);
	struct stat st;

	if (fd < 0) {
		return husk_error_errno(err, "open host `%s`", hostpath);
	}
	if (fstat(fd, &st) < 0) {
		return husk_error_errno(err, "stat host `%s`", hostpath);
	}
	if ((st.st_mode & S_IFMT) != n->type || (n->type != S_IFIFO && st.st_rdev != n->rdev)) {
		return husk_error_make(err, 0, "host `%s` is not the device %u:%u", hostpath,
				       major(n->rdev), minor(n->rdev));
	}
	return TAKE_FD(fd);
}

/* In a user namespace: an empty file, with the host's node bound onto it. */
static int bind_node(int dirfd, const node_t *n, const char *hostpath, husk_error_t *err)
{
	_cleanup_close_ int host = open_host_node(n, hostpath, err);
	_cleanup_close_ int file = -1;
	_cleanup_close_ int mfd = -1;

	if (host < 0) {
		return -1;
	}
	file = openat(dirfd, n->name, HUSK_O_CREAT_EXCL, 0);
	if (file < 0) {
		return husk_error_errno(err, "create `%s`", n->name);
	}
	mfd = husk_mnt_clone(host, false, err);
	if (mfd < 0 || husk_mnt_attach(mfd, file, err) < 0) {
		return -1;
	}
	return 0;
}

static int make_node(int dirfd, const node_t *n, husk_error_t *err)
{
	/* The exact mode the config asks for, whatever the umask. */
	mode_t old = umask(0);
	int r = mknodat(dirfd, n->name, n->type | n->perm, n->rdev);

	umask(old);
	if (r < 0) {
		return husk_error_errno(err, "mknod `%s`", n->name);
	}
	if (fchownat(dirfd, n->name, n->uid, n->gid, AT_SYMLINK_NOFOLLOW) < 0) {
		return husk_error_errno(err, "chown `%s`", n->name);
	}
	return 0;
}

static int create_node(husk_rootfs_ctx_t *ctx, int dirfd, const node_t *n, const char *hostpath,
		       husk_error_t *err)
{
	if (clear_name(dirfd, n->name, err) < 0) {
		return -1;
	}
	if (ctx->o->in_userns) {
		return bind_node(dirfd, n, hostpath, err);
	}
	return make_node(dirfd, n, err);
}

static int default_devices(husk_rootfs_ctx_t *ctx, int devfd, husk_error_t *err)
{
	for (size_t i = 0; i < sizeof(default_nodes) / sizeof(default_nodes[0]); i++) {
		char host[64];
		node_t n = {
			.name = default_nodes[i].name,
			.type = S_IFCHR,
			.perm = 0666,
			.rdev = makedev(default_nodes[i].major, default_nodes[i].minor),
		};

		snprintf(host, sizeof(host), "/dev/%s", n.name);
		if (create_node(ctx, devfd, &n, host, err) < 0) {
			return -1;
		}
	}
	for (size_t i = 0; i < sizeof(default_links) / sizeof(default_links[0]); i++) {
		const char *name = default_links[i].name;

		if (clear_name(devfd, name, err) < 0) {
			return -1;
		}
		if (symlinkat(default_links[i].target, devfd, name) < 0) {
			return husk_error_errno(err, "symlink `%s`", name);
		}
	}
	/* Mount points for what config.json usually puts there. */
	if ((mkdirat(devfd, "pts", 0755) < 0 && errno != EEXIST) ||
	    (mkdirat(devfd, "shm", 01777) < 0 && errno != EEXIST)) {
		return husk_error_errno(err, "mkdir");
	}
	return 0;
}

static mode_t device_type(int t)
{
	switch (t) {
	case HUSK_DEV_BLOCK:
		return S_IFBLK;
	case HUSK_DEV_FIFO:
		return S_IFIFO;
	default:
		return S_IFCHR;
	}
}

/* A linux.devices entry: its directory is resolved inside the rootfs (created
 * if missing), the node itself made by name in it. */
static int config_device(husk_rootfs_ctx_t *ctx, const husk_device_t *d, husk_error_t *err)
{
	_cleanup_free_ char *dir = xstrdup(d->path);
	char *slash = strrchr(dir, '/');
	_cleanup_close_ int dirfd = -1;
	node_t n = {
		.type = device_type(d->type),
		.perm = d->has_file_mode ? (d->file_mode & 07777) : 0666,
		.rdev = makedev((unsigned int) d->major, (unsigned int) d->minor),
		.uid = d->has_uid ? d->uid : 0,
		.gid = d->has_gid ? d->gid : 0,
	};

	if (slash == NULL || slash[1] == '\0') {
		return husk_error_make(err, EINVAL, "not a file path");
	}
	*slash = '\0';
	n.name = slash + 1;
	if (strcmp(n.name, ".") == 0 || strcmp(n.name, "..") == 0) {
		return husk_error_make(err, EINVAL, "not a file path");
	}
	dirfd = husk_path_mkdir_at(ctx->rootfd, dir[0] != '\0' ? dir : "/", 0755, err);
	if (dirfd < 0) {
		return -1;
	}
	return create_node(ctx, dirfd, &n, d->path, err);
}

/* A symlink at /dev in the image would have every node, and /dev/console,
 * made wherever it points (CVE-2026-41579).  Checked before the config mounts
 * (a mount onto /dev/pts would follow it too) and again when /dev is set up. */
int husk_rootfs_check_dev(int rootfd, husk_error_t *err)
{
	struct stat st;

	if (fstatat(rootfd, "dev", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
		return husk_error_make(err, 0, "rootfs `/dev` is a symlink: refusing to use it");
	}
	return 0;
}

/* /dev itself, opened by that one name without following it. */
static int open_dev(husk_rootfs_ctx_t *ctx, husk_error_t *err)
{
	int fd;

	if (husk_rootfs_check_dev(ctx->rootfd, err) < 0) {
		return -1;
	}
	if (mkdirat(ctx->rootfd, "dev", 0755) < 0 && errno != EEXIST) {
		return husk_error_errno(err, "mkdir `/dev`");
	}
	fd = openat(ctx->rootfd, "dev", HUSK_O_PATH_DIR);
	if (fd < 0) {
		return husk_error_errno(err, "open `/dev`");
	}
	return fd;
}

/* /dev/console: an empty file made by name (never through whatever the image
 * left there), with the pty's own inode bound onto it from its descriptor, so
 * no path in the container's devpts is ever trusted (CVE-2025-52565). */
static int bind_console(int devfd, int ptyfd, husk_error_t *err)
{
	_cleanup_close_ int file = -1;
	_cleanup_close_ int mfd = -1;

	if (clear_name(devfd, "console", err) < 0) {
		return -1;
	}
	file = openat(devfd, "console", HUSK_O_CREAT_EXCL, 0600);
	if (file < 0) {
		return husk_error_errno(err, "create `console`");
	}
	mfd = husk_mnt_clone(ptyfd, false, err);
	if (mfd < 0 || husk_mnt_attach(mfd, file, err) < 0) {
		return -1;
	}
	return 0;
}

int husk_rootfs_open_ptmx(int rootfd, husk_error_t *err)
{
	_cleanup_close_ int fd =
		husk_path_open_at(rootfd, "/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_NOFOLLOW, 0, err);
	struct statfs sfs;
	struct stat st;
	int unlock = 0;

	if (fd < 0) {
		return -1;
	}
	if (fstatfs(fd, &sfs) < 0 || sfs.f_type != DEVPTS_SUPER_MAGIC || fstat(fd, &st) < 0 ||
	    !S_ISCHR(st.st_mode) || st.st_rdev != makedev(5, 2)) {
		return husk_error_make(err, 0, "`/dev/pts/ptmx` is not a devpts ptmx");
	}
	if (ioctl(fd, TIOCSPTLCK, &unlock) < 0) {
		return husk_error_errno(err, "unlockpt");
	}
	return TAKE_FD(fd);
}

static int setup_console(husk_rootfs_ctx_t *ctx, int devfd, husk_error_t *err)
{
	_cleanup_close_ int master = -1;
	_cleanup_close_ int peer = -1;

	if (ctx->o->console_fd >= 0) {
		return bind_console(devfd, ctx->o->console_fd, err);
	}
	if (ctx->o->console_master == NULL) {
		return 0;
	}
	master = husk_rootfs_open_ptmx(ctx->rootfd, err);
	if (master < 0) {
		return -1;
	}
	peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (peer < 0) {
		return husk_error_errno(err, "TIOCGPTPEER");
	}
	if (bind_console(devfd, peer, err) < 0) {
		return -1;
	}
	*ctx->o->console_master = TAKE_FD(master);
	return 0;
}

int husk_devices_setup(husk_rootfs_ctx_t *ctx, husk_error_t *err)
{
	_cleanup_close_ int devfd = open_dev(ctx, err);
	const husk_linux_t *lx = ctx->cfg->linux_;

	if (devfd < 0) {
		return -1;
	}
	/* A /dev bound from the host (--privileged -v /dev:/dev) is the host's
	 * own directory: removing or adding a name there would change the
	 * host, so it is left exactly as it is. */
	if (ctx->dev_bound) {
		if (ctx->o->console_fd >= 0 || ctx->o->console_master != NULL) {
			husk_warn("/dev is bound from the host: no /dev/console is set up");
		}
		return 0;
	}
	if (default_devices(ctx, devfd, err) < 0) {
		return husk_error_wrap(err, "/dev");
	}
	for (size_t i = 0; lx != NULL && i < lx->devices.n; i++) {
		if (config_device(ctx, &lx->devices.v[i], err) < 0) {
			return husk_error_wrap(err, "device `%s`", lx->devices.v[i].path);
		}
	}
	if (setup_console(ctx, devfd, err) < 0) {
		return husk_error_wrap(err, "/dev/console");
	}
	return 0;
}
