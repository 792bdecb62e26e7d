/* husk init: the Linux security modules a container runs under. */
#include "init/lsm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/log.h"
#include "util/lsm.h"
#include "util/procfs.h"
#include "util/xalloc.h"

/* runc's words (libcontainer/configs/validate), for create and exec alike. */
#define SELINUX_DISABLED \
	"selinux label is specified in config, but selinux is disabled or not supported"

static const char *text_or_null(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : NULL;
}

int husk_lsm_plan(const husk_process_t *p, const char *mount_label, husk_lsm_plan_t *out,
		  husk_error_t *err)
{
	const char *profile = p != NULL ? text_or_null(p->apparmor_profile) : NULL;
	const char *label = p != NULL ? text_or_null(p->selinux_label) : NULL;
	husk_lsm_host_t host;

	*out = (husk_lsm_plan_t){ .apparmor = NULL };
	if (profile == NULL && label == NULL && text_or_null(mount_label) == NULL) {
		return 0; /* nothing to ask the host */
	}
	husk_lsm_host(&host);
	husk_debug("LSMs: AppArmor %s (%s); SELinux %s (%s)",
		   host.apparmor ? "active" : "not active", host.apparmor_why,
		   host.selinux ? "enabled" : "not enabled", host.selinux_why);
	if (label != NULL && !host.selinux) {
		return husk_error_make(err, 0, "%s", SELINUX_DISABLED);
	}
	out->selinux = label;
	out->selinux_enabled = host.selinux;
	if (profile != NULL && !host.apparmor) {
		husk_warn("AppArmor profile `%s` is not applied: AppArmor is not active on this "
			  "host (%s); the process runs unconfined",
			  profile, host.apparmor_why);
		return 0;
	}
	out->apparmor = profile;
	out->apparmor_stack = profile != NULL && host.apparmor_confined && p->no_new_privileges;
	return 0;
}

/* This process's exec attribute under PROCFD: the module's own
 * ("PID/attr/apparmor/exec", Linux 5.8 and later) where LSM names one and
 * the kernel has it, the shared "PID/attr/exec" otherwise.  PATH gets the
 * name opened. */
static int open_exec_attr(int procfd, const char *lsm, char *path, size_t size, husk_error_t *err)
{
	pid_t self = husk_procfs_self_pid(procfd, err);
	int fd;

	if (self < 0) {
		return -1;
	}
	if (lsm != NULL) {
		snprintf(path, size, "%d/attr/%s/exec", (int) self, lsm);
		fd = husk_procfs_open_at(procfd, path, O_WRONLY | O_NOCTTY, err);
		if (fd >= 0 || husk_error_errno_of(*err) != ENOENT) {
			return fd;
		}
		husk_error_free(err);
	}
	snprintf(path, size, "%d/attr/exec", (int) self);
	return husk_procfs_open_at(procfd, path, O_WRONLY | O_NOCTTY, err);
}

/* Write VALUE, in one write(), to this process's exec attribute.  WHAT
 * names the profile or label for errors; HINT says what ENOENT means. */
static int write_exec_attr(int procfd, const char *lsm, const char *value, const char *what,
			   const char *hint, husk_error_t *err)
{
	_cleanup_close_ int fd = -1;
	char path[64];
	size_t len = strlen(value);
	ssize_t w;

	fd = open_exec_attr(procfd, lsm, path, sizeof(path), err);
	if (fd < 0) {
		return husk_error_wrap(err, "%s", what);
	}
	w = write(fd, value, len);
	if (w < 0) {
		return husk_error_errno(err, "%s%s: write `/proc/%s`", what,
					errno == ENOENT && hint != NULL ? hint : "", path);
	}
	if ((size_t) w != len) {
		return husk_error_make(err, 0,
				       "%s: write `/proc/%s`: short write (%zd of %zu bytes)", what,
				       path, w, len);
	}
	return 0;
}

/* "exec PROFILE" (or "stack PROFILE"), as libapparmor's aa_change_onexec()
 * writes it: the kernel switches profiles at the next execve, and refuses a
 * profile that is not loaded. */
static int apply_apparmor(int procfd, const husk_lsm_plan_t *plan, husk_error_t *err)
{
	_cleanup_free_ char *value =
		xasprintf("%s %s", plan->apparmor_stack ? "stack" : "exec", plan->apparmor);
	_cleanup_free_ char *what = xasprintf("AppArmor profile `%s`", plan->apparmor);

	return write_exec_attr(procfd, "apparmor", value, what,
			       " (no profile of that name is loaded)", err);
}

/* The context itself; the kernel checks it against the loaded policy. */
static int apply_selinux(int procfd, const husk_lsm_plan_t *plan, husk_error_t *err)
{
	_cleanup_free_ char *what = xasprintf("SELinux label `%s`", plan->selinux);

	return write_exec_attr(procfd, NULL, plan->selinux, what, NULL, err);
}

int husk_lsm_apply(int procfd, const husk_lsm_plan_t *plan, husk_error_t *err)
{
	if (plan == NULL) {
		return 0;
	}
	if (plan->apparmor != NULL && apply_apparmor(procfd, plan, err) < 0) {
		return -1;
	}
	if (plan->selinux != NULL && apply_selinux(procfd, plan, err) < 0) {
		return -1;
	}
	return 0;
}
