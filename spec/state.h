/* husk spec: state.json, the record of one container under <root>/<id>/.
 *
 * Written at create (temp file + rename in the state dir fd, so a reader
 * never sees half a file) and read by every later command.  `state` prints
 * the OCI fields plus runc's extras (rootfs, created, owner); the fields
 * after those are husk's own bookkeeping and stay in the file.
 */
#ifndef HUSK_SPEC_STATE_H
#define HUSK_SPEC_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec/config.h"

/* The file's name in the state dir. */
#define HUSK_STATE_FILE "state.json"

typedef struct husk_state_s {
	char *id;
	char *status; /* filled in by the reader from liveness, never trusted from disk */
	pid_t pid;
	char *bundle;
	char *rootfs;
	char *created; /* RFC 3339, UTC, nanoseconds */
	char *owner;
	husk_kvs_t annotations;
	/* husk's own */
	uint64_t init_start_time; /* /proc/<pid>/stat field 22, to tell a reused pid */
	bool own_pid_ns;          /* kill --all may walk the pid namespace */
	char *cgroup_manager;     /* "v2", "v1" or "disabled"; NULL in older state */
	char *cgroup_path;        /* the container's cgroup in each hierarchy */
	pid_t monitor_pid;        /* the monitor (runtime/monitor.c), 0 without one */
	uint64_t monitor_start_time;
	char *output_log; /* where the monitor writes the container's stdout and stderr */
	/* Filled in by the reader, never stored here: the exit the monitor
	 * recorded in exit.json, or that it is unknown (the monitor is gone
	 * without a record). */
	struct husk_exit_s *exit;
	bool exit_unknown;
	/* Not stored: write state.json without syncing it to disk (a
	 * sandbox's, whose state dir goes with its job). */
	bool no_sync;
} husk_state_t;

/* How the init ended, as the monitor saw it reap it: exit.json. */
typedef struct husk_exit_s {
	int code;        /* its exit code, or 128+signal */
	int signal;      /* the signal that ended it, 0 if it exited */
	char *exited_at; /* RFC 3339 */
	bool oom_killed; /* SIGKILL while the cgroup's OOM kill count rose */
} husk_exit_t;

#define HUSK_EXIT_FILE "exit.json"

/* Write exit.json atomically (temp file + rename). */
int husk_exit_write_at(int dirfd, const husk_exit_t *e, husk_error_t *err);
/* Read exit.json; NULL with ENOENT in *err when there is none. */
husk_exit_t *husk_exit_read_at(int dirfd, husk_error_t *err);
void husk_exit_free(husk_exit_t *e);

int husk_state_write_at(int dirfd, const husk_state_t *st, husk_error_t *err);

/* The container process state a seccomp notify listener gets with the fd
 * (runtime-spec, "seccomp notify"): ST with "fds": ["seccompFd"] and the
 * profile's METADATA (NULL: none); *LEN is set. */
char *husk_seccomp_state_json(const char *metadata, const husk_state_t *st, size_t *len);
husk_state_t *husk_state_read_at(int dirfd, husk_error_t *err);
void husk_state_free(husk_state_t *st);
void husk_state_freep(husk_state_t **st);
#define _cleanup_state_ __attribute__((cleanup(husk_state_freep)))

/* The OCI state as `state` prints it (indented, as runc does). */
char *husk_state_to_json(const husk_state_t *st);
/* `list --format json`: an array of the same objects. */
char *husk_state_list_to_json(husk_state_t *const *v, size_t n);

#endif
