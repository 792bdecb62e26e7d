/* husk runtime: clone3, the one way husk makes a container process. */
#ifndef HUSK_RUNTIME_CLONE_H
#define HUSK_RUNTIME_CLONE_H

#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

/* clone3 with FLAGS (CLONE_NEW*), returning a pidfd in *PIDFD and, when
 * CGROUP_FD >= 0, starting the child in that cgroup (CLONE_INTO_CGROUP).
 * Returns 0 in the child, the child's pid in the parent, -1 on failure.
 *
 * The child runs on a copy of the parent's memory with glibc unaware that a
 * new process exists: it must stay single-threaded and leave by exec or
 * _exit, never by returning into code that assumes the parent's identity. */
pid_t husk_clone3(uint64_t flags, int cgroup_fd, int *pidfd, husk_error_t *err);

/* pid and time namespaces decide only where children are born, so husk
 * enters the container's (PIDNS, TIMENS; -1 for none) before a clone and
 * goes back after it with husk_ns_leave_for_children().  OWN (two fds, -1
 * first) keeps husk's own; on failure they are still to be left.  OWN NULL:
 * for a process that will not go back. */
int husk_ns_enter_for_children(int pidns, int timens, int own[2], husk_error_t *err);
void husk_ns_leave_for_children(int own[2]);

#endif
