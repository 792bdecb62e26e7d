/* husk runtime: `events`, a container's stats and OOM kills as runc prints
 * them (spec/events.h). */
#ifndef HUSK_RUNTIME_EVENTS_H
#define HUSK_RUNTIME_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

typedef struct husk_events_opts_s {
	const char *root; /* the state root */
	const char *id;
	bool stats_once;      /* --stats: one stats line, then return */
	uint64_t interval_ns; /* --interval: between stats lines of the stream */
	bool all;             /* --all: lifecycle events of every container, no ID */
} husk_events_opts_t;

/* Print ID's events on stdout, one JSON line each: with STATS_ONCE one
 * stats line; else a stats line every INTERVAL_NS and an oom line whenever
 * the kernel OOM-kills in the container, until its init exits (then 0). */
int husk_container_events(const husk_events_opts_t *o, husk_error_t *err);

#endif
