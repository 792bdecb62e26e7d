/* husk rootfs: /dev in the container (rootfs/devices.c), and its ptmx. */
#ifndef HUSK_ROOTFS_DEVICES_H
#define HUSK_ROOTFS_DEVICES_H

#include "util/error.h"

/* The container's own ptmx under ROOTFD (/dev/pts/ptmx, checked to be the
 * multiplexer of a devpts, never a node the container put there), unlocked:
 * a new pty whose peer is the container's. */
int husk_rootfs_open_ptmx(int rootfd, husk_error_t *err);

#endif
