/* husk: pidfds, signalling a child through one, and the fallback a seccomp
 * filter may force.
 *
 * Some of husk's steps run under a container's own seccomp filter (the init
 * after it loads one early, a startContainer hook it spawns); a profile
 * written before pidfds existed answers pidfd_send_signal with EPERM or
 * ENOSYS.  A child that husk has not reaped keeps its pid, so kill(2) on it
 * reaches the same process.
 */
#ifndef HUSK_UTIL_PROC_H
#define HUSK_UTIL_PROC_H

#include <stdint.h>
#include <sys/types.h>

/* A pidfd of PID (pidfd_open), or -1 with errno set. */
int husk_pidfd_open(pid_t pid);

/* SIG to the process behind PIDFD: 0, or -1 with errno set (ESRCH once it
 * has exited). */
int husk_pidfd_send(int pidfd, int sig);

/* Send SIG to the child behind PIDFD, which is PID (not yet reaped by us):
 * through the pidfd, or kill(2) where that is refused.  -1 with errno set. */
int husk_pidfd_kill(int pidfd, pid_t pid, int sig);

/* SIGKILL to our child PID (through PIDFD when >= 0) and reap it. */
void husk_kill_and_reap(int pidfd, pid_t pid);

/* clone3 like fork (no CLONE_VM): FLAGS, a pidfd in *PIDFD, the child
 * started in CGROUP_FD's cgroup when >= 0 (CLONE_INTO_CGROUP).  Where a
 * seccomp filter refuses clone3 (a container's own, under which
 * startContainer hooks are spawned: profiles before 2020 answer EPERM,
 * docker's now ENOSYS so that glibc falls back) and no cgroup is asked
 * for, clone(2) does the same.  0 in the child, its pid in the parent, -1
 * with errno set.  The child must leave by exec or _exit. */
pid_t husk_clone_raw(uint64_t flags, int cgroup_fd, int *pidfd);

#endif
