/* husk: what this build of husk acts on. */
#include "util/support.h"

#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

#include "util/lsm.h"

const husk_support_t husk_support = HUSK_SUPPORT;

/* Append ITEM to the comma-separated list in BUF. */
static void add(char *buf, size_t size, const char *item)
{
	size_t len = strlen(buf);

	snprintf(buf + len, size - len, "%s%s", len > 0 ? ", " : "", item);
}

void husk_support_cgroup_managers(char *buf, size_t size)
{
	const husk_support_t *s = &husk_support;

	buf[0] = '\0';
	if (s->cgroup_v1 && s->cgroup_v2) {
		add(buf, size, "cgroupfs (v1, v2, hybrid)");
	} else if (s->cgroup_v1 || s->cgroup_v2) {
		add(buf, size, s->cgroup_v2 ? "cgroupfs (v2)" : "cgroupfs (v1)");
	}
	if (s->cgroup_systemd) {
		add(buf, size, s->cgroup_systemd_user ? "systemd (system, user)" : "systemd");
	}
	add(buf, size, "disabled");
}

bool husk_support_apparmor(void)
{
	husk_lsm_host_t host;

	husk_lsm_host(&host);
	return husk_support.apparmor && host.apparmor;
}

bool husk_support_selinux(void)
{
	husk_lsm_host_t host;

	husk_lsm_host(&host);
	return husk_support.selinux && host.selinux;
}

void husk_support_lsms(char *buf, size_t size)
{
	buf[0] = '\0';
	if (husk_support_apparmor()) {
		add(buf, size, "apparmor");
	}
	if (husk_support_selinux()) {
		add(buf, size, "selinux");
	}
	if (buf[0] == '\0') {
		snprintf(buf, size, "none");
	}
}

/* AT_BASE is where the kernel mapped the program interpreter, 0 when the
 * binary names none (static, or static-pie). */
bool husk_support_is_static(void)
{
	return getauxval(AT_BASE) == 0;
}

bool husk_support_host_has_resctrl(void)
{
	char line[128];
	bool found = false;
	FILE *f = fopen("/proc/filesystems", "re");

	if (f == NULL) {
		return false;
	}
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		found = strcmp(line, "nodev\tresctrl\n") == 0;
	}
	fclose(f);
	return found;
}
