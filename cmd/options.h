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

/* The flags `checkpoint` and `restore` share, as getopt values. */
enum {
	HUSK_OPT_CRIU_IMAGE_PATH = 512,
	HUSK_OPT_CRIU_WORK_PATH,
	HUSK_OPT_CRIU_TCP_ESTABLISHED,
	HUSK_OPT_CRIU_EXT_UNIX_SK,
	HUSK_OPT_CRIU_SHELL_JOB,
	HUSK_OPT_CRIU_FILE_LOCKS,
	HUSK_OPT_CRIU_MANAGE_CGROUPS_MODE,
	HUSK_OPT_CRIU_EMPTY_NS,
	HUSK_OPT_CRIU_LAZY_PAGES,
	HUSK_OPT_CRIU_AUTO_DEDUP,
};

/* getopt entries for the shared flags, to spread into a verb's table. */
/* clang-format off */
#define HUSK_CRIU_SHARED_OPTIONS                                                        \
	{ "image-path", required_argument, NULL, HUSK_OPT_CRIU_IMAGE_PATH },            \
	{ "work-path", required_argument, NULL, HUSK_OPT_CRIU_WORK_PATH },              \
	{ "tcp-established", no_argument, NULL, HUSK_OPT_CRIU_TCP_ESTABLISHED },        \
	{ "ext-unix-sk", no_argument, NULL, HUSK_OPT_CRIU_EXT_UNIX_SK },                \
	{ "shell-job", no_argument, NULL, HUSK_OPT_CRIU_SHELL_JOB },                    \
	{ "file-locks", no_argument, NULL, HUSK_OPT_CRIU_FILE_LOCKS },                  \
	{ "manage-cgroups-mode", required_argument, NULL, HUSK_OPT_CRIU_MANAGE_CGROUPS_MODE }, \
	{ "empty-ns", required_argument, NULL, HUSK_OPT_CRIU_EMPTY_NS },                \
	{ "lazy-pages", no_argument, NULL, HUSK_OPT_CRIU_LAZY_PAGES },                  \
	{ "auto-dedup", no_argument, NULL, HUSK_OPT_CRIU_AUTO_DEDUP }
/* clang-format on */

/* Apply shared flag C (with OPTARG) to O.  Returns 1 when C was one,
 * 0 when it is not a shared flag, -1 on a bad value. */
int husk_cmd_criu_flag(int c, const char *optarg_, husk_criu_opts_t *o, husk_error_t *err);

#endif
