/* husk: config.json mounts, through the mount API.
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

#include "namespaces/idmap.h"
#include "namespaces/rootfs-internal.h"
#include "util/cleanup.h"
#include "util/open.h"
#include "util/pathfs.h"
#include "util/xalloc.h"

/* ---- option parsing ---- */

enum opt_kind {
	OPT_IGNORE,
	OPT_ATTR,  /* a MOUNT_ATTR_* flag of the mount itself */
	OPT_RATTR, /* the same, applied to the whole subtree */
	OPT_PROP,  /* propagation */
	OPT_BIND,
	OPT_COPYUP,
};

typedef struct opt_s {
	const char *name;
	enum opt_kind kind;
	uint64_t set; /* MOUNT_ATTR_* to set, or the MS_* propagation */
	uint64_t clr; /* MOUNT_ATTR_* to clear (MOUNT_ATTR__ATIME for the atime modes) */
	bool rec;     /* rbind, or a recursive propagation */
} opt_t;

/* "atime", "norelatime" and "nostrictatime" undo a stricter mode; the mount
 * API has no "unset", so they select the kernel's default, relatime. */
static const opt_t options[] = {
	{ "defaults", OPT_IGNORE },
	{ "remount", OPT_IGNORE },
	{ "silent", OPT_IGNORE },
	{ "loud", OPT_IGNORE },
	{ "ro", OPT_ATTR, MOUNT_ATTR_RDONLY, 0 },
	{ "rw", OPT_ATTR, 0, MOUNT_ATTR_RDONLY },
	{ "nosuid", OPT_ATTR, MOUNT_ATTR_NOSUID, 0 },
	{ "suid", OPT_ATTR, 0, MOUNT_ATTR_NOSUID },
	{ "nodev", OPT_ATTR, MOUNT_ATTR_NODEV, 0 },
	{ "dev", OPT_ATTR, 0, MOUNT_ATTR_NODEV },
	{ "noexec", OPT_ATTR, MOUNT_ATTR_NOEXEC, 0 },
	{ "exec", OPT_ATTR, 0, MOUNT_ATTR_NOEXEC },
	{ "nodiratime", OPT_ATTR, MOUNT_ATTR_NODIRATIME, 0 },
	{ "diratime", OPT_ATTR, 0, MOUNT_ATTR_NODIRATIME },
	{ "nosymfollow", OPT_ATTR, MOUNT_ATTR_NOSYMFOLLOW, 0 },
	{ "symfollow", OPT_ATTR, 0, MOUNT_ATTR_NOSYMFOLLOW },
	{ "noatime", OPT_ATTR, MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME },
	{ "strictatime", OPT_ATTR, MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME },
	{ "relatime", OPT_ATTR, MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME },
	{ "atime", OPT_ATTR, MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME },
	{ "norelatime", OPT_ATTR, MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME },
	{ "nostrictatime", OPT_ATTR, MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME },
	{ "rro", OPT_RATTR, MOUNT_ATTR_RDONLY, 0 },
	{ "rrw", OPT_RATTR, 0, MOUNT_ATTR_RDONLY },
	{ "rnosuid", OPT_RATTR, MOUNT_ATTR_NOSUID, 0 },
	{ "rsuid", OPT_RATTR, 0, MOUNT_ATTR_NOSUID },
	{ "rnodev", OPT_RATTR, MOUNT_ATTR_NODEV, 0 },
	{ "rdev", OPT_RATTR, 0, MOUNT_ATTR_NODEV },
	{ "rnoexec", OPT_RATTR, MOUNT_ATTR_NOEXEC, 0 },
	{ "rexec", OPT_RATTR, 0, MOUNT_ATTR_NOEXEC },
	{ "rnodiratime", OPT_RATTR, MOUNT_ATTR_NODIRATIME, 0 },
	{ "rdiratime", OPT_RATTR, 0, MOUNT_ATTR_NODIRATIME },
	{ "rnosymfollow", OPT_RATTR, MOUNT_ATTR_NOSYMFOLLOW, 0 },
	{ "rsymfollow", OPT_RATTR, 0, MOUNT_ATTR_NOSYMFOLLOW },
	{ "rnoatime", OPT_RATTR, MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME },
	{ "rstrictatime", OPT_RATTR, MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME },
	{ "rrelatime", OPT_RATTR, MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME },
	{ "ratime", OPT_RATTR, MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME },
	{ "rnorelatime", OPT_RATTR, MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME },
	{ "rnostrictatime", OPT_RATTR, MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME },
	{ "shared", OPT_PROP, MS_SHARED, 0, false },
	{ "rshared", OPT_PROP, MS_SHARED, 0, true },
	{ "slave", OPT_PROP, MS_SLAVE, 0, false },
	{ "rslave", OPT_PROP, MS_SLAVE, 0, true },
	{ "private", OPT_PROP, MS_PRIVATE, 0, false },
	{ "rprivate", OPT_PROP, MS_PRIVATE, 0, true },
	{ "unbindable", OPT_PROP, MS_UNBINDABLE, 0, false },
	{ "runbindable", OPT_PROP, MS_UNBINDABLE, 0, true },
	{ "bind", OPT_BIND, 0, 0, false },
	{ "rbind", OPT_BIND, 0, 0, true },
	{ "tmpcopyup", OPT_COPYUP },
	/* For namespaces/idmap.c, which reads them from the mount itself. */
	{ "idmap", OPT_IGNORE },
	{ "ridmap", OPT_IGNORE },
};

static const opt_t *opt_find(const char *name)
{
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		if (strcmp(options[i].name, name) == 0) {
			return &options[i];
		}
	}
	return NULL;
}

/* A later option overrides an earlier one on the same flag ("ro,rw" is rw). */
static void flags_merge(uint64_t *set, uint64_t *clr, const opt_t *o)
{
	*set &= ~(o->set | o->clr);
	*clr &= ~(o->set | o->clr);
	*set |= o->set;
	*clr |= o->clr;
}

static void strv_push(char ***v, const char *s)
{
	size_t n = husk_strv_len(*v);

	*v = xreallocarray(*v, n + 2, sizeof(char *));
	(*v)[n] = xstrdup(s);
	(*v)[n + 1] = NULL;
}

int husk_mount_flags_parse(char *const *opts, husk_mount_flags_t *out, husk_error_t *err)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; opts != NULL && opts[i] != NULL; i++) {
		const opt_t *o = opt_find(opts[i]);

		if (o == NULL) {
			strv_push(&out->fs_options, opts[i]);
			continue;
		}
		switch (o->kind) {
		case OPT_IGNORE:
			break;
		case OPT_ATTR:
			flags_merge(&out->attr_set, &out->attr_clr, o);
			break;
		case OPT_RATTR:
			flags_merge(&out->rattr_set, &out->rattr_clr, o);
			break;
		case OPT_PROP:
			out->propagation = o->set;
			out->propagation_rec = o->rec;
			break;
		case OPT_BIND:
			out->bind = true;
			out->recursive = out->recursive || o->rec;
			break;
		case OPT_COPYUP:
			out->tmpcopyup = true;
			break;
		}
	}
	return 0;
}

void husk_mount_flags_clear(husk_mount_flags_t *f)
{
	husk_strv_free(f->fs_options);
	f->fs_options = NULL;
}

/* ---- the mount API ---- */

/* The kernel explains a failed fsconfig()/fsmount() in the context's log:
 * keep its last line, it says more than EINVAL does. */
static int fs_fail(int fsfd, husk_error_t *err, const char *what)
{
	int saved = errno;
	char line[256], last[256] = "";
	ssize_t n;

	char ebuf[128];

	while ((n = read(fsfd, line, sizeof(line) - 1)) > 0) {
		line[n] = '\0';
		line[strcspn(line, "\n")] = '\0';
		if (n > 2 && line[1] == ' ') {
			snprintf(last, sizeof(last), "%s", line + 2);
		}
	}
	if (last[0] != '\0') {
		husk_error_make(err, 0, "%s: %s (%s)", what,
				husk_strerror(saved, ebuf, sizeof(ebuf)), last);
		(*err)->errno_ = saved;
		return -1;
	}
	return husk_error_make(err, saved, "%s", what);
}

/* Hand one "key[=value]" to the filesystem.  OPT may hold several,
 * comma-separated, as mount(8) data does; a comma after a backslash or inside
 * double quotes (overlay paths, SELinux contexts) is part of the value. */
static int fs_set_one(int fsfd, char *opt, husk_error_t *err)
{
	char *eq = strchr(opt, '=');
	int r;

	if (opt[0] == '\0') {
		return 0;
	}
	if (eq != NULL) {
		*eq = '\0';
		r = fsconfig(fsfd, FSCONFIG_SET_STRING, opt, eq + 1, 0);
		*eq = '=';
	} else {
		r = fsconfig(fsfd, FSCONFIG_SET_FLAG, opt, NULL, 0);
	}
	if (r < 0) {
		_cleanup_free_ char *what = xasprintf("option `%s`", opt);

		return fs_fail(fsfd, err, what);
	}
	return 0;
}

static int fs_set_options(int fsfd, const char *opts, husk_error_t *err)
{
	_cleanup_free_ char *copy = xstrdup(opts);
	char *start = copy;
	bool quoted = false;

	for (char *p = copy;; p++) {
		if (*p == '"') {
			quoted = !quoted;
		} else if (*p == '\\' && p[1] != '\0') {
			p++;
		} else if ((*p == ',' && !quoted) || *p == '\0') {
			bool end = *p == '\0';

			*p = '\0';
			if (fs_set_one(fsfd, start, err) < 0) {
				return -1;
			}
			if (end) {
				return 0;
			}
			start = p + 1;
		}
	}
}

/* linux.mountLabel as the `context` option, given whole: an MCS label's
 * categories ("s0:c1,c2") hold commas.  Without SELinux the kernel refuses
 * it, as it refuses runc's; the error says why. */
static int fs_set_label(int fsfd, const char *label, bool selinux, husk_error_t *err)
{
	_cleanup_free_ char *what = NULL;

	if (fsconfig(fsfd, FSCONFIG_SET_STRING, "context", label, 0) == 0) {
		return 0;
	}
	what = xasprintf("linux.mountLabel `%s` (option `context`%s)", label,
			 selinux ? "" : "; SELinux is not enabled on this host");
	return fs_fail(fsfd, err, what);
}

int husk_mnt_new_label(const char *type, const char *source, char *const *opts, const char *label,
		       bool selinux, uint64_t attrs, husk_error_t *err)
{
	_cleanup_close_ int fsfd = fsopen(type, FSOPEN_CLOEXEC);
	int mfd;

	if (fsfd < 0) {
		return husk_error_errno(err, "fsopen");
	}
	if (source != NULL && fsconfig(fsfd, FSCONFIG_SET_STRING, "source", source, 0) < 0) {
		return fs_fail(fsfd, err, "source");
	}
	for (size_t i = 0; opts != NULL && opts[i] != NULL; i++) {
		if (fs_set_options(fsfd, opts[i], err) < 0) {
			return -1;
		}
	}
	if (label != NULL && fs_set_label(fsfd, label, selinux, err) < 0) {
		return -1;
	}
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		return fs_fail(fsfd, err, "create");
	}
	mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, (unsigned int) attrs);
	if (mfd < 0) {
		return fs_fail(fsfd, err, "fsmount");
	}
	return mfd;
}

int husk_mnt_new(const char *type, const char *source, char *const *opts, uint64_t attrs,
		 husk_error_t *err)
{
	return husk_mnt_new_label(type, source, opts, NULL, false, attrs, err);
}

int husk_mnt_clone(int fd, bool recursive, husk_error_t *err)
{
	int mfd = open_tree(fd, "",
			    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
				    (recursive ? AT_RECURSIVE : 0));

	if (mfd < 0) {
		return husk_error_errno(err, "open_tree");
	}
	return mfd;
}

int husk_mnt_setattr(int mfd, bool recursive, uint64_t set, uint64_t clr, uint64_t propagation,
		     husk_error_t *err)
{
	struct mount_attr attr = {
		.attr_set = set,
		.attr_clr = clr,
		.propagation = propagation,
	};

	if (set == 0 && clr == 0 && propagation == 0) {
		return 0;
	}
	if (mount_setattr(mfd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr,
			  sizeof(attr)) < 0) {
		return husk_error_errno(err, "mount_setattr");
	}
	return 0;
}

int husk_mnt_attach(int mfd, int targetfd, husk_error_t *err)
{
	if (move_mount(mfd, "", targetfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) <
	    0) {
		return husk_error_errno(err, "move_mount");
	}
	return 0;
}

/* ---- one config mount ---- */

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
 * its own user namespace (see namespaces/idmap.h). */
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
