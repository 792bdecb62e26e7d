/* husk sandbox [FLAGS] -- CMD [ARGS...]: one job in a box without a bundle
 * (sandbox/sandbox.h).  Every error here is a setup error: 125, not husk's
 * usual 1. */
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/options.h"
#include "sandbox/sandbox.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

enum {
	OPT_ROOTFS = HUSK_OPT_VERB,
	OPT_RO,
	OPT_RW,
	OPT_TMPFS,
	OPT_WORKDIR,
	OPT_NET,
	OPT_USER,
	OPT_SECCOMP,
	OPT_LIMITS,
	OPT_REPORT,
	OPT_CGROUP_PARENT,
	OPT_ENV,
	OPT_ENV_FILE,
	OPT_KEEP_ENV,
	OPT_CLEARENV,
	OPT_TTY,
	OPT_CONFIG,
	OPT_DRY_RUN,
	OPT_OVERLAY,
	OPT_DIFF,
	OPT_PROTECT,
	OPT_LANDLOCK,
	OPT_TCP_BIND,
	OPT_TCP_CONNECT,
	OPT_LEARN,
	OPT_ALLOW_HOST,
	OPT_LIMIT_BASE, /* + enum husk_sandbox_limit */
};

/* A number with an optional fraction: *WHOLE and *FRAC in thousandths. */
static const char *parse_decimal(const char *s, uint64_t *whole, uint64_t *frac)
{
	char *end;
	uint64_t scale = 100;

	*frac = 0;
	if (*s < '0' || *s > '9') {
		return NULL;
	}
	errno = 0;
	*whole = strtoull(s, &end, 10);
	if (errno != 0 || *whole > (1ull << 40)) {
		return NULL;
	}
	if (*end == '.') {
		for (end++; *end >= '0' && *end <= '9'; end++) {
			*frac += (uint64_t) (*end - '0') * scale;
			scale /= 10;
		}
	}
	return end;
}

static int bad_value(const char *flag, const char *s, const char *expected, husk_error_t *err)
{
	return husk_error_make(err, 0, "sandbox: --%s `%s`: expected %s", flag, s, expected);
}

/* Bytes: 1048576, 512k, 64M, 1.5G (powers of 1024, an optional B or iB). */
static int parse_size(const char *flag, const char *s, uint64_t *out, husk_error_t *err)
{
	static const char units[] = "kmgt";
	uint64_t whole, frac, mult = 1;
	const char *end = parse_decimal(s, &whole, &frac);
	const char *u;

	if (end == NULL) {
		return bad_value(flag, s, "a size such as 64M", err);
	}
	if (*end != '\0' && (u = strchr(units, (*end | 0x20))) != NULL) {
		mult = 1ull << (10 * (u - units + 1));
		end++;
		end += strcmp(end, "iB") == 0 ? 2 : (strcmp(end, "B") == 0 ? 1 : 0);
	} else if (strcmp(end, "B") == 0) {
		end++;
	}
	/* What the cgroup file takes: an int64_t, which a T suffix could
	 * overflow. */
	if (whole > (uint64_t) INT64_MAX / mult - 1) {
		return bad_value(flag, s, "a size such as 64M, below 2^63 bytes", err);
	}
	*out = whole * mult + frac * mult / 1000;
	if (*end != '\0' || *out == 0) {
		return bad_value(flag, s, "a size such as 64M", err);
	}
	return 0;
}

/* Milliseconds: 1.5s, 500ms, 2m, 1h; a bare number is seconds. */
static int parse_duration(const char *flag, const char *s, uint64_t *ms, husk_error_t *err)
{
	static const struct {
		const char *unit;
		uint64_t ms;
	} units[] = { { "", 1000 }, { "s", 1000 }, { "ms", 1 }, { "m", 60000 }, { "h", 3600000 } };
	uint64_t whole, frac;
	const char *end = parse_decimal(s, &whole, &frac);

	for (size_t i = 0; end != NULL && i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit) == 0) {
			*ms = whole * units[i].ms + frac * units[i].ms / 1000;
			if (*ms > 0) {
				return 0;
			}
		}
	}
	return bad_value(flag, s, "a duration such as 1.5s, 500ms or 2m", err);
}

static int parse_count(const char *flag, const char *s, uint64_t *out, husk_error_t *err)
{
	uint64_t frac;
	const char *end = parse_decimal(s, out, &frac);

	if (end == NULL || *end != '\0' || frac != 0 || strchr(s, '.') != NULL || *out == 0) {
		return bad_value(flag, s, "a whole number above 0", err);
	}
	return 0;
}

static int parse_id(const char *flag, const char *s, const char *whole, uint32_t *out,
		    husk_error_t *err)
{
	uint64_t v, frac;
	const char *end = parse_decimal(s, &v, &frac);

	if (end == NULL || (*end != '\0' && *end != ':') || strchr(s, '.') != NULL ||
	    v > UINT32_MAX - 1) {
		return bad_value(flag, whole, "UID[:GID], numbers", err);
	}
	*out = (uint32_t) v;
	return 0;
}

static int parse_user(const char *s, husk_sandbox_opts_t *o, husk_error_t *err)
{
	const char *colon = strchr(s, ':');

	if (parse_id("user", s, s, &o->uid, err) < 0) {
		return -1;
	}
	o->gid = o->uid;
	return colon != NULL ? parse_id("user", colon + 1, s, &o->gid, err) : 0;
}

static int parse_limit(enum husk_sandbox_limit l, const char *flag, const char *s,
		       husk_sandbox_opts_t *o, husk_error_t *err)
{
	uint64_t v = 0, frac = 0;
	const char *end;
	int r;

	switch (l) {
	case HUSK_LIMIT_TIME:
		r = parse_duration(flag, s, &v, err);
		break;
	case HUSK_LIMIT_CPU_TIME:
		/* RLIMIT_CPU counts whole seconds: round up. */
		r = parse_duration(flag, s, &v, err);
		v = (v + 999) / 1000;
		break;
	case HUSK_LIMIT_CPUS:
		end = parse_decimal(s, &v, &frac);
		v = v * 1000 + frac;
		/* The quota is CPUs times the period (100 ms) in µs. */
		r = end == NULL || *end != '\0' || v == 0 || v > (1ull << 20) * 1000
			    ? bad_value(flag, s, "a number of CPUs such as 0.5, at most 1048576",
					err)
			    : 0;
		break;
	case HUSK_LIMIT_PIDS:
	case HUSK_LIMIT_NOFILE:
		r = parse_count(flag, s, &v, err);
		break;
	default:
		r = parse_size(flag, s, &v, err);
		break;
	}
	o->limits[l] = (husk_sandbox_limit_value_t){ .value = v, .text = s };
	return r;
}

/* --ro SRC[:DST], --rw SRC[:DST], --tmpfs DST[:SIZE]. */
static int parse_mount(int kind, char *arg, husk_sandbox_mount_t **v, size_t *n, husk_error_t *err)
{
	char *colon = strchr(arg, ':');
	husk_sandbox_mount_t m = { .kind = kind };

	if (colon != NULL) {
		*colon = '\0';
	}
	if (arg[0] == '\0' || (colon != NULL && colon[1] == '\0')) {
		return husk_error_make(err, 0, "sandbox: --%s: empty path",
				       kind == HUSK_SANDBOX_TMPFS ? "tmpfs"
				       : kind == HUSK_SANDBOX_RO  ? "ro"
								  : "rw");
	}
	if (kind == HUSK_SANDBOX_TMPFS) {
		m.destination = arg;
		if (colon != NULL && parse_size("tmpfs", colon + 1, &m.size, err) < 0) {
			return -1;
		}
	} else {
		m.source = arg;
		m.destination = colon != NULL ? colon + 1 : NULL;
	}
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = m;
	return 0;
}

static int parse_choice(const char *flag, const char *s, const char *a, const char *b, bool *is_b,
			husk_error_t *err)
{
	if (strcmp(s, a) != 0 && strcmp(s, b) != 0) {
		return husk_error_make(err, 0, "sandbox: --%s `%s`: %s or %s", flag, s, a, b);
	}
	*is_b = strcmp(s, b) == 0;
	return 0;
}

static int parse_net(const char *s, husk_sandbox_opts_t *o, husk_error_t *err)
{
	o->net_pasta = strcmp(s, "pasta") == 0;
	o->net_host = strcmp(s, "host") == 0;
	if (!o->net_pasta && !o->net_host && strcmp(s, "none") != 0) {
		return husk_error_make(err, 0, "sandbox: --net `%s`: none, host or pasta", s);
	}
	return 0;
}

static const char *const limit_flags[HUSK_LIMIT_COUNT] = {
	[HUSK_LIMIT_TIME] = "time",       [HUSK_LIMIT_CPU_TIME] = "cpu-time",
	[HUSK_LIMIT_MEMORY] = "memory",   [HUSK_LIMIT_PIDS] = "pids",
	[HUSK_LIMIT_CPUS] = "cpus",       [HUSK_LIMIT_FSIZE] = "fsize",
	[HUSK_LIMIT_NOFILE] = "nofile",   [HUSK_LIMIT_OUTPUT] = "output-limit",
	[HUSK_LIMIT_DISK] = "disk-limit",
};

#define LIMIT(l) (OPT_LIMIT_BASE + (l))

static const husk_flag_t flags[] = {
	{ "time", 0, "DURATION", LIMIT(HUSK_LIMIT_TIME),
	  "kill the job after DURATION of wall-clock time (1.5s, 500ms, 2m, 1h; a bare "
	  "number is seconds): exit status 124" },
	{ "cpu-time", 0, "DURATION", LIMIT(HUSK_LIMIT_CPU_TIME),
	  "CPU time of each process (RLIMIT_CPU, whole seconds, rounded up): SIGXCPU, then "
	  "SIGKILL; exit status 124" },
	{ "memory", 0, "SIZE", LIMIT(HUSK_LIMIT_MEMORY),
	  "memory of the whole job, swap included where the kernel counts it (64M, 1.5G, "
	  "512k: powers of 1024); past it the kernel's OOM killer: exit status 137" },
	{ "pids", 0, "N", LIMIT(HUSK_LIMIT_PIDS),
	  "processes and threads of the whole job at once: fork fails past it" },
	{ "cpus", 0, "N", LIMIT(HUSK_LIMIT_CPUS),
	  "CPUs' worth of time, such as 0.5 or 2 (a CFS quota)" },
	{ "fsize", 0, "SIZE", LIMIT(HUSK_LIMIT_FSIZE),
	  "the largest file a process may write (RLIMIT_FSIZE): a write past it gets "
	  "SIGXFSZ" },
	{ "nofile", 0, "N", LIMIT(HUSK_LIMIT_NOFILE),
	  "open files of each process (RLIMIT_NOFILE)" },
	{ "output-limit", 0, "SIZE", LIMIT(HUSK_LIMIT_OUTPUT),
	  "bytes of stdout and stderr together; past it the output is cut and the job "
	  "killed: exit status 124" },
	{ "limits", 0, "strict|best-effort", OPT_LIMITS,
	  "where a --memory, --pids or --cpus limit cannot be enforced, strict refuses to "
	  "run the job (exit status 125) and best-effort runs it without that limit (the "
	  "report says which)",
	  "strict" },
	{ "report", 0, "FILE", OPT_REPORT,
	  "write a JSON report of how the job ended and what it used to FILE (- for "
	  "stdout, after the job's output)" },
	{ "rootfs", 0, "DIR", OPT_ROOTFS,
	  "run in DIR, read-only, instead of the host's directories" },
	{ "ro", 0, "SRC[:DST]", OPT_RO, "bind the host's SRC read-only at DST (at SRC)", NULL,
	  true },
	{ "rw", 0, "SRC[:DST]", OPT_RW, "bind the host's SRC read-write at DST (at SRC)", NULL,
	  true },
	{ "tmpfs", 0, "DST[:SIZE]", OPT_TMPFS,
	  "a fresh tmpfs at DST, of SIZE (the kernel's default size without one)", NULL, true },
	{ "workdir", 0, "DIR", OPT_WORKDIR,
	  "bind the host's DIR read-write at the same path and start the job there (in / "
	  "without one)" },
	{ "net", 0, "none|host|pasta", OPT_NET,
	  "none: a network namespace of its own with only loopback, up; host: the host's "
	  "network; pasta: a namespace of its own that reaches what the host reaches (not the "
	  "host's loopback) through pasta, user-mode networking that needs no privilege "
	  "(Debian's package passt), with no port forwarded into the job",
	  "none" },
	{ "allow-host", 0, "NAME[:PORT]", OPT_ALLOW_HOST,
	  "with --net none, let the job reach NAME at PORT (a number, or * for any; none: 80 "
	  "and 443) through husk's HTTP proxy, which the job finds in HTTP_PROXY, "
	  "HTTPS_PROXY and ALL_PROXY (CONNECT, and plain http:// requests) and which "
	  "refuses every other host with 403; *.NAME is any name below NAME; an IPv4 or "
	  "[IPv6] address is that address only; husk resolves a name itself and refuses "
	  "one that resolves to loopback, link-local or this host's own addresses unless "
	  "they are listed as addresses; the report lists every connection",
	  NULL, true },
	{ "user", 0, "UID[:GID]", OPT_USER,
	  "the job's user and group ids (GID: UID); 0 is root of a user namespace of the "
	  "job's own, nobody of the host's",
	  "65534:65534" },
	{ "seccomp", 0, "FILE|none", OPT_SECCOMP,
	  "a linux.seccomp object (JSON) to filter the job's system calls with, or none",
	  "docker's default allow-list without io_uring, with four socket families and "
	  "for the native architecture only (a 32-bit call: SIGSYS), built in" },
	{ "cgroup-parent", 0, "PATH", OPT_CGROUP_PARENT,
	  "the absolute cgroup under which the job's own is made, when a limit or "
	  "--rootfs needs one",
	  "/husk-sandbox; not root, under the caller's delegated subtree" },
	{ "env", 'e', "NAME=VALUE", OPT_ENV,
	  "set NAME in the job's environment (a later --env, --env-file or --keep-env of "
	  "the same NAME wins)",
	  NULL, true },
	{ "env-file", 0, "FILE", OPT_ENV_FILE,
	  "NAME=VALUE lines of FILE, as docker reads them: no quotes, a bare NAME passes "
	  "husk's own, # starts a comment line",
	  NULL, true },
	{ "keep-env", 0, "NAME", OPT_KEEP_ENV,
	  "pass NAME from husk's own environment (nothing when husk has none)", NULL, true },
	{ "clearenv", 0, NULL, OPT_CLEARENV,
	  "start from an empty environment instead of PATH and HOME=/tmp" },
	{ "tty", 't', NULL, OPT_TTY,
	  "give the job a terminal of its own, relayed to husk's (raw while the job runs, "
	  "when husk's stdin is one), and TERM; --output-limit counts what it prints" },
	{ "config", 0, "FILE", OPT_CONFIG,
	  "take flags from FILE first, a JSON object of them by their long names "
	  "(\"memory\": \"64M\", \"ro\": [\"/a\", \"/b\"], \"clearenv\": true) and "
	  "\"command\": [...] for when the command line names none; flags given here "
	  "come after it: a value replaces the file's, a repeated flag adds to it" },
	{ "dry-run", 0, NULL, OPT_DRY_RUN,
	  "check everything and run nothing: print the policy (--config's format, "
	  "from the file and the flags) with the plan husk would follow, each limit's "
	  "mechanism, the job's ids and the host's behind them" },
	{ "overlay", 0, "SRC[:DST]", OPT_OVERLAY,
	  "the host's directory SRC at DST (at SRC), writable: the job's writes go to a layer "
	  "in memory, thrown away after the job (or kept by --diff), so SRC never changes",
	  NULL, true },
	{ "diff", 0, "DIR", OPT_DIFF,
	  "keep what the job changed under --overlay in DIR (made if missing, else it must be "
	  "empty): DIR/manifest.json lists what was added, changed and deleted, "
	  "DIR/overlay-0, -1... hold the added and changed files of each --overlay, in order" },
	{ "protect", 0, "PATH|none", OPT_PROTECT,
	  "make PATH read-only, and impossible to make where missing, in every --rw, --workdir "
	  "and --overlay mount (PATH relative), or in the one that holds it (absolute); none "
	  "drops the defaults (where --rw or --workdir lacks one, it cannot be stopped: the "
	  "report's protected_created names what the job made)",
	  ".git, .git/hooks, .git/config, .gitconfig and the shell rc files (.bashrc, .profile, "
	  ".zshrc...)",
	  true },
	{ "disk-limit", 0, "SIZE", LIMIT(HUSK_LIMIT_DISK),
	  "what the job may write to /tmp and every --overlay layer together: one tmpfs of "
	  "SIZE (and one inode per KiB); past it writes fail with ENOSPC, and a job that then "
	  "fails ends as disk-limit in the report" },
	{ "landlock", 0, "auto|strict|off", OPT_LANDLOCK,
	  "confine the job with Landlock to the box's own files too (a second wall behind the "
	  "mounts: a file of the host's reached through an inherited descriptor or "
	  "/proc/PID/root is refused), and to its TCP ports and its own abstract sockets and "
	  "signals where the kernel has them; auto goes without where the kernel has no "
	  "Landlock, strict refuses to run the job (exit status 125); the report says which "
	  "Landlock ABI was used",
	  "auto" },
	{ "tcp-bind", 0, "PORT,...|none", OPT_TCP_BIND,
	  "the only TCP ports the job may bind to (Landlock ABI 4); none for no TCP server at "
	  "all" },
	{ "tcp-connect", 0, "PORT,...|none", OPT_TCP_CONNECT,
	  "the only TCP ports the job may connect to (Landlock ABI 4); none for no TCP "
	  "connection at all" },
	{ "learn", 0, NULL, OPT_LEARN,
	  "refuse nothing and report what would have been refused: every system call the "
	  "seccomp profile denies runs, and is counted in the report's denials; Landlock, "
	  "which has no such mode, is off (the report says so)" },
	{ NULL },
};

/* What the command line's flags point into while the job runs. */
struct parsed {
	husk_sandbox_mount_t *mounts;
	husk_sandbox_env_t *env;
	husk_sandbox_mount_t *overlays; /* --overlay */
	const char **protect;           /* --protect */
	char **allow;                   /* --allow-host */
	char **owned;                   /* copies of the values parse_flag may cut */
	husk_policy_t *config;          /* --config FILE */
	husk_policy_t given;            /* every flag as given, for --dry-run */
	bool dry_run;
};

static void add_env(husk_sandbox_opts_t *o, struct parsed *p, enum husk_sandbox_env_kind kind,
		    const char *value)
{
	p->env = xreallocarray(p->env, o->n_env + 1, sizeof(*p->env));
	p->env[o->n_env++] = (husk_sandbox_env_t){ .kind = kind, .value = value };
	o->env = p->env;
}

/* --overlay SRC[:DST]. */
static int parse_overlay(char *arg, husk_sandbox_mount_t **v, size_t *n, husk_error_t *err)
{
	char *colon = strchr(arg, ':');

	if (colon != NULL) {
		*colon = '\0';
	}
	if (arg[0] == '\0' || (colon != NULL && colon[1] == '\0')) {
		return husk_error_make(err, 0, "sandbox: --overlay: empty path");
	}
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = (husk_sandbox_mount_t){ .source = arg,
					       .destination = colon != NULL ? colon + 1 : NULL };
	return 0;
}

static int parse_workspace(int c, char *optarg, husk_sandbox_opts_t *o, struct parsed *p,
			   husk_error_t *err)
{
	switch (c) {
	case OPT_OVERLAY:
		if (parse_overlay(optarg, &p->overlays, &o->n_overlays, err) < 0) {
			return -1;
		}
		o->overlays = p->overlays;
		return 0;
	case OPT_DIFF:
		o->diff = optarg;
		return 0;
	default:
		if (strcmp(optarg, "none") == 0) {
			o->no_default_protect = true;
			return 0;
		}
		p->protect = xreallocarray(p->protect, o->n_protect + 1, sizeof(*p->protect));
		p->protect[o->n_protect++] = optarg;
		o->protect = p->protect;
		return 0;
	}
}

/* --tcp-bind, --tcp-connect: PORT,PORT... or none. */
static int parse_ports(const char *flag, const char *s, husk_landlock_ports_t *ports,
		       husk_error_t *err)
{
	*ports = (husk_landlock_ports_t){ .set = true };
	if (strcmp(s, "none") == 0) {
		return 0;
	}
	for (const char *p = s;;) {
		size_t n = strspn(p, "0123456789");
		unsigned long v = n > 0 && n < 6 ? strtoul(p, NULL, 10) : 0;

		if (v == 0 || v > UINT16_MAX || (p[n] != ',' && p[n] != '\0') ||
		    ports->n == HUSK_LANDLOCK_MAX_PORTS) {
			return bad_value(
				flag, s,
				"TCP ports (1 to 65535, at most 64) such as 80,443, or none", err);
		}
		ports->v[ports->n++] = (uint16_t) v;
		if (p[n] == '\0') {
			return 0;
		}
		p += n + 1;
	}
}

static int parse_landlock(const char *s, husk_sandbox_opts_t *o, husk_error_t *err)
{
	for (int m = HUSK_LANDLOCK_OFF; m <= HUSK_LANDLOCK_STRICT; m++) {
		if (strcmp(s, husk_landlock_mode_name(m)) == 0) {
			o->landlock = m;
			return 0;
		}
	}
	return bad_value("landlock", s, "auto, strict or off", err);
}

static int parse_flag(const husk_opt_t *opt, husk_sandbox_opts_t *o, struct parsed *p,
		      husk_error_t *err)
{
	char *optarg = opt->value;
	int c = opt->flag->id;

	switch (c) {
	case OPT_ROOTFS:
		o->rootfs = optarg;
		return 0;
	case OPT_RO:
	case OPT_RW:
	case OPT_TMPFS:
		return parse_mount(c - OPT_RO, optarg, &p->mounts, &o->n_mounts, err);
	case OPT_WORKDIR:
		o->workdir = optarg;
		return 0;
	case OPT_NET:
		return parse_net(optarg, o, err);
	case OPT_USER:
		return parse_user(optarg, o, err);
	case OPT_SECCOMP:
		o->seccomp = optarg;
		return 0;
	case OPT_LIMITS:
		return parse_choice("limits", optarg, "strict", "best-effort", &o->best_effort,
				    err);
	case OPT_REPORT:
		o->report = optarg;
		return 0;
	case OPT_CGROUP_PARENT:
		if (optarg[0] != '/') {
			return husk_error_make(
				err, 0, "sandbox: --cgroup-parent `%s`: must be absolute", optarg);
		}
		o->cgroup_parent = optarg;
		return 0;
	case OPT_ENV:
		add_env(o, p, HUSK_SANDBOX_ENV_SET, optarg);
		return 0;
	case OPT_ENV_FILE:
		add_env(o, p, HUSK_SANDBOX_ENV_FILE, optarg);
		return 0;
	case OPT_KEEP_ENV:
		add_env(o, p, HUSK_SANDBOX_ENV_KEEP, optarg);
		return 0;
	case OPT_CLEARENV:
		o->clearenv = true;
		return 0;
	case OPT_TTY:
		o->tty = true;
		return 0;
	case OPT_OVERLAY:
	case OPT_DIFF:
	case OPT_PROTECT:
		return parse_workspace(c, optarg, o, p, err);
	case OPT_LANDLOCK:
		return parse_landlock(optarg, o, err);
	case OPT_TCP_BIND:
		return parse_ports("tcp-bind", optarg, &o->tcp_bind, err);
	case OPT_TCP_CONNECT:
		return parse_ports("tcp-connect", optarg, &o->tcp_connect, err);
	case OPT_LEARN:
		o->learn = true;
		return 0;
	case OPT_ALLOW_HOST:
		p->allow = xreallocarray(p->allow, o->n_allow_hosts + 1, sizeof(*p->allow));
		p->allow[o->n_allow_hosts++] = optarg;
		o->allow_hosts = p->allow;
		return 0;
	default:
		return parse_limit(c - OPT_LIMIT_BASE, limit_flags[c - OPT_LIMIT_BASE], optarg, o,
				   err);
	}
}

static const husk_flag_t *find_flag(const char *name)
{
	for (const husk_flag_t *f = flags; f->name != NULL; f++) {
		if (strcmp(f->name, name) == 0) {
			return f;
		}
	}
	return NULL;
}

/* Parse one flag, keeping it as given for --dry-run (parse_flag may cut
 * the value it is handed, so it gets a copy). */
static int take_flag(const husk_flag_t *f, const char *value, husk_sandbox_opts_t *o,
		     struct parsed *p, husk_error_t *err)
{
	husk_policy_t *given = &p->given;
	husk_opt_t opt = { .flag = f };

	if (f->id == OPT_DRY_RUN) {
		p->dry_run = true;
		return 0;
	}
	/* A flag given once replaces the file's value where it stood. */
	for (size_t i = 0; !f->repeat && i < given->n; i++) {
		if (strcmp(given->v[i].name, f->name) == 0) {
			free(given->v[i].value);
			given->v[i].value = value != NULL ? xstrdup(value) : NULL;
			goto parse;
		}
	}
	given->v = xreallocarray(given->v, given->n + 1, sizeof(*given->v));
	given->v[given->n++] = (husk_policy_opt_t){
		.name = xstrdup(f->name),
		.value = value != NULL ? xstrdup(value) : NULL,
		.repeat = f->repeat,
	};
parse:
	if (value != NULL) {
		opt.value = xstrdup(value);
		husk_strv_push(&p->owned, opt.value);
	}
	return parse_flag(&opt, o, p, err);
}

/* --config FILE's flags, before the command line's. */
static int take_config(const char *path, husk_sandbox_opts_t *o, struct parsed *p,
		       husk_error_t *err)
{
	if (p->config != NULL) {
		return husk_error_make(err, 0, "sandbox: --config given twice");
	}
	p->config = husk_policy_load(path, err);
	if (p->config == NULL) {
		return husk_error_wrap(err, "sandbox");
	}
	for (size_t i = 0; i < p->config->n; i++) {
		const husk_policy_opt_t *c = &p->config->v[i];
		const husk_flag_t *f = find_flag(c->name);
		const char *why = NULL;

		if (f == NULL || f->id == OPT_CONFIG) {
			why = "not a flag of husk sandbox (see husk sandbox --help)";
		} else if (f->arg != NULL && c->value == NULL) {
			why = "takes a value: a string or a number";
		} else if (f->arg == NULL && c->value != NULL) {
			why = "takes no value: true, or false to leave it out";
		} else if (c->repeat && !f->repeat) {
			why = "may be given once, not as an array";
		}
		if (why != NULL) {
			return husk_error_make(err, 0, "sandbox: --config `%s`: `%s`: %s", path,
					       c->name, why);
		}
		if (take_flag(f, c->value, o, p, err) < 0) {
			return -1;
		}
	}
	return 0;
}

static int parse_all(const husk_args_t *a, husk_sandbox_opts_t *o, struct parsed *p,
		     husk_error_t *err)
{
	for (size_t i = 0; i < a->n_opts; i++) {
		if (a->opts[i].flag->id == OPT_CONFIG &&
		    take_config(a->opts[i].value, o, p, err) < 0) {
			return -1;
		}
	}
	for (size_t i = 0; i < a->n_opts; i++) {
		if (a->opts[i].flag->id != OPT_CONFIG &&
		    take_flag(a->opts[i].flag, a->opts[i].value, o, p, err) < 0) {
			return -1;
		}
	}
	/* The job's cgroup is a directory under --cgroup-parent, made with
	 * cgroupfs: there is no unit for systemd to make. */
	if (o->cgroup_manager != NULL && strcmp(o->cgroup_manager, "systemd") == 0) {
		return husk_error_make(err, 0,
				       "sandbox: the systemd cgroup manager is not supported: the "
				       "job's cgroup is made under --cgroup-parent with cgroupfs");
	}
	o->mounts = p->mounts;
	o->args = a->argc > 0 ? a->argv : p->config != NULL ? p->config->command : NULL;
	if (o->args == NULL && !p->dry_run) {
		return husk_error_make(
			err, 0, "sandbox: no command: husk sandbox [FLAGS] -- CMD [ARGS...]");
	}
	p->given.command = husk_strv_copy(o->args);
	return 0;
}

static int sandbox(husk_global_t *g, const husk_args_t *a, husk_error_t *err)
{
	husk_sandbox_opts_t o = { .root = g->root,
				  .cgroup_manager = g->cgroup_manager,
				  .uid = HUSK_SANDBOX_NOBODY,
				  .gid = HUSK_SANDBOX_NOBODY,
				  .landlock = HUSK_LANDLOCK_AUTO };
	struct parsed p = { 0 };
	int status = HUSK_SANDBOX_EXIT_SETUP;

	if (parse_all(a, &o, &p, err) < 0) {
		husk_log_error(*err);
	} else if (p.dry_run) {
		_cleanup_free_ char *json = husk_sandbox_dry_run(&o, &p.given, err);

		if (json == NULL) {
			husk_log_error(*err);
		} else {
			fputs(json, stdout);
			status = 0;
		}
	} else if (husk_sandbox_run(&o, &status, err) < 0) {
		husk_log_error(*err);
	}
	free(p.mounts);
	free(p.env);
	free(p.overlays);
	free(p.protect);
	free(p.allow);
	husk_strv_free(p.owned);
	husk_policy_free(p.config);
	for (size_t i = 0; i < p.given.n; i++) {
		free(p.given.v[i].name);
		free(p.given.v[i].value);
	}
	free(p.given.v);
	husk_strv_free(p.given.command);
	return status;
}

const husk_verb_t husk_verb_sandbox = {
	.name = "sandbox",
	.fn = sandbox,
	.summary = "run a command in a throwaway box with limits",
	.operands = "-- CMD [ARGS...]",
	.flags = flags,
	.about = "Run CMD in a box made for it and removed after it, with no bundle: the "
		 "host's /usr, /bin, /sbin, /lib* and /etc read-only (or --rootfs), a 64 MiB "
		 "tmpfs on /tmp, a fresh /proc and a minimal /dev, a network namespace of "
		 "its own with loopback up, as uid 65534 with no capability, no_new_privs, "
		 "the masked and read-only paths of husk spec and docker's seccomp "
		 "allow-list, tightened.  The job's stdin, stdout and stderr are husk's; "
		 "signals husk receives are forwarded to it, and a second SIGINT or SIGTERM "
		 "kills it.  The job is the child of a small init of husk's, pid 1 of its "
		 "pid namespace, so it dies with husk, even a husk killed with SIGKILL, "
		 "and signals it sends itself act as outside a sandbox.\n\n"
		 "A limit that needs a cgroup (--memory, --pids, --cpus) makes one under "
		 "--cgroup-parent; not root, under the cgroup subtree delegated to the "
		 "caller, and with none such limits are refused unless --limits "
		 "best-effort.",
	.exit_status = "The job's own exit code, or 128+N when signal N ended it (--cpu-time "
		       "aside); 124 when a limit husk enforces ended it (--time, "
		       "--output-limit, --cpu-time); 137 when the kernel's OOM killer ended it "
		       "(--memory); 125 when husk could not set the box up (a bad flag "
		       "included); 126 when CMD cannot be run; 127 when CMD does not exist.",
	.section = 1,
	.usage_status = HUSK_SANDBOX_EXIT_SETUP,
	.seal = true,
};
