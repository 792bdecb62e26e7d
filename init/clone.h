/* husk init: clone3, the one way husk makes a container process. */
#ifndef HUSK_INIT_CLONE_H
#define HUSK_INIT_CLONE_H

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

#endif
