/* husk state: a container's lifecycle events, <root>/<id>/events.jsonl.
 *
 * Each verb that changes a container appends one JSON line as it does
 * (create: created, start: started, pause, resume) and the monitor appends
 * oom and exited; `events` prints the file and follows it.  One write() of a
 * whole line on an O_APPEND descriptor, so writers never interleave.
 * Best effort: a container is not failed because its event log could not
 * be written.
 */
#ifndef HUSK_STATE_EVLOG_H
#define HUSK_STATE_EVLOG_H

#include "spec/state.h"

#define HUSK_EVENTS_FILE "events.jsonl"

/* Append TYPE for ID (EXIT for "exited", else NULL) to DIRFD's events file. */
void husk_evlog_append(int dirfd, const char *id, const char *type, const husk_exit_t *exit);

#endif
