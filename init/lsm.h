/* husk init: the Linux security modules a container runs under.
 *
 * process.apparmorProfile and process.selinuxLabel (and exec's --apparmor
 * and --process-label) are exec attributes: the process writes them to its
 * own /proc/<pid>/attr/.../exec, through the verified procfs handle
 * (util/procfs.h: a container can shadow /proc, CVE-2019-16884), and the
 * kernel applies them at its next execve.  Nothing husk runs before that
 * execve is confined; what the process execs is (and so are the
 * startContainer hooks, which the init execs after it: runc and crun
 * confine them the same way).  The write comes before CREATED, so that a
 * profile the kernel refuses fails `create` itself, and before a seccomp
 * filter of the container's could refuse it.
 *
 * What the host does not have (util/lsm.h says how husk tells), husk treats
 * as runc does, or better where runc fails for no reason of the user's:
 *   - process.apparmorProfile where AppArmor is not active: a warning in the
 *     log, and the process runs unconfined (runc 1.1.5 fails there with
 *     "write /proc/self/attr/exec: invalid argument", whatever the profile);
 *   - process.selinuxLabel where SELinux is not enabled: an error, in runc's
 *     words;
 *   - linux.mountLabel: passed as the `context=` option of the filesystems
 *     made fresh for the container whether or not SELinux is enabled, as
 *     runc does, so without SELinux the kernel refuses the first of them
 *     (rootfs/mountlabel.c says which, and the error why).
 */
#ifndef HUSK_INIT_LSM_H
#define HUSK_INIT_LSM_H

#include <stdbool.h>

#include "spec/config.h"
#include "util/error.h"

/* What the process gets, decided on the host's side. */
typedef struct husk_lsm_plan_s {
	const char *apparmor; /* the profile it execs into, NULL for none */
	/* "stack" instead of "exec": husk itself runs under a profile and the
	 * process has no_new_privs, which forbids any other change */
	bool apparmor_stack;
	const char *selinux;  /* its SELinux context after the exec, NULL for none */
	bool selinux_enabled; /* the host's SELinux, for linux.mountLabel */
} husk_lsm_plan_t;

/* Decide, before anything of the container is made, what of P's
 * apparmorProfile and selinuxLabel this host applies, warning about a
 * profile it cannot, failing on a label it cannot.  MOUNT_LABEL
 * (linux.mountLabel, NULL for none) only asks for the host's SELinux.
 * Pointers in *OUT point into P. */
int husk_lsm_plan(const husk_process_t *p, const char *mount_label, husk_lsm_plan_t *out,
		  husk_error_t *err);

/* In the process itself, before its execve: write PLAN's exec attributes
 * to its own attr files under PROCFD (a verified procfs handle).  A profile
 * or label the kernel refuses is an error that names it. */
int husk_lsm_apply(int procfd, const husk_lsm_plan_t *plan, husk_error_t *err);

#endif
