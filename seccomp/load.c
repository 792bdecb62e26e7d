/* husk seccomp: the init's side, loading a program compiled before clone.
 * Nothing here allocates or calls libseccomp. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seccomp/seccomp.h"
#include "util/openat2.h"

int husk_seccomp_load(const husk_seccomp_filter_t *f, int *notify_fd, husk_error_t *err)
{
	struct sock_fprog prog = { .len = (unsigned short) f->len, .filter = f->prog };
	long r;

	if (notify_fd != NULL) {
		*notify_fd = -1;
	}
	/* From here on the container's profile decides which calls work, and
	 * one written before openat2 existed may refuse it, or kill for it: the
	 * path layer walks instead (util/openat2.h). */
	husk_openat2_forgo();
	/* seccomp(2) rather than prctl: only it takes flags, and it returns
	 * the listener's fd (close-on-exec) with NEW_LISTENER. */
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, f->flags, &prog);
	if (r < 0) {
		return husk_error_errno(err, "load the seccomp filter (linux.seccomp)");
	}
	if (husk_seccomp_has_listener(f)) {
		if (notify_fd == NULL) {
			close((int) r);
			return husk_error_make(err, EINVAL, "seccomp: a listener's fd was dropped");
		}
		*notify_fd = (int) r;
	}
	return 0;
}
