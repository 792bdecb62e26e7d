/* husk runtime: `ps` in table form, through the host's ps(1). */
#ifndef HUSK_RUNTIME_PS_H
#define HUSK_RUNTIME_PS_H

#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

/* Run `ps ARGS` (NULL-terminated; empty means -ef), print its header and
 * the lines whose PID column is one of PIDS. */
int husk_ps_table(const pid_t *pids, size_t n, char *const *args, husk_error_t *err);

#endif
