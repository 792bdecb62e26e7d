/* husk: what this build of husk acts on, in one place.
 *
 * `husk features` reports it as runtime-spec JSON (spec/features.c) and
 * `husk --version` prints it as lines (cmd/version.c), so the two cannot
 * disagree.  When a mechanism lands (an LSM, the systemd cgroup manager),
 * its entry is switched on here in the same change, and its line leaves
 * spec/supported.c, which refuses a config that asks for it.
 */
#ifndef HUSK_UTIL_SUPPORT_H
#define HUSK_UTIL_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct husk_support_s {
	bool seccomp, idmap, intel_rdt, net_devices;
	/* The LSMs husk applies to a container where the host has them
	 * active (util/lsm.h): what `features` and `--version` report is
	 * what this host can apply. */
	bool apparmor, selinux;
	/* cgroup managers: cgroupfs drives v1 and v2 (and hybrid hosts);
	 * `disabled` (--cgroup-manager) is always there. */
	bool cgroup_v1, cgroup_v2, cgroup_systemd, cgroup_systemd_user, cgroup_rdma;
} husk_support_t;

/* What this build acts on, as an initializer, so that a file-scope table
 * can be made of it. */
#define HUSK_SUPPORT                                                                          \
	{                                                                                     \
		.seccomp = true, .idmap = true, .net_devices = true, .apparmor = true,        \
		.selinux = true, .cgroup_v1 = true, .cgroup_v2 = true, .cgroup_systemd = true \
	}

extern const husk_support_t husk_support;

/* The cgroup managers, for people: "cgroupfs (v1, v2, hybrid), disabled". */
void husk_support_cgroup_managers(char *buf, size_t size);

/* The LSMs husk applies that this host has active: "apparmor", "selinux",
 * or "none". */
void husk_support_lsms(char *buf, size_t size);

/* Whether this host's kernel has the resctrl filesystem that Intel RDT and
 * AMD's QoS extensions are driven through (it is in /proc/filesystems). */
bool husk_support_host_has_resctrl(void);

/* Whether husk applies AppArmor profiles (SELinux labels) here: this
 * build does, and the host has the module active. */
bool husk_support_apparmor(void);
bool husk_support_selinux(void);

/* Whether the running binary is statically linked: no program interpreter
 * (the dynamic loader) was mapped for it. */
bool husk_support_is_static(void);

#endif
