/* husk runtime: `husk sandbox -- CMD`. */
#include "runtime/sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroups/cgroup.h"
#include "cgroups/stats.h"
#include "namespaces/netns.h"
#include "runtime/container.h"
#include "runtime/create.h"
#include "runtime/jobinit.h"
#include "runtime/process.h"
#include "runtime/statedir.h"
#include "seccomp/seccomp.h"
#include "runtime/wait.h"
#include "util/cleanup.h"
#include "util/hash.h"
#include "util/file.h"
#include "util/log.h"
#include "util/open.h"
#include "util/xalloc.h"

#define CGROUP_PARENT  "/husk-sandbox"
#define TMP_SIZE       (64u << 20)
#define PROFILE_MAX    (4u << 20)
/* How often pids.current is sampled where the kernel keeps no peak. */
#define PIDS_SAMPLE_MS 20
/* How long output is still relayed after the job is reaped: its pipes
 * reach EOF at once unless something outside the job holds them. */
#define DRAIN_MS       1000

static const char *const limit_names[HUSK_LIMIT_COUNT] = {
	[HUSK_LIMIT_TIME] = "time",     [HUSK_LIMIT_CPU_TIME] = "cpu-time",
	[HUSK_LIMIT_MEMORY] = "memory", [HUSK_LIMIT_PIDS] = "pids",
	[HUSK_LIMIT_CPUS] = "cpus",     [HUSK_LIMIT_FSIZE] = "fsize",
	[HUSK_LIMIT_NOFILE] = "nofile", [HUSK_LIMIT_OUTPUT] = "output-limit",
};

/* Why husk itself ended the job. */
enum killed_for {
	KILLED_NOT,
	KILLED_TIME,
	KILLED_OUTPUT,
};

struct sandbox {
	const husk_sandbox_opts_t *o;
	char id[32];
	char *bundle;                     /* <root>/.sandbox-<id>, NULL until made */
	bool shared_root;                 /* BUNDLE is the shared <root>/.rootfs-<hash> */
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
	 * config then goes without the profile (build_config). */
	husk_seccomp_filter_t *filter;
	int rootfd; /* the state root, once opened (state_root) */
	/* How the job ended, from its init (runtime/jobinit.h); unset when
	 * the init itself was killed (the deadline, the output limit, OOM). */
	husk_job_status_t *job;
};

/* The state root, made if missing and opened once for the bundle, the
 * shared root and the cache. */
static int state_root(struct sandbox *sb, husk_error_t *err)
{
	if (sb->rootfd < 0) {
		sb->rootfd = husk_statedir_open_root(sb->o->root, true, err);
	}
	return sb->rootfd;
}

/* ---- the limits, and what enforces each ---- */

/* A cgroup limit: enforced when its controller is there to write, else an
 * error unless --limits best-effort. */
static int plan_cgroup_limit(struct sandbox *sb, enum husk_sandbox_limit l, const char *ctl,
			     husk_error_t *err)
{
	const char *text = sb->o->limits[l].text;
	const char *why = sb->rootless ? "rootless, and no cgroup delegated to this user"
				       : "no writable cgroup controller";

	if (husk_cgroup_can_limit(sb->cgm, ctl, sb->cg_parent)) {
		sb->enforce[l] = true;
		sb->mechanism[l] = xasprintf("cgroup %s %s", husk_cgroup_manager_name(sb->cgm),
					     husk_cgroup_limit_file(sb->cgm, ctl));
		return 0;
	}
	if (!sb->o->best_effort) {
		return husk_error_make(
			err, 0,
			"sandbox: --%s %s: cannot be enforced here: %s (%s; --limits "
			"best-effort runs without it)",
			limit_names[l], text, why, ctl);
	}
	sb->mechanism[l] = xasprintf("none: %s (%s)", why, ctl);
	return 0;
}

static const char *own(struct sandbox *sb, char *s);

/* Whether the job needs a cgroup of its own.  A cgroup is most of what a
 * short job costs on a v1 host (a directory made, written and removed in
 * each hierarchy), so it is made only when something needs it: a memory,
 * pids or cpu limit; or a --rootfs, which is not mounted nodev and may hold
 * device nodes that only the cgroup's device rules keep the job from.  The
 * default root needs none: the host's directories and every --ro, --rw and
 * --tmpfs are mounted nodev, /dev holds only the OCI defaults, and the job
 * has no CAP_MKNOD.  Without a cgroup the job's pid namespace still holds
 * the whole tree (the kernel kills it all when the job's init dies), and
 * the report takes the peak memory from the job's rusage. */
static bool cgroup_needed(const struct sandbox *sb)
{
	if (sb->cgm == NULL || sb->cg_parent == NULL) {
		return false;
	}
	return sb->enforce[HUSK_LIMIT_MEMORY] || sb->enforce[HUSK_LIMIT_PIDS] ||
	       sb->enforce[HUSK_LIMIT_CPUS] || sb->o->rootfs != NULL;
}

/* The controllers the job's cgroup needs, and only those: on a v1 host
 * each is a hierarchy of its own to make a directory in, write and remove
 * (bench/bench.sh: --memory and --pids in all nine cost 2x bwrap's whole
 * run).  devices for a --rootfs (cgroup_needed says why); pids whatever
 * the limits, for the report's peak count; memory for its peak and OOM
 * kills. */
static void plan_controllers(struct sandbox *sb, const char *const ctl[HUSK_LIMIT_COUNT])
{
	size_t n = 0;

	for (int l = 0; l < HUSK_LIMIT_COUNT; l++) {
		if (sb->enforce[l] && ctl[l] != NULL) {
			sb->controllers[n++] = ctl[l];
		}
	}
	if (!sb->enforce[HUSK_LIMIT_PIDS]) {
		sb->controllers[n++] = "pids";
	}
	if (sb->o->rootfs != NULL) {
		sb->controllers[n++] = "devices";
	}
	sb->controllers[n] = NULL;
}

static int plan_limits(struct sandbox *sb, husk_error_t *err)
{
	static const char *const fixed[HUSK_LIMIT_COUNT] = {
		[HUSK_LIMIT_TIME] = "husk: SIGKILL to the job's pid namespace at the deadline",
		[HUSK_LIMIT_CPU_TIME] = "RLIMIT_CPU: SIGXCPU, then SIGKILL a second later",
		[HUSK_LIMIT_FSIZE] = "RLIMIT_FSIZE",
		[HUSK_LIMIT_NOFILE] = "RLIMIT_NOFILE",
		[HUSK_LIMIT_OUTPUT] = "husk: relayed output counted, SIGKILL past the limit",
	};
	static const char *const ctl[HUSK_LIMIT_COUNT] = {
		[HUSK_LIMIT_MEMORY] = "memory",
		[HUSK_LIMIT_PIDS] = "pids",
		[HUSK_LIMIT_CPUS] = "cpu",
	};
	const char *mgr = sb->o->cgroup_manager;

	sb->cgm = NULL;
	sb->rootless = geteuid() != 0;
	sb->root_job = !sb->rootless && (sb->o->uid == 0 || sb->o->gid == 0);
	if ((mgr == NULL || strcmp(mgr, "disabled") != 0) &&
	    (sb->cgm = husk_cgroup_manager_for(mgr, err)) == NULL) {
		return -1;
	}
	if (sb->o->cgroup_parent != NULL) {
		sb->cg_parent = sb->o->cgroup_parent;
	} else if (!sb->rootless) {
		sb->cg_parent = CGROUP_PARENT;
	} else if (sb->cgm != NULL) {
		/* Rootless: under the subtree delegated to the caller, or in
		 * no cgroup of the job's own. */
		_cleanup_free_ char *base = husk_cgroup_delegated(sb->cgm, err);

		if (base == NULL && *err != NULL) {
			return -1;
		}
		if (base == NULL) {
			sb->cgm = NULL;
		} else {
			sb->cg_parent = own(sb, xasprintf("%s%s", base, CGROUP_PARENT));
		}
	}
	for (int l = 0; l < HUSK_LIMIT_COUNT; l++) {
		if (sb->o->limits[l].value == 0) {
			continue;
		}
		if (ctl[l] != NULL) {
			if (plan_cgroup_limit(sb, l, ctl[l], err) < 0) {
				return -1;
			}
			continue;
		}
		sb->enforce[l] = true;
		sb->mechanism[l] = xstrdup(fixed[l]);
	}
	sb->cgroup = cgroup_needed(sb);
	plan_controllers(sb, ctl);
	return 0;
}

static void spec_limits(const struct sandbox *sb, husk_sandbox_spec_t *s)
{
	const husk_sandbox_limit_value_t *v = sb->o->limits;

	if (sb->enforce[HUSK_LIMIT_MEMORY]) {
		s->memory = (int64_t) v[HUSK_LIMIT_MEMORY].value;
		s->memory_swap = husk_cgroup_swap_accounted(sb->cgm);
	}
	if (sb->enforce[HUSK_LIMIT_PIDS]) {
		s->pids = (int64_t) v[HUSK_LIMIT_PIDS].value;
	}
	if (sb->enforce[HUSK_LIMIT_CPUS]) {
		s->cpu_period = 100000;
		s->cpu_quota = (int64_t) (v[HUSK_LIMIT_CPUS].value * s->cpu_period / 1000);
	}
	s->fsize = v[HUSK_LIMIT_FSIZE].value;
	s->nofile = v[HUSK_LIMIT_NOFILE].value;
	s->cpu_time = v[HUSK_LIMIT_CPU_TIME].value;
}

/* ---- the bundle: an empty root the host's directories are bound into ---- */

/* Remove NAME under DIRFD and all below it.  Nothing of it is mounted in
 * husk's mount namespace (the job's mounts died with it), and no symlink
 * is followed. */
static int remove_tree_at(int at, const char *name, husk_error_t *err)
{
	_cleanup_closedir_ DIR *d = NULL;
	int fd = openat(at, name, HUSK_O_DIR);
	struct dirent *e;

	if (fd < 0 && errno == ENOTDIR) {
		return unlinkat(at, name, 0) < 0 ? husk_error_errno(err, "remove `%s`", name) : 0;
	}
	if (fd < 0) {
		return errno == ENOENT ? 0 : husk_error_errno(err, "open `%s`", name);
	}
	d = fdopendir(fd);
	if (d == NULL) {
		husk_safe_close(fd);
		return husk_error_errno(err, "read `%s`", name);
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
			continue;
		}
		if (remove_tree_at(dirfd(d), e->d_name, err) < 0) {
			return husk_error_wrap(err, "remove `%s`", name);
		}
	}
	if (unlinkat(at, name, AT_REMOVEDIR) < 0 && errno != ENOENT) {
		return husk_error_errno(err, "remove `%s`", name);
	}
	return 0;
}

static void remove_bundle(struct sandbox *sb)
{
	_cleanup_error_ husk_error_t e = NULL;

	if (sb->bundle != NULL && !sb->shared_root &&
	    remove_tree_at(AT_FDCWD, sb->bundle, &e) < 0) {
		husk_log_error(e);
	}
	free(sb->bundle);
	sb->bundle = NULL;
}

/* Keep S until the sandbox is done with it. */
static const char *own(struct sandbox *sb, char *s)
{
	size_t n = husk_strv_len(sb->owned);

	sb->owned = xreallocarray(sb->owned, n + 2, sizeof(char *));
	sb->owned[n] = s;
	sb->owned[n + 1] = NULL;
	return s;
}

static void add_mount(husk_sandbox_spec_t *s, husk_sandbox_mount_t **v, husk_sandbox_mount_t m)
{
	*v = xreallocarray(*v, s->n_mounts + 1, sizeof(**v));
	(*v)[s->n_mounts++] = m;
	s->mounts = *v;
}

/* The host's top-level directories a program needs, read-only: a
 * directory is bound, a symlink (a merged /usr's /bin -> usr/bin) is
 * copied as a symlink. */
static const char *const host_dirs[] = { "usr",   "bin",   "sbin",   "lib",
					 "lib32", "lib64", "libx32", "etc" };
#define N_HOST_DIRS (sizeof(host_dirs) / sizeof(host_dirs[0]))

/* What the host has of them: for each, "" for a directory, the target for
 * a symlink, NULL when missing (or anything else). */
typedef struct host_layout_s {
	char *target[N_HOST_DIRS];
} host_layout_t;

static void layout_clear(host_layout_t *h)
{
	for (size_t i = 0; i < N_HOST_DIRS; i++) {
		free(h->target[i]);
	}
}

static int host_layout(host_layout_t *h, husk_error_t *err)
{
	for (size_t i = 0; i < N_HOST_DIRS; i++) {
		char host[16], target[PATH_MAX];
		struct stat st;
		ssize_t len;

		snprintf(host, sizeof(host), "/%s", host_dirs[i]);
		h->target[i] = NULL;
		if (lstat(host, &st) < 0) {
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			h->target[i] = xstrdup("");
			continue;
		}
		if (!S_ISLNK(st.st_mode)) {
			continue;
		}
		len = readlink(host, target, sizeof(target) - 1);
		if (len < 0) {
			return husk_error_errno(err, "read symlink `%s`", host);
		}
		target[len] = '\0';
		h->target[i] = xstrdup(target);
	}
	return 0;
}

/* Bind the host's directories of H, read-only. */
static void host_mounts(struct sandbox *sb, const host_layout_t *h, husk_sandbox_spec_t *s,
			husk_sandbox_mount_t **v)
{
	for (size_t i = 0; i < N_HOST_DIRS; i++) {
		if (h->target[i] != NULL && h->target[i][0] == '\0') {
			const char *host = own(sb, xasprintf("/%s", host_dirs[i]));

			add_mount(s, v,
				  (husk_sandbox_mount_t){ .kind = HUSK_SANDBOX_RO,
							  .source = host,
							  .destination = host });
		}
	}
}

/* The empty root under ROOTFS: H's symlinks, and with MOUNTPOINTS the
 * directories every default mount goes on (which the init would otherwise
 * make). */
static int populate_root(int rootfs, const host_layout_t *h, bool mountpoints, husk_error_t *err)
{
	static const char *const base[] = { "proc", "dev", "tmp" };

	for (size_t i = 0; i < N_HOST_DIRS; i++) {
		if (h->target[i] == NULL) {
			continue;
		}
		if (h->target[i][0] != '\0' && symlinkat(h->target[i], rootfs, host_dirs[i]) < 0) {
			return husk_error_errno(err, "copy symlink `/%s` into the sandbox",
						host_dirs[i]);
		}
		if (h->target[i][0] == '\0' && mountpoints &&
		    mkdirat(rootfs, host_dirs[i], 0755) < 0) {
			return husk_error_errno(err, "make `/%s` in the sandbox's root",
						host_dirs[i]);
		}
	}
	for (size_t i = 0; mountpoints && i < sizeof(base) / sizeof(base[0]); i++) {
		if (mkdirat(rootfs, base[i], 0755) < 0) {
			return husk_error_errno(err, "make `/%s` in the sandbox's root", base[i]);
		}
	}
	return 0;
}

static int make_id(struct sandbox *sb, husk_error_t *err)
{
	uint64_t r;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r)) {
		return husk_error_errno(err, "getrandom for a sandbox id");
	}
	snprintf(sb->id, sizeof(sb->id), "sandbox-%016llx", (unsigned long long) r);
	return 0;
}

/* <root>/.sandbox-<id>/rootfs: ids never start with '.', so no command
 * takes the bundle for a container. */
static int make_bundle(struct sandbox *sb, int *rootfs, husk_error_t *err)
{
	int rootfd = state_root(sb, err);
	_cleanup_close_ int bundlefd = -1;
	_cleanup_free_ char *name = xasprintf(".%s", sb->id);

	if (rootfd < 0) {
		return -1;
	}
	if (mkdirat(rootfd, name, 0700) < 0) {
		return husk_error_errno(err, "make the sandbox's bundle `%s/%s`", sb->o->root,
					name);
	}
	sb->bundle = xasprintf("%s/%s", sb->o->root, name);
	bundlefd = openat(rootfd, name, HUSK_O_DIR);
	if (bundlefd < 0 || mkdirat(bundlefd, "rootfs", 0755) < 0) {
		return husk_error_errno(err, "make `%s/rootfs`", sb->bundle);
	}
	*rootfs = openat(bundlefd, "rootfs", HUSK_O_DIR);
	if (*rootfs < 0) {
		return husk_error_errno(err, "open `%s/rootfs`", sb->bundle);
	}
	return 0;
}

/* FNV-1a over the layout: what names a shared root. */
static uint64_t layout_hash(const host_layout_t *h)
{
	uint64_t x = HUSK_FNV1A_INIT;

	for (size_t i = 0; i < N_HOST_DIRS; i++) {
		const char *t = h->target[i] != NULL ? h->target[i] : "\n-";

		x = husk_fnv1a(x, host_dirs[i], strlen(host_dirs[i]));
		x = husk_fnv1a(x, "=", 1);
		x = husk_fnv1a(x, t, strlen(t));
		x = husk_fnv1a(x, "\n", 1);
	}
	return x;
}

/* Make NAME under ROOTFD whole: built under a name of our own and renamed
 * into place, so that a sandbox never sees half of one; losing a race to
 * another husk is no error (its root is the same). */
static int make_shared_root(int rootfd, const char *name, const host_layout_t *h, husk_error_t *err)
{
	_cleanup_free_ char *tmp = xasprintf("%s.%d", name, (int) getpid());
	_cleanup_close_ int dir = -1;
	_cleanup_close_ int rootfs = -1;
	_cleanup_error_ husk_error_t e = NULL;

	remove_tree_at(rootfd, tmp, &e); /* a killed husk's with our pid */
	if (mkdirat(rootfd, tmp, 0700) < 0 || (dir = openat(rootfd, tmp, HUSK_O_DIR)) < 0 ||
	    mkdirat(dir, "rootfs", 0755) < 0 || (rootfs = openat(dir, "rootfs", HUSK_O_DIR)) < 0) {
		husk_error_errno(err, "make the sandboxes' root `%s`", tmp);
	} else if (populate_root(rootfs, h, true, err) == 0 &&
		   renameat2(rootfd, tmp, rootfd, name, RENAME_NOREPLACE) == 0) {
		return 0;
	} else if (*err == NULL && errno != EEXIST) {
		husk_error_errno(err, "put the sandboxes' root `%s` in place", name);
	}
	husk_error_free(&e);
	remove_tree_at(rootfd, tmp, &e);
	return *err != NULL ? -1 : 0;
}

/* A job on the default root with no mount of its own needs nothing of a
 * root but H's symlinks and the default mounts' mount points, the same for
 * every such job: so they share one, <root>/.rootfs-<hash of H>/rootfs,
 * made once and kept (as the seccomp cache is).  A root of its own costs a
 * job a dozen inodes made and removed on the state root's filesystem, more
 * than the rest of its setup when that is a disk (bench/bench.sh).  Safe to
 * share: each job binds it into a mount namespace of its own, read-only
 * (root.readonly), and the init finds every mount point there, so it
 * writes nothing into it. */
static int shared_root(struct sandbox *sb, const host_layout_t *h, husk_error_t *err)
{
	int rootfd = state_root(sb, err);
	_cleanup_close_ int fd = -1;
	char name[40];
	struct stat st;

	if (rootfd < 0) {
		return -1;
	}
	snprintf(name, sizeof(name), ".rootfs-%016llx", (unsigned long long) layout_hash(h));
	fd = openat(rootfd, name, HUSK_O_DIR);
	if (fd < 0 && errno == ENOENT) {
		if (make_shared_root(rootfd, name, h, err) < 0) {
			return -1;
		}
		fd = openat(rootfd, name, HUSK_O_DIR);
	}
	if (fd < 0) {
		return husk_error_errno(err, "open the sandboxes' root `%s/%s`", sb->o->root, name);
	}
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022) != 0) {
		return husk_error_make(err, 0, "the sandboxes' root `%s/%s` is not husk's own",
				       sb->o->root, name);
	}
	sb->bundle = xasprintf("%s/%s", sb->o->root, name);
	sb->shared_root = true;
	return 0;
}

/* A host path of a flag, absolute and existing. */
static const char *host_path(struct sandbox *sb, const char *flag, const char *path,
			     husk_error_t *err)
{
	char *real = realpath(path, NULL);

	if (real == NULL) {
		husk_error_errno(err, "sandbox: --%s `%s`", flag, path);
		return NULL;
	}
	return own(sb, real);
}

static int user_mounts(struct sandbox *sb, husk_sandbox_spec_t *s, husk_sandbox_mount_t **v,
		       husk_error_t *err)
{
	static const char *const flags[] = { "ro", "rw", "tmpfs" };

	for (size_t i = 0; i < sb->o->n_mounts; i++) {
		husk_sandbox_mount_t m = sb->o->mounts[i];

		if (m.kind != HUSK_SANDBOX_TMPFS) {
			m.source = host_path(sb, flags[m.kind], m.source, err);
			if (m.source == NULL) {
				return -1;
			}
		}
		if (m.destination == NULL) {
			m.destination = m.source;
		}
		if (m.destination[0] != '/') {
			return husk_error_make(err, 0,
					       "sandbox: --%s: destination `%s` is not absolute",
					       flags[m.kind], m.destination);
		}
		add_mount(s, v, m);
	}
	if (sb->o->workdir != NULL) {
		const char *w = host_path(sb, "workdir", sb->o->workdir, err);

		if (w == NULL) {
			return -1;
		}
		add_mount(s, v,
			  (husk_sandbox_mount_t){
				  .kind = HUSK_SANDBOX_RW, .source = w, .destination = w });
		s->cwd = w;
	}
	return 0;
}

static char *read_profile(const char *seccomp, husk_error_t *err)
{
	size_t len;
	char *text;

	if (seccomp == NULL) {
		return xstrdup(husk_sandbox_default_seccomp);
	}
	if (strcmp(seccomp, "none") == 0) {
		return NULL;
	}
	text = husk_read_file(seccomp, PROFILE_MAX, &len, err);
	if (text == NULL) {
		husk_error_wrap(err, "sandbox: --seccomp `%s`", seccomp);
	}
	return text;
}

/* The default root: the host's directories bound into the shared root,
 * or into one of the job's own when it has mounts of its own (whose mount
 * points the init may have to make in it). */
static int default_root(struct sandbox *sb, husk_sandbox_spec_t *s, husk_sandbox_mount_t **v,
			husk_error_t *err)
{
	host_layout_t h = { .target = { NULL } };
	_cleanup_close_ int rootfs = -1;
	int r = host_layout(&h, err);

	if (r == 0 && sb->o->n_mounts == 0 && sb->o->workdir == NULL) {
		r = shared_root(sb, &h, err);
	} else if (r == 0) {
		r = make_bundle(sb, &rootfs, err);
		if (r == 0) {
			r = populate_root(rootfs, &h, false, err);
		}
	}
	if (r == 0) {
		host_mounts(sb, &h, s, v);
		s->rootfs = own(sb, xasprintf("%s/rootfs", sb->bundle));
	}
	layout_clear(&h);
	return r;
}

/* The host's id behind the job's ID.  Rootless, the caller's own (CALLER):
 * the only one it may map.  As root, ID itself, except 0: a job must never
 * be root of the host, whose uid 0 may write sysctls through /proc/sys and
 * owns /etc/shadow even without a capability; it is nobody instead. */
static uint32_t host_id(const struct sandbox *sb, uint32_t id, uid_t caller)
{
	if (sb->rootless) {
		return (uint32_t) caller;
	}
	return id == 0 ? HUSK_SANDBOX_NOBODY : id;
}

/* The job's config: the bundle's root, the default mounts, the host's
 * directories or --rootfs, a /tmp, the flags' mounts, the limits. */
static husk_config_t *build_config(struct sandbox *sb, husk_error_t *err)
{
	const husk_sandbox_opts_t *o = sb->o;
	_cleanup_close_ int rootfs = -1;
	_cleanup_free_ husk_sandbox_mount_t *v = NULL;
	_cleanup_free_ char *seccomp = NULL;
	husk_sandbox_spec_t s = {
		.args = o->args,
		.uid = o->uid,
		.gid = o->gid,
		.net_host = o->net_host,
		.device_rules = o->rootfs != NULL,
		.userns = sb->rootless || sb->root_job,
		.host_uid = host_id(sb, o->uid, geteuid()),
		.host_gid = host_id(sb, o->gid, getegid()),
		.map_root = sb->root_job,
		.host_root = HUSK_SANDBOX_NOBODY,
	};
	husk_config_t *cfg;

	if (sb->cgroup) {
		s.cgroups_path = own(sb, xasprintf("%s/%s", sb->cg_parent, sb->id));
	}
	if (o->rootfs != NULL) {
		if (make_bundle(sb, &rootfs, err) == 0) {
			s.rootfs = host_path(sb, "rootfs", o->rootfs, err);
		}
	} else {
		default_root(sb, &s, &v, err);
	}
	if (s.rootfs == NULL) {
		return NULL;
	}
	add_mount(&s, &v,
		  (husk_sandbox_mount_t){
			  .kind = HUSK_SANDBOX_TMPFS, .destination = "/tmp", .size = TMP_SIZE });
	if (user_mounts(sb, &s, &v, err) < 0) {
		return NULL;
	}
	spec_limits(sb, &s);
	/* The built-in profile is parsed only to be compiled, and its program
	 * is in the cache after the first job: taken from there, the config
	 * does without it (about 0.2 ms of parsing a 10 KB profile). */
	if (o->seccomp == NULL) {
		_cleanup_error_ husk_error_t e = NULL;

		sb->filter =
			husk_seccomp_cached_text(husk_sandbox_default_seccomp, state_root(sb, &e));
	}
	seccomp = sb->filter != NULL ? NULL : read_profile(o->seccomp, err);
	if (seccomp == NULL && *err != NULL) {
		return NULL;
	}
	s.seccomp = seccomp;
	s.seccomp_builtin = o->seccomp == NULL;
	s.seccomp_source = own(sb, o->seccomp != NULL ? xasprintf("--seccomp `%s`", o->seccomp)
						      : xstrdup("the default seccomp profile"));
	cfg = husk_sandbox_config(&s, err);
	if (cfg == NULL) {
		husk_error_wrap(err, "sandbox");
	}
	return cfg;
}

/* ---- the job's stdout and stderr: pipes that husk relays ---- */

static int make_pipes(struct sandbox *sb, int w[2], husk_error_t *err)
{
	for (int i = 0; i < 2; i++) {
		int p[2];

		if (pipe2(p, O_CLOEXEC) < 0) {
			return husk_error_errno(err, "pipe for the job's output");
		}
		sb->out[i] = p[0];
		w[i] = p[1];
		/* Only husk's end: the job's writes block as a pipe's do. */
		if (fcntl(sb->out[i], F_SETFL, O_NONBLOCK) < 0) {
			return husk_error_errno(err, "make the job's output non-blocking");
		}
	}
	return 0;
}

/* Create with the pipes as stdout and stderr: the init inherits husk's
 * stdio, so husk lends it its own fds 1 and 2 for the clone and takes them
 * back after. */
static int create_with_pipes(struct sandbox *sb, husk_create_opts_t *co, int w[2],
			     husk_error_t *err)
{
	int saved[2] = { -1, -1 };
	bool prebuilt;
	int r = -1;

	fflush(stdout);
	fflush(stderr);
	for (int i = 0; i < 2; i++) {
		saved[i] = fcntl(i + 1, F_DUPFD_CLOEXEC, 3);
		if (saved[i] < 0) {
			husk_error_errno(err, "keep husk's fd %d", i + 1);
			goto out;
		}
	}
	if (dup2(w[0], STDOUT_FILENO) < 0 || dup2(w[1], STDERR_FILENO) < 0) {
		husk_error_errno(err, "lend the job's output pipes");
		goto out;
	}
	prebuilt = sb->filter != NULL;
	co->seccomp_filter = TAKE_PTR(sb->filter);
	r = husk_create_container(co, &sb->c, err);
	co->config = NULL; /* create's now, even when it failed */
	co->seccomp_filter = NULL;
	co->netns_maker = NULL;
	sb->created = r == 0;
	/* The built-in profile, compiled from the config this time: kept
	 * under its text, so that the next job needs no parse of it. */
	if (r == 0 && sb->o->seccomp == NULL && !prebuilt) {
		husk_seccomp_note_text(husk_sandbox_default_seccomp, sb->c.rootfd, sb->c.seccomp);
	}
out:
	husk_config_free(co->config);
	husk_safe_close(husk_netns_maker_finish(co->netns_maker));
	for (int i = 0; i < 2; i++) {
		if (saved[i] >= 0) {
			dup2(saved[i], i + 1);
			husk_safe_close(saved[i]);
		}
	}
	return r;
}

/* ---- waiting ---- */

static void kill_job(struct sandbox *sb, enum killed_for why)
{
	if (sb->reaped || sb->killed != KILLED_NOT) {
		return;
	}
	sb->killed = why;
	syscall(SYS_pidfd_send_signal, sb->c.pidfd, SIGKILL, NULL, 0);
}

static void write_all(int fd, const char *buf, size_t len, bool *gone)
{
	while (len > 0 && !*gone) {
		ssize_t w = write(fd, buf, len);

		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			*gone = true; /* our reader went away: stop relaying there */
			return;
		}
		buf += w;
		len -= (size_t) w;
	}
}

/* Copy what stream I (0 stdout, 1 stderr) holds; past --output-limit, cut
 * and kill. */
static void relay(struct sandbox *sb, int i)
{
	uint64_t limit = sb->enforce[HUSK_LIMIT_OUTPUT] ? sb->o->limits[HUSK_LIMIT_OUTPUT].value
							: UINT64_MAX;
	char buf[65536];
	ssize_t n = read(sb->out[i], buf, sizeof(buf));
	size_t keep;

	if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		return;
	}
	if (n <= 0) {
		sb->out[i] = husk_safe_close(sb->out[i]);
		return;
	}
	keep = (size_t) n;
	if (sb->output + keep > limit) {
		keep = (size_t) (limit - sb->output);
		sb->truncated = true;
	}
	write_all(i + 1, buf, keep, &sb->sink_gone[i]);
	if (sb->sink_gone[i]) {
		/* Nobody reads it any more: neither do we, so the job's next
		 * write fails (EPIPE) as it would without husk between
		 * (`husk sandbox -- yes | head -1` ends). */
		sb->out[i] = husk_safe_close(sb->out[i]);
	}
	sb->output += keep;
	if (sb->truncated) {
		kill_job(sb, KILLED_OUTPUT);
	}
}

/* Reap whatever is ours; the init's status and rusage once it is among it. */
static void reap(struct sandbox *sb)
{
	for (;;) {
		struct rusage ru;
		int st;
		pid_t got = wait4(-1, &st, WNOHANG, &ru);

		if (got <= 0) {
			return;
		}
		if (got == sb->c.pid) {
			sb->reaped = true;
			/* The job's own end, as its init saw it; the init's when
			 * the init itself was killed. */
			sb->wstatus = sb->job != NULL && sb->job->set ? sb->job->wstatus : st;
			sb->ru = ru;
			clock_gettime(CLOCK_MONOTONIC, &sb->t1);
		}
	}
}

static void sample_pids(struct sandbox *sb)
{
	_cleanup_error_ husk_error_t e = NULL;
	uint64_t cur, peak;
	bool has_peak;

	if (sb->stats == NULL || husk_cgstats_pids(sb->stats, &cur, &peak, &has_peak, &e) < 0) {
		return;
	}
	sb->has_pids_peak = true;
	sb->kernel_peak = has_peak;
	sb->pids_peak = has_peak ? peak : (cur > sb->pids_peak ? cur : sb->pids_peak);
}

static int arm_timer(const struct sandbox *sb, husk_error_t *err)
{
	uint64_t ms = sb->o->limits[HUSK_LIMIT_TIME].value;
	struct itimerspec its = { .it_value = { .tv_sec = (time_t) (ms / 1000),
						.tv_nsec = (long) (ms % 1000) * 1000000 } };
	_cleanup_close_ int fd = -1;

	if (ms == 0) {
		return -1;
	}
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (fd < 0 || timerfd_settime(fd, 0, &its, NULL) < 0) {
		return husk_error_errno(err, "--time: timerfd");
	}
	return TAKE_FD(fd);
}

static bool is_termination(uint32_t signo)
{
	return signo == SIGINT || signo == SIGTERM || signo == SIGHUP || signo == SIGQUIT;
}

/* Signals are forwarded to the job's init, which forwards them to the job.
 * A second SIGINT, SIGTERM, SIGHUP or SIGQUIT kills the init, and with it
 * the whole job, as a second ^C would expect. */
static void on_signals(struct sandbox *sb, int sfd)
{
	struct signalfd_siginfo si;

	while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			reap(sb);
			continue;
		}
		if (sb->reaped) {
			continue;
		}
		if (is_termination(si.ssi_signo) && sb->terminations++ > 0) {
			syscall(SYS_pidfd_send_signal, sb->c.pidfd, SIGKILL, NULL, 0);
			continue;
		}
		syscall(SYS_pidfd_send_signal, sb->c.pidfd, (int) si.ssi_signo, NULL, 0);
	}
}

static int64_t ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t) (now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

/* Until the init is reaped and its output drained: signals are forwarded,
 * output relayed, the deadline kept. */
static int wait_job(struct sandbox *sb, const sigset_t *set, husk_error_t *err)
{
	_cleanup_close_ int sfd = signalfd(-1, set, SFD_CLOEXEC | SFD_NONBLOCK);
	_cleanup_close_ int tfd = arm_timer(sb, err);
	bool sampling;
	struct timespec sampled;

	if (sfd < 0) {
		return husk_error_errno(err, "signalfd");
	}
	if (tfd < 0 && *err != NULL) {
		return -1;
	}
	/* Where the kernel keeps no pids.peak, sample pids.current. */
	sample_pids(sb);
	sampling = sb->stats != NULL && !sb->kernel_peak;
	clock_gettime(CLOCK_MONOTONIC, &sampled);
	while (!sb->reaped || sb->out[0] >= 0 || sb->out[1] >= 0) {
		struct pollfd p[5] = {
			{ .fd = sfd, .events = POLLIN },
			{ .fd = sb->reaped ? -1 : sb->c.pidfd, .events = POLLIN },
			{ .fd = sb->reaped ? -1 : tfd, .events = POLLIN },
			{ .fd = sb->out[0], .events = POLLIN },
			{ .fd = sb->out[1], .events = POLLIN },
		};
		int timeout = sb->reaped ? DRAIN_MS : sampling ? PIDS_SAMPLE_MS : -1;
		int n = poll(p, 5, timeout);

		if (n < 0 && errno != EINTR) {
			return husk_error_errno(err, "wait for the job");
		}
		if (n == 0 && sb->reaped) {
			break; /* something outside the job holds its output open */
		}
		if (sampling && !sb->reaped && ms_since(&sampled) >= PIDS_SAMPLE_MS) {
			sample_pids(sb);
			clock_gettime(CLOCK_MONOTONIC, &sampled);
		}
		if (n <= 0) {
			continue;
		}
		for (int i = 0; i < 2; i++) {
			if (p[3 + i].revents != 0) {
				relay(sb, i);
			}
		}
		if (p[2].revents & POLLIN) {
			kill_job(sb, KILLED_TIME);
		}
		if (p[1].revents != 0) {
			reap(sb);
		}
		if (p[0].revents & POLLIN) {
			on_signals(sb, sfd);
		}
	}
	return 0;
}

/* ---- the run ---- */

static int start_job(struct sandbox *sb, husk_error_t *err)
{
	husk_create_opts_t co = {
		.root = sb->o->root,
		.id = sb->id,
		.cgroup_manager = sb->cgroup ? sb->o->cgroup_manager : "disabled",
		.cgroup_controllers = sb->controllers,
		.volatile_state = true,
		/* The default profile allows what the init does after CREATED
		 * (tests/integration/sandbox.bats runs it); a --seccomp FILE
		 * may not. */
		.early_seccomp = sb->o->seccomp == NULL,
		.loopback_up = true,
		.die_with_parent = true,
	};
	_cleanup_error_ husk_error_t e = NULL;
	int w[2] = { -1, -1 };
	int r;

	sb->job = husk_job_status_new();
	if (sb->job == NULL) {
		return husk_error_errno(err, "sandbox: a page for the job's status");
	}
	co.job_status = sb->job;
	/* The job's network namespace is made meanwhile (namespaces/netns.h);
	 * create takes it over. */
	if (!sb->o->net_host && !sb->rootless && !sb->root_job) {
		co.netns_maker = husk_netns_maker_start();
	}
	co.config = build_config(sb, err);
	/* Not carried into the clone: create opens the state root itself. */
	sb->rootfd = husk_safe_close(sb->rootfd);
	if (co.config == NULL) {
		husk_safe_close(husk_netns_maker_finish(co.netns_maker));
		return -1;
	}
	co.bundle = sb->bundle;
	if (make_pipes(sb, w, err) < 0) {
		husk_safe_close(husk_netns_maker_finish(co.netns_maker));
		husk_config_free(co.config);
		husk_safe_close(w[0]);
		husk_safe_close(w[1]);
		return -1;
	}
	r = create_with_pipes(sb, &co, w, err);
	husk_safe_close(w[0]);
	husk_safe_close(w[1]);
	if (r < 0) {
		return -1;
	}
	if (husk_cgroup_path(sb->c.cgroup) != NULL) {
		sb->stats = husk_cgstats_open(sb->c.cgroup, &e);
	}
	clock_gettime(CLOCK_MONOTONIC, &sb->t0);
	return husk_container_start_created(&sb->c, sb->id, err);
}

/* After the job: what its cgroup counted, and which counter said so.
 * Without a memory cgroup, the peak memory is the job's rusage: the largest
 * resident set of the job or of any process in it that was waited for
 * (not their sum, which only a memory cgroup counts); peak pids and OOM
 * kills are then unknown (null). */
static void collect(struct sandbox *sb, husk_sandbox_report_t *r)
{
	_cleanup_error_ husk_error_t e = NULL;
	bool v2 = husk_cgstats_unified(sb->stats);
	uint64_t peak;
	bool has_peak;

	/* Without a memory cgroup (none at all, or one made without the
	 * memory controller), the rusage; a cgroup's count replaces it. */
	r->has_memory_peak = true;
	r->memory_peak = (uint64_t) sb->ru.ru_maxrss * 1024;
	r->memory_peak_by = "rusage ru_maxrss (the largest process)";
	if (sb->stats == NULL) {
		return;
	}
	sample_pids(sb);
	r->has_pids_peak = sb->has_pids_peak;
	r->pids_peak = sb->pids_peak;
	if (r->has_pids_peak) {
		r->pids_peak_by = sb->kernel_peak
					  ? (v2 ? "cgroup v2 pids.peak" : "cgroup v1 pids.peak")
				  : v2 ? "cgroup v2 pids.current, sampled"
				       : "cgroup v1 pids.current, sampled";
	}
	/* Only the counters the report shows: every stat of the cgroup is a
	 * dozen more files to read. */
	if (husk_cgstats_memory_peak(sb->stats, &peak, &has_peak, &e) == 0 && has_peak) {
		r->memory_peak = peak;
		r->memory_peak_by =
			v2 ? "cgroup v2 memory.peak" : "cgroup v1 memory.max_usage_in_bytes";
	}
	husk_error_free(&e);
	r->has_oom_kills = husk_cgstats_oom_count(sb->stats, &r->oom_kills, &e) == 0;
	if (r->has_oom_kills) {
		r->oom_kills_by = v2 ? "cgroup v2 memory.events oom_kill"
				     : "cgroup v1 memory.oom_control oom_kill";
	}
}

static double secs(struct timeval tv)
{
	return (double) tv.tv_sec + (double) tv.tv_usec / 1e6;
}

/* How the job ended.  A kill husk sent counts only when it is what ended
 * the job (SIGKILL), not when the job exited on its own meanwhile. */
static void classify(const struct sandbox *sb, husk_sandbox_report_t *r)
{
	int sig = WIFSIGNALED(sb->wstatus) ? WTERMSIG(sb->wstatus) : 0;
	uint64_t cpu_limit = sb->o->limits[HUSK_LIMIT_CPU_TIME].value;

	r->signal = sig;
	r->wall = (double) (sb->t1.tv_sec - sb->t0.tv_sec) +
		  (double) (sb->t1.tv_nsec - sb->t0.tv_nsec) / 1e9;
	r->user = secs(sb->ru.ru_utime);
	r->system = secs(sb->ru.ru_stime);
	r->exit_code = sig != 0 ? 128 + sig : WEXITSTATUS(sb->wstatus);
	r->status = sig != 0 ? "signaled" : "exited";
	if (sig == SIGKILL && sb->killed == KILLED_TIME) {
		r->status = "timeout";
		r->exit_code = HUSK_SANDBOX_EXIT_LIMIT;
	} else if (sig == SIGKILL && sb->killed == KILLED_OUTPUT) {
		r->status = "output-limit";
		r->exit_code = HUSK_SANDBOX_EXIT_LIMIT;
	} else if (sig == SIGKILL && r->has_oom_kills && r->oom_kills > 0) {
		r->status = "oom";
	} else if (cpu_limit > 0 &&
		   (sig == SIGXCPU ||
		    (sig == SIGKILL && r->user + r->system >= (double) cpu_limit))) {
		r->status = "cpu-timeout";
		r->exit_code = HUSK_SANDBOX_EXIT_LIMIT;
	}
}

/* Kill and reap a job still there (a failure after create), delete the
 * container, remove the bundle. */
static void finish(struct sandbox *sb)
{
	_cleanup_error_ husk_error_t e = NULL;

	if (sb->created) {
		if (!sb->reaped) {
			syscall(SYS_pidfd_send_signal, sb->c.pidfd, SIGKILL, NULL, 0);
			while (waitpid(sb->c.pid, NULL, 0) < 0 && errno == EINTR) {
			}
		}
		if (husk_container_delete(sb->o->root, sb->id, true, &e) < 0) {
			husk_log_error(e);
		}
		husk_created_release(&sb->c);
	}
	remove_bundle(sb);
	sb->out[0] = husk_safe_close(sb->out[0]);
	sb->out[1] = husk_safe_close(sb->out[1]);
	husk_cgstats_free(sb->stats);
	sb->stats = NULL;
}

static void free_sandbox(struct sandbox *sb)
{
	sb->rootfd = husk_safe_close(sb->rootfd);
	husk_job_status_free(sb->job);
	husk_seccomp_filter_free(sb->filter);
	for (int l = 0; l < HUSK_LIMIT_COUNT; l++) {
		free(sb->mechanism[l]);
	}
	husk_strv_free(sb->owned);
}

/* --report: opened before anything runs, so a bad path is a setup error
 * that leaves nothing behind. */
static int open_report(const char *path, husk_error_t *err)
{
	int fd;

	if (path == NULL) {
		return -1;
	}
	if (strcmp(path, "-") == 0) {
		fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	} else {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
	}
	if (fd < 0) {
		return husk_error_errno(err, "--report `%s`", path);
	}
	return fd;
}

static void write_report(const struct sandbox *sb, int fd, husk_sandbox_report_t *r)
{
	husk_sandbox_limit_t limits[HUSK_LIMIT_COUNT];
	_cleanup_free_ char *json = NULL;
	bool gone = false;

	if (fd < 0) {
		return;
	}
	r->id = sb->id;
	r->output_bytes = sb->output;
	r->output_truncated = sb->truncated;
	r->limits = limits;
	for (int l = 0; l < HUSK_LIMIT_COUNT; l++) {
		if (sb->o->limits[l].value != 0 && sb->mechanism[l] != NULL) {
			limits[r->n_limits++] = (husk_sandbox_limit_t){
				.name = limit_names[l],
				.value = sb->o->limits[l].text,
				.mechanism = sb->mechanism[l],
			};
		}
	}
	json = husk_sandbox_report_json(r);
	write_all(fd, json, strlen(json), &gone);
	if (gone) {
		husk_warn("--report: write failed: %s", strerror(errno));
	}
}

int husk_sandbox_run(const husk_sandbox_opts_t *o, int *exit_status, husk_error_t *err)
{
	struct sandbox sb = { .o = o, .out = { -1, -1 }, .rootfd = -1 };
	husk_sandbox_report_t rep = { .status = "setup-error" };
	_cleanup_close_ int report = open_report(o->report, err);
	sigset_t set, old;
	int r = -1;

	*exit_status = HUSK_SANDBOX_EXIT_SETUP;
	if (report < 0 && *err != NULL) {
		return -1;
	}
	sb.c = HUSK_CREATED_INIT;
	/* Blocked before the clone, so none meant for the job is lost (or
	 * kills husk) before the wait forwards it. */
	husk_wait_forwardable(&set);
	sigprocmask(SIG_BLOCK, &set, &old);
	if (make_id(&sb, err) == 0 && plan_limits(&sb, err) == 0 && start_job(&sb, err) == 0 &&
	    wait_job(&sb, &set, err) == 0) {
		collect(&sb, &rep);
		classify(&sb, &rep);
		*exit_status = rep.exit_code;
		r = 0;
	} else {
		int code = husk_process_exec_status(*err);

		*exit_status = code != 0 ? code : HUSK_SANDBOX_EXIT_SETUP;
		rep.exit_code = *exit_status;
		rep.error = (*err)->msg;
	}
	finish(&sb);
	sigprocmask(SIG_SETMASK, &old, NULL);
	write_report(&sb, report, &rep);
	free_sandbox(&sb);
	return r;
}
