/* husk sandbox: `husk sandbox -- CMD`, one job in a box with limits.
 *
 * No bundle: the config is built in memory (spec/sandbox.h) and goes through
 * husk's own create, start and delete, under a generated id whose state
 * dir, bundle dir (<root>/.sandbox-<id>, holding the empty root the host's
 * directories are bound into) and cgroup (made only when a limit or a
 * --rootfs needs one) are all removed when the job ends.  A job with no
 * mount of its own uses instead the shared root <root>/.rootfs-<hash of the
 * host's layout>, made once and kept.
 * What husk adds around the lifecycle is the waiting: a wall-clock timer,
 * the relay of the job's stdout and stderr (counted, cut at a limit), and
 * the classification of how the job ended, for the exit status and the
 * report.
 */
#ifndef HUSK_SANDBOX_SANDBOX_H
#define HUSK_SANDBOX_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/landlock.h"
#include "spec/policy.h"
#include "spec/sandbox.h"
#include "util/error.h"

/* Exit statuses of husk itself, as timeout(1), docker and podman use them. */
/* The job's default uid and gid, and the host's id behind a job that asks for 0. */
#define HUSK_SANDBOX_NOBODY 65534

#define HUSK_SANDBOX_EXIT_LIMIT    124 /* husk (or a limit husk set) ended the job */
#define HUSK_SANDBOX_EXIT_SETUP    125
#define HUSK_SANDBOX_EXIT_NOEXEC   126
#define HUSK_SANDBOX_EXIT_NOTFOUND 127

enum husk_sandbox_limit {
	HUSK_LIMIT_TIME,     /* wall clock, ms */
	HUSK_LIMIT_CPU_TIME, /* RLIMIT_CPU, s */
	HUSK_LIMIT_MEMORY,   /* bytes */
	HUSK_LIMIT_PIDS,
	HUSK_LIMIT_CPUS,  /* thousandths of a CPU */
	HUSK_LIMIT_FSIZE, /* bytes */
	HUSK_LIMIT_NOFILE,
	HUSK_LIMIT_OUTPUT, /* bytes of stdout and stderr */
	HUSK_LIMIT_DISK,   /* bytes the job may write to /tmp and the --overlay layers */
	HUSK_LIMIT_COUNT,
};

typedef struct husk_sandbox_limit_value_s {
	uint64_t value;   /* 0: not set */
	const char *text; /* as given, for the report */
} husk_sandbox_limit_value_t;

/* One --env, --env-file or --keep-env, in the order given: a later one
 * wins over an earlier one for the same name (sandbox/env.c). */
enum husk_sandbox_env_kind {
	HUSK_SANDBOX_ENV_SET,  /* NAME=VALUE */
	HUSK_SANDBOX_ENV_FILE, /* a file of NAME=VALUE lines */
	HUSK_SANDBOX_ENV_KEEP, /* NAME, from husk's own environment */
};

typedef struct husk_sandbox_env_s {
	enum husk_sandbox_env_kind kind;
	const char *value;
} husk_sandbox_env_t;

typedef struct husk_sandbox_opts_s {
	const char *root;           /* the state root */
	const char *cgroup_manager; /* --cgroup-manager, NULL for cgroupfs */
	char *const *args;
	const char *rootfs; /* NULL: the host's /usr, /etc and the like, read-only */
	const husk_sandbox_mount_t *mounts;
	size_t n_mounts;
	const char *workdir; /* a host directory bound read-write, also the cwd */
	bool net_host;
	uint32_t uid, gid;
	const char *seccomp;       /* NULL: the default profile; "none"; else a file */
	const char *cgroup_parent; /* NULL: /husk-sandbox */
	bool best_effort;          /* run without a limit this host cannot enforce */
	const char *report;        /* NULL, "-" for stdout, or a file */
	husk_sandbox_limit_value_t limits[HUSK_LIMIT_COUNT];
	bool net_pasta;           /* --net pasta: user-mode networking (net_host false) */
	char *const *allow_hosts; /* --allow-host NAME[:PORT], as given */
	size_t n_allow_hosts;
	bool clearenv; /* start from an empty environment, not PATH and HOME */
	const husk_sandbox_env_t *env;
	size_t n_env;
	bool tty; /* -t: the job's stdio is a pty husk relays, output counted */
	/* The workspace (sandbox/workspace.c).  --overlay SRC[:DST]: the
	 * host's SRC at DST, writable, its writes kept in a throwaway layer
	 * (destination NULL: at SRC). */
	const husk_sandbox_mount_t *overlays;
	size_t n_overlays;
	const char *diff; /* --diff DIR: the layers kept there after the job, or NULL */
	/* --protect PATH: made read-only in every writable mount (relative)
	 * or in the one that holds it (absolute), besides the defaults
	 * unless no_default_protect (--protect none). */
	const char *const *protect;
	size_t n_protect;
	bool no_default_protect;
	/* --landlock (enum husk_landlock_mode), --tcp-bind, --tcp-connect:
	 * the job's Landlock policy (spec/landlock.h) */
	int landlock;
	husk_landlock_ports_t tcp_bind, tcp_connect;
	/* --learn: nothing is refused; what would have been is reported */
	bool learn;
} husk_sandbox_opts_t;

/* Run the job and wait for it; *EXIT_STATUS is husk's exit status, set on
 * failure too (125, or 126/127 when the program cannot run). */
int husk_sandbox_run(const husk_sandbox_opts_t *o, int *exit_status, husk_error_t *err);

/* --dry-run: check O as a run would, make nothing, and return POLICY (the
 * options as given, spec/policy.h) as JSON with the plan husk would
 * follow: each limit's mechanism, the job's ids and the host's behind
 * them, the cgroup parent. */
char *husk_sandbox_dry_run(const husk_sandbox_opts_t *o, const husk_policy_t *policy,
			   husk_error_t *err);

/* contrib/seccomp/sandbox.json, compiled in (Makefile). */
extern const char husk_sandbox_default_seccomp[];

#endif
