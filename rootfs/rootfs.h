/* husk rootfs: the container's root filesystem.
 *
 * husk_rootfs_setup() runs in the container child after it has unshared its
 * mount namespace (and its user namespace, whose maps are written) and before
 * the process attributes and exec.  It builds the rootfs as config.json says
 * and makes it the process's "/".  Every path inside the rootfs is resolved
 * once from a descriptor of it (util/pathfs.h) and every mount targets the
 * resulting descriptor through the mount API (open_tree, fsopen, fsmount,
 * move_mount, mount_setattr), never a path the kernel would resolve again.
 */
#ifndef HUSK_ROOTFS_ROOTFS_H
#define HUSK_ROOTFS_ROOTFS_H

#include <stdbool.h>

#include "rootfs/devices.h"
#include "rootfs/opts.h"
#include "spec/config.h"
#include "util/error.h"

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

#endif
