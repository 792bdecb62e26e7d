/* bench/floor.c: the floor under any runtime's `run`.
 *
 *   floor ROOTFS CMD [ARG...]
 *
 * clone with the namespaces husk's default spec asks for (pid, network, ipc,
 * uts, mount, cgroup), make the mounts private, bind ROOTFS onto itself,
 * pivot_root into it, detach the old root and exec CMD; wait for it and exit
 * with its status.  No config, no state, no cgroup, no /proc or /dev: what a
 * runtime cannot avoid doing. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define NAMESPACES \
	(CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS | CLONE_NEWCGROUP)

static void die(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	_exit(127);
}

static void child(const char *rootfs, char *argv[])
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		die("make / private");
	}
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0) {
		die("bind the rootfs");
	}
	if (chdir(rootfs) < 0) {
		die("chdir to the rootfs");
	}
	/* pivot_root(".", ".") stacks the old root under the new one. */
	if (syscall(SYS_pivot_root, ".", ".") < 0) {
		die("pivot_root");
	}
	if (umount2(".", MNT_DETACH) < 0) {
		die("detach the old root");
	}
	if (chdir("/") < 0) {
		die("chdir /");
	}
	execv(argv[0], argv);
	die(argv[0]);
}

int main(int argc, char *argv[])
{
	int status;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: floor ROOTFS CMD [ARG...]\n");
		return 2;
	}
	/* A raw clone without a stack behaves as fork. */
	pid = (pid_t) syscall(SYS_clone, NAMESPACES | SIGCHLD, NULL, NULL, NULL, 0);
	if (pid < 0) {
		die("clone");
	}
	if (pid == 0) {
		child(argv[1], argv + 2);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			die("waitpid");
		}
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
