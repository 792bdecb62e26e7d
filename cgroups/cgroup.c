/* husk cgroups: one container's cgroup, on whatever layout the host has. */
#include "cgroups/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libcgroup.h>
#include <linux/magic.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroups/devices-bpf.h"
#include "cgroups/io.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/open.h"
#include "util/xalloc.h"

#define CG_ROOT    "/sys/fs/cgroup"
#define CG_UNIFIED "/sys/fs/cgroup/unified"
#define V1_MAX     16

struct husk_cgroup_s {
	enum husk_cg_mode mode;
	char *path;           /* absolute in each hierarchy */
	char *unified;        /* the cgroup's directory in the cgroup2 hierarchy, or NULL */
	int unified_fd;       /* O_PATH of it, for CLONE_INTO_CGROUP */
	size_t n;             /* v1 hierarchies */
	char *v1[V1_MAX];     /* the cgroup's directory in each */
	char *v1_ctl[V1_MAX]; /* a controller of each ("memory"), to find files */
	bool rootless;        /* hierarchies the caller may not write are left out */
	char *dropped;        /* those left out, "memory pids", for errors; or NULL */
	bool existed;         /* made: some of its directories were there already */
};

const char *husk_cg_mode_name(enum husk_cg_mode m)
{
	switch (m) {
	case HUSK_CG_V2:
		return "v2";
	case HUSK_CG_V1:
		return "v1";
	case HUSK_CG_DISABLED:
		return "disabled";
	}
	return "?";
}

int husk_cg_mode_parse(const char *s, enum husk_cg_mode *m, husk_error_t *err)
{
	for (int i = HUSK_CG_V2; i <= HUSK_CG_DISABLED; i++) {
		if (strcmp(s, husk_cg_mode_name(i)) == 0) {
			*m = i;
			return 0;
		}
	}
	return husk_error_make(err, 0, "unknown cgroup manager `%s`", s);
}

static bool is_cgroup2(const char *path)
{
	struct statfs sfs;

	return statfs(path, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
}

int husk_cgroup_detect(enum husk_cg_mode *m, husk_error_t *err)
{
	struct statfs sfs;

	if (statfs(CG_ROOT, &sfs) < 0) {
		return husk_error_errno(err, "cgroups: %s", CG_ROOT);
	}
	*m = sfs.f_type == CGROUP2_SUPER_MAGIC ? HUSK_CG_V2 : HUSK_CG_V1;
	return 0;
}

/* husk's own cgroup, from /proc/self/cgroup: the unified line on v2, the
 * pids hierarchy's on v1 (one base for every hierarchy, so the path state.json
 * records means the same everywhere). */
static char *own_cgroup(enum husk_cg_mode m, husk_error_t *err)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
	char line[4096];

	if (f == NULL) {
		husk_error_errno(err, "read /proc/self/cgroup");
		return NULL;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *ctl = strchr(line, ':');
		char *path = ctl != NULL ? strchr(ctl + 1, ':') : NULL;

		if (path == NULL) {
			continue;
		}
		*path++ = '\0';
		path[strcspn(path, "\n")] = '\0';
		if ((m == HUSK_CG_V2 && strcmp(ctl + 1, "") == 0) ||
		    (m == HUSK_CG_V1 && strcmp(ctl + 1, "pids") == 0)) {
			return xstrdup(path);
		}
	}
	husk_error_make(err, 0, "cgroups: husk's own cgroup is not in /proc/self/cgroup");
	return NULL;
}

char *husk_cgroup_path_for(enum husk_cg_mode m, const char *cgroups_path, const char *id,
			   husk_error_t *err)
{
	_cleanup_free_ char *own = NULL;
	char *path;

	if (m == HUSK_CG_DISABLED) {
		return NULL;
	}
	if (cgroups_path == NULL || cgroups_path[0] == '\0') {
		return xasprintf("/husk/%s", id);
	}
	for (const char *p = cgroups_path; *p != '\0';) {
		size_t len = strcspn(p, "/");

		if ((len == 2 && strncmp(p, "..", 2) == 0) || (len == 1 && p[0] == '.')) {
			husk_error_make(err, 0,
					"linux.cgroupsPath `%s`: `.` and `..` are not allowed",
					cgroups_path);
			return NULL;
		}
		p += len;
		p += *p == '/';
	}
	if (cgroups_path[0] == '/') {
		return xstrdup(cgroups_path);
	}
	own = own_cgroup(m, err);
	if (own == NULL) {
		return NULL;
	}
	path = xasprintf("%s/%s", strcmp(own, "/") == 0 ? "" : own, cgroups_path);
	return path;
}

void husk_cgroup_free(husk_cgroup_t *cg)
{
	if (cg == NULL) {
		return;
	}
	free(cg->path);
	free(cg->dropped);
	free(cg->unified);
	husk_safe_close(cg->unified_fd);
	for (size_t i = 0; i < cg->n; i++) {
		free(cg->v1[i]);
		free(cg->v1_ctl[i]);
	}
	free(cg);
}

static void cgroup_freep(husk_cgroup_t **cg)
{
	husk_cgroup_free(*cg);
}
#define _cleanup_cgroup_ __attribute__((cleanup(cgroup_freep)))

/* ---- files ---- */

static int write_at(const char *dir, const char *file, const char *value, husk_error_t *err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
	_cleanup_close_ int fd = open(path, HUSK_O_WRONLY);
	size_t len = strlen(value);

	if (fd < 0 || write(fd, value, len) != (ssize_t) len) {
		return husk_error_errno(err, "cgroups: write `%s` to `%s`", value, path);
	}
	return 0;
}

static char *read_at(const char *dir, const char *file, husk_error_t *err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
	_cleanup_close_ int fd = open(path, HUSK_O_RDONLY);
	size_t cap = 4096, len = 0;
	char *buf;

	if (fd < 0) {
		husk_error_errno(err, "cgroups: read `%s`", path);
		return NULL;
	}
	buf = xmalloc(cap + 1);
	for (;;) {
		ssize_t n = read(fd, buf + len, cap - len);

		if (n < 0) {
			husk_error_errno(err, "cgroups: read `%s`", path);
			free(buf);
			return NULL;
		}
		if (n == 0) {
			break;
		}
		len += (size_t) n;
		if (len == cap) {
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
	}
	buf[len] = '\0';
	return buf;
}

static int write_int(const char *dir, const char *file, int64_t v, husk_error_t *err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return write_at(dir, file, buf, err);
}

static bool exists_at(const char *dir, const char *file)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file);

	return access(path, F_OK) == 0;
}

/* mkdir -p of ROOT + PATH; with INIT_CPUSET, each new level copies its
 * parent's cpuset.cpus and cpuset.mems (a v1 cpuset cgroup starts empty and
 * takes no task). */
static int enable_controllers(const char *dir, husk_error_t *err);

/* *EXISTED says whether the last level was there already. */
static char *make_dirs(const char *root, const char *path, bool init_cpuset, bool enable,
		       bool *existed, husk_error_t *err)
{
	_cleanup_free_ char *dir = xstrdup(root);

	*existed = true; /* no level: the root, which is anything but empty */
	for (const char *p = path; *p != '\0';) {
		size_t len = strcspn(p, "/");
		char *next;

		if (len > 0) {
			/* v2: a level's controllers come from its parent's
			 * subtree_control, so enable them before making it. */
			if (enable && enable_controllers(dir, err) < 0) {
				return NULL;
			}
			next = xasprintf("%s/%.*s", dir, (int) len, p);
			*existed = mkdir(next, 0755) < 0;
			if (*existed && errno != EEXIST) {
				husk_error_errno(err, "cgroups: make `%s`", next);
				free(next);
				return NULL;
			}
			if (init_cpuset) {
				for (int i = 0; i < 2; i++) {
					const char *f = i == 0 ? "cpuset.cpus" : "cpuset.mems";
					_cleanup_free_ char *mine = read_at(next, f, err);
					_cleanup_free_ char *parent = NULL;

					if (mine == NULL) {
						free(next);
						return NULL;
					}
					if (mine[0] != '\n' && mine[0] != '\0') {
						continue;
					}
					parent = read_at(dir, f, err);
					if (parent == NULL || write_at(next, f, parent, err) < 0) {
						free(next);
						return NULL;
					}
				}
			}
			free(dir);
			dir = next;
		}
		p += len;
		p += *p == '/';
	}
	return TAKE_PTR(dir);
}

/* Whether the space-separated LIST names CTL. */
static bool listed(const char *list, const char *ctl)
{
	size_t n = strlen(ctl);

	for (const char *p = list; (p = strstr(p, ctl)) != NULL; p += n) {
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0')) {
			return true;
		}
	}
	return false;
}

/* DIR's cgroup.subtree_control; NULL when unreadable, and then every
 * controller is written. */
static char *enabled_controllers(const char *dir)
{
	_cleanup_error_ husk_error_t e = NULL;

	return read_at(dir, "cgroup.subtree_control", &e);
}

/* v2: enable every controller DIR has in its children's.  Those already
 * enabled are not written again: each write to cgroup.subtree_control
 * first waits until every dying cgroup below DIR is offline, and the
 * previous container's, just removed, can take an RCU grace period and a
 * workqueue round to get there. */
static int enable_controllers(const char *dir, husk_error_t *err)
{
	_cleanup_free_ char *avail = read_at(dir, "cgroup.controllers", err);
	_cleanup_free_ char *on = NULL;

	if (avail == NULL) {
		return -1;
	}
	on = enabled_controllers(dir);
	for (char *save = NULL, *c = strtok_r(avail, " \n", &save); c != NULL;
	     c = strtok_r(NULL, " \n", &save)) {
		_cleanup_error_ husk_error_t e = NULL;
		_cleanup_free_ char *plus = NULL;

		if (on != NULL && listed(on, c)) {
			continue;
		}
		plus = xasprintf("+%s", c);

		/* Best effort per controller: one the parent cannot delegate
		 * (a threaded subtree, say) must not stop the others; a limit
		 * that needs it fails later, clearly. */
		if (write_at(dir, "cgroup.subtree_control", plus, &e) < 0) {
			husk_debug("%s", e->msg);
		}
	}
	return 0;
}

/* ---- v1 hierarchies, through libcgroup ---- */

/* libcgroup's cgroup_init(), once per process: it clears an 800 KiB table
 * before it reads the mounts, 200 page faults each time, and `run` would pay
 * them twice (create, then delete), a sandbox three times (create, its
 * stats, delete). */
int husk_cgroup_lib_init(husk_error_t *err)
{
	static int init = -1;

	if (init != 0) {
		init = cgroup_init();
	}
	if (init != 0) {
		return husk_error_make(err, 0, "cgroups: libcgroup: %s", cgroup_strerror(init));
	}
	return 0;
}

static int find_v1(husk_cgroup_t *cg, husk_error_t *err)
{
	struct controller_data d;
	void *h = NULL;
	int r;

	if (husk_cgroup_lib_init(err) < 0) {
		return -1;
	}
	for (r = cgroup_get_all_controller_begin(&h, &d); r == 0;
	     r = cgroup_get_all_controller_next(&h, &d)) {
		char *mp = NULL;
		bool seen = false;

		if (d.hierarchy == 0 || cgroup_get_subsys_mount_point(d.name, &mp) != 0) {
			continue; /* not mounted, or in the unified hierarchy */
		}
		for (size_t i = 0; i < cg->n; i++) {
			seen |= strncmp(cg->v1[i], mp, strlen(mp)) == 0 &&
				cg->v1[i][strlen(mp)] == '/';
		}
		if (!seen && cg->n < V1_MAX) {
			cg->v1[cg->n] = xasprintf("%s%s", mp, cg->path);
			cg->v1_ctl[cg->n] = xstrdup(d.name);
			cg->n++;
		}
		free(mp);
	}
	cgroup_get_all_controller_end(&h);
	return 0;
}

static const char *v1_dir(const husk_cgroup_t *cg, const char *ctl)
{
	for (size_t i = 0; i < cg->n; i++) {
		if (strcmp(cg->v1_ctl[i], ctl) == 0) {
			return cg->v1[i];
		}
	}
	return NULL;
}

/* ---- resources ---- */

static bool was_dropped(const husk_cgroup_t *cg, const char *what)
{
	size_t len = strlen(what);

	for (const char *p = cg->dropped; p != NULL && (p = strstr(p, what)) != NULL; p += len) {
		if ((p == cg->dropped || p[-1] == ' ' || p[-1] == ',') &&
		    (p[len] == '\0' || p[len] == ' ' || p[len] == ',')) {
			return true;
		}
	}
	return false;
}

static int need_dir(const husk_cgroup_t *cg, const char *dir, const char *what, husk_error_t *err)
{
	if (dir != NULL) {
		return 0;
	}
	if (cg->rootless && was_dropped(cg, what)) {
		return husk_error_make(
			err, EACCES,
			"linux.resources.%s: the %s cgroup `%s` cannot be made by uid "
			"%u (rootless): delegate a %s cgroup to this user, or run "
			"as root",
			what, what, cg->path, (unsigned) geteuid(), what);
	}
	return husk_error_make(err, 0, "linux.resources.%s: the host has no %s controller mounted",
			       what, what);
}

/* The devices every container may use whatever its rules say, as runc
 * adds them: the default /dev nodes, the console and its ptys. */
static const struct {
	int64_t major, minor; /* minor -1: any */
} default_devices[] = {
	{ 1, 3 }, { 1, 5 }, { 1, 7 }, { 1, 8 }, { 1, 9 }, { 5, 0 }, { 5, 1 }, { 5, 2 }, { 136, -1 },
};

/* Every device rule the container's cgroup gets, in order: the config's
 * linux.resources.devices, the default devices, then the devices the config
 * itself asks to be made.  What v1's devices.allow/deny are written and v2's
 * device program is compiled from.  The strings are borrowed.  Returns the
 * count, with *RULES a new array. */
static size_t device_rules(const husk_linux_t *l, husk_device_rule_t **rules)
{
	const husk_resources_t *r = l->resources;
	size_t ndef = sizeof(default_devices) / sizeof(*default_devices), n = 0;
	husk_device_rule_t *v = xcalloc(r->devices.n + ndef + l->devices.n + 1, sizeof(*v));

	for (size_t i = 0; i < r->devices.n; i++) {
		v[n] = r->devices.v[i];
		/* -1 is how Go clients spell "any". */
		v[n].has_major &= v[n].major >= 0;
		v[n].has_minor &= v[n].minor >= 0;
		n++;
	}
	for (size_t i = 0; i < ndef; i++) {
		v[n++] = (husk_device_rule_t){
			.allow = true,
			.type = (char *) "c",
			.has_major = true,
			.major = default_devices[i].major,
			.has_minor = default_devices[i].minor >= 0,
			.minor = default_devices[i].minor,
			.access = (char *) "rwm",
		};
	}
	for (size_t i = 0; i < l->devices.n; i++) {
		const husk_device_t *d = &l->devices.v[i];

		if (d->type == HUSK_DEV_FIFO) {
			continue;
		}
		v[n++] = (husk_device_rule_t){
			.allow = true,
			.type = (char *) (d->type == HUSK_DEV_BLOCK ? "b" : "c"),
			.has_major = true,
			.major = d->major,
			.has_minor = true,
			.minor = d->minor,
			.access = (char *) "rwm",
		};
	}
	*rules = v;
	return n;
}

static int apply_v1_devices(const char *dir, const husk_linux_t *l, husk_error_t *err)
{
	_cleanup_free_ husk_device_rule_t *rules = NULL;
	size_t n = device_rules(l, &rules);

	for (size_t i = 0; i < n; i++) {
		const husk_device_rule_t *d = &rules[i];
		char maj[24] = "*", min[24] = "*", rule[96];

		if (d->has_major) {
			snprintf(maj, sizeof(maj), "%" PRId64, d->major);
		}
		if (d->has_minor) {
			snprintf(min, sizeof(min), "%" PRId64, d->minor);
		}
		snprintf(rule, sizeof(rule), "%s %s:%s %s", d->type != NULL ? d->type : "a", maj,
			 min, d->access != NULL ? d->access : "rwm");
		if (write_at(dir, d->allow ? "devices.allow" : "devices.deny", rule, err) < 0) {
			return -1;
		}
	}
	return 0;
}

static int apply_v1(const husk_cgroup_t *cg, const husk_linux_t *l, husk_error_t *err)
{
	const husk_resources_t *r = l->resources;
	const char *mem = v1_dir(cg, "memory");
	const char *cpu = v1_dir(cg, "cpu");
	const char *cpuset = v1_dir(cg, "cpuset");
	const char *pids = v1_dir(cg, "pids");
	const char *blkio = v1_dir(cg, "blkio");
	const char *devices = v1_dir(cg, "devices");

	if (r->memory != NULL) {
		const husk_memory_t *m = r->memory;

		if (need_dir(cg, mem, "memory", err) < 0) {
			return -1;
		}
		if (m->has_limit && m->limit != 0 &&
		    write_int(mem, "memory.limit_in_bytes", m->limit, err) < 0) {
			return -1;
		}
		if (m->has_swap && m->swap != 0 &&
		    write_int(mem, "memory.memsw.limit_in_bytes", m->swap, err) < 0) {
			return -1;
		}
		if (m->has_reservation && m->reservation != 0 &&
		    write_int(mem, "memory.soft_limit_in_bytes", m->reservation, err) < 0) {
			return -1;
		}
		if (m->has_swappiness && m->swappiness <= 100 &&
		    write_int(mem, "memory.swappiness", (int64_t) m->swappiness, err) < 0) {
			return -1;
		}
		if (m->has_disable_oom_killer && m->disable_oom_killer &&
		    write_at(mem, "memory.oom_control", "1", err) < 0) {
			return -1;
		}
	}
	if (r->pids != NULL && r->pids->has_limit) {
		if (need_dir(cg, pids, "pids", err) < 0 ||
		    (r->pids->limit > 0 ? write_int(pids, "pids.max", r->pids->limit, err)
					: write_at(pids, "pids.max", "max", err)) < 0) {
			return -1;
		}
	}
	if (r->cpu != NULL) {
		const husk_cpu_t *c = r->cpu;

		if ((c->has_shares || c->has_quota || c->has_period) &&
		    need_dir(cg, cpu, "cpu", err) < 0) {
			return -1;
		}
		if (c->has_shares && c->shares != 0 &&
		    write_int(cpu, "cpu.shares", (int64_t) c->shares, err) < 0) {
			return -1;
		}
		if (c->has_period && c->period != 0 &&
		    write_int(cpu, "cpu.cfs_period_us", (int64_t) c->period, err) < 0) {
			return -1;
		}
		if (c->has_quota && c->quota != 0 &&
		    write_int(cpu, "cpu.cfs_quota_us", c->quota, err) < 0) {
			return -1;
		}
		if (c->has_realtime_period && c->realtime_period != 0 &&
		    write_int(cpu, "cpu.rt_period_us", (int64_t) c->realtime_period, err) < 0) {
			return -1;
		}
		if (c->has_realtime_runtime && c->realtime_runtime != 0 &&
		    write_int(cpu, "cpu.rt_runtime_us", c->realtime_runtime, err) < 0) {
			return -1;
		}
		if ((c->cpus != NULL && c->cpus[0] != '\0') ||
		    (c->mems != NULL && c->mems[0] != '\0')) {
			if (need_dir(cg, cpuset, "cpuset", err) < 0) {
				return -1;
			}
			if (c->cpus != NULL && c->cpus[0] != '\0' &&
			    write_at(cpuset, "cpuset.cpus", c->cpus, err) < 0) {
				return -1;
			}
			if (c->mems != NULL && c->mems[0] != '\0' &&
			    write_at(cpuset, "cpuset.mems", c->mems, err) < 0) {
				return -1;
			}
		}
	}
	if (r->block_io != NULL && r->block_io->has_weight && r->block_io->weight != 0) {
		if (need_dir(cg, blkio, "blkio", err) < 0 ||
		    write_int(blkio, "blkio.weight", r->block_io->weight, err) < 0) {
			return -1;
		}
	}
	if (r->block_io != NULL &&
	    (need_dir(cg, blkio, "blkio", err) < 0 ||
	     husk_cgroup_apply_io_throttle(blkio, false, r->block_io, err) < 0)) {
		return -1;
	}
	for (size_t i = 0; r->block_io != NULL && i < r->block_io->weight_device.n; i++) {
		const husk_blkio_weight_t *w = &r->block_io->weight_device.v[i];
		char line[64];

		if (!w->has_weight || w->weight == 0) {
			continue;
		}
		snprintf(line, sizeof(line), "%" PRId64 ":%" PRId64 " %u", w->major, w->minor,
			 w->weight);
		if (write_at(blkio, "blkio.weight_device", line, err) < 0) {
			return -1;
		}
	}
	if (r->devices.n > 0 && !(cg->rootless && geteuid() != 0)) {
		if (need_dir(cg, devices, "devices", err) < 0 ||
		    apply_v1_devices(devices, l, err) < 0) {
			return -1;
		}
	}
	return 0;
}

/* cpu.shares (v1, what the spec and Kubernetes speak in) to cpu.weight.
 * Not the old linear map, which made the default 1024 shares a weight of
 * 39 against the 100 of every process outside a container: the curve that
 * Kubernetes asked for and runc 1.3.2, crun 1.23 and youki use, a quadratic
 * in log2(shares) through 2 -> 1, 1024 -> 100 and 262144 -> 10000, its
 * power of ten rounded up. */
static uint64_t shares_to_weight(uint64_t shares)
{
	double l, exponent;

	if (shares == 0) {
		return 0; /* unset */
	}
	if (shares <= 2) {
		return 1;
	}
	if (shares >= 262144) {
		return 10000;
	}
	l = log2((double) shares);
	exponent = (l * l + 125.0 * l) / 612.0 - 7.0 / 34.0;
	return (uint64_t) ceil(pow(10.0, exponent));
}

/* runc's conversion from the v1 value the spec speaks in. */

static uint64_t blkio_to_io_weight(uint64_t w)
{
	return w == 0 ? 0 : 1 + ((w - 10) * 9999) / 990;
}

static int apply_v2(const husk_cgroup_t *cg, const husk_linux_t *l, husk_error_t *err)
{
	const husk_resources_t *r = l->resources;
	const char *d = cg->unified;
	char buf[64];

	if (r->memory != NULL) {
		const husk_memory_t *m = r->memory;

		if (m->has_limit && m->limit != 0 &&
		    (m->limit > 0 ? write_int(d, "memory.max", m->limit, err)
				  : write_at(d, "memory.max", "max", err)) < 0) {
			return -1;
		}
		if (m->has_reservation && m->reservation > 0 &&
		    write_int(d, "memory.low", m->reservation, err) < 0) {
			return -1;
		}
		/* The spec's swap is memory plus swap; v2's is swap alone. */
		if (m->has_swap && m->swap != 0) {
			if (m->swap < 0) {
				if (write_at(d, "memory.swap.max", "max", err) < 0) {
					return -1;
				}
			} else if (!m->has_limit || m->limit <= 0 || m->swap < m->limit) {
				return husk_error_make(err, 0,
						       "linux.resources.memory.swap: %" PRId64
						       " must be at least memory.limit",
						       m->swap);
			} else if (write_int(d, "memory.swap.max", m->swap - m->limit, err) < 0) {
				return -1;
			}
		}
		if (m->has_disable_oom_killer && m->disable_oom_killer) {
			husk_warn("linux.resources.memory.disableOOMKiller: cgroup v2 has no such "
				  "switch; ignored as runc does");
		}
	}
	if (r->pids != NULL && r->pids->has_limit &&
	    (r->pids->limit > 0 ? write_int(d, "pids.max", r->pids->limit, err)
				: write_at(d, "pids.max", "max", err)) < 0) {
		return -1;
	}
	if (r->cpu != NULL) {
		const husk_cpu_t *c = r->cpu;

		if (c->has_shares && c->shares != 0 &&
		    write_int(d, "cpu.weight", (int64_t) shares_to_weight(c->shares), err) < 0) {
			return -1;
		}
		if ((c->has_quota && c->quota != 0) || (c->has_period && c->period != 0)) {
			uint64_t period = c->has_period && c->period != 0 ? c->period : 100000;

			if (c->has_quota && c->quota > 0) {
				snprintf(buf, sizeof(buf), "%" PRId64 " %" PRIu64, c->quota,
					 period);
			} else {
				snprintf(buf, sizeof(buf), "max %" PRIu64, period);
			}
			if (write_at(d, "cpu.max", buf, err) < 0) {
				return -1;
			}
		}
		if (c->has_burst && write_int(d, "cpu.max.burst", (int64_t) c->burst, err) < 0) {
			return -1;
		}
		if (c->has_idle && write_int(d, "cpu.idle", c->idle, err) < 0) {
			return -1;
		}
		if (c->cpus != NULL && c->cpus[0] != '\0' &&
		    write_at(d, "cpuset.cpus", c->cpus, err) < 0) {
			return -1;
		}
		if (c->mems != NULL && c->mems[0] != '\0' &&
		    write_at(d, "cpuset.mems", c->mems, err) < 0) {
			return -1;
		}
	}
	if (r->block_io != NULL && r->block_io->has_weight && r->block_io->weight != 0 &&
	    write_int(d, "io.weight", (int64_t) blkio_to_io_weight(r->block_io->weight), err) < 0) {
		return -1;
	}
	if (r->block_io != NULL && husk_cgroup_apply_io_throttle(d, true, r->block_io, err) < 0) {
		return -1;
	}
	for (size_t i = 0; r->block_io != NULL && i < r->block_io->weight_device.n; i++) {
		const husk_blkio_weight_t *w = &r->block_io->weight_device.v[i];

		if (!w->has_weight || w->weight == 0) {
			continue;
		}
		snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %" PRIu64, w->major, w->minor,
			 blkio_to_io_weight(w->weight));
		if (write_at(d, "io.weight", buf, err) < 0) {
			return -1;
		}
	}
	for (size_t i = 0; i < r->unified.n; i++) {
		const char *k = r->unified.v[i].key;

		if (strchr(k, '/') != NULL || k[0] == '.') {
			return husk_error_make(err, 0, "linux.resources.unified: bad key `%s`", k);
		}
		if (write_at(d, k, r->unified.v[i].value, err) < 0) {
			return husk_error_wrap(err, "linux.resources.unified");
		}
	}
	/* Rootless, attaching a program needs privilege the caller has not;
	 * a user namespace makes no device node anyway. */
	if (r->devices.n > 0 && !(cg->rootless && geteuid() != 0)) {
		_cleanup_free_ husk_device_rule_t *rules = NULL;
		size_t n = device_rules(l, &rules);

		if (husk_devices_bpf_apply(d, rules, n, err) < 0) {
			return husk_error_wrap(err, "linux.resources.devices");
		}
	}
	return 0;
}

/* hugetlb lives in the unified hierarchy on v2 and on this kind of hybrid
 * host, in a v1 one elsewhere. */
static int apply_hugetlb(const husk_cgroup_t *cg, const husk_resources_t *r, husk_error_t *err)
{
	const char *v1 = v1_dir(cg, "hugetlb");

	for (size_t i = 0; i < r->hugepage_limits.n; i++) {
		const husk_hugepage_t *h = &r->hugepage_limits.v[i];
		_cleanup_free_ char *file = NULL;

		_cleanup_free_ char *rsvd = NULL;

		/* The reservation limit, where the kernel has one, follows the
		 * limit (runc does the same): a reserved page is as good as a
		 * used one for the limit's purpose. */
		if (v1 != NULL) {
			file = xasprintf("hugetlb.%s.limit_in_bytes", h->page_size);
			rsvd = xasprintf("hugetlb.%s.rsvd.limit_in_bytes", h->page_size);
			if (write_int(v1, file, (int64_t) h->limit, err) < 0 ||
			    (exists_at(v1, rsvd) &&
			     write_int(v1, rsvd, (int64_t) h->limit, err) < 0)) {
				return -1;
			}
		} else if (cg->unified != NULL) {
			rsvd = xasprintf("hugetlb.%s.rsvd.max", h->page_size);
			file = xasprintf("hugetlb.%s.max", h->page_size);
			/* A hybrid host whose unified root does not hand hugetlb
			 * down: enabling it there would change the host's own
			 * cgroup root, which husk never does. */
			if (cg->mode == HUSK_CG_V1 && !exists_at(cg->unified, file)) {
				return husk_error_make(
					err, 0,
					"linux.resources.hugepageLimits: hugetlb is only "
					"in this host's unified hierarchy, which does not "
					"delegate it (cgroup.subtree_control)");
			}
			if (write_int(cg->unified, file, (int64_t) h->limit, err) < 0 ||
			    (exists_at(cg->unified, rsvd) &&
			     write_int(cg->unified, rsvd, (int64_t) h->limit, err) < 0)) {
				return -1;
			}
		} else {
			return need_dir(cg, NULL, "hugetlb", err);
		}
	}
	return 0;
}

/* rdma.max, per device: "mlx5_0 hca_handle=3 hca_object=max". */
static int apply_rdma(const husk_cgroup_t *cg, const husk_resources_t *r, husk_error_t *err)
{
	const char *dir = cg->mode == HUSK_CG_V2 ? cg->unified : v1_dir(cg, "rdma");

	if (r->rdma.n == 0) {
		return 0;
	}
	if (dir == NULL || !exists_at(dir, "rdma.max")) {
		return husk_error_make(err, 0,
				       "linux.resources.rdma: the host has no rdma controller for "
				       "the container");
	}
	for (size_t i = 0; i < r->rdma.n; i++) {
		const husk_rdma_t *d = &r->rdma.v[i];
		char handles[16] = "max", objects[16] = "max";
		_cleanup_free_ char *line = NULL;

		if (d->has_hca_handles) {
			snprintf(handles, sizeof(handles), "%u", d->hca_handles);
		}
		if (d->has_hca_objects) {
			snprintf(objects, sizeof(objects), "%u", d->hca_objects);
		}
		line = xasprintf("%s hca_handle=%s hca_object=%s", d->name, handles, objects);
		if (write_at(dir, "rdma.max", line, err) < 0) {
			return husk_error_wrap(err, "linux.resources.rdma");
		}
	}
	return 0;
}

static int apply(const husk_cgroup_t *cg, const husk_linux_t *l, husk_error_t *err)
{
	const husk_resources_t *r = l != NULL ? l->resources : NULL;

	if (r == NULL) {
		return 0;
	}
	if (apply_rdma(cg, r, err) < 0) {
		return -1;
	}
	if (cg->mode == HUSK_CG_V1 && r->unified.n > 0) {
		return husk_error_make(err, 0,
				       "linux.resources.unified: needs a cgroup v2 host (this one "
				       "is v1)");
	}
	if ((cg->mode == HUSK_CG_V1 ? apply_v1(cg, l, err) : apply_v2(cg, l, err)) < 0) {
		return -1;
	}
	return apply_hugetlb(cg, r, err);
}

/* ---- lifecycle ---- */

/* Whether hierarchy I of CG holds one of CONTROLLERS (co-mounted
 * controllers share a hierarchy, so it is matched by mount point). */
static bool holds_any(const husk_cgroup_t *cg, size_t i, const char *const *controllers)
{
	size_t root_len = strlen(cg->v1[i]) - strlen(cg->path);
	bool found = false;

	for (size_t j = 0; controllers[j] != NULL && !found; j++) {
		char *mp = NULL;

		found = strcmp(cg->v1_ctl[i], controllers[j]) == 0 ||
			(cgroup_get_subsys_mount_point(controllers[j], &mp) == 0 && mp != NULL &&
			 strlen(mp) == root_len && strncmp(cg->v1[i], mp, root_len) == 0);
		free(mp);
	}
	return found;
}

/* Keep the v1 hierarchies that hold one of CONTROLLERS or, with EXISTING,
 * those where the cgroup's directory exists. */
static void filter_v1(husk_cgroup_t *cg, const char *const *controllers, bool existing)
{
	size_t n = 0;

	for (size_t i = 0; i < cg->n; i++) {
		bool keep = existing ? access(cg->v1[i], F_OK) == 0 : holds_any(cg, i, controllers);

		if (!keep) {
			free(cg->v1[i]);
			free(cg->v1_ctl[i]);
			continue;
		}
		cg->v1[n] = cg->v1[i];
		cg->v1_ctl[n] = cg->v1_ctl[i];
		n++;
	}
	cg->n = n;
}

static void add_dropped(husk_cgroup_t *cg, const char *what)
{
	char *d = xasprintf("%s%s%s", cg->dropped != NULL ? cg->dropped : "",
			    cg->dropped != NULL ? " " : "", what);

	free(cg->dropped);
	cg->dropped = d;
}

/* Whether a failure to make a cgroup is one a rootless caller is expected to
 * meet: a hierarchy nobody delegated to it. */
static bool not_ours(husk_error_t e)
{
	int n = husk_error_errno_of(e);

	return n == EACCES || n == EPERM || n == EROFS;
}

/* Rootless: whether the caller may move a process into UROOT + PATH of the
 * unified hierarchy.  The kernel wants write access to cgroup.procs of the
 * nearest cgroup above both the caller's and the target (for
 * CLONE_INTO_CGROUP too), which a delegated subtree grants only when the
 * caller sits in it. */
static bool may_move_into(const char *uroot, const char *path)
{
	_cleanup_error_ husk_error_t e = NULL;
	_cleanup_free_ char *own = own_cgroup(HUSK_CG_V2, &e);
	_cleanup_free_ char *procs = NULL;
	size_t common = 0;

	if (own == NULL) {
		return false;
	}
	for (size_t i = 0;; i++) {
		bool end_own = own[i] == '\0' || own[i] == '/';
		bool end_path = path[i] == '\0' || path[i] == '/';

		if (end_own && end_path) {
			common = i;
		}
		if (own[i] == '\0' || path[i] == '\0' || own[i] != path[i]) {
			break;
		}
	}
	procs = xasprintf("%s%.*s/cgroup.procs", uroot, (int) common, path);
	return access(procs, W_OK) == 0;
}

static husk_cgroup_t *setup(enum husk_cg_mode m, const char *path, bool create, bool rootless,
			    const char *const *controllers, husk_error_t *err)
{
	_cleanup_cgroup_ husk_cgroup_t *cg = xcalloc(1, sizeof(*cg));
	const char *uroot = NULL;
	size_t kept = 0;

	cg->mode = m;
	cg->path = xstrdup(path);
	cg->unified_fd = -1;
	cg->rootless = rootless;
	if (m == HUSK_CG_DISABLED) {
		return TAKE_PTR(cg);
	}
	if (m == HUSK_CG_V2) {
		uroot = CG_ROOT;
	} else if (is_cgroup2(CG_UNIFIED)) {
		uroot = CG_UNIFIED;
	}
	if (m == HUSK_CG_V1 && find_v1(cg, err) < 0) {
		return NULL;
	}
	/* Made in some hierarchies only (husk_cgroup_create_only): an
	 * existing cgroup is opened where it exists. */
	if (m == HUSK_CG_V1 && (controllers != NULL || !create)) {
		filter_v1(cg, controllers, !create);
	}
	if (uroot != NULL) {
		if (create) {
			_cleanup_error_ husk_error_t e = NULL;

			cg->unified =
				make_dirs(uroot, path, false, m == HUSK_CG_V2, &cg->existed, &e);
			if (cg->unified != NULL && rootless && !may_move_into(uroot, path)) {
				husk_debug("cgroups: rootless: no process can be moved into `%s`",
					   cg->unified);
				rmdir(cg->unified);
				free(TAKE_PTR(cg->unified));
			} else if (cg->unified == NULL && !(rootless && not_ours(e))) {
				husk_error_move(err, &e);
				return NULL;
			}
			if (cg->unified == NULL) {
				add_dropped(cg, m == HUSK_CG_V2 ? "unified" : "hugetlb");
			}
		} else {
			cg->unified = xasprintf("%s%s", uroot, path);
			if (rootless && access(cg->unified, F_OK) < 0) {
				free(TAKE_PTR(cg->unified));
			}
		}
		if (cg->unified != NULL) {
			cg->unified_fd = open(cg->unified, HUSK_O_PATH_DIR);
			if (cg->unified_fd < 0 && create) {
				husk_error_errno(err, "cgroups: open `%s`", cg->unified);
				return NULL;
			}
		}
	}
	for (size_t i = 0; i < cg->n; i++) {
		size_t root_len = strlen(cg->v1[i]) - strlen(path);
		_cleanup_free_ char *root = xstrndup(cg->v1[i], root_len);
		_cleanup_free_ char *made = NULL;
		_cleanup_error_ husk_error_t e = NULL;
		/* Rootless, the devices hierarchy takes no rule from anyone
		 * but a privileged writer: the container stays in the caller's. */
		bool skip = rootless && geteuid() != 0 && strcmp(cg->v1_ctl[i], "devices") == 0;

		if (!skip && create) {
			bool existed = false;

			made = make_dirs(root, path, strcmp(cg->v1_ctl[i], "cpuset") == 0, false,
					 &existed, &e);
			cg->existed |= existed;
			if (made == NULL && !(rootless && not_ours(e))) {
				husk_error_move(err, &e);
				return NULL;
			}
			skip = made == NULL;
		}
		if (skip) {
			husk_debug("cgroups: rootless: `%s` left out", cg->v1[i]);
			add_dropped(cg, cg->v1_ctl[i]);
			free(cg->v1[i]);
			free(cg->v1_ctl[i]);
			continue;
		}
		cg->v1[kept] = cg->v1[i];
		cg->v1_ctl[kept] = cg->v1_ctl[i];
		kept++;
	}
	cg->n = kept;
	if (rootless && cg->n == 0 && cg->unified == NULL) {
		/* Nothing delegated: the container stays in the caller's
		 * cgroups, as with the manager disabled. */
		cg->mode = HUSK_CG_DISABLED;
	}
	return TAKE_PTR(cg);
}

static bool any_limit(const husk_resources_t *r)
{
	return r != NULL &&
	       (r->memory != NULL || r->cpu != NULL || r->pids != NULL || r->block_io != NULL ||
		r->hugepage_limits.n || r->rdma.n || r->unified.n || r->network != NULL);
}

husk_cgroup_t *husk_cgroup_create(enum husk_cg_mode m, const char *path, const husk_linux_t *l,
				  bool rootless, husk_error_t *err)
{
	return husk_cgroup_create_only(m, path, l, rootless, NULL, err);
}

husk_cgroup_t *husk_cgroup_create_only(enum husk_cg_mode m, const char *path, const husk_linux_t *l,
				       bool rootless, const char *const *controllers,
				       husk_error_t *err)
{
	const husk_resources_t *r = l != NULL ? l->resources : NULL;
	husk_cgroup_t *cg;

	if (m == HUSK_CG_DISABLED) {
		if (any_limit(r)) {
			husk_error_make(
				err, 0,
				rootless ? "linux.resources: rootless, and uid %u has no "
					   "delegated cgroup here: no limit can be set "
					   "(delegate a cgroup subtree to this user and run "
					   "husk from it)"
					 : "linux.resources: the cgroup manager is disabled: "
					   "no limit can be set",
				(unsigned) geteuid());
			return NULL;
		}
		return setup(m, "", false, rootless, NULL, err);
	}
	cg = setup(m, path, true, rootless, controllers, err);
	if (cg == NULL) {
		return NULL;
	}
	if (cg->mode == HUSK_CG_DISABLED) {
		if (any_limit(r)) {
			husk_error_make(
				err, EACCES,
				"linux.resources: rootless, and uid %u can make cgroup `%s` "
				"in no hierarchy: no limit can be set (delegate a cgroup "
				"subtree to this user)",
				(unsigned) geteuid(), path);
			husk_cgroup_free(cg);
			return NULL;
		}
		return cg;
	}
	/* A cgroup with processes is another container's (or someone's):
	 * sharing it would let one delete kill the other.  Refused, and left
	 * exactly as it is.  One made just now holds nothing. */
	if (cg->existed) {
		_cleanup_free_ pid_t *pids = NULL;
		ssize_t n = husk_cgroup_pids(cg, &pids, err);

		if (n != 0) {
			if (n > 0) {
				husk_error_make(err, 0,
						"cgroup `%s` is not empty: it is in use by other "
						"processes",
						path);
			}
			husk_cgroup_free(cg);
			return NULL;
		}
	}
	if (apply(cg, l, err) < 0) {
		_cleanup_error_ husk_error_t e = NULL;

		husk_cgroup_destroy(cg, &e);
		husk_cgroup_free(cg);
		return NULL;
	}
	return cg;
}

husk_cgroup_t *husk_cgroup_open(enum husk_cg_mode m, const char *path, husk_error_t *err)
{
	return setup(m, path != NULL ? path : "", false, geteuid() != 0, NULL, err);
}

enum husk_cg_mode husk_cgroup_mode(const husk_cgroup_t *cg)
{
	return cg->mode;
}

char *husk_cgroup_delegated(enum husk_cg_mode m, husk_error_t *err)
{
	_cleanup_free_ char *own = NULL;
	_cleanup_free_ char *root = NULL;
	char *best = NULL;
	uid_t me = geteuid();

	if (m == HUSK_CG_V1) {
		if (husk_cgroup_lib_init(err) < 0) {
			return NULL;
		}
		if (cgroup_get_subsys_mount_point("pids", &root) != 0) {
			return NULL; /* no pids hierarchy to anchor the path: none */
		}
	} else if (m == HUSK_CG_V2) {
		root = xstrdup(CG_ROOT);
	} else {
		return NULL;
	}
	own = own_cgroup(m, err);
	if (own == NULL) {
		return NULL;
	}
	/* Up from husk's own cgroup while the caller owns each level, as a
	 * delegation (chown of the directory and its cgroup.procs) leaves it. */
	for (;;) {
		_cleanup_free_ char *dir =
			xasprintf("%s%s", root, strcmp(own, "/") == 0 ? "" : own);
		_cleanup_free_ char *procs = xasprintf("%s/cgroup.procs", dir);
		struct stat st;
		char *slash;

		if (strcmp(own, "/") == 0 || stat(dir, &st) < 0 || st.st_uid != me ||
		    access(dir, W_OK) < 0 || access(procs, W_OK) < 0) {
			break;
		}
		free(best);
		best = xstrdup(own);
		slash = strrchr(own, '/');
		if (slash == own) {
			slash[1] = '\0';
		} else {
			*slash = '\0';
		}
	}
	return best;
}

/* A relative sub-cgroup path: no `.` or `..`, not empty. */
static int check_sub(const char *spec, const char *sub, husk_error_t *err)
{
	bool any = false;

	for (const char *p = sub; *p != '\0';) {
		size_t len = strcspn(p, "/");

		if ((len == 2 && strncmp(p, "..", 2) == 0) || (len == 1 && p[0] == '.')) {
			return husk_error_make(
				err, 0, "exec: --cgroup `%s`: `.` and `..` are not allowed", spec);
		}
		any |= len > 0;
		p += len;
		p += *p == '/';
	}
	if (!any) {
		return husk_error_make(err, 0, "exec: --cgroup `%s`: an empty path", spec);
	}
	return 0;
}

/* The v1 hierarchy CTL is mounted in, as an index into cg->v1. */
static int hierarchy_of(const husk_cgroup_t *cg, const char *spec, const char *ctl,
			husk_error_t *err)
{
	char *mp = NULL;

	if (cgroup_get_subsys_mount_point(ctl, &mp) == 0) {
		for (size_t i = 0; i < cg->n; i++) {
			if (strncmp(cg->v1[i], mp, strlen(mp)) == 0 &&
			    cg->v1[i][strlen(mp)] == '/') {
				free(mp);
				return (int) i;
			}
		}
	}
	free(mp);
	return husk_error_make(err, 0, "exec: --cgroup `%s`: no v1 hierarchy has controller `%s`",
			       spec, ctl);
}

/* DIR + "/" + SUB, which must exist (runc does not create it either). */
static char *sub_dir(const char *dir, const char *sub, husk_error_t *err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, sub);
	struct stat st;

	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
		husk_error_make(err, errno, "exec: --cgroup: no sub-cgroup `%s`", path);
		return NULL;
	}
	return TAKE_PTR(path);
}

/* Parse SPECS into a path per v1 hierarchy and a path for the rest. */
static int parse_subs(const husk_cgroup_t *cg, char *const *specs, const char *subs[V1_MAX],
		      const char **plain, husk_error_t *err)
{
	for (size_t k = 0; specs[k] != NULL; k++) {
		const char *spec = specs[k], *colon = strchr(spec, ':');
		_cleanup_free_ char *ctls = NULL;

		if (check_sub(spec, colon != NULL ? colon + 1 : spec, err) < 0) {
			return -1;
		}
		if (colon == NULL) {
			if (*plain != NULL) {
				return husk_error_make(err, 0,
						       "exec: --cgroup `%s`: a second path "
						       "for every controller",
						       spec);
			}
			*plain = spec;
			continue;
		}
		if (cg->mode != HUSK_CG_V1) {
			return husk_error_make(
				err, 0,
				"exec: --cgroup `%s`: controllers are named only on cgroup v1",
				spec);
		}
		ctls = xstrndup(spec, (size_t) (colon - spec));
		for (char *save = NULL, *c = strtok_r(ctls, ",", &save); c != NULL;
		     c = strtok_r(NULL, ",", &save)) {
			int i = hierarchy_of(cg, spec, c, err);

			if (i < 0) {
				return -1;
			}
			if (subs[i] != NULL) {
				return husk_error_make(err, 0,
						       "exec: --cgroup `%s`: controller `%s` "
						       "given twice",
						       spec, c);
			}
			subs[i] = colon + 1;
		}
	}
	return 0;
}

int husk_cgroup_use_sub(husk_cgroup_t *cg, char *const *specs, husk_error_t *err)
{
	const char *subs[V1_MAX] = { NULL }, *plain = NULL;
	char *dirs[V1_MAX] = { NULL };
	_cleanup_free_ char *unified = NULL;
	int ret = -1;

	if (specs == NULL || specs[0] == NULL) {
		return 0;
	}
	if (cg->mode == HUSK_CG_DISABLED) {
		return husk_error_make(err, 0, "exec: --cgroup: the container has no cgroup");
	}
	if (parse_subs(cg, specs, subs, &plain, err) < 0) {
		return -1;
	}
	/* Every directory is checked before any is used. */
	for (size_t i = 0; i < cg->n; i++) {
		const char *sub = subs[i] != NULL ? subs[i] : plain;

		if (sub != NULL && (dirs[i] = sub_dir(cg->v1[i], sub, err)) == NULL) {
			goto out;
		}
	}
	if (plain != NULL && cg->unified != NULL &&
	    (unified = sub_dir(cg->unified, plain, err)) == NULL) {
		goto out;
	}
	if (unified != NULL) {
		_cleanup_close_ int fd = open(unified, HUSK_O_PATH_DIR);

		if (fd < 0) {
			husk_error_errno(err, "exec: --cgroup: open `%s`", unified);
			goto out;
		}
		husk_safe_close(cg->unified_fd);
		cg->unified_fd = TAKE_FD(fd);
		free(cg->unified);
		cg->unified = TAKE_PTR(unified);
	}
	for (size_t i = 0; i < cg->n; i++) {
		if (dirs[i] != NULL) {
			free(cg->v1[i]);
			cg->v1[i] = TAKE_PTR(dirs[i]);
		}
	}
	ret = 0;
out:
	for (size_t i = 0; i < V1_MAX; i++) {
		free(dirs[i]);
	}
	return ret;
}

int husk_cgroup_clone_fd(const husk_cgroup_t *cg)
{
	return cg->unified_fd;
}

bool husk_cgroup_moves_after_clone(const husk_cgroup_t *cg)
{
	return cg->n > 0 || (cg->unified != NULL && cg->unified_fd < 0);
}

int husk_cgroup_enter(const husk_cgroup_t *cg, pid_t pid, husk_error_t *err)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%d", pid);
	for (size_t i = 0; i < cg->n; i++) {
		if (write_at(cg->v1[i], "cgroup.procs", buf, err) < 0) {
			return -1;
		}
	}
	if (cg->unified != NULL && cg->unified_fd < 0 &&
	    write_at(cg->unified, "cgroup.procs", buf, err) < 0) {
		return -1;
	}
	return 0;
}

int husk_cgroup_enter_self(const husk_cgroup_t *cg, husk_error_t *err)
{
	/* "0" is the writer itself; through `tasks` only its one thread moves,
	 * which the kernel does under cgroup_mutex alone: its
	 * cgroup_procs_write_start() takes the global threadgroup rwsem only
	 * to move another task or a whole process. */
	for (size_t i = 0; i < cg->n; i++) {
		if (write_at(cg->v1[i], "tasks", "0", err) < 0) {
			return -1;
		}
	}
	if (cg->unified != NULL && cg->unified_fd < 0 &&
	    write_at(cg->unified, "cgroup.procs", "0", err) < 0) {
		return -1;
	}
	return 0;
}

/* The directory whose cgroup.procs lists every process of the container. */
static const char *procs_dir(const husk_cgroup_t *cg)
{
	const char *d;

	if (cg->mode == HUSK_CG_V2) {
		return cg->unified;
	}
	d = v1_dir(cg, "pids");
	if (d == NULL) {
		d = v1_dir(cg, "freezer");
	}
	if (d == NULL && cg->n > 0) {
		d = cg->v1[0];
	}
	return d != NULL ? d : cg->unified;
}

/* Call FN on each sub-cgroup of DIR (its subdirectories). */
static int each_child(const char *dir, int (*fn)(const char *child, void *data, husk_error_t *err),
		      void *data, husk_error_t *err)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL) {
		return errno == ENOENT ? 0 : husk_error_errno(err, "cgroups: read `%s`", dir);
	}
	while ((de = readdir(d)) != NULL) {
		_cleanup_free_ char *child = NULL;

		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0) {
			continue;
		}
		child = xasprintf("%s/%s", dir, de->d_name);
		if (fn(child, data, err) < 0) {
			return -1;
		}
	}
	return 0;
}

struct pid_list {
	pid_t *v;
	size_t n;
};

/* cgroup.procs of DIR and of every cgroup below it (`exec --cgroup` and
 * the container itself may have made some). */
static int collect_pids(const char *dir, void *data, husk_error_t *err)
{
	struct pid_list *l = data;
	_cleanup_free_ char *text = read_at(dir, "cgroup.procs", err);

	if (text == NULL) {
		return -1;
	}
	for (char *save = NULL, *t = strtok_r(text, "\n", &save); t != NULL;
	     t = strtok_r(NULL, "\n", &save)) {
		l->v = xreallocarray(l->v, l->n + 1, sizeof(pid_t));
		l->v[l->n++] = (pid_t) atoi(t);
	}
	return each_child(dir, collect_pids, l, err);
}

ssize_t husk_cgroup_pids(const husk_cgroup_t *cg, pid_t **pids, husk_error_t *err)
{
	const char *dir = procs_dir(cg);
	struct pid_list l = { NULL, 0 };

	*pids = NULL;
	if (cg->mode == HUSK_CG_DISABLED || dir == NULL) {
		return 0;
	}
	if (collect_pids(dir, &l, err) < 0) {
		free(l.v);
		return -1;
	}
	*pids = l.v;
	return (ssize_t) l.n;
}

int husk_cgroup_signal_all(const husk_cgroup_t *cg, int signo, husk_error_t *err)
{
	_cleanup_free_ pid_t *pids = NULL;
	ssize_t n;

	if (signo == SIGKILL && cg->unified != NULL && cg->mode == HUSK_CG_V2 &&
	    exists_at(cg->unified, "cgroup.kill")) {
		return write_at(cg->unified, "cgroup.kill", "1", err);
	}
	n = husk_cgroup_pids(cg, &pids, err);
	if (n < 0) {
		return -1;
	}
	for (ssize_t i = 0; i < n; i++) {
		/* pidfd first: the pid was in the cgroup when listed, and a
		 * pidfd keeps naming that process even if it exits and the
		 * number is reused before the signal. */
		_cleanup_close_ int fd = (int) syscall(SYS_pidfd_open, pids[i], 0);

		if (fd >= 0) {
			syscall(SYS_pidfd_send_signal, fd, signo, NULL, 0);
		}
	}
	return 0;
}

static bool frozen_now(const husk_cgroup_t *cg)
{
	_cleanup_error_ husk_error_t e = NULL;
	_cleanup_free_ char *s = NULL;
	const char *freezer = v1_dir(cg, "freezer");

	if (cg->mode == HUSK_CG_V2 && cg->unified != NULL) {
		s = read_at(cg->unified, "cgroup.events", &e);
		return s != NULL && strstr(s, "frozen 1") != NULL;
	}
	if (freezer != NULL) {
		s = read_at(freezer, "freezer.state", &e);
		return s != NULL && strncmp(s, "FROZEN", 6) == 0;
	}
	return false;
}

int husk_cgroup_freeze(const husk_cgroup_t *cg, bool frozen, husk_error_t *err)
{
	const char *freezer = v1_dir(cg, "freezer");

	if (cg->mode == HUSK_CG_V2 && cg->unified != NULL) {
		if (write_at(cg->unified, "cgroup.freeze", frozen ? "1" : "0", err) < 0) {
			return -1;
		}
	} else if (freezer != NULL) {
		if (write_at(freezer, "freezer.state", frozen ? "FROZEN" : "THAWED", err) < 0) {
			return -1;
		}
	} else {
		return husk_error_make(err, 0, "cgroups: no freezer: the container cannot be %s",
				       frozen ? "paused" : "resumed");
	}
	/* Freezing is asynchronous: wait (bounded) until it is done. */
	for (int i = 0; i < 500; i++) {
		if (frozen_now(cg) == frozen) {
			return 0;
		}
		poll(NULL, 0, 10);
	}
	return husk_error_make(err, ETIMEDOUT, "cgroups: the container did not %s",
			       frozen ? "freeze" : "thaw");
}

bool husk_cgroup_is_frozen(const husk_cgroup_t *cg)
{
	return cg->mode != HUSK_CG_DISABLED && frozen_now(cg);
}

static int remove_dir(const char *dir, husk_error_t *err);

static int remove_child(const char *dir, void *data, husk_error_t *err)
{
	(void) data;
	return remove_dir(dir, err);
}

/* DIR and the cgroups below it, deepest first. */
static int remove_dir(const char *dir, husk_error_t *err)
{
	if (each_child(dir, remove_child, NULL, err) < 0) {
		return -1;
	}
	/* A cgroup whose last process has just died may still count it for
	 * a moment: retry EBUSY, bounded. */
	for (int i = 0; i < 200; i++) {
		if (rmdir(dir) == 0 || errno == ENOENT) {
			return 0;
		}
		if (errno != EBUSY) {
			break;
		}
		poll(NULL, 0, 10);
	}
	return husk_error_errno(err, "cgroups: remove `%s`", dir);
}

int husk_cgroup_destroy(husk_cgroup_t *cg, husk_error_t *err)
{
	_cleanup_free_ pid_t *pids = NULL;
	_cleanup_error_ husk_error_t e = NULL;
	int r = 0;

	if (cg->mode == HUSK_CG_DISABLED) {
		return 0;
	}
	/* Frozen processes cannot act on SIGKILL until thawed. */
	if (husk_cgroup_is_frozen(cg)) {
		husk_cgroup_freeze(cg, false, &e);
		husk_error_free(&e);
	}
	for (int i = 0; i < 500; i++) {
		ssize_t n = husk_cgroup_pids(cg, &pids, &e);

		free(TAKE_PTR(pids));
		husk_error_free(&e);
		if (n <= 0) {
			break;
		}
		husk_cgroup_signal_all(cg, SIGKILL, &e);
		husk_error_free(&e);
		poll(NULL, 0, 10);
	}
	for (size_t i = 0; i < cg->n; i++) {
		if (remove_dir(cg->v1[i], err) < 0) {
			r = -1;
			err = &e; /* keep the first error, try the rest */
		}
	}
	if (cg->unified != NULL && remove_dir(cg->unified, err) < 0) {
		r = -1;
	}
	return r;
}

int husk_cgroup_update(const husk_cgroup_t *cg, const husk_resources_t *r, husk_error_t *err)
{
	husk_linux_t l = { .resources = (husk_resources_t *) r };

	if (cg->mode == HUSK_CG_DISABLED) {
		return husk_error_make(err, 0,
				       "update: the container has no cgroup (its cgroup "
				       "manager was disabled)");
	}
	/* checkBeforeUpdate: a limit below what is in use now is refused
	 * rather than making the kernel reclaim or OOM-kill to meet it. */
	if (r->memory != NULL && r->memory->has_check_before_update &&
	    r->memory->check_before_update && r->memory->has_limit && r->memory->limit > 0) {
		const char *dir = cg->mode == HUSK_CG_V2 ? cg->unified : v1_dir(cg, "memory");
		const char *file =
			cg->mode == HUSK_CG_V2 ? "memory.current" : "memory.usage_in_bytes";
		_cleanup_free_ char *cur = NULL;
		long long used;

		if (dir == NULL) {
			return need_dir(cg, NULL, "memory", err);
		}
		cur = read_at(dir, file, err);
		if (cur == NULL) {
			return -1;
		}
		used = strtoll(cur, NULL, 10);
		if (used > r->memory->limit) {
			return husk_error_make(
				err, 0,
				"update: memory.checkBeforeUpdate: the new limit %" PRId64
				" is below the current usage %lld",
				r->memory->limit, used);
		}
	}
	return apply(cg, &l, err);
}
