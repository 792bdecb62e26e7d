/* husk: which Linux security modules are active on this host.
 *
 * Built in is not active.  A kernel booted with `lsm=` or `security=`
 * naming another module keeps AppArmor's code, and its module parameter
 * /sys/module/apparmor/parameters/enabled still says Y, but no hook of it
 * runs: writing an AppArmor attribute then fails with EINVAL (runc 1.1.5
 * trusts the parameter and fails there).  husk asks what is active:
 *
 *   - securityfs's list of the active LSMs, /sys/kernel/security/lsm,
 *     when securityfs is mounted (mounting it is the host's business);
 *   - otherwise the kernel itself: reading this process's
 *     /proc/<pid>/attr/apparmor/current (Linux 5.8 and later) succeeds only
 *     when AppArmor is active, and fails with EINVAL when it is only built
 *     in.  A kernel without that file is older, and securityfs is not
 *     mounted: there AppArmor counts as not active, as runc counts it
 *     (runc wants /sys/kernel/security/apparmor).
 *
 * SELinux is enabled as go-selinux (runc's) decides: selinuxfs is mounted
 * read-write at /sys/fs/selinux and this process's context is not
 * `kernel`, the label every process has before a policy is loaded; when the
 * list of active LSMs is there, it must also name selinux.
 *
 * Every /proc file is read through the verified procfs handle
 * (util/procfs.h).  What is not known counts as not active.
 */
#ifndef HUSK_UTIL_LSM_H
#define HUSK_UTIL_LSM_H

#include <stdbool.h>

typedef struct husk_lsm_host_s {
	bool apparmor;          /* AppArmor is active */
	bool apparmor_confined; /* ...and this process runs under a profile */
	bool selinux;           /* SELinux is enabled, with a policy loaded */
	/* How husk decided, for messages: "/sys/kernel/security/lsm lists
	 * apparmor", "the kernel keeps no AppArmor attributes for this
	 * process", ... */
	const char *apparmor_why;
	const char *selinux_why;
} husk_lsm_host_t;

/* What this host has active, as seen from this process's mount namespace
 * (call it on the host's side, before a container's namespaces are
 * entered).  Never fails: what cannot be read counts as not active. */
void husk_lsm_host(husk_lsm_host_t *out);

/* Whether LIST, a comma-separated list of LSM names as securityfs's `lsm`
 * file has it, names NAME. */
bool husk_lsm_list_has(const char *list, const char *name);

/* Whether CURRENT, the content of an AppArmor `current` attribute
 * ("unconfined\n", "docker-default (enforce)\n"), says unconfined.  Anything
 * else, a short read included, counts as confined. */
bool husk_lsm_apparmor_unconfined(const char *current);

#endif
