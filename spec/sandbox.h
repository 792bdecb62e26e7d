/* husk spec: the config of `husk sandbox`, built in memory, and its report.
 *
 * The sandbox has no bundle: these build the config.json text a bundle
 * would hold and parse it with husk_config_parse(), so a sandbox runs a
 * config that passed the same checks as any other. */
#ifndef HUSK_SPEC_SANDBOX_H
#define HUSK_SPEC_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/config.h"
#include "util/error.h"

enum husk_sandbox_mount_kind {
	HUSK_SANDBOX_RO,    /* a read-only bind of the host's SOURCE */
	HUSK_SANDBOX_RW,    /* a read-write bind */
	HUSK_SANDBOX_TMPFS, /* a tmpfs of SIZE bytes (0: the kernel's default) */
};

typedef struct husk_sandbox_mount_s {
	int kind; /* enum husk_sandbox_mount_kind */
	const char *source;
	const char *destination;
	uint64_t size;
} husk_sandbox_mount_t;

/* Everything the config says, as plain values; 0 (or NULL) is "not set". */
typedef struct husk_sandbox_spec_s {
	char *const *args;
	char *const *env; /* NAME=VALUE, the whole environment; NULL: none */
	const char *cwd;
	bool terminal;                       /* process.terminal: a pty for stdio */
	uint32_t console_rows, console_cols; /* its size; 0: the kernel's default */
	uint32_t uid, gid;
	bool net_host; /* share the host's network namespace */
	/* A user namespace mapping UID and GID to these, one each: rootless,
	 * the caller's own ids; as root, an unprivileged id for a job that
	 * asked for 0 (sandbox/root.c says which). */
	bool userns;
	uint32_t host_uid, host_gid;
	/* As root, with a user namespace: 0 is mapped too, to this host id,
	 * when UID or GID is not 0 itself, so that the init may set the job
	 * up as root of the namespace (whose files it then owns) before it
	 * becomes the job's user. */
	bool map_root;
	uint32_t host_root;
	const char *rootfs;                 /* root.path, absolute */
	const husk_sandbox_mount_t *mounts; /* after the default ones, in order */
	size_t n_mounts;
	const char *cgroups_path;
	/* linux.resources.devices: every device denied but the OCI defaults
	 * (where the job has a device cgroup to enforce it) */
	bool device_rules;
	int64_t memory;             /* bytes */
	bool memory_swap;           /* cap memory+swap at MEMORY too (the kernel accounts swap) */
	int64_t pids;               /* processes */
	int64_t cpu_quota;          /* µs of CPU per CPU_PERIOD */
	uint64_t cpu_period;        /* µs */
	uint64_t fsize;             /* RLIMIT_FSIZE, bytes */
	uint64_t nofile;            /* RLIMIT_NOFILE */
	uint64_t cpu_time;          /* RLIMIT_CPU, seconds */
	const char *seccomp;        /* a linux.seccomp object's JSON text, or NULL */
	const char *seccomp_source; /* where that text came from, for errors */
	/* The text is husk's own default profile, known to be one JSON object
	 * (tests/unit/test-config.c checks it), so it is not parsed twice. */
	bool seccomp_builtin;
	/* The annotation husk.landlock (spec/landlock.h), or NULL for none. */
	const char *landlock;
} husk_sandbox_spec_t;

/* Build and parse the config.  A bad seccomp profile is named by its path
 * inside the config ("linux.seccomp.syscalls[2]..."). */
husk_config_t *husk_sandbox_config(const husk_sandbox_spec_t *s, husk_error_t *err);

/* One limit in the report: what was asked and what enforced it. */
typedef struct husk_sandbox_limit_s {
	const char *name;      /* "memory" */
	const char *value;     /* as given: "64M" */
	const char *mechanism; /* "cgroup v1 memory.limit_in_bytes", or "none: WHY" */
} husk_sandbox_limit_t;

/* One connection the egress proxy of --allow-host saw.  HOST comes from
 * the job: printable ASCII only, cut short. */
typedef struct husk_sandbox_conn_s {
	char *host;
	int port;                /* 0: the request had none that could be read */
	char *method;            /* "CONNECT", or the plain HTTP request's */
	const char *verdict;     /* allowed|refused|failed (allowed, but not reached) */
	char *reason;            /* refused or failed: why */
	char *address;           /* allowed: the address connected to */
	uint64_t sent, received; /* bytes from the job, and to it */
} husk_sandbox_conn_t;

/* The job's network, for the report. */
typedef struct husk_sandbox_network_s {
	const char *mode;  /* none|host|pasta */
	const char *proxy; /* with --allow-host: the proxy's address in the job's namespace */
	const char *const *allow; /* --allow-host, as given */
	size_t n_allow;
	const husk_sandbox_conn_t *conns;
	size_t n_conns;
	uint64_t conns_omitted; /* connections past the report's cap */
} husk_sandbox_network_t;

/* Something the job was refused, COUNT times: KIND is "seccomp", "landlock"
 * or "net", WHAT says what (a system call's name, a path, a host). */
typedef struct husk_sandbox_denial_s {
	char *kind;
	char *what;
	uint64_t count;
} husk_sandbox_denial_t;

typedef struct husk_sandbox_report_s {
	const char *id;
	const char *status; /* exited|signaled|timeout|cpu-timeout|oom|output-limit|setup-error */
	int exit_code;      /* husk's own exit status */
	int signal;         /* the signal that ended the job, or 0 */
	const char *error;  /* setup-error: why */
	double wall, user, system; /* seconds */
	bool has_memory_peak, has_pids_peak, has_oom_kills;
	uint64_t memory_peak, pids_peak, oom_kills;
	/* Which counter each of the three came from (NULL when unknown). */
	const char *memory_peak_by, *pids_peak_by, *oom_kills_by;
	uint64_t output_bytes;
	bool output_truncated;
	const husk_sandbox_limit_t *limits;
	size_t n_limits;
	const husk_sandbox_network_t *network; /* NULL: none in the report */
	/* The workspace's tmpfs (/tmp with --disk-limit, the --overlay
	 * layers): the bytes in use when the job ended, unknown without one.
	 * A job that failed with it full ends as status disk-limit. */
	bool has_disk_used;
	uint64_t disk_used;
	/* Protected paths the job made, where it could (sandbox/workspace.c:
	 * missing from an --rw or --workdir mount), as the job saw them. */
	const char *const *protected_created;
	size_t n_protected_created;
	/* Landlock: MODE ("off", "auto", "strict"), the ABI the job was
	 * confined with, or 0 and LANDLOCK_WHY. */
	const char *landlock_mode;
	int landlock_abi;
	const char *landlock_why;
	/* What the job was refused (husk_sandbox_report_denial), and the kinds
	 * of refusal that could not be seen, WHAT saying why. */
	husk_sandbox_denial_t *denials, *unobserved;
	size_t n_denials, n_unobserved;
} husk_sandbox_report_t;

/* Add COUNT refusals of KIND and WHAT (copied) to R's denials. */
void husk_sandbox_report_denial(husk_sandbox_report_t *r, const char *kind, const char *what,
				uint64_t count);
/* Note in R that refusals of KIND could not be seen, and WHY. */
void husk_sandbox_report_unobserved(husk_sandbox_report_t *r, const char *kind, const char *why);
/* Free what the two above added. */
void husk_sandbox_report_clear(husk_sandbox_report_t *r);

/* The report as one line of JSON, newline-terminated. */
char *husk_sandbox_report_json(const husk_sandbox_report_t *r);

#endif
