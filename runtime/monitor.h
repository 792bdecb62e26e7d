/* husk runtime: the monitor, a small daemon that is a container's parent.
 *
 * runc and crun leave a container's exit status to whoever reaps its init
 * (containerd's shim, conmon).  A shell script has no such reaper, so for
 * `run --detach` and `create --monitor` husk forks a monitor (no re-exec)
 * that creates the container as its own child and stays behind:
 *   - it reaps the init and records exit code or signal, exit time and
 *     whether the OOM killer ended it in <root>/<id>/exit.json (atomically),
 *     and appends "oom" and "exited" to the container's event log;
 *   - it keeps the container's stdout and stderr in a log file (the state
 *     dir's output.log unless told otherwise), up to a size cap, so a
 *     detached container never holds the caller's terminal or pipe;
 *   - it is non-dumpable, in its own session, holds no descriptor the
 *     container could use, forwards nothing, and exits once the init is
 *     reaped and recorded.
 * Killing it changes nothing for the container (the init's parent-death
 * signal is cleared once created): `state`, `kill` and `delete` work from
 * the init's liveness, and the exit status is reported as unknown.
 * Plain `create` keeps runc's contract: no monitor.
 */
#ifndef HUSK_RUNTIME_MONITOR_H
#define HUSK_RUNTIME_MONITOR_H

#include "runtime/husk.h"
#include "util/error.h"

#define HUSK_OUTPUT_LOG         "output.log"
#define HUSK_OUTPUT_MAX_DEFAULT (16u << 20)

/* Fork the monitor and have it create the container O describes; return
 * in the caller once it is created (the monitor's error, if not). */
int husk_monitor_create(const husk_create_opts_t *o, const husk_monitor_opts_t *m,
			husk_error_t *err);

#endif
