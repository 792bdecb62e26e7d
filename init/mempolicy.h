/* husk init: linux.memoryPolicy, the container's NUMA memory policy.
 *
 * set_mempolicy(2) in the init, before the capabilities go: the policy is
 * the thread's, survives execve and is inherited by every child, so the
 * container's program and all it starts allocate under it (runc and crun
 * do the same).  The kernel judges the combination (MPOL_DEFAULT and
 * MPOL_LOCAL take no nodes, the others want some, a node must exist); its
 * refusal names the field, the mode and the nodes.
 */
#ifndef HUSK_INIT_MEMPOLICY_H
#define HUSK_INIT_MEMPOLICY_H

#include "spec/config.h"
#include "util/error.h"

/* Apply L's memoryPolicy to the calling thread; nothing when it has none. */
int husk_mempolicy_apply(const husk_linux_t *l, husk_error_t *err);

#endif
