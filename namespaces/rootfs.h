/* husk: the container's root filesystem.
 *
 * husk_rootfs_setup() runs in the container child after it has unshared its
 * mount namespace (and its user namespace, whose maps are written) and before
 * the process attributes and exec.  It builds the rootfs as config.json says
 * and makes it the process's "/".  Every path inside the rootfs is resolved
 * once from a descriptor of it (util/pathfs.h) and every mount targets the
 * resulting descriptor through the mount API (open_tree, fsopen, fsmount,
 * move_mount, mount_setattr), never a path the kernel would resolve again.
 */
#ifndef HUSK_NAMESPACES_ROOTFS_H
#define HUSK_NAMESPACES_ROOTFS_H

#include <stdbool.h>

#include "spec/config.h"
#include "util/error.h"

typedef struct husk_rootfs_opts_s {
	const char *bundle; /* absolute bundle dir; root.path and relative mount sources are
			       relative to it */
	bool no_pivot;      /* --no-pivot: MS_MOVE + chroot instead of pivot_root (rootfs on an
			       initramfs) */
	int console_fd;     /* pty slave to bind at /dev/console, -1 for none; it must have been
			       opened in this mount namespace (TIOCGPTPEER after unshare) */
	bool in_userns;     /* a new user namespace: bind host device nodes instead of mknod */
	bool own_netns;     /* the container has its own network namespace (sysfs may be rw) */
	bool own_cgroupns;  /* the container has its own cgroup namespace (cgroupfs may be rw) */
	int procfd;         /* husk's verified procfs handle (util/procfs.h), opened before
			       clone; -1 to read the host's /proc */
	bool selinux;       /* the host has SELinux enabled: linux.mountLabel labels mqueue too */
	/* A detached copy of the rootfs the runtime made on the host's side
	 * (husk_rootfs_clone_host()), -1 for none: the init opens the bundle
	 * itself.  With it the bundle is never opened, so a rootfs under a
	 * directory that only the host's root may enter works in a user
	 * namespace too. */
	int rootfs_mfd;
	/* Optional.  When not NULL and console_fd is -1, a pty is allocated in
	 * the container's own devpts (/dev/pts/ptmx, checked to be a devpts
	 * ptmx), its peer is bound at /dev/console and the master is stored
	 * here (close-on-exec), for --console-socket. */
	int *console_master;
	/* Optional.  Called with every mount in place, right before pivot_root
	 * (or the --no-pivot move): the point where OCI createRuntime and
	 * createContainer hooks run.  Its failure fails the setup, unwrapped. */
	int (*before_pivot)(void *data, husk_error_t *err);
	void *before_pivot_data;
} husk_rootfs_opts_t;

/* Build the container's root filesystem as CFG says and make it "/": on return
 * the process's root and cwd are the new root, with /proc, /dev, every mount,
 * masked and read-only paths in place.  Errors name the mount and the step:
 * "mount `proc` onto `/proc`: fsmount: operation not permitted". */
int husk_rootfs_setup(const husk_config_t *cfg, const husk_rootfs_opts_t *o, husk_error_t *err);

/* For the runtime, before it clones the init of a container with a user
 * namespace of its own: a detached copy (with everything mounted below it)
 * of CFG's root.path, relative to the bundle BUNDLEFD, opened with the
 * host's credentials, for husk_rootfs_opts_t.rootfs_mfd.  runc opens a
 * bind's source on the host's side for the same reason
 * (husk_idmap_mounts_prepare() does that for binds). */
int husk_rootfs_clone_host(const husk_config_t *cfg, int bundlefd, husk_error_t *err);

/* The container's own ptmx under ROOTFD (/dev/pts/ptmx, checked to be the
 * multiplexer of a devpts, never a node the container put there), unlocked:
 * a new pty whose peer is the container's. */
int husk_rootfs_open_ptmx(int rootfd, husk_error_t *err);

#endif
