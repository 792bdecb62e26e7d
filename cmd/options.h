/* husk CLI: what the verbs' tables share, and parsing helpers (no syscalls). */
#ifndef HUSK_CMD_OPTIONS_H
#define HUSK_CMD_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "cmd/cmd.h"
#include "criu/criu.h"
#include "runtime/husk.h"

/* The container id: exactly one operand, unless up to MAX_EXTRA more may
 * follow it. */
int husk_cmd_take_id(const husk_args_t *a, int max_extra, const char **id, husk_error_t *err);

/* No operand at all. */
int husk_cmd_no_operands(const husk_args_t *a, husk_error_t *err);

/* A non-negative decimal for FLAG, strictly (no sign, no junk, no overflow). */
int husk_cmd_parse_uint(const char *flag, const char *s, int *out, husk_error_t *err);

/* Ids of the flags several verbs share; a verb's own start at
 * HUSK_OPT_VERB. */
enum {
	HUSK_OPT_BUNDLE = 1,
	HUSK_OPT_CONSOLE_SOCKET,
	HUSK_OPT_PID_FILE,
	HUSK_OPT_NO_PIVOT,
	HUSK_OPT_NO_NEW_KEYRING,
	HUSK_OPT_PRESERVE_FDS,
	HUSK_OPT_DETACH,
	HUSK_OPT_NO_SUBREAPER,
	HUSK_OPT_OUTPUT_FILE,
	HUSK_OPT_OUTPUT_MAX,
	HUSK_OPT_CRIU_IMAGE_PATH,
	HUSK_OPT_CRIU_WORK_PATH,
	HUSK_OPT_CRIU_TCP_ESTABLISHED,
	HUSK_OPT_CRIU_EXT_UNIX_SK,
	HUSK_OPT_CRIU_SHELL_JOB,
	HUSK_OPT_CRIU_FILE_LOCKS,
	HUSK_OPT_CRIU_MANAGE_CGROUPS_MODE,
	HUSK_OPT_CRIU_EMPTY_NS,
	HUSK_OPT_CRIU_LAZY_PAGES,
	HUSK_OPT_CRIU_AUTO_DEDUP,
	HUSK_OPT_PIDFD_SOCKET,
	HUSK_OPT_VERB = 100,
};

/* Table entries of the shared flags, one macro each, so a flag reads the
 * same wherever it appears. */
/* clang-format off */
#define HUSK_FLAG_BUNDLE \
	{ "bundle", 'b', "DIR", HUSK_OPT_BUNDLE, \
	  "the bundle: its config.json, and its root filesystem where root.path is relative", \
	  "the current directory" }
#define HUSK_FLAG_CONSOLE_SOCKET \
	{ "console-socket", 0, "SOCKET", HUSK_OPT_CONSOLE_SOCKET, \
	  "where process.terminal is true, send the terminal's master end to this unix " \
	  "socket (SCM_RIGHTS), as engines' shims expect" }
#define HUSK_FLAG_PIDFD_SOCKET(what) \
	{ "pidfd-socket", 0, "SOCKET", HUSK_OPT_PIDFD_SOCKET, \
	  "send a pidfd of " what " to this unix socket (SCM_RIGHTS), as runc does for " \
	  "containerd" }
#define HUSK_FLAG_PID_FILE(what) \
	{ "pid-file", 0, "FILE", HUSK_OPT_PID_FILE, "write the pid of " what " to FILE" }
#define HUSK_FLAG_NO_PIVOT(help) \
	{ "no-pivot", 0, NULL, HUSK_OPT_NO_PIVOT, help }
#define HUSK_FLAG_NO_NEW_KEYRING \
	{ "no-new-keyring", 0, NULL, HUSK_OPT_NO_NEW_KEYRING, \
	  "keep the caller's session keyring instead of giving the container a new one" }
#define HUSK_FLAG_PRESERVE_FDS \
	{ "preserve-fds", 0, "N", HUSK_OPT_PRESERVE_FDS, \
	  "pass N more descriptors, from 3 on, to the container's process", "0" }
#define HUSK_FLAG_DETACH(help) \
	{ "detach", 'd', NULL, HUSK_OPT_DETACH, help }
#define HUSK_FLAG_NO_SUBREAPER \
	{ "no-subreaper", 0, NULL, HUSK_OPT_NO_SUBREAPER, \
	  "in the foreground, do not make husk a subreaper for the container's orphans" }
#define HUSK_FLAG_OUTPUT_FILE \
	{ "output-file", 0, "FILE", HUSK_OPT_OUTPUT_FILE, \
	  "where the monitor keeps the container's stdout and stderr", \
	  "output.log in the container's state directory" }
#define HUSK_FLAG_OUTPUT_MAX \
	{ "output-max", 0, "BYTES", HUSK_OPT_OUTPUT_MAX, \
	  "how many bytes of that output the monitor keeps", "16777216, 16 MiB" }

#define HUSK_FLAGS_CRIU \
	{ "image-path", 0, "DIR", HUSK_OPT_CRIU_IMAGE_PATH, "CRIU's image directory", \
	  "./checkpoint" }, \
	{ "work-path", 0, "DIR", HUSK_OPT_CRIU_WORK_PATH, "where CRIU writes its log and " \
	  "work files", "the image directory" }, \
	{ "tcp-established", 0, NULL, HUSK_OPT_CRIU_TCP_ESTABLISHED, \
	  "allow open TCP connections (CRIU's --tcp-established)" }, \
	{ "ext-unix-sk", 0, NULL, HUSK_OPT_CRIU_EXT_UNIX_SK, \
	  "allow external unix sockets (CRIU's --ext-unix-sk)" }, \
	{ "shell-job", 0, NULL, HUSK_OPT_CRIU_SHELL_JOB, \
	  "allow a shell job: a process with a terminal of the caller's (CRIU's --shell-job)" }, \
	{ "file-locks", 0, NULL, HUSK_OPT_CRIU_FILE_LOCKS, \
	  "handle file locks (CRIU's --file-locks)" }, \
	{ "manage-cgroups-mode", 0, "soft|full|strict|ignore", HUSK_OPT_CRIU_MANAGE_CGROUPS_MODE, \
	  "how CRIU treats the container's cgroups (CRIU's --manage-cgroups)", "soft" }, \
	{ "empty-ns", 0, "network", HUSK_OPT_CRIU_EMPTY_NS, \
	  "leave the network namespace unconfigured by CRIU: the only one it can leave" }, \
	{ "lazy-pages", 0, NULL, HUSK_OPT_CRIU_LAZY_PAGES, \
	  "use userfaultfd to transfer memory pages lazily (CRIU's --lazy-pages; untested)" }, \
	{ "auto-dedup", 0, NULL, HUSK_OPT_CRIU_AUTO_DEDUP, \
	  "deduplicate the images' memory pages against the parent's (CRIU's --auto-dedup)" }
/* clang-format on */

/* Apply shared flag O to C and M (create's and run's).  Returns 1 when O
 * was one, 0 when it is not a shared flag, -1 on a bad value. */
int husk_cmd_create_flag(const husk_opt_t *o, husk_create_opts_t *c, husk_monitor_opts_t *m,
			 husk_error_t *err);

/* The monitor's flags make sense only where there is one. */
int husk_cmd_check_monitor(const char *verb, const husk_run_opts_t *r, const husk_monitor_opts_t *m,
			   husk_error_t *err);

/* Apply CRIU flag O to C: 1 when O was one, 0 when not, -1 on a bad value. */
int husk_cmd_criu_flag(const husk_opt_t *o, husk_criu_opts_t *c, husk_error_t *err);

#endif
