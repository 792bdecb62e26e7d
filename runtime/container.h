/* husk runtime: one library entry point per lifecycle verb.
 *
 * cmd/ parses flags into these plain values and calls one function; every
 * system call happens below this line.
 */
#ifndef HUSK_RUNTIME_CONTAINER_H
#define HUSK_RUNTIME_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "spec/config.h"
#include "util/error.h"

/* --rootless (runc's flag): auto means "when not root".  Rootless, cgroups
 * come from a delegated subtree and a hierarchy the caller may not write is
 * left out (a limit that needs it is still an error). */
enum husk_rootless {
	HUSK_ROOTLESS_AUTO,
	HUSK_ROOTLESS_TRUE,
	HUSK_ROOTLESS_FALSE,
};

typedef struct husk_create_opts_s {
	const char *root; /* the state root */
	const char *id;
	const char *bundle;         /* NULL: the current directory */
	const char *pid_file;       /* NULL: none */
	const char *console_socket; /* NULL: none */
	const char *pidfd_socket;   /* --pidfd-socket: gets a pidfd of the init */
	bool no_pivot;
	bool no_new_keyring;
	int preserve_fds;
	bool tty_relay; /* set by `run` in the foreground: it relays the terminal itself */
	const char *cgroup_manager; /* --cgroup-manager: "cgroupfs" (NULL) or "disabled" */
	enum husk_rootless rootless;
	bool monitored;         /* set by the monitor for the container it creates */
	const char *output_log; /* the monitor's log of the container's output */
	/* A config built in memory (`sandbox`) instead of BUNDLE/config.json;
	 * the bundle then only anchors a relative root.path.  Create takes
	 * it over and frees it, on failure too. */
	husk_config_t *config;
	/* `sandbox`: the init keeps its parent-death signal through the exec,
	 * so the job (its whole pid namespace) dies with the husk that runs it,
	 * even one killed with SIGKILL. */
	bool die_with_parent;
	/* `sandbox`: on a v1 host, the cgroup is made only in the hierarchies
	 * of these controllers (NULL-terminated; NULL: in every one). */
	const char *const *cgroup_controllers;
	/* `sandbox`: its state dir goes with the job, so state.json is not
	 * synced to disk (a crash that could tear it ends the job too). */
	bool volatile_state;
	/* `sandbox`: a network namespace already being made for the
	 * container (namespaces/netns.h), started before the config was
	 * built.  Create takes it over, and finishes it on failure too. */
	struct husk_netns_maker_s *netns_maker;
	/* `sandbox`: a filter already compiled for a config that holds no
	 * linux.seccomp (the built-in profile's, from the cache).  Create
	 * takes it over and frees it, on failure too. */
	struct husk_seccomp_filter_s *seccomp_filter;
	/* `sandbox`, with its own profile: the init loads the seccomp filter
	 * as soon as it has sent CREATED, while husk records the state, rather
	 * than right before execve.  Only for a profile that allows every
	 * call the init makes after CREATED (sync messages, the fifo's read,
	 * close, close_range, prctl, poll, write): a wrong one would fail the
	 * start instead of the job. */
	bool early_seccomp;
	/* `sandbox`: the init stays as pid 1 of the job's pid namespace and
	 * forks the job, and leaves how it ended here (runtime/jobinit.h). */
	struct husk_job_status_s *job_status;
} husk_create_opts_t;

/* The monitor (runtime/monitor.c) of `run --detach` and `create --monitor`. */
typedef struct husk_monitor_opts_s {
	bool enabled;
	const char *output_file; /* the container's stdout and stderr; NULL: in the state dir */
	uint64_t output_max;     /* bytes of it kept; 0: the default */
} husk_monitor_opts_t;

typedef struct husk_run_opts_s {
	husk_monitor_opts_t monitor; /* with detach: on unless --no-monitor */
	bool detach;                 /* return once started */
	bool keep;                   /* do not delete the container when it exits */
	bool no_subreaper;           /* do not become a subreaper for the container's orphans */
} husk_run_opts_t;

int husk_container_create(const husk_create_opts_t *o, const husk_monitor_opts_t *m,
			  husk_error_t *err);
int husk_container_start(const char *root, const char *id, husk_error_t *err);
/* Create, start and (unless detached) wait: *EXIT_STATUS is the container's
 * exit code, or 128+N when signal N ended it. */
int husk_container_run(const husk_create_opts_t *o, const husk_run_opts_t *r, int *exit_status,
		       husk_error_t *err);
/* Block until ID has stopped and its exit is known; *EXIT_STATUS is its
 * exit code (128+N for signal N).  An exit nobody recorded is an error
 * that says so. */
int husk_container_wait(const char *root, const char *id, int *exit_status, husk_error_t *err);
/* Print the OCI state of ID as JSON on stdout. */
int husk_container_state(const char *root, const char *id, husk_error_t *err);
int husk_container_kill(const char *root, const char *id, int signo, bool all, husk_error_t *err);
int husk_container_delete(const char *root, const char *id, bool force, husk_error_t *err);
/* Change a running container's limits: from FILE (a linux.resources JSON,
 * "-" for stdin) when not NULL, else from FLAGS. */
int husk_container_update(const char *root, const char *id, const char *file,
			  const husk_resources_t *flags, husk_error_t *err);
int husk_container_pause(const char *root, const char *id, husk_error_t *err);
int husk_container_resume(const char *root, const char *id, husk_error_t *err);
/* The pids in the container's cgroup: the count, with *PIDS a new array. */
int husk_container_pids(const char *root, const char *id, pid_t **pids, husk_error_t *err);

/* `checkpoint` and `restore`: CRIU's options, runc's flags. */
typedef struct husk_criu_opts_s {
	const char *criu;                /* --criu: CRIU's binary; NULL for "criu" in PATH */
	const char *image_path;          /* NULL: ./checkpoint, as runc */
	const char *work_path;           /* NULL: the image directory */
	const char *parent_path;         /* the previous (pre-)dump, relative to image_path */
	const char *manage_cgroups_mode; /* soft (NULL), full, strict or ignore */
	bool leave_running;
	bool tcp_established;
	bool tcp_skip_in_flight;
	bool ext_unix_sk;
	bool shell_job;
	bool file_locks;
	bool pre_dump;
	bool lazy_pages;
	bool link_remap;
	bool auto_dedup;
	bool empty_netns; /* --empty-ns network: restore into an unconfigured one */
} husk_criu_opts_t;

/* Checkpoint the running container ID into C->image_path.  Unless it
 * leaves the container running (or only pre-dumps), the container is gone
 * afterwards, as with runc: its id is free for `restore`. */
int husk_container_checkpoint(const char *root, const char *id, const husk_criu_opts_t *c,
			      husk_error_t *err);
/* Restore O->id from C->image_path with the bundle O->bundle: a new
 * container (with its own cgroup and state) that may be a clone of the
 * checkpointed one.  Unless R->detach, wait for it as `run` does and
 * return its exit status in *EXIT_STATUS. */
int husk_container_restore(const husk_create_opts_t *o, const husk_run_opts_t *r,
			   const husk_criu_opts_t *c, int *exit_status, husk_error_t *err);

/* Print the features JSON, with whether CRIU (CRIU: its binary, NULL for
 * "criu" in PATH) is there for checkpoint and restore. */
int husk_features_show(const char *criu, husk_error_t *err);

enum husk_list_format {
	HUSK_LIST_TABLE,
	HUSK_LIST_JSON,
};
int husk_container_list(const char *root, enum husk_list_format format, bool quiet,
			husk_error_t *err);

#endif
