/* husk: the id maps of a new user namespace.
 *
 * Root writes /proc/<pid>/uid_map and gid_map itself, through the verified
 * procfs handle.  A caller that is not root may write there only a map of
 * its own id, one entry of size 1 (and for gids only after "deny" in
 * setgroups); anything more goes through newuidmap and newgidmap, the
 * setuid helpers of Debian's `uidmap` package, which grant the ranges
 * /etc/subuid and /etc/subgid give the caller's user.
 */
#ifndef HUSK_NAMESPACES_USERMAP_H
#define HUSK_NAMESPACES_USERMAP_H

#include <stdbool.h>
#include <sys/types.h>

#include "spec/config.h"
#include "util/error.h"

/* Map PID's user namespace as UIDS and GIDS say.  *SETGROUPS_DENIED tells
 * whether setgroups(2) is denied in it afterwards. */
int husk_usermap_write(int procfd, pid_t pid, const husk_idmaps_t *uids, const husk_idmaps_t *gids,
		       bool *setgroups_denied, husk_error_t *err);

/* Whether setgroups(2) is denied in PID's user namespace (its
 * /proc/<pid>/setgroups, read through the procfs handle PROCFD). */
int husk_usermap_setgroups_denied(int procfd, pid_t pid, bool *denied, husk_error_t *err);

#endif
