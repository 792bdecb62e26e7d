/* husk rootfs: the mount API by descriptor, and config.json's mount options sorted
 * for it (rootfs/mntapi.c). */
#ifndef HUSK_ROOTFS_MNTAPI_H
#define HUSK_ROOTFS_MNTAPI_H

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

/* config.json mount options, sorted by how they are applied. */
typedef struct husk_mount_flags_s {
	bool bind;         /* bind or rbind */
	bool recursive;    /* rbind */
	bool tmpcopyup;    /* runc's extension: copy the destination's contents up */
	uint64_t attr_set; /* MOUNT_ATTR_* for the mount itself */
	uint64_t attr_clr;
	uint64_t rattr_set; /* MOUNT_ATTR_* for the mount and everything below it */
	uint64_t rattr_clr;
	uint64_t propagation; /* MS_SHARED, MS_SLAVE, MS_PRIVATE, MS_UNBINDABLE or 0 */
	bool propagation_rec;
	char **fs_options; /* the rest, for the filesystem: "size=64k", "mode=755" */
} husk_mount_flags_t;

/* Sort OPTIONS (NULL-terminated, may be NULL) into OUT.  Unknown options are
 * the filesystem's, as runc passes them in the data string. */
int husk_mount_flags_parse(char *const *options, husk_mount_flags_t *out, husk_error_t *err);
void husk_mount_flags_clear(husk_mount_flags_t *f);

/* A detached copy of the mount at FD (its subtree too when RECURSIVE). */
int husk_mnt_clone(int fd, bool recursive, husk_error_t *err);
/* A detached, new mount of filesystem TYPE from SOURCE with OPTIONS and the
 * MOUNT_ATTR_* flags ATTRS. */
int husk_mnt_new(const char *type, const char *source, char *const *options, uint64_t attrs,
		 husk_error_t *err);
/* The same with LABEL (NULL for none) as the `context` option, given whole;
 * SELINUX (the host has it enabled) only shapes the error. */
int husk_mnt_new_label(const char *type, const char *source, char *const *options,
		       const char *label, bool selinux, uint64_t attrs, husk_error_t *err);
/* Change the MOUNT_ATTR_* flags and/or propagation (0: unchanged) of the
 * mount at MFD (a mount's root). */
int husk_mnt_setattr(int mfd, bool recursive, uint64_t set, uint64_t clr, uint64_t propagation,
		     husk_error_t *err);
/* Attach the detached mount MFD on top of what TARGETFD names. */
int husk_mnt_attach(int mfd, int targetfd, husk_error_t *err);

#endif
