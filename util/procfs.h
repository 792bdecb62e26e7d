/* husk: a private, verified handle on procfs.
 *
 * Every write under /proc (sysctls, oom_score_adj, uid/gid maps, timens
 * offsets, LSM attributes) goes through a handle from husk_procfs_open(), never
 * through a "/proc/..." string: a container can shadow /proc, or a file in it,
 * with a mount or a symlink and redirect the write (CVE-2019-16884,
 * CVE-2025-52881).  The handle is a fresh procfs instance from the mount API
 * where the kernel allows it, otherwise the host's /proc checked to be the
 * root of a real procfs; files under it are opened without following any
 * symlink and without crossing any mount, then checked again.
 */
#ifndef HUSK_UTIL_PROCFS_H
#define HUSK_UTIL_PROCFS_H

#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

/* A descriptor for the root of a private procfs.  Close it with close().
 * A process has one such procfs: later calls return new descriptors of the
 * first, which stays open (close-on-exec) until the process exits. */
int husk_procfs_open(husk_error_t *err);

/* In a child just made (husk_clone3 calls it): close the parent's kept
 * procfs, which the child must not use; its first husk_procfs_open()
 * makes its own.  Descriptors already handed out stay valid. */
void husk_procfs_forget(void);

/* Check that FD is the root directory of a procfs and return a duplicate of
 * it as a handle (FD stays the caller's). */
int husk_procfs_adopt(int fd, husk_error_t *err);

/* Open PATH (relative, e.g. "sys/kernel/pid_max" or "1234/oom_score_adj")
 * under the handle.  "self" is not a valid first component (it is a symlink):
 * use husk_procfs_self_pid() to name this process as the handle sees it. */
int husk_procfs_open_at(int procfd, const char *path, int flags, husk_error_t *err);

/* This process's pid as the handle's pid namespace numbers it. */
pid_t husk_procfs_self_pid(int procfd, husk_error_t *err);

/* The pid of the process behind PIDFD (one of ours), as the handle's pid
 * namespace numbers it: fdinfo's "Pid:" line.  A pid from clone() in
 * another pid namespace is that namespace's number; this one is husk's. */
pid_t husk_procfs_pid_of_pidfd(int procfd, int pidfd, husk_error_t *err);

/* Write LEN bytes of DATA to PATH under the handle in one write(). */
int husk_procfs_write(int procfd, const char *path, const void *data, size_t len,
		      husk_error_t *err);

/* Read PATH under the handle into a NUL-terminated buffer of at most MAX bytes. */
char *husk_procfs_read(int procfd, const char *path, size_t max, husk_error_t *err);

#endif
