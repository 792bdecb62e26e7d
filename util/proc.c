/* husk: signalling a child through its pidfd (util/proc.h). */
#include "util/proc.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int husk_pidfd_open(pid_t pid)
{
	return (int) syscall(SYS_pidfd_open, pid, 0);
}

int husk_pidfd_send(int pidfd, int sig)
{
	return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 ? -1 : 0;
}

int husk_pidfd_kill(int pidfd, pid_t pid, int sig)
{
	if (husk_pidfd_send(pidfd, sig) == 0) {
		return 0;
	}
	if ((errno == ENOSYS || errno == EPERM) && pid > 0) {
		return kill(pid, sig);
	}
	return -1;
}

void husk_kill_and_reap(int pidfd, pid_t pid)
{
	if (pidfd >= 0) {
		husk_pidfd_kill(pidfd, pid, SIGKILL);
	} else if (pid > 0) {
		kill(pid, SIGKILL);
	}
	while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
	}
}

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* The kernel's struct clone_args (include/uapi/linux/sched.h), v2 size. */
struct clone_args_v2 {
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

pid_t husk_clone_raw(uint64_t flags, int cgroup_fd, int *pidfd)
{
	struct clone_args_v2 args = {
		.flags = flags | CLONE_PIDFD,
		.pidfd = (uint64_t) (uintptr_t) pidfd,
		/* With CLONE_PARENT the kernel takes the exit signal of the
		 * caller and wants none given. */
		.exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD,
	};
	long r;

	if (cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t) cgroup_fd;
	}
	r = syscall(SYS_clone3, &args, sizeof(args));
	/* The pidfd of clone(2) comes back through its parent_tid argument. */
	if (r < 0 && (errno == ENOSYS || errno == EPERM) && cgroup_fd < 0) {
		r = syscall(SYS_clone, (unsigned long) (args.flags | args.exit_signal), NULL, pidfd,
			    NULL, 0UL);
	}
	return (pid_t) r;
}
