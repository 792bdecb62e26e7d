/* husk init: the container's process confined by Landlock, the second wall.
 *
 * The mounts are the first: the process sees only its root and what the
 * config binds into it.  Landlock (util/landlock.h) then allows the
 * filesystem rights only inside that tree, so what a mount would still let
 * through, a file of the host's reached through a descriptor the job
 * inherited or through /proc/<pid>/root of a process elsewhere, is refused:
 * the kernel checks where the file is, not how it was named.  The policy is
 * the config's annotation husk.landlock (spec/landlock.h); `husk sandbox
 * --landlock` writes it into the job's config.
 */
#ifndef HUSK_INIT_LANDLOCK_H
#define HUSK_INIT_LANDLOCK_H

#include "spec/config.h"
#include "spec/landlock.h"
#include "util/error.h"

/* Whether policy P (not off) can be had on this kernel: 1 with *ABI the
 * Landlock ABI to use (and *WHY, when not NULL, what of P it cannot do:
 * TCP ports below ABI 4); 0 to go without Landlock (auto), *WHY saying
 * why; -1 when P is strict and the kernel cannot. */
int husk_landlock_usable(const husk_landlock_policy_t *p, int *abi, const char **why,
			 husk_error_t *err);

/* Confine the calling process, and whatever it runs, to CFG's own tree:
 * read (and execute, unless the mount is noexec) beneath its root and every
 * mount, write beneath those that are writable, the character devices of
 * /dev usable; with the policy's TCP ports and scopes where the kernel has
 * them.  Called with every mount in place and the container's root as ours,
 * while still root of the user namespace (restricting needs CAP_SYS_ADMIN
 * there, or no_new_privs), before a seccomp filter of the container's could
 * refuse Landlock's calls.  Every descriptor it opens is closed before it
 * returns.  A policy of "auto" on a kernel without Landlock does nothing;
 * "strict" fails there. */
int husk_landlock_confine(const husk_config_t *cfg, husk_error_t *err);

#endif
