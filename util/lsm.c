/* husk: which Linux security modules are active on this host. */
#include "util/lsm.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/error.h"
#include "util/file.h"
#include "util/procfs.h"

#ifndef SELINUX_MAGIC
#define SELINUX_MAGIC 0xf97cff8c
#endif

#define LSM_LIST  "/sys/kernel/security/lsm"
#define SELINUXFS "/sys/fs/selinux"

bool husk_lsm_list_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p != NULL && *p != '\0'; p = strchr(p, ',')) {
		p += *p == ',';
		if (strncmp(p, name, n) == 0 && strchr(",\n", p[n]) != NULL) {
			return true; /* strchr finds the terminating NUL too */
		}
	}
	return false;
}

/* Whether S is WORD, alone or followed by a separator or a newline. */
static bool is_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	return strncmp(s, word, n) == 0 && strchr(" \n", s[n]) != NULL;
}

bool husk_lsm_apparmor_unconfined(const char *current)
{
	return current != NULL && is_word(current, "unconfined");
}

/* This process's LSM attribute ATTR ("attr/apparmor/current"), read through
 * the verified procfs handle; NULL with *ERRNO_ set when it cannot be. */
static char *read_own_attr(const char *attr, int *errno_)
{
	_cleanup_error_ husk_error_t e = NULL;
	_cleanup_close_ int procfd = husk_procfs_open(&e);
	char path[64];
	char *s = NULL;
	pid_t self;

	self = procfd >= 0 ? husk_procfs_self_pid(procfd, &e) : -1;
	if (self > 0) {
		snprintf(path, sizeof(path), "%d/%s", (int) self, attr);
		s = husk_procfs_read(procfd, path, 4096, &e);
	}
	*errno_ = s == NULL ? husk_error_errno_of(e) : 0;
	return s;
}

/* Why AppArmor counts as not active when securityfs is not mounted and
 * reading this process's attr/apparmor/current failed with E. */
static const char *why_not_apparmor(int e)
{
	switch (e) {
	case ENOENT:
		return "securityfs is not mounted, and the kernel has no "
		       "/proc/<pid>/attr/apparmor (AppArmor is not built in, or Linux is older "
		       "than 5.8)";
	case EINVAL:
		return "securityfs is not mounted, and the kernel keeps no AppArmor attributes "
		       "for this process (AppArmor is built in but not active)";
	default:
		return "securityfs is not mounted, and this process's AppArmor attributes "
		       "cannot be read";
	}
}

static void detect_apparmor(const char *list, husk_lsm_host_t *out)
{
	_cleanup_free_ char *current = NULL;
	int e = 0;

	if (list != NULL && !husk_lsm_list_has(list, "apparmor")) {
		out->apparmor_why = LSM_LIST " does not list apparmor";
		return;
	}
	current = read_own_attr("attr/apparmor/current", &e);
	if (list != NULL) {
		/* Listed: active.  A kernel before 5.8 keeps AppArmor's label in
		 * the shared attribute; one that cannot be read counts as a
		 * profile (confined), the careful answer. */
		if (current == NULL && e == ENOENT) {
			current = read_own_attr("attr/current", &e);
		}
		out->apparmor = true;
		out->apparmor_confined = !husk_lsm_apparmor_unconfined(current);
		out->apparmor_why = LSM_LIST " lists apparmor";
		return;
	}
	if (current == NULL) {
		out->apparmor_why = why_not_apparmor(e);
		return;
	}
	out->apparmor = true;
	out->apparmor_confined = !husk_lsm_apparmor_unconfined(current);
	out->apparmor_why = "the kernel keeps AppArmor attributes for this process";
}

/* selinuxfs mounted read-write at its usual place, as go-selinux wants it. */
static bool selinuxfs_mounted(void)
{
	struct statfs sfs;

	return statfs(SELINUXFS, &sfs) == 0 && sfs.f_type == SELINUX_MAGIC &&
	       !(sfs.f_flags & ST_RDONLY);
}

static void detect_selinux(const char *list, husk_lsm_host_t *out)
{
	_cleanup_free_ char *current = NULL;
	int e = 0;

	if (list != NULL && !husk_lsm_list_has(list, "selinux")) {
		out->selinux_why = LSM_LIST " does not list selinux";
		return;
	}
	if (!selinuxfs_mounted()) {
		out->selinux_why = "no selinuxfs is mounted read-write at " SELINUXFS;
		return;
	}
	/* The context reads "kernel\0" until a policy is loaded. */
	current = read_own_attr("attr/current", &e);
	if (current == NULL || strcmp(current, "kernel") == 0 || is_word(current, "kernel")) {
		out->selinux_why = "selinuxfs is mounted, but no SELinux policy is loaded";
		return;
	}
	out->selinux = true;
	out->selinux_why = "selinuxfs is mounted and a policy is loaded";
}

void husk_lsm_host(husk_lsm_host_t *out)
{
	_cleanup_error_ husk_error_t e = NULL;
	_cleanup_free_ char *list = NULL;
	size_t len = 0;

	*out = (husk_lsm_host_t){ .apparmor = false };
	list = husk_read_file(LSM_LIST, 4096, &len, &e);
	detect_apparmor(list, out);
	detect_selinux(list, out);
}
