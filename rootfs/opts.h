/* husk rootfs: what the runtime tells the rootfs setup (rootfs/rootfs.h), in a
 * header of its own so that the setup's stages can see it without seeing
 * the setup. */
#ifndef HUSK_ROOTFS_OPTS_H
#define HUSK_ROOTFS_OPTS_H

#include <stdbool.h>

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
	/* Optional.  Called with config.json's mounts in place and before
	 * /dev and the masks, with the rootfs's descriptor: mounts of the
	 * caller's own that config.json cannot say (`sandbox`'s workspace).
	 * Its failure fails the setup, unwrapped. */
	int (*after_mounts)(void *data, int rootfd, husk_error_t *err);
	void *after_mounts_data;
} husk_rootfs_opts_t;

#endif
