/* husk sandbox: why the job's user namespace could not be made, in words
 * that say what to change (sandbox/internal.h).
 *
 * A job of a rootless husk, or one that asked for uid 0, needs a user
 * namespace; hosts refuse one for reasons of their own, and the kernel's
 * errno (clone3: "no space left on device") names none of them.  Only on
 * the way out of a failed create, a child of husk's tries the two steps a
 * user namespace takes, unshare(2) and writing its own uid_map, and what
 * failed is matched with the host's settings. */
#include "sandbox/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/procfs.h"
#include "util/xalloc.h"

/* What the probe saw: the errno of each step, 0 when it worked. */
struct probe {
	int unshare;
	int map;
};

/* A kernel setting, or -1 when this kernel has none. */
static long setting(int procfd, const char *path)
{
	_cleanup_error_ husk_error_t e = NULL;
	_cleanup_free_ char *text = husk_procfs_read(procfd, path, 64, &e);

	return text != NULL ? strtol(text, NULL, 10) : -1;
}

/* Whether husk runs under a seccomp filter (Seccomp: 2 in its status). */
static bool under_filter(int procfd)
{
	_cleanup_error_ husk_error_t e = NULL;
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *status = NULL;
	pid_t self = husk_procfs_self_pid(procfd, &e);

	if (self <= 0) {
		return false;
	}
	path = xasprintf("%d/status", (int) self);
	status = husk_procfs_read(procfd, path, 1 << 16, &e);
	return status != NULL && strstr(status, "\nSeccomp:\t2\n") != NULL;
}

/* The child: a user namespace of its own, then a one-id map of itself, as
 * a rootless husk writes the init's. */
static void probe_child(int procfd, int wfd)
{
	husk_error_t e = NULL;
	struct probe p = { 0 };
	char map[64];
	pid_t self;

	if (unshare(CLONE_NEWUSER) < 0) {
		p.unshare = errno;
	} else if ((self = husk_procfs_self_pid(procfd, &e)) > 0) {
		char path[64];

		snprintf(path, sizeof(path), "%d/setgroups", (int) self);
		husk_procfs_write(procfd, path, "deny", 4, &e);
		husk_error_free(&e);
		snprintf(path, sizeof(path), "%d/uid_map", (int) self);
		snprintf(map, sizeof(map), "0 %u 1", (unsigned) geteuid());
		if (husk_procfs_write(procfd, path, map, strlen(map), &e) < 0) {
			p.map = husk_error_errno_of(e) != 0 ? husk_error_errno_of(e) : EPERM;
		}
	}
	if (write(wfd, &p, sizeof(p)) != (ssize_t) sizeof(p)) {
		_exit(1);
	}
	_exit(0);
}

static bool run_probe(int procfd, struct probe *p)
{
	int fds[2];
	pid_t pid;
	ssize_t n;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		return false;
	}
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		probe_child(procfd, fds[1]);
	}
	close(fds[1]);
	n = pid > 0 ? read(fds[0], p, sizeof(*p)) : -1;
	close(fds[0]);
	if (pid > 0) {
		waitpid(pid, NULL, 0);
	}
	return n == (ssize_t) sizeof(*p);
}

static char *explain(int procfd, const struct probe *p)
{
	long n;

	switch (p->unshare) {
	case 0:
		break;
	case ENOSPC:
		n = setting(procfd, "sys/user/max_user_namespaces");
		if (n == 0) {
			return xstrdup(
				"user namespaces are turned off here (user.max_user_namespaces "
				"is 0): `sysctl -w user.max_user_namespaces=15000` allows them");
		}
		return xasprintf("the user namespaces allowed here are all in use "
				 "(user.max_user_namespaces is %ld)",
				 n);
	case EPERM:
		if (geteuid() != 0 &&
		    setting(procfd, "sys/kernel/unprivileged_userns_clone") == 0) {
			return xstrdup(
				"unprivileged user namespaces are turned off here "
				"(kernel.unprivileged_userns_clone is 0): `sysctl -w "
				"kernel.unprivileged_userns_clone=1` allows them, or run husk "
				"sandbox as root");
		}
		if (under_filter(procfd)) {
			return xstrdup(
				"husk runs under a seccomp filter that refuses user "
				"namespaces, as docker's and podman's default profiles do in a "
				"container without CAP_SYS_ADMIN: run that container with a "
				"profile that allows them (such as --security-opt "
				"seccomp=unconfined), or husk sandbox as root without --user 0");
		}
		return xstrdup("this host refuses user namespaces (unshare: operation not "
			       "permitted): husk may be in a chroot, or the kernel configured so");
	case EINVAL:
	case ENOSYS:
		return xstrdup("this kernel has no user namespaces (CONFIG_USER_NS)");
	default:
		return NULL;
	}
	if (p->map != 0 && geteuid() != 0 &&
	    setting(procfd, "sys/kernel/apparmor_restrict_unprivileged_userns") == 1) {
		return xstrdup("AppArmor restricts unprivileged user namespaces here "
			       "(kernel.apparmor_restrict_unprivileged_userns is 1, as on Ubuntu "
			       "23.10 and later): give husk an AppArmor profile with the `userns,` "
			       "rule, or run husk sandbox as root");
	}
	return NULL;
}

void husk_sandbox_explain_userns(husk_error_t *err)
{
	_cleanup_close_ int procfd = -1;
	_cleanup_error_ husk_error_t e = NULL;
	_cleanup_free_ char *why = NULL;
	struct probe p;

	procfd = husk_procfs_open(&e);
	if (procfd < 0 || !run_probe(procfd, &p)) {
		return;
	}
	why = explain(procfd, &p);
	if (why != NULL) {
		husk_error_wrap(err, "sandbox: the job needs a user namespace, and %s", why);
	}
}
