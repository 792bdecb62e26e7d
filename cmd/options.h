/* husk CLI: option parsing shared by the verbs (no syscalls). */
#ifndef HUSK_CMD_OPTIONS_H
#define HUSK_CMD_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>

#include "cmd/cmd.h"
#include "runtime/container.h"

/* Report a getopt failure (c is '?' or ':') for VERB. */
int husk_cmd_bad_option(const char *verb, int c, char **argv, husk_error_t *err);

/* The container id: exactly one operand left after the options, unless
 * EXTRA_OK operands may follow it. */
int husk_cmd_take_id(const char *verb, int argc, char **argv, int max_extra, const char **id,
		     husk_error_t *err);

/* A non-negative decimal for FLAG, strictly (no sign, no junk, no overflow). */
int husk_cmd_parse_uint(const char *flag, const char *s, int *out, husk_error_t *err);

/* The flags `create` and `run` share, into O and M (the monitor's); RUN
 * adds --detach, --keep, --no-subreaper and --no-monitor, create without
 * it --monitor. */
int husk_cmd_parse_create(husk_global_t *g, int argc, char **argv, husk_create_opts_t *o,
			  husk_run_opts_t *r, husk_monitor_opts_t *m, husk_error_t *err);

#endif
