/* husk rootfs: the mount API by descriptor, and what config.json's mount options
 * mean for it.
 *
 * A mount is made detached (fsopen + fsmount for a new filesystem,
 * open_tree(OPEN_TREE_CLONE) for a bind), given its flags while nobody can
 * see it, and only then attached with move_mount() onto a descriptor: no
 * step names a destination by a string the kernel would walk again.
 */
#include "rootfs/mntapi.h"

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

#include "util/cleanup.h"
#include "util/open.h"
#include "util/strv.h"
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
	/* For rootfs/idmap.c, which reads them from the mount itself. */
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

int husk_mount_flags_parse(char *const *opts, husk_mount_flags_t *out, husk_error_t *err)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; opts != NULL && opts[i] != NULL; i++) {
		const opt_t *o = opt_find(opts[i]);

		if (o == NULL) {
			husk_strv_push(&out->fs_options, xstrdup(opts[i]));
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
