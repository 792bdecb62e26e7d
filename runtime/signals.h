/* husk runtime: signal names, as `kill` takes them. */
#ifndef HUSK_RUNTIME_SIGNALS_H
#define HUSK_RUNTIME_SIGNALS_H

#include "util/error.h"

/* "KILL", "SIGKILL", "kill" or "9" (and "RTMIN+3" style realtime names).
 * Returns the signal number or -1. */
int husk_signal_parse(const char *s, husk_error_t *err);

#endif
