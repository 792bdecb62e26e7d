/* husk rootfs: the cgroup filesystem inside the container.
 *
 * Without a cgroup namespace of its own the container would see, and with a
 * writable cgroupfs could change, the host's whole hierarchy: so it gets a
 * read-only cgroupfs unless it has one (CVE-2023-25809).  On a cgroup v2 host
 * that is a fresh cgroup2 mount; on v1 and hybrid hosts a tmpfs holding one
 * mount of every hierarchy the host has under /sys/fs/cgroup, as runc builds
 * it: a fresh mount in a cgroup namespace of its own (rooted at the
 * container's cgroup), and otherwise a read-only bind of the container's own
 * cgroup in the host's hierarchy, so that the container reads its own limits
 * at /sys/fs/cgroup/memory/memory.limit_in_bytes (JVMs and podman's own tools
 * do) and never the host's tree.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "rootfs/rootfs-internal.h"
#include "util/cleanup.h"
#include "util/open.h"
#include "util/pathfs.h"
#include "util/xalloc.h"

#define HOST_CGROUP "/sys/fs/cgroup"

static bool host_is_unified(void)
{
	struct statfs sfs;

	return statfs(HOST_CGROUP, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
}

/* The host's mount of one hierarchy, bound read-only: for a user namespace,
 * where the kernel refuses a fresh cgroup v1 mount. */
static int clone_host(const char *path, husk_error_t *err)
{
	_cleanup_close_ int src = open(path, HUSK_O_PATH_DIR);
	_cleanup_close_ int mfd = -1;

	if (src < 0) {
		return husk_error_errno(err, "open `%s`", path);
	}
	mfd = husk_mnt_clone(src, true, err);
	if (mfd < 0 || husk_mnt_setattr(mfd, true, MOUNT_ATTR_RDONLY, 0, 0, err) < 0) {
		return -1;
	}
	return TAKE_FD(mfd);
}

/* "rw,cpu,cpuacct" without "rw"/"ro": those are the mount's, not the
 * hierarchy's. */
static char *hierarchy_options(const char *superopts)
{
	_cleanup_free_ char *copy = xstrdup(superopts);
	char *out = xmalloc0(strlen(superopts) + 1);
	char *save = NULL;

	for (char *o = strtok_r(copy, ",", &save); o != NULL; o = strtok_r(NULL, ",", &save)) {
		if (strcmp(o, "rw") == 0 || strcmp(o, "ro") == 0) {
			continue;
		}
		if (out[0] != '\0') {
			strcat(out, ",");
		}
		strcat(out, o);
	}
	return out;
}

/* Whether every controller of a /proc/self/cgroup line ("cpu,cpuacct",
 * "name=systemd") is among the mount options of the hierarchy. */
static bool controllers_match(const char *controllers, const char *opts)
{
	_cleanup_free_ char *copy = xstrdup(controllers);
	char *save = NULL;
	size_t n = 0;

	for (char *c = strtok_r(copy, ",", &save); c != NULL; c = strtok_r(NULL, ",", &save), n++) {
		const char *o = opts;
		size_t len = strlen(c);
		bool found = false;

		while (!found && (o = strstr(o, c)) != NULL) {
			found = (o == opts || o[-1] == ',') && (o[len] == ',' || o[len] == '\0');
			o += len;
		}
		if (!found) {
			return false;
		}
	}
	return n > 0;
}

/* The container's cgroup in the hierarchy mounted as MI, from this process's
 * /proc/self/cgroup ("4:memory:/a/b", "0::/a/b" for cgroup2), or "/". */
static char *own_cgroup(const char *cgroups, const husk_mountinfo_t *mi, const char *opts)
{
	bool v2 = strcmp(mi->fstype, "cgroup2") == 0;
	const char *line = cgroups;

	while (line != NULL && *line != '\0') {
		const char *end = strchrnul(line, '\n');
		const char *c1 = memchr(line, ':', (size_t) (end - line));
		const char *c2 = c1 != NULL ? memchr(c1 + 1, ':', (size_t) (end - c1 - 1)) : NULL;

		if (c2 != NULL && c2[1] == '/') {
			_cleanup_free_ char *ctrl = xstrndup(c1 + 1, (size_t) (c2 - c1 - 1));

			if (v2 ? (ctrl[0] == '\0' && strncmp(line, "0:", 2) == 0)
			       : controllers_match(ctrl, opts)) {
				return xstrndup(c2 + 1, (size_t) (end - c2 - 1));
			}
		}
		line = *end != '\0' ? end + 1 : NULL;
	}
	return xstrdup("/");
}

static int mount_hierarchy(int treefd, const husk_mountinfo_t *mi, const char *cgroups,
			   bool own_cgroupns, uint64_t attrs, husk_error_t *err)
{
	const char *name = mi->mountpoint + strlen(HOST_CGROUP "/");
	_cleanup_free_ char *opts = hierarchy_options(mi->superopts);
	char *const optv[] = { opts, NULL };
	_cleanup_free_ char *own = own_cgroup(cgroups, mi, opts);
	_cleanup_free_ char *host = xasprintf("%s%s", mi->mountpoint, own);
	_cleanup_close_ int dst = -1;
	_cleanup_close_ int mfd = -1;

	if (mkdirat(treefd, name, 0755) < 0 && errno != EEXIST) {
		return husk_error_errno(err, "mkdir `%s`", name);
	}
	dst = openat(treefd, name, HUSK_O_PATH_DIR);
	if (dst < 0) {
		return husk_error_errno(err, "open `%s`", name);
	}
	if (own_cgroupns) {
		mfd = husk_mnt_new(mi->fstype, mi->fstype, optv, attrs, err);
	}
	/* A user namespace may not mount cgroup v1 afresh: bind it then too. */
	if (!own_cgroupns || (mfd < 0 && husk_error_errno_of(*err) == EPERM)) {
		husk_error_free(err);
		mfd = clone_host(host, err);
	}
	if (mfd < 0 || husk_mnt_attach(mfd, dst, err) < 0) {
		return husk_error_wrap(err, "hierarchy `%s`", name);
	}
	return 0;
}

/* The host's "cpu -> cpu,cpuacct" links, so paths that name a controller
 * alone keep working. */
static int copy_links(int treefd, husk_error_t *err)
{
	_cleanup_closedir_ DIR *d = opendir(HOST_CGROUP);
	struct dirent *de;

	if (d == NULL) {
		return husk_error_errno(err, "open `%s`", HOST_CGROUP);
	}
	while ((de = readdir(d)) != NULL) {
		char target[PATH_MAX];
		ssize_t n;

		if (de->d_type != DT_LNK) {
			continue;
		}
		n = readlinkat(dirfd(d), de->d_name, target, sizeof(target) - 1);
		if (n < 0) {
			continue;
		}
		target[n] = '\0';
		if (symlinkat(target, treefd, de->d_name) < 0 && errno != EEXIST) {
			return husk_error_errno(err, "symlink `%s`", de->d_name);
		}
	}
	return 0;
}

/* Both return the attached mount.
 *
 * v1: a tmpfs, attached first (a detached tree cannot take submounts on every
 * kernel), then one mount per host hierarchy inside it. */
static int mount_v1(husk_rootfs_ctx_t *ctx, int dst, uint64_t attrs, husk_error_t *err)
{
	char *const tmpfs_opts[] = { "mode=755", NULL };
	_cleanup_close_ int tree = husk_mnt_new_labelled(
		ctx, "tmpfs", "cgroup", tmpfs_opts, attrs & ~(uint64_t) MOUNT_ATTR_RDONLY, err);
	_cleanup_free_ char *info = NULL;
	_cleanup_free_ char *cgroups = NULL;
	husk_mountinfo_t mi;
	char *cursor;

	if (tree < 0 || husk_mnt_attach(tree, dst, err) < 0) {
		return -1;
	}
	info = husk_mountinfo_read(ctx->o->procfd, err);
	/* The parent has moved us into the container's cgroups by now. */
	cgroups = info != NULL ? husk_self_cgroups_read(ctx->o->procfd, err) : NULL;
	if (cgroups == NULL) {
		return -1;
	}
	cursor = info;
	while (husk_mountinfo_next(&cursor, &mi) > 0) {
		const char *rest = mi.mountpoint + strlen(HOST_CGROUP "/");

		if (strncmp(mi.mountpoint, HOST_CGROUP "/", strlen(HOST_CGROUP "/")) != 0 ||
		    rest[0] == '\0' || strchr(rest, '/') != NULL ||
		    (strcmp(mi.fstype, "cgroup") != 0 && strcmp(mi.fstype, "cgroup2") != 0)) {
			continue;
		}
		if (mount_hierarchy(tree, &mi, cgroups, ctx->o->own_cgroupns, attrs, err) < 0) {
			return -1;
		}
	}
	if (copy_links(tree, err) < 0) {
		return -1;
	}
	/* The tmpfs was writable while being filled; now it gets the flags. */
	if (husk_mnt_setattr(tree, true, attrs & MOUNT_ATTR_RDONLY, 0, 0, err) < 0) {
		return -1;
	}
	return TAKE_FD(tree);
}

static int mount_v2(int dst, const husk_mount_flags_t *f, uint64_t attrs, husk_error_t *err)
{
	_cleanup_close_ int mfd = husk_mnt_new("cgroup2", "cgroup2", f->fs_options, attrs, err);

	/* A user namespace without a cgroup namespace may not mount cgroup2. */
	if (mfd < 0 && (husk_error_errno_of(*err) == EPERM || husk_error_errno_of(*err) == EBUSY)) {
		husk_error_free(err);
		mfd = clone_host(HOST_CGROUP, err);
	}
	if (mfd < 0 || husk_mnt_attach(mfd, dst, err) < 0) {
		return -1;
	}
	return TAKE_FD(mfd);
}

int husk_mount_cgroup(husk_rootfs_ctx_t *ctx, const husk_mount_t *m, husk_mount_flags_t *f,
		      husk_error_t *err)
{
	_cleanup_close_ int dst = husk_path_mkdir_at(ctx->rootfd, m->destination, 0755, err);
	_cleanup_close_ int mnt = -1;
	uint64_t attrs = f->attr_set;

	if (dst < 0) {
		return husk_error_wrap(err, "destination");
	}
	if (!ctx->o->own_cgroupns) {
		attrs |= MOUNT_ATTR_RDONLY;
	}
	if (strcmp(m->type, "cgroup2") == 0 || host_is_unified()) {
		mnt = mount_v2(dst, f, attrs, err);
	} else {
		mnt = mount_v1(ctx, dst, attrs, err);
	}
	/* After move_mount the descriptor names the attached mount itself. */
	if (mnt < 0 || husk_mnt_setattr(mnt, true, f->rattr_set, f->rattr_clr, 0, err) < 0 ||
	    husk_mnt_setattr(mnt, f->propagation_rec, 0, 0, f->propagation, err) < 0) {
		return -1;
	}
	return 0;
}
