/* husk runtime: the library's whole public API, one entry point per verb.
 *
 * cmd/ parses flags into these plain values and calls one function; every
 * system call happens below this line.  (checkpoint and restore are
 * criu/criu.h's, sandbox is sandbox/sandbox.h's: they sit above runtime/.)
 */
#ifndef HUSK_RUNTIME_HUSK_H
#define HUSK_RUNTIME_HUSK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
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
	 * synced to disk (a crash that could tear it ends the job too), no
	 * events.jsonl is kept (the report is the job's record), and the init
	 * waits for start on a socket only husk holds, not on exec.fifo: every
	 * file made and removed in the state dir is a journal entry on a
	 * disk-backed state root. */
	bool volatile_state;
	/* `sandbox`: a network namespace already being made for the
	 * container (namespaces/netns.h), started before the config was
	 * built.  Create takes it over, and finishes it on failure too. */
	struct husk_netns_maker_s *netns_maker;
	/* `sandbox`: a detached mount to take as the rootfs instead of
	 * root.path, which then only names it (a tmpfs holding the mount
	 * points); NULL: none.  Create takes a duplicate; not with a user
	 * namespace, whose rootfs create clones itself. */
	const int *rootfs_mfd;
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
	 * forks the job, and leaves how it ended here (init/jobinit.h). */
	struct husk_job_status_s *job_status;
	/* `sandbox`: keep a handle on the container's network namespace in
	 * husk_created_t's netns, for what husk puts in it after create. */
	bool keep_netns;
	/* `sandbox`: its workspace's mounts, made by the init once
	 * config.json's are in place (rootfs/opts.h: after_mounts).  The
	 * clone copies DATA into the init with the rest of husk's memory. */
	int (*after_mounts)(void *data, int rootfd, husk_error_t *err);
	void *after_mounts_data;
	/* `sandbox`: watch the seccomp filter (enum husk_seccomp_watch in
	 * seccomp/seccomp.h): its refusals come to the caller, through the
	 * listener's descriptor that create leaves in husk_created_t. */
	int seccomp_watch;
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

enum husk_list_format {
	HUSK_LIST_TABLE,
	HUSK_LIST_JSON,
};
int husk_container_list(const char *root, enum husk_list_format format, bool quiet,
			husk_error_t *err);

/* ---- starting up ---- */

/* Seal husk's own binary before anything else (init/seal.h: CVE-2019-5736):
 * for the verbs that make or enter a container.  May re-execute ARGV. */
int husk_startup_seal(char **argv, husk_error_t *err);

/* The state root when --root is not given: /run/husk as root, else
 * $XDG_RUNTIME_DIR/husk or /tmp/husk-UID. */
char *husk_default_root(void);

/* `husk spec`: runc's default config.json (its rootless form with
 * ROOTLESS) into BUNDLE (NULL: here); an existing one is not replaced. */
int husk_spec_write(const char *bundle, bool rootless, husk_error_t *err);

/* The linked libseccomp's version, for --version. */
void husk_libseccomp_version(char *buf, size_t len);

/* ---- exec ---- */

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

/* ---- events ---- */

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

/* ---- ps ---- */

/* Run `ps ARGS` (NULL-terminated; empty means -ef), print its header and
 * the lines whose PID column is one of PIDS. */
int husk_ps_table(const pid_t *pids, size_t n, char *const *args, husk_error_t *err);

/* ---- signals ---- */

/* "KILL", "SIGKILL", "kill" or "9" (and "RTMIN+3" style realtime names).
 * Returns the signal number or -1. */
int husk_signal_parse(const char *s, husk_error_t *err);

#endif
