/* husk rootfs: what the rootfs stages share (rootfs/ only). */
#ifndef HUSK_ROOTFS_ROOTFS_INTERNAL_H
#define HUSK_ROOTFS_ROOTFS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "rootfs/opts.h"
#include "spec/config.h"
#include "rootfs/mntapi.h"

/* One run of husk_rootfs_setup(): the inputs and the descriptors every stage
 * works from. */
typedef struct husk_rootfs_ctx_s {
	const husk_config_t *cfg;
	const husk_rootfs_opts_t *o;
	int bundlefd;   /* the bundle directory (host) */
	int rootfd;     /* the root of the rootfs's bind mount onto itself */
	int nullfd;     /* the host's /dev/null, checked to be char 1:3 */
	bool dev_bound; /* a config mount binds /dev: leave its contents alone */
} husk_rootfs_ctx_t;

/* ---- linux.mountLabel (mountlabel.c) ---- */

/* husk_mnt_new() for a filesystem made for the container that runc labels
 * (a tmpfs, devpts): with linux.mountLabel, when the config has one, as its
 * `context` option (init/lsm.h says why even without SELinux). */
int husk_mnt_new_labelled(const husk_rootfs_ctx_t *ctx, const char *type, const char *source,
			  char *const *options, uint64_t attrs, husk_error_t *err);
/* The new filesystem config mount M asks for, with options F, labelled as
 * runc labels it. */
int husk_mnt_new_config(husk_rootfs_ctx_t *ctx, const husk_mount_t *m, const husk_mount_flags_t *f,
			husk_error_t *err);

/* ---- stages ---- */

/* Every mount of config.json, in order. */
int husk_mounts_apply(husk_rootfs_ctx_t *ctx, husk_error_t *err);
/* /dev: default nodes and links, linux.devices, /dev/console. */
int husk_devices_setup(husk_rootfs_ctx_t *ctx, husk_error_t *err);
/* Refuse a rootfs whose /dev is a symlink. */
int husk_rootfs_check_dev(int rootfd, husk_error_t *err);
/* linux.maskedPaths, then linux.readonlyPaths. */
int husk_masks_apply(husk_rootfs_ctx_t *ctx, husk_error_t *err);

/* A config mount of type cgroup or cgroup2 (cgroupfs.c), read-only unless the
 * container has its own cgroup namespace. */
int husk_mount_cgroup(husk_rootfs_ctx_t *ctx, const husk_mount_t *m, husk_mount_flags_t *f,
		      husk_error_t *err);

/* Copy the tree under the directory SRCDIR into the (detached, new) mount
 * DSTMNT (copyup.c). */
int husk_copyup(int srcdir, int dstmnt, husk_error_t *err);

/* ---- mountinfo (mountinfo.c) ---- */

typedef struct husk_mountinfo_s {
	int id;
	int parent;
	char *mountpoint; /* unescaped */
	char *options;    /* the mount's: "rw,nosuid,relatime" */
	char *optional;   /* "shared:1 master:2", or "" */
	char *fstype;
	char *source;
	char *superopts;
} husk_mountinfo_t;

/* This process's mountinfo, read through the verified procfs handle when there
 * is one (PROCFD >= 0). */
char *husk_mountinfo_read(int procfd, husk_error_t *err);
/* This process's /proc/<pid>/cgroup, the same way. */
char *husk_self_cgroups_read(int procfd, husk_error_t *err);
/* Split the next line at *CURSOR (modified in place) into OUT.  Returns 1, or
 * 0 at the end; a malformed line is skipped. */
int husk_mountinfo_next(char **cursor, husk_mountinfo_t *out);

#endif
