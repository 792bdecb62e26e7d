/* husk runtime: exec, another process in a running container. */
#ifndef HUSK_RUNTIME_EXEC_H
#define HUSK_RUNTIME_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

typedef struct husk_exec_opts_s {
	const char *root;
	const char *id;
	const char *process_file; /* -p: a process.json; else the container's process with: */
	char **args;              /* CMD ARGS..., NULL-terminated */
	char **env;               /* -e, added */
	const char *cwd;          /* --cwd */
	bool has_user;            /* -u UID[:GID] */
	uint32_t uid, gid;
	uint32_t *gids; /* -g, added to the additional gids */
	size_t ngids;
	char **caps;               /* --cap, added to the bounding, effective and permitted sets */
	char **cgroups;            /* --cgroup [CTL,...:]PATH, sub-cgroups of the container's */
	const char *apparmor;      /* --apparmor */
	const char *process_label; /* --process-label */
	const char *console_socket;
	const char *pidfd_socket; /* --pidfd-socket: gets a pidfd of the process */
	bool no_new_privs;
	bool detach;
	bool tty;
	bool ignore_paused;
	const char *pid_file;
	int preserve_fds;
} husk_exec_opts_t;

/* Run the process in the container ID.  In the foreground, signals are
 * forwarded to it and *EXIT_STATUS is its exit code (128+N for signal N). */
int husk_container_exec(const husk_exec_opts_t *o, int *exit_status, husk_error_t *err);

#endif
