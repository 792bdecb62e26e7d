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
	[HUSK_LIMIT_TIME] = "time",     [HUSK_LIMIT_CPU_TIME] = "cpu-time",
	[HUSK_LIMIT_MEMORY] = "memory", [HUSK_LIMIT_PIDS] = "pids",
	[HUSK_LIMIT_CPUS] = "cpus",     [HUSK_LIMIT_FSIZE] = "fsize",
	[HUSK_LIMIT_NOFILE] = "nofile", [HUSK_LIMIT_OUTPUT] = "output-limit",
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
	  "docker's default allow-list without io_uring and with four socket families, "
	  "built in" },
	{ "cgroup-parent", 0, "PATH", OPT_CGROUP_PARENT,
	  "the absolute cgroup under which the job's own is made, when a limit or "
	  "--rootfs needs one",
	  "/husk-sandbox; not root, under the caller's delegated subtree" },
	{ NULL },
};

static int parse_flag(const husk_opt_t *opt, husk_sandbox_opts_t *o, husk_sandbox_mount_t **v,
		      char ***allow, husk_error_t *err)
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
		return parse_mount(c - OPT_RO, optarg, v, &o->n_mounts, err);
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
	case OPT_ALLOW_HOST:
		*allow = xreallocarray(*allow, o->n_allow_hosts + 1, sizeof(**allow));
		(*allow)[o->n_allow_hosts++] = optarg;
		o->allow_hosts = *allow;
		return 0;
	case OPT_CGROUP_PARENT:
		if (optarg[0] != '/') {
			return husk_error_make(
				err, 0, "sandbox: --cgroup-parent `%s`: must be absolute", optarg);
		}
		o->cgroup_parent = optarg;
		return 0;
	default:
		return parse_limit(c - OPT_LIMIT_BASE, limit_flags[c - OPT_LIMIT_BASE], optarg, o,
				   err);
	}
}

static int sandbox(husk_global_t *g, const husk_args_t *a, husk_error_t *err)
{
	husk_sandbox_opts_t o = { .root = g->root,
				  .cgroup_manager = g->cgroup_manager,
				  .uid = HUSK_SANDBOX_NOBODY,
				  .gid = HUSK_SANDBOX_NOBODY };
	_cleanup_free_ husk_sandbox_mount_t *mounts = NULL;
	_cleanup_free_ char **allow = NULL;
	int status;

	for (size_t i = 0; i < a->n_opts; i++) {
		if (parse_flag(&a->opts[i], &o, &mounts, &allow, err) < 0) {
			husk_log_error(*err);
			return HUSK_SANDBOX_EXIT_SETUP;
		}
	}
	o.mounts = mounts;
	if (a->argc == 0) {
		husk_error_make(err, 0,
				"sandbox: no command: husk sandbox [FLAGS] -- CMD [ARGS...]");
		husk_log_error(*err);
		return HUSK_SANDBOX_EXIT_SETUP;
	}
	o.args = a->argv;
	if (husk_sandbox_run(&o, &status, err) < 0) {
		husk_log_error(*err);
	}
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
