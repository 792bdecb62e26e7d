/* husk runtime: clone3, the one way husk makes a container process. */
#include "runtime/clone.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* The kernel's struct clone_args (include/uapi/linux/sched.h), v2 size. */
struct husk_clone_args {
	uint64_t flags;
	uint64_t pidfd;
	uint64_t child_tid;
	uint64_t parent_tid;
	uint64_t exit_signal;
	uint64_t stack;
	uint64_t stack_size;
	uint64_t tls;
	uint64_t set_tid;
	uint64_t set_tid_size;
	uint64_t cgroup;
};

pid_t husk_clone3(uint64_t flags, int cgroup_fd, int *pidfd, husk_error_t *err)
{
	struct husk_clone_args args;
	long r;

	memset(&args, 0, sizeof(args));
	args.flags = flags | CLONE_PIDFD;
	args.pidfd = (uint64_t) (uintptr_t) pidfd;
	/* With CLONE_PARENT the kernel takes the exit signal of the caller
	 * (SIGCHLD for every process husk makes) and wants none given. */
	args.exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD;
	if (cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t) cgroup_fd;
	}
	r = syscall(SYS_clone3, &args, sizeof(args));
	if (r < 0) {
		return husk_error_errno(err, "clone3 the container init");
	}
	return (pid_t) r;
}
