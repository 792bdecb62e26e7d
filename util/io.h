/* husk: reading and writing whole files and buffers, once for everyone.
 *
 * Every loop here retries EINTR and short counts; every read is bounded.
 */
#ifndef HUSK_UTIL_IO_H
#define HUSK_UTIL_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

/* FD read to its end, at most MAX bytes, NUL-terminated; *LEN (may be NULL)
 * is set.  NULL with errno set on failure, EFBIG past MAX. */
char *husk_read_fd(int fd, size_t max, size_t *len);

/* NAME under DIRFD (AT_FDCWD: a path), opened without following a final
 * symlink, read whole as husk_read_fd() does.  Errors name NAME. */
char *husk_read_at(int dirfd, const char *name, size_t max, size_t *len, husk_error_t *err);

/* Up to LEN bytes from FD, stopping early only at its end: how many came,
 * or -1 with errno set. */
ssize_t husk_read_upto(int fd, void *buf, size_t len);

/* Exactly LEN bytes from FD: 1 when they came, 0 at an end of file before
 * them, -1 with errno set. */
int husk_read_exact(int fd, void *buf, size_t len);

/* All LEN bytes of BUF to FD.  -1 with errno set (EIO when the kernel takes
 * nothing and says no error). */
int husk_write_all(int fd, const void *buf, size_t len);

/* NAME under DIRFD (AT_FDCWD: a path) replaced whole by DATA: written to a
 * temporary name beside it with MODE, fsync'd (unless NO_SYNC), renamed over
 * NAME, so that a reader sees the old file or the new one, never half of
 * one. */
int husk_write_file_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
		       bool no_sync, husk_error_t *err);

#endif
