/* husk rootfs: idmapped mounts (mounts[].uidMappings/gidMappings, "idmap", "ridmap").
 *
 * A bind is idmapped by cloning its source with open_tree(OPEN_TREE_CLONE)
 * and giving the detached copy mount_setattr(MOUNT_ATTR_IDMAP) with a user
 * namespace that carries the mapping; only then is it attached.  The mapping
 * is runc's and crun's: each LinuxIDMapping goes into that namespace's
 * uid_map/gid_map as "containerID hostID size", so an id stored on the
 * filesystem as containerID + n is seen through the mount as host id
 * hostID + n, and a file made through the mount by host id hostID + n is
 * stored as containerID + n.  With "idmap" or "ridmap" and no mappings of its
 * own, a mount takes the container's linux.uidMappings/gidMappings.
 *
 * Who can do it: the kernel wants CAP_SYS_ADMIN over the user namespace that
 * owns the source's superblock (the initial one for a host filesystem).  The
 * init of a container without a user namespace of its own has it and makes
 * the mounts itself (husk_mounts_apply); the init of one with a user
 * namespace does not, so the runtime prepares those mounts in the parent
 * before clone with husk_idmap_mounts_prepare(): the clone copies the
 * descriptors, and this module's table of them, into the init, where
 * husk_mounts_apply attaches them in config order.
 */
#ifndef HUSK_ROOTFS_IDMAP_H
#define HUSK_ROOTFS_IDMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "spec/config.h"
#include "util/error.h"

/* What one config mount asks. */
typedef struct husk_idmap_req_s {
	const husk_idmaps_t *uids;
	const husk_idmaps_t *gids;
	bool clone_recursive; /* rbind: clone the whole subtree */
	bool attr_recursive;  /* ridmap: idmap every mount of it, not only the top */
} husk_idmap_req_t;

/* Whether mount M of CFG is idmapped: 1 with OUT filled, 0 if not, -1 when it
 * asks for what cannot be (not a bind, "idmap" with no mappings anywhere). */
int husk_idmap_request(const husk_config_t *cfg, const husk_mount_t *m, husk_idmap_req_t *out,
		       husk_error_t *err);

/* A detached, idmapped copy of the mount at SRCFD as REQ says. */
int husk_idmap_clone(int procfd, int srcfd, const husk_idmap_req_t *req, husk_error_t *err);

/* For the runtime, in the parent, before it clones the init of a container
 * with its own user namespace: make every idmapped mount of CFG (sources
 * relative to the directory BUNDLEFD) and keep the descriptors in this
 * module's table.  With ALL_BINDS every other bind's source is cloned here
 * too, plainly: opened with the host's credentials, as runc does, since the
 * init in its user namespace may not reach a source under a directory only
 * the host's root may enter.  Call husk_idmap_mounts_release() after the
 * clone, or on failure; the table is empty again either way. */
int husk_idmap_mounts_prepare(const husk_config_t *cfg, int bundlefd, int procfd, bool all_binds,
			      husk_error_t *err);
void husk_idmap_mounts_release(void);

/* The prepared mount for config mount I, now the caller's, or -1. */
int husk_idmap_mounts_take(size_t i);

#endif
