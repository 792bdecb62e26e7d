/* husk: the fd-based path layer.
 *
 * Every path inside a container rootfs is resolved here, once, from a
 * descriptor of the rootfs, as if that descriptor were `/`: `..` never climbs
 * above it, absolute symlinks restart at it, and magic links (/proc/self/root,
 * /proc/self/fd/N) are never followed.  Mounts then target the returned
 * descriptor (husk_path_fd_name() or move_mount), never a string that the
 * kernel would resolve again (CVE-2021-30465, CVE-2024-45310).
 *
 * The kernel does the work where it can (openat2 with RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS).  Where openat2 is missing or blocked by a seccomp
 * filter, a userspace walk gives the same guarantees: see pathfs.c.
 *
 * PATH may be absolute or relative; both are relative to the root.  Every
 * returned descriptor is close-on-exec.
 */
#ifndef HUSK_UTIL_PATHFS_H
#define HUSK_UTIL_PATHFS_H

#include <sys/types.h>

#include "util/error.h"

/* Open PATH inside the tree rooted at ROOTFD with open(2) FLAGS (O_CLOEXEC is
 * always added) and, for O_CREAT, MODE.  A final symlink is followed, inside
 * the root, unless FLAGS has O_NOFOLLOW (or O_CREAT | O_EXCL). */
int husk_path_open_at(int rootfd, const char *path, int flags, mode_t mode, husk_error_t *err);

/* Create every missing directory of PATH inside the root with MODE and return
 * an O_PATH | O_DIRECTORY descriptor of the last one.  A component that exists
 * and is not a directory (after following symlinks inside the root) fails with
 * ENOTDIR, naming the component. */
int husk_path_mkdir_at(int rootfd, const char *path, mode_t mode, husk_error_t *err);

/* Create the parents of PATH (mode 0755) and then PATH itself as an empty file
 * with MODE, unless something is already there; return an O_PATH descriptor of
 * what PATH names (a bind-mount target).  A final symlink is followed inside
 * the root. */
int husk_path_create_file_at(int rootfd, const char *path, mode_t mode, husk_error_t *err);

/* "/proc/self/fd/FD" in BUF, to mount onto or from a resolved descriptor. */
const char *husk_path_fd_name(int fd, char buf[static 32]);

#endif
