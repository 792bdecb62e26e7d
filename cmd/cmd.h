/* husk CLI: flags into plain values, one library entry point per verb.
 *
 * Nothing under cmd/ makes a system call of its own: it parses, then calls
 * the library.
 */
#ifndef HUSK_CMD_CMD_H
#define HUSK_CMD_CMD_H

#include <stdbool.h>

#include "util/cleanup.h"
#include "util/error.h"
#include "util/log.h"

struct husk_global_s {
	const char *root; /* --root: the state directory */
	const char *log;  /* --log FILE, NULL for stderr */
	enum husk_log_format log_format;
	bool debug;
	bool systemd_cgroup;        /* --systemd-cgroup */
	int rootless;               /* --rootless true|false|auto: enum husk_rootless */
	const char *cgroup_manager; /* --cgroup-manager cgroupfs|disabled (crun's flag) */
	const char *criu;           /* --criu PATH: CRIU's binary (runc's flag) */
};
typedef struct husk_global_s husk_global_t;

/* A verb: ARGV[0] is the verb's name; options are parsed by the verb.
 * Returns <0 on failure, else husk's exit status (0 for most verbs). */
typedef int (*husk_cmd_fn)(husk_global_t *g, int argc, char **argv, husk_error_t *err);

struct husk_cmd_s {
	const char *name;
	husk_cmd_fn fn;
	const char *summary;
	bool seal; /* starts processes in a container: run from a sealed binary */
};

/* Verbs, one file each under cmd/. */
int husk_cmd_version(husk_global_t *g, int argc, char **argv, husk_error_t *err);
int husk_cmd_spec(husk_global_t *g, int argc, char **argv, husk_error_t *err);
int husk_cmd_features(husk_global_t *g, int argc, char **argv, husk_error_t *err);
int husk_cmd_create(husk_global_t *g, int argc, char **argv, husk_error_t *err);
int husk_cmd_start(husk_global_t *g, int argc, char **argv, husk_error_t *err);
/* Returns the container's exit status (>= 0) when it ran in the foreground. */
int husk_cmd_run(husk_global_t *g, int argc, char **argv, husk_error_t *err);
int husk_cmd_state(husk_global_t *g, int argc, char **argv, husk_error_t *err);
int husk_cmd_wait(husk_global_t *g, int argc, char **argv, husk_error_t *err);
int husk_cmd_kill(husk_global_t *g, int argc, char **argv, husk_error_t *err);
int husk_cmd_delete(husk_global_t *g, int argc, char **argv, husk_error_t *err);
int husk_cmd_list(husk_global_t *g, int argc, char **argv, husk_error_t *err);
int husk_cmd_pause(husk_global_t *g, int argc, char **argv, husk_error_t *err);
int husk_cmd_resume(husk_global_t *g, int argc, char **argv, husk_error_t *err);
int husk_cmd_ps(husk_global_t *g, int argc, char **argv, husk_error_t *err);
int husk_cmd_update(husk_global_t *g, int argc, char **argv, husk_error_t *err);
/* Returns the process's exit status (>= 0) when it ran in the foreground. */
int husk_cmd_exec(husk_global_t *g, int argc, char **argv, husk_error_t *err);
int husk_cmd_events(husk_global_t *g, int argc, char **argv, husk_error_t *err);
int husk_cmd_checkpoint(husk_global_t *g, int argc, char **argv, husk_error_t *err);
/* Returns the container's exit status (>= 0) when it ran in the foreground. */
/* Returns husk's exit status for the job (runtime/sandbox.h). */
int husk_cmd_sandbox(husk_global_t *g, int argc, char **argv, husk_error_t *err);
int husk_cmd_restore(husk_global_t *g, int argc, char **argv, husk_error_t *err);

#endif
