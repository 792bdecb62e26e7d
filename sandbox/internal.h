/* husk sandbox: what the sandbox's files share (sandbox/ only; the API is
 * sandbox/sandbox.h, which sandbox/run.c implements).
 *
 * sandbox/limits.c plans the limits and what enforces each, sandbox/root.c
 * makes the job's bundle and config, sandbox/run.c runs and waits for
 * the job and writes its report; one `struct sandbox` carries a run
 * through the three.
 */
#ifndef HUSK_SANDBOX_INTERNAL_H
#define HUSK_SANDBOX_INTERNAL_H

#include <stdbool.h>
#include <poll.h>
#include <stdint.h>
#include <sys/resource.h>
#include <time.h>

#include "cgroups/cgroup.h"
#include "cgroups/stats.h"
#include "init/jobinit.h"
#include "init/tty.h"
#include "runtime/create.h"
#include "sandbox/sandbox.h"
#include "seccomp/seccomp.h"
#include "spec/config.h"
#include "spec/sandbox.h"
#include "util/error.h"

/* Each limit's flag, without its dashes: "time", "cpu-time"... */
extern const char *const husk_sandbox_limit_names[HUSK_LIMIT_COUNT];

/* Why husk itself ended the job. */
enum killed_for {
	KILLED_NOT,
	KILLED_TIME,
	KILLED_OUTPUT,
};

struct sandbox {
	const husk_sandbox_opts_t *o;
	char id[32];
	char *bundle;     /* <root>/.sandbox-<id>, NULL until made */
	bool shared_root; /* BUNDLE is the shared <root>/.rootfs-<hash> */
	/* A job with mounts of its own, as root: its root, a tmpfs made and
	 * filled here, detached (BUNDLE, the shared root, then only names
	 * it); -1: none. */
	int root_mfd;
	const husk_cgroup_manager_t *cgm; /* NULL: none (disabled, or nothing delegated) */
	bool cgroup;                      /* the job gets a cgroup of its own (cgroup_needed) */
	/* The controllers it is made in (v1), NULL-terminated. */
	const char *controllers[HUSK_LIMIT_COUNT + 2];
	char *mechanism[HUSK_LIMIT_COUNT];
	bool enforce[HUSK_LIMIT_COUNT];
	husk_created_t c;
	bool created;
	bool rootless; /* not root: a user namespace, and a delegated cgroup or none */
	/* Root asked for uid or gid 0 (--user 0): a user namespace, in which
	 * 0 is an unprivileged id of the host's (host_id()). */
	bool root_job;
	const char *cg_parent; /* where the job's cgroup is made; NULL: none */
	int out[2];            /* read ends of the job's stdout and stderr */
	husk_cgstats_t *stats;
	/* How it went. */
	struct timespec t0, t1;
	bool reaped;
	int wstatus;
	struct rusage ru;
	enum killed_for killed;
	unsigned terminations; /* SIGINT, SIGTERM, SIGHUP, SIGQUIT received */
	uint64_t output;
	bool truncated;
	bool sink_gone[2];
	uint64_t pids_peak;
	bool has_pids_peak;
	bool kernel_peak; /* the cgroup has pids.peak */
	char **owned;     /* strings the config's mounts point into */
	/* The built-in profile's filter, found compiled in the cache: the
	 * config then goes without the profile (husk_sandbox_build_config). */
	husk_seccomp_filter_t *filter;
	int rootfd; /* the state root, once opened (state_root) */
	/* How the job ended, from its init (init/jobinit.h); unset when
	 * the init itself was killed (the deadline, the output limit, OOM). */
	husk_job_status_t *job;
	struct husk_sandbox_net_s *net; /* sandbox/net.c: pasta, the proxy */
	/* -t: the job's pty (its master is out[0]), and husk's side of it. */
	int term_fd;                 /* husk's own terminal, for the window size; -1: none */
	husk_tty_saved_t term_saved; /* husk's stdin, raw while the job runs */
	char in[4096];               /* read from husk's stdin, not yet written to the pty */
	size_t in_len;
	bool in_eof;
	/* The workspace (sandbox/workspace-internal.h): --overlay, --diff, --protect,
	 * --disk-limit; NULL until planned. */
	struct husk_workspace *ws;
	/* sandbox/landlock.c: the annotation husk.landlock for the job's
	 * config (NULL: none), the Landlock ABI the job is confined with (0:
	 * none), and why not, or what of the policy goes unenforced */
	char *landlock;
	int landlock_abi;
	const char *landlock_why;
	/* sandbox/denials.c: what the job is refused, as it happens */
	struct husk_denials_s *denials;
};

/* sandbox/limits.c: which limits are enforced and by what (the cgroup's
 * controllers, rlimits, husk's own watch), and the cgroup's parent. */
int husk_sandbox_plan_limits(struct sandbox *sb, husk_error_t *err);

/* The planned limits, as the job's config takes them. */
void husk_sandbox_spec_limits(const struct sandbox *sb, husk_sandbox_spec_t *s);

/* sandbox/root.c: the host's id behind the job's ID (rootless, the
 * caller's own, CALLER). */
uint32_t husk_sandbox_host_id(const struct sandbox *sb, uint32_t id, uint32_t caller);

/* Keep S until the sandbox is done with it, and return it. */
const char *husk_sandbox_own(struct sandbox *sb, char *s);

/* A fresh id for the job, in SB->id. */
int husk_sandbox_make_id(struct sandbox *sb, husk_error_t *err);

/* The job's bundle made, and its config built from the options. */
husk_config_t *husk_sandbox_build_config(struct sandbox *sb, husk_error_t *err);

/* Remove the job's bundle, unless it is the shared root. */
void husk_sandbox_remove_bundle(struct sandbox *sb);

/* sandbox/net.c: the job's network beyond loopback.  --net pasta: pasta
 * attached to the job's network namespace, ended with the job.
 * --allow-host: the egress proxy (sandbox/proxy.c), outside the box,
 * listening on HUSK_PROXY_ADDR inside the job's network namespace, and
 * named to the job by the usual variables. */
#define HUSK_PROXY_HOST "127.0.0.1"
#define HUSK_PROXY_PORT 3128
#define HUSK_PROXY_ADDR "127.0.0.1:3128"

/* Check --net with --allow-host and parse the rules: before anything is
 * made, so bad input leaves nothing. */
int husk_sandbox_net_plan(struct sandbox *sb, husk_error_t *err);
/* The proxy's variables into the job's environment *ENV, in place of any
 * of the same names. */
void husk_sandbox_net_env(const struct sandbox *sb, char ***env);
/* Between create and start: pasta, or the proxy. */
int husk_sandbox_net_start(struct sandbox *sb, husk_error_t *err);
/* After the job: pasta and the proxy ended, nothing of theirs left. */
void husk_sandbox_net_stop(struct sandbox *sb);
/* The report's "network", and the proxy's refusals as denials. */
void husk_sandbox_net_report(const struct sandbox *sb, husk_sandbox_report_t *r,
			     husk_sandbox_network_t *n);
void husk_sandbox_net_free(struct sandbox *sb);

/* sandbox/allow.c: the rules of --allow-host, and the request heads the
 * proxy reads. */
#define HUSK_HOST_MAX 253
#define HUSK_HEAD_MAX 8192 /* a request head, its blank line included */

/* An address, either family: AF_INET's 4 bytes first in A. */
typedef struct husk_addr_s {
	int family;
	uint8_t a[16];
} husk_addr_t;

/* A host as a rule or a request names it: a name, lower case, without a
 * trailing dot; or an IP literal (an IPv4-mapped IPv6 one as IPv4). */
typedef struct husk_host_s {
	bool is_ip;
	husk_addr_t ip;
	char name[HUSK_HOST_MAX + 1]; /* an IP in its canonical text */
} husk_host_t;

enum husk_allow_kind {
	HUSK_ALLOW_NAME,   /* NAME: that name only */
	HUSK_ALLOW_SUFFIX, /* *.NAME: any name below NAME, not NAME itself */
	HUSK_ALLOW_IP,     /* an IPv4 or [IPv6] literal: that address, even loopback */
};
#define HUSK_ALLOW_WEB 0  /* no port given: 80 and 443 */
#define HUSK_ALLOW_ANY -1 /* NAME:* */

typedef struct husk_allow_s {
	enum husk_allow_kind kind;
	husk_host_t host;
	int port; /* 1-65535, HUSK_ALLOW_WEB or HUSK_ALLOW_ANY */
} husk_allow_t;

bool husk_addr_eq(const husk_addr_t *a, const husk_addr_t *b);
/* An IPv4-mapped IPv6 address becomes the IPv4 one. */
void husk_addr_unmap(husk_addr_t *a);
void husk_addr_text(const husk_addr_t *a, char *buf, size_t len);

/* Parse the LEN bytes of S as a host; NULL, or why it is none. */
const char *husk_host_parse(const char *s, size_t len, husk_host_t *h);
/* Parse one --allow-host NAME[:PORT]. */
int husk_allow_parse(const char *text, husk_allow_t *r, husk_error_t *err);
/* Whether one of the N RULES lets the job reach H at PORT. */
bool husk_allow_match(const husk_allow_t *rules, size_t n, const husk_host_t *h, int port);
/* Why a name's address A is not to be reached (loopback, link-local,
 * unspecified, multicast, reserved), or NULL. */
const char *husk_addr_forbidden(const husk_addr_t *a);

/* A request head, parsed. */
typedef struct husk_request_s {
	bool connect; /* CONNECT host:port; else a plain request for an http:// URL */
	char method[16];
	char host_text[HUSK_HOST_MAX + 3]; /* as asked (brackets kept), for the report */
	husk_host_t host;
	int port;
	size_t head_len;         /* bytes of the head, its blank line included */
	uint64_t content_length; /* plain: the body's bytes */
	/* Plain: the head to send upstream (origin-form, Host from the URL,
	 * Connection: close), FWD_LEN bytes and a NUL. */
	char *fwd;
	size_t fwd_len;
	int status;      /* bad: the HTTP status to answer with */
	const char *why; /* bad: why */
} husk_request_t;

/* The head of LEN bytes of BUF, parsed into *Q: 1 when complete, 0 when more
 * is needed, -1 when bad (Q->status, Q->why).  Free Q->fwd after. */
int husk_request_parse(const char *buf, size_t len, husk_request_t *q);

/* sandbox/proxy.c: the proxy. */
typedef struct husk_proxy_s husk_proxy_t;

/* Serve LISTENER (non-blocking, taken over) on a thread of its own, with
 * the N RULES (which must outlive it). */
husk_proxy_t *husk_proxy_start(int listener, const husk_allow_t *rules, size_t n,
			       husk_error_t *err);
/* End the thread and every connection; what it saw stays. */
void husk_proxy_stop(husk_proxy_t *p);
/* After the stop: its connections, and its refusals as denials in R. */
void husk_proxy_report(const husk_proxy_t *p, husk_sandbox_report_t *r, husk_sandbox_network_t *n);
void husk_proxy_free(husk_proxy_t *p);
/* sandbox/userns.c: when the job needed a user namespace and create
 * failed, say why, if this host's settings explain it, in front of *ERR. */
void husk_sandbox_explain_userns(husk_error_t *err);

/* sandbox/env.c: the job's environment from the options, NULL-terminated
 * (empty, not NULL, for --clearenv alone); NULL on a bad --env or
 * --env-file. */
char **husk_sandbox_env(const husk_sandbox_opts_t *o, husk_error_t *err);
/* sandbox/workspace.c: check the workspace's flags and plan it, given the
 * config's mounts so far (S: --rw and --workdir among them).  *BINDS (N,
 * the caller frees the array) are the read-only binds of each overlay's
 * source that the config must mount at its destination. */
int husk_sandbox_workspace_plan(struct sandbox *sb, const husk_sandbox_spec_t *s,
				husk_sandbox_mount_t **binds, size_t *n, husk_error_t *err);
/* The init's part, as create's after_mounts hook, when there is one. */
void husk_sandbox_workspace_hook(struct sandbox *sb, husk_create_opts_t *co);
/* After a create: the workspace's tmpfs, which the init sent. */
int husk_sandbox_workspace_created(struct sandbox *sb, husk_error_t *err);
/* After the job: the bytes it wrote (disk_used), a disk-limit end, the
 * protected paths it made where nothing could stop it. */
void husk_sandbox_workspace_report(struct sandbox *sb, husk_sandbox_report_t *r);
/* Release it all; unless RAN (a job ran), remove --diff DIR if husk made it. */
void husk_sandbox_workspace_free(struct sandbox *sb, bool ran);

/* sandbox/diff.c: --diff DIR filled from the overlays' upper layers. */
int husk_sandbox_workspace_diff(struct sandbox *sb, husk_error_t *err);

/* sandbox/landlock.c: the job's Landlock, from --landlock, --tcp-bind,
 * --tcp-connect and --learn, as far as the kernel has it; fails for strict
 * where it has not.  Then what the report says of it. */
int husk_sandbox_plan_landlock(struct sandbox *sb, husk_error_t *err);
void husk_sandbox_report_landlock(const struct sandbox *sb, husk_sandbox_report_t *r);

/* sandbox/denials.c: the job's refusals, counted as they happen.  Once
 * the job is created and before it starts: start (the kernel's audit log,
 * where husk may read it) and watch (the seccomp listener create left in
 * SB->c); poll the descriptors that POLL fills in with the waiting's,
 * and call READY with what poll said; finish by filling the report,
 * before the container is deleted. */
#define HUSK_DENIAL_FDS 2
void husk_sandbox_denials_start(struct sandbox *sb);
void husk_sandbox_denials_watch(struct sandbox *sb);
void husk_sandbox_denials_poll(const struct sandbox *sb, struct pollfd p[HUSK_DENIAL_FDS]);
void husk_sandbox_denials_ready(struct sandbox *sb, const struct pollfd p[HUSK_DENIAL_FDS]);
void husk_sandbox_denials_finish(struct sandbox *sb, husk_sandbox_report_t *r);
void husk_sandbox_denials_free(struct sandbox *sb);
/* One record of the audit log (util/audit.h), as read: TYPE and TEXT. */
void husk_sandbox_denials_audit_record(struct sandbox *sb, int type, const char *text);

#endif
