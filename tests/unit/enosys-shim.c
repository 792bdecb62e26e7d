/* enosys-shim [--eperm] PROGRAM [ARGS...]: run PROGRAM where openat2 fails
 * with ENOSYS (or, with --eperm, EPERM).
 *
 * It installs a seccomp filter (allow everything, openat2 -> ENOSYS), as on a
 * kernel older than 5.6 or under a container engine's seccomp profile (older
 * docker profiles and nested containers answer EPERM), so the unit tests
 * exercise husk's userspace fallbacks.  HUSK_TEST_NO_OPENAT2=ENOSYS (or EPERM) tells
 * the program it runs shimmed, so it can check that the filter is in place.
 * Exits 125 when it cannot set up or exec.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#define SHIM_FAILED 125

static int __attribute__((format(printf, 2, 3))) fail(int errno_, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "enosys-shim: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (errno_ != 0) {
		fprintf(stderr, ": %s", strerror(errno_));
	}
	fprintf(stderr, "\n");
	return SHIM_FAILED;
}

static int install_filter(int errno_)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int sc = seccomp_syscall_resolve_name("openat2");
	int r;

	if (ctx == NULL) {
		return fail(0, "seccomp_init failed");
	}
	if (sc == __NR_SCMP_ERROR) {
		seccomp_release(ctx);
		return fail(0, "libseccomp does not know openat2");
	}
	r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(errno_), sc, 0);
	if (r == 0) {
		r = seccomp_load(ctx);
	}
	seccomp_release(ctx);
	return r < 0 ? fail(-r, "install the openat2 filter") : 0;
}

int main(int argc, char **argv)
{
	int errno_ = ENOSYS;

	if (argc > 1 && strcmp(argv[1], "--eperm") == 0) {
		errno_ = EPERM;
		argv++;
		argc--;
	}
	if (argc < 2) {
		return fail(0, "usage: enosys-shim [--eperm] PROGRAM [ARGS...]");
	}
	/* Without CAP_SYS_ADMIN a filter needs no_new_privs; set it either way
	 * so the shim behaves the same as root and as a user. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		return fail(errno, "prctl(PR_SET_NO_NEW_PRIVS)");
	}
	if (install_filter(errno_) != 0) {
		return SHIM_FAILED;
	}
	if (setenv("HUSK_TEST_NO_OPENAT2", errno_ == EPERM ? "EPERM" : "ENOSYS", 1) < 0) {
		return fail(errno, "setenv");
	}
	execvp(argv[1], argv + 1);
	return fail(errno, "exec `%s`", argv[1]);
}
