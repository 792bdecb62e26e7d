/* husk runtime: waiting in the foreground for a process husk started in a
 * container (`run`, `exec`): every signal husk receives is forwarded to it,
 * and with a terminal the caller's terminal and the container's console are
 * relayed. */
#ifndef HUSK_RUNTIME_WAIT_H
#define HUSK_RUNTIME_WAIT_H

#include <signal.h>
#include <sys/types.h>

#include "util/error.h"

/* The signals husk forwards: all but those a fault raises in husk itself.
 * Block them before the clone, so none meant for the container is lost (or
 * kills husk) before the wait begins. */
void husk_wait_forwardable(sigset_t *set);

/* Wait for PID (PIDFD) to end, reaping whatever else ends up ours as a
 * subreaper, forwarding SET's signals and, when MASTER >= 0, copying between
 * stdin/stdout and the console.  *EXIT_STATUS: its exit code, 128+N for
 * signal N. */
int husk_wait_forwarding(pid_t pid, int pidfd, int master, const sigset_t *set, int *exit_status,
			 husk_error_t *err);

#endif
