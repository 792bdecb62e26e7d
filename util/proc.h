/* husk: signalling a child through its pidfd, and the fallback a seccomp
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

#include <sys/types.h>

/* Send SIG to the child behind PIDFD, which is PID (not yet reaped by us):
 * through the pidfd, or kill(2) where that is refused.  -1 with errno set. */
int husk_pidfd_kill(int pidfd, pid_t pid, int sig);

#endif
