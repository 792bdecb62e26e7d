/* husk: closing descriptors before a container's program runs.
 *
 * Close-on-exec is not enough: execve resolves the program, its ELF
 * interpreter and a script's interpreter while close-on-exec descriptors are
 * still open, so a path through /proc/self/fd/N reaches whatever husk holds
 * at N (CVE-2024-21626, attacks 3a and 3b).  Every descriptor husk owns is
 * therefore closed, not marked, before the exec.
 *
 * The close has to work under a seccomp filter of the container's own too
 * (loaded early when noNewPrivileges is off), and a profile written before
 * close_range(2) existed refuses it.  So it is done in two steps:
 * husk_fds_close_except() closes everything but the few descriptors still
 * needed, before any filter loads, and notes the highest one left; after
 * the filter, husk_fds_close_from() closes those and anything opened since
 * with plain close(2), up to that mark and a margin, since the kernel gives
 * every new descriptor the lowest free number.
 */
#ifndef HUSK_UTIL_FDS_H
#define HUSK_UTIL_FDS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

/* Close every descriptor from FIRST up except the N in KEEP (-1 entries are
 * ignored), and note the highest one kept for husk_fds_close_from().  Uses
 * close_range(2), or where that is refused the fd list of PROCFD (husk's
 * verified procfs handle; -1 for none), or else close(2) up to
 * RLIMIT_NOFILE. */
int husk_fds_close_except(int first, const int *keep, size_t n, int procfd, husk_error_t *err);

/* Close every descriptor from FIRST up.  With UNDER_FILTER, only close(2)
 * is used, up to the mark of husk_fds_close_except() and a margin (which
 * must have run in this process); otherwise close_range(2) first.  Cannot
 * fail: what close(2) refuses is not open. */
void husk_fds_close_from(int first, bool under_filter);

/* Whether a descriptor from 3 up of the caller's is really the caller's:
 * open, and not close-on-exec, which every descriptor husk opens is.
 * Checks 3 .. 3+N-1; WHAT names the flag in the error. */
int husk_fds_check_passed(int n, const char *what, husk_error_t *err);

#endif
