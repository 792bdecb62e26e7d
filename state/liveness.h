/* husk state: is a recorded container process still the one we started?
 *
 * Pids are reused, so a pid alone proves nothing: the process's start time
 * (field 22 of /proc/<pid>/stat, in clock ticks since boot) is recorded at
 * create and compared every time.  A pidfd is opened before the comparison,
 * so a match also pins the process we signal afterwards.
 */
#ifndef HUSK_STATE_LIVENESS_H
#define HUSK_STATE_LIVENESS_H

#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

/* The start time of PID, read through a verified procfs handle.  A zombie
 * counts as gone: -1 with ESRCH. */
int husk_pid_start_time(int procfd, pid_t pid, uint64_t *start, husk_error_t *err);

/* A pidfd for PID if it is alive and started at START, else -1 (ESRCH in
 * *err when it is simply gone). */
int husk_pid_open_if_same(int procfd, pid_t pid, uint64_t start, husk_error_t *err);

/* Send SIGNO to every process in the pid namespace whose init is INIT_PID
 * (not the init itself).  The namespace is compared by inode, so processes
 * outside the container are never touched. */
int husk_pidns_signal_all(int procfd, pid_t init_pid, int signo, husk_error_t *err);

#endif
