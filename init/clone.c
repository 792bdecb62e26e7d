/* husk init: clone3, the one way husk makes a container process. */
#include "init/clone.h"
#include "init/seal.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/proc.h"
#include "util/procfs.h"

pid_t husk_clone3(uint64_t flags, int cgroup_fd, int *pidfd, husk_error_t *err)
{
	pid_t r = husk_clone_raw(flags, cgroup_fd, pidfd);

	if (r < 0) {
		return husk_error_errno(err, "clone3 the container init");
	}
	/* The child may be in another pid namespace, where its pid can be
	 * the one the parent's procfs handle was kept under: it must make
	 * its own, never use the parent's. */
	if (r == 0) {
		husk_procfs_forget();
		husk_seal_release();
	}
	return r;
}
