/* husk cgroups: what a container's cgroup counts, for `events`. */
#include "cgroups/stats.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <libcgroup.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/open.h"
#include "util/xalloc.h"

#define HUGEPAGES_DIR "/sys/kernel/mm/hugepages"
#define STAT_FILE_MAX (1 << 16)

struct husk_cgstats_s {
	bool v2; /* one cgroup2 directory holds every controller */
	/* The cgroup's directory for each controller (all the same on v2);
	 * NULL where that v1 controller is not mounted. */
	char *cpu, *cpuacct, *memory, *pids, *hugetlb;
	/* The cgroup in the v2 hierarchy, for its *.pressure files: the
	 * cgroup itself on v2, its twin under /sys/fs/cgroup/unified on a
	 * hybrid host (husk and runc make one there too). */
	char *unified;
	int oom_fd;     /* inotify (v2) or eventfd (v1), -1 until asked for */
	int oom_ctl_fd; /* v1: memory.oom_control, kept for the registration */
};

void husk_cgstats_free(husk_cgstats_t *s)
{
	if (s == NULL) {
		return;
	}
	free(s->cpu);
	free(s->cpuacct);
	free(s->memory);
	free(s->pids);
	free(s->hugetlb);
	free(s->unified);
	husk_safe_close(s->oom_fd);
	husk_safe_close(s->oom_ctl_fd);
	free(s);
}

static char *v1_dir(const char *ctl, const char *path)
{
	char *mp = NULL;
	char *dir;

	if (cgroup_get_subsys_mount_point(ctl, &mp) != 0 || mp == NULL) {
		return NULL;
	}
	dir = xasprintf("%s%s", mp, path);
	free(mp);
	return dir;
}

husk_cgstats_t *husk_cgstats_open(const husk_cgroup_t *cg, husk_error_t *err)
{
	const char *path = husk_cgroup_path(cg);
	const char *dir = husk_cgroup_unified_dir(cg);
	husk_cgstats_t *s;

	if (path == NULL) {
		husk_error_make(err, 0, "the container has no cgroup");
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->oom_fd = -1;
	s->oom_ctl_fd = -1;
	if (dir != NULL) {
		s->v2 = true;
		s->cpu = xstrdup(dir);
		s->cpuacct = xstrdup(dir);
		s->memory = xstrdup(dir);
		s->pids = xstrdup(dir);
		s->hugetlb = xstrdup(dir);
		s->unified = xstrdup(dir);
		return s;
	}
	s->unified = xasprintf("/sys/fs/cgroup/unified%s", path);
	if (husk_cgroup_lib_init(err) < 0) {
		husk_cgstats_free(s);
		return NULL;
	}
	s->cpu = v1_dir("cpu", path);
	s->cpuacct = v1_dir("cpuacct", path);
	s->memory = v1_dir("memory", path);
	s->pids = v1_dir("pids", path);
	s->hugetlb = v1_dir("hugetlb", path);
	return s;
}

bool husk_cgstats_unified(const husk_cgstats_t *s)
{
	return s != NULL && s->v2;
}

/* ---- files ---- */

/* FILE of DIR whole; NULL with *ERR unset when it does not exist (the
 * controller is not there), NULL with *ERR set on any other failure. */
static char *read_opt(const char *dir, const char *file, husk_error_t *err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int fd = -1;
	char *buf;
	size_t len = 0;

	if (dir == NULL) {
		return NULL;
	}
	path = xasprintf("%s/%s", dir, file);
	fd = open(path, HUSK_O_RDONLY);
	if (fd < 0) {
		if (errno == ENOENT) {
			return NULL;
		}
		husk_error_errno(err, "cgroups: read `%s`", path);
		return NULL;
	}
	buf = xmalloc(STAT_FILE_MAX + 1);
	for (;;) {
		ssize_t n = read(fd, buf + len, STAT_FILE_MAX - len);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			husk_error_errno(err, "cgroups: read `%s`", path);
			free(buf);
			return NULL;
		}
		if (n == 0 || (len += (size_t) n) == STAT_FILE_MAX) {
			break;
		}
	}
	buf[len] = '\0';
	return buf;
}

/* A number, or "max" (UINT64_MAX). */
static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (strncmp(s, "max", 3) == 0) {
		*v = UINT64_MAX;
		return true;
	}
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno == 0 && end != s;
}

/* A file holding one number: 1 when read, 0 when missing, -1. */
static int read_u64(const char *dir, const char *file, uint64_t *v, husk_error_t *err)
{
	_cleanup_free_ char *text = read_opt(dir, file, err);

	if (text == NULL) {
		return *err != NULL ? -1 : 0;
	}
	if (!parse_u64(text, v)) {
		return husk_error_make(err, 0, "cgroups: `%s/%s`: not a number: `%.32s`", dir, file,
				       text);
	}
	return 1;
}

/* The value of KEY in a "key value" file's TEXT; false when absent. */
static bool kv_get(const char *text, const char *key, uint64_t *v)
{
	size_t klen = strlen(key);

	for (const char *line = text; line != NULL && *line != '\0';) {
		const char *nl = strchr(line, '\n');

		if (strncmp(line, key, klen) == 0 && line[klen] == ' ') {
			return parse_u64(line + klen + 1, v);
		}
		line = nl != NULL ? nl + 1 : NULL;
	}
	return false;
}

/* Every line of a "key value" file's TEXT. */
static void kv_all(const char *text, husk_stat_kv_t **out, size_t *n)
{
	for (const char *line = text; line != NULL && *line != '\0';) {
		const char *nl = strchr(line, '\n');
		const char *sp = strchr(line, ' ');
		uint64_t v;

		if (sp != NULL && (nl == NULL || sp < nl) && parse_u64(sp + 1, &v)) {
			*out = xreallocarray(*out, *n + 1, sizeof(**out));
			(*out)[*n].key = xstrndup(line, (size_t) (sp - line));
			(*out)[*n].value = v;
			(*n)++;
		}
		line = nl != NULL ? nl + 1 : NULL;
	}
}

/* ---- cpu ---- */

static int read_cpu_v2(const husk_cgstats_t *s, husk_stats_t *out, husk_error_t *err)
{
	_cleanup_free_ char *text = read_opt(s->cpu, "cpu.stat", err);
	uint64_t v;

	if (text == NULL) {
		return *err != NULL ? -1 : 0;
	}
	/* microseconds in cpu.stat, nanoseconds in runc's stats */
	out->has_cpu = true;
	if (kv_get(text, "usage_usec", &v)) {
		out->cpu_total = v * 1000;
	}
	if (kv_get(text, "user_usec", &v)) {
		out->cpu_user = v * 1000;
	}
	if (kv_get(text, "system_usec", &v)) {
		out->cpu_kernel = v * 1000;
	}
	kv_get(text, "nr_periods", &out->cpu_periods);
	kv_get(text, "nr_throttled", &out->cpu_throttled_periods);
	if (kv_get(text, "throttled_usec", &v)) {
		out->cpu_throttled_time = v * 1000;
	}
	return 0;
}

static int read_cpu_v1(const husk_cgstats_t *s, husk_stats_t *out, husk_error_t *err)
{
	_cleanup_free_ char *text = NULL;
	int r = read_u64(s->cpuacct, "cpuacct.usage", &out->cpu_total, err);

	if (r <= 0) {
		return r;
	}
	out->has_cpu = true;
	if (read_u64(s->cpuacct, "cpuacct.usage_user", &out->cpu_user, err) < 0 ||
	    read_u64(s->cpuacct, "cpuacct.usage_sys", &out->cpu_kernel, err) < 0) {
		return -1;
	}
	text = read_opt(s->cpu, "cpu.stat", err);
	if (text == NULL) {
		return *err != NULL ? -1 : 0;
	}
	kv_get(text, "nr_periods", &out->cpu_periods);
	kv_get(text, "nr_throttled", &out->cpu_throttled_periods);
	kv_get(text, "throttled_time", &out->cpu_throttled_time);
	return 0;
}

/* ---- memory ---- */

static int read_memory_v2(const husk_cgstats_t *s, husk_stats_t *out, husk_error_t *err)
{
	_cleanup_free_ char *stat = NULL;
	_cleanup_free_ char *events = NULL;
	int r = read_u64(s->memory, "memory.current", &out->mem_usage, err);

	if (r <= 0) {
		return r;
	}
	out->has_memory = true;
	if (read_u64(s->memory, "memory.max", &out->mem_limit, err) < 0 ||
	    read_u64(s->memory, "memory.peak", &out->mem_max, err) < 0) {
		return -1;
	}
	events = read_opt(s->memory, "memory.events", err);
	if (events != NULL) {
		kv_get(events, "max", &out->mem_failcnt);
		out->has_oom_kill = kv_get(events, "oom_kill", &out->mem_oom_kill);
		/* Linux 6.2 and later. */
		out->has_oom_group_kill =
			kv_get(events, "oom_group_kill", &out->mem_oom_group_kill);
	}
	stat = read_opt(s->memory, "memory.stat", err);
	if (stat != NULL) {
		kv_get(stat, "file", &out->mem_cache);
		kv_all(stat, &out->mem_raw, &out->n_mem_raw);
	}
	return *err != NULL ? -1 : 0;
}

static int read_memory_v1(const husk_cgstats_t *s, husk_stats_t *out, husk_error_t *err)
{
	_cleanup_free_ char *stat = NULL;
	_cleanup_free_ char *oom = NULL;
	int r = read_u64(s->memory, "memory.usage_in_bytes", &out->mem_usage, err);

	if (r <= 0) {
		return r;
	}
	out->has_memory = true;
	if (read_u64(s->memory, "memory.max_usage_in_bytes", &out->mem_max, err) < 0 ||
	    read_u64(s->memory, "memory.limit_in_bytes", &out->mem_limit, err) < 0 ||
	    read_u64(s->memory, "memory.failcnt", &out->mem_failcnt, err) < 0) {
		return -1;
	}
	stat = read_opt(s->memory, "memory.stat", err);
	if (stat != NULL) {
		kv_get(stat, "cache", &out->mem_cache);
		kv_all(stat, &out->mem_raw, &out->n_mem_raw);
	}
	/* v1 has no group OOM kill (memory.oom.group is v2's). */
	oom = *err == NULL ? read_opt(s->memory, "memory.oom_control", err) : NULL;
	if (oom != NULL) {
		out->has_oom_kill = kv_get(oom, "oom_kill", &out->mem_oom_kill);
	}
	return *err != NULL ? -1 : 0;
}

/* ---- pids ---- */

static int read_pids(const husk_cgstats_t *s, husk_stats_t *out, husk_error_t *err)
{
	int r = read_u64(s->pids, "pids.current", &out->pids_current, err);

	if (r <= 0) {
		return r;
	}
	out->has_pids = true;
	if (read_u64(s->pids, "pids.max", &out->pids_limit, err) < 0) {
		return -1;
	}
	/* runc's "no limit" for pids is 0 */
	if (out->pids_limit == UINT64_MAX) {
		out->pids_limit = 0;
	}
	return 0;
}

int husk_cgstats_memory_peak(const husk_cgstats_t *s, uint64_t *peak, bool *has, husk_error_t *err)
{
	int r = read_u64(s->memory, s->v2 ? "memory.peak" : "memory.max_usage_in_bytes", peak, err);

	*has = r > 0;
	return r < 0 ? -1 : 0;
}

int husk_cgstats_pids(const husk_cgstats_t *s, uint64_t *current, uint64_t *peak, bool *has_peak,
		      husk_error_t *err)
{
	int r;

	*current = 0;
	*peak = 0;
	*has_peak = false;
	if (read_u64(s->pids, "pids.current", current, err) < 0) {
		return -1;
	}
	/* pids.peak: v2 only, since Linux 6.12. */
	r = s->v2 ? read_u64(s->pids, "pids.peak", peak, err) : 0;
	if (r < 0) {
		return -1;
	}
	*has_peak = r > 0;
	return 0;
}

/* ---- hugetlb ---- */

/* "hugepages-2048kB" as runc names the size: "2MB". */
static char *page_size_name(const char *dirent)
{
	static const char *const units[] = { "KB", "MB", "GB", "TB" };
	unsigned long long kb;
	size_t u = 0;

	if (sscanf(dirent, "hugepages-%llukB", &kb) != 1 || kb == 0) {
		return NULL;
	}
	while (kb >= 1024 && kb % 1024 == 0 && u + 1 < sizeof(units) / sizeof(units[0])) {
		kb /= 1024;
		u++;
	}
	return xasprintf("%llu%s", kb, units[u]);
}

static int read_hugetlb_size(const husk_cgstats_t *s, const char *size, husk_stats_t *out,
			     husk_error_t *err)
{
	bool v2 = s->v2;
	husk_hugetlb_stats_t h = { 0 };
	_cleanup_free_ char *usage =
		xasprintf("hugetlb.%s.%s", size, v2 ? "current" : "usage_in_bytes");
	_cleanup_free_ char *max = xasprintf("hugetlb.%s.max_usage_in_bytes", size);
	_cleanup_free_ char *fail = xasprintf("hugetlb.%s.%s", size, v2 ? "events" : "failcnt");
	int r = read_u64(s->hugetlb, usage, &h.usage, err);

	if (r <= 0) {
		return r;
	}
	if (!v2 && (read_u64(s->hugetlb, max, &h.max, err) < 0 ||
		    read_u64(s->hugetlb, fail, &h.failcnt, err) < 0)) {
		return -1;
	}
	if (v2) {
		_cleanup_free_ char *events = read_opt(s->hugetlb, fail, err);

		if (events != NULL) {
			kv_get(events, "max", &h.failcnt);
		}
	}
	h.page_size = xstrdup(size);
	out->hugetlb = xreallocarray(out->hugetlb, out->n_hugetlb + 1, sizeof(h));
	out->hugetlb[out->n_hugetlb++] = h;
	return 0;
}

static int read_hugetlb(const husk_cgstats_t *s, husk_stats_t *out, husk_error_t *err)
{
	_cleanup_closedir_ DIR *d = s->hugetlb != NULL ? opendir(HUGEPAGES_DIR) : NULL;
	struct dirent *e;

	while (d != NULL && (e = readdir(d)) != NULL) {
		_cleanup_free_ char *size = page_size_name(e->d_name);

		if (size != NULL && read_hugetlb_size(s, size, out, err) < 0) {
			return -1;
		}
	}
	return 0;
}

/* ---- pressure ---- */

/* One line of a *.pressure file: "some avg10=0.00 avg60=0.00 avg300=0.00
 * total=0". */
static bool parse_psi_line(const char *line, const char *kind, husk_psi_data_t *d)
{
	size_t k = strlen(kind);

	return strncmp(line, kind, k) == 0 &&
	       sscanf(line + k, " avg10=%lf avg60=%lf avg300=%lf total=%" SCNu64, &d->avg10,
		      &d->avg60, &d->avg300, &d->total) == 4;
}

/* FILE of the cgroup's v2 directory, when there is one and the kernel
 * keeps pressure stall information (not booted with psi=0: EOPNOTSUPP). */
static int read_psi(const husk_cgstats_t *s, const char *file, husk_psi_t *out, husk_error_t *err)
{
	_cleanup_free_ char *text = read_opt(s->unified, file, err);
	const char *full;

	if (text == NULL) {
		if (*err != NULL && husk_error_errno_of(*err) == EOPNOTSUPP) {
			husk_error_free(err);
		}
		return *err != NULL ? -1 : 0;
	}
	out->has = parse_psi_line(text, "some", &out->some);
	full = strstr(text, "\nfull ");
	out->has_full = out->has && full != NULL && parse_psi_line(full + 1, "full", &out->full);
	return 0;
}

int husk_cgstats_read(const husk_cgstats_t *s, husk_stats_t *out, husk_error_t *err)
{
	bool v2 = s->v2;

	memset(out, 0, sizeof(*out));
	if ((v2 ? read_cpu_v2(s, out, err) : read_cpu_v1(s, out, err)) < 0 ||
	    (v2 ? read_memory_v2(s, out, err) : read_memory_v1(s, out, err)) < 0 ||
	    read_pids(s, out, err) < 0 || read_hugetlb(s, out, err) < 0 ||
	    read_psi(s, "cpu.pressure", &out->cpu_psi, err) < 0 ||
	    read_psi(s, "memory.pressure", &out->mem_psi, err) < 0 ||
	    read_psi(s, "io.pressure", &out->io_psi, err) < 0) {
		husk_stats_clear(out);
		return -1;
	}
	return 0;
}

/* ---- OOM ---- */

int husk_cgstats_oom_count(const husk_cgstats_t *s, uint64_t *n, husk_error_t *err)
{
	const char *file = s->v2 ? "memory.events" : "memory.oom_control";
	_cleanup_free_ char *text = read_opt(s->memory, file, err);

	*n = 0;
	if (text == NULL) {
		if (*err != NULL) {
			return -1;
		}
		return husk_error_make(err, ENOENT, "cgroups: no `%s` for the container", file);
	}
	kv_get(text, "oom_kill", n);
	return 0;
}

static int oom_watch_v2(husk_cgstats_t *s, husk_error_t *err)
{
	_cleanup_free_ char *path = xasprintf("%s/memory.events", s->memory);
	_cleanup_close_ int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);

	if (fd < 0) {
		return husk_error_errno(err, "cgroups: inotify_init1");
	}
	/* cgroupfs signals a change of memory.events as IN_MODIFY. */
	if (inotify_add_watch(fd, path, IN_MODIFY) < 0) {
		return husk_error_errno(err, "cgroups: watch `%s`", path);
	}
	s->oom_fd = TAKE_FD(fd);
	return s->oom_fd;
}

static int oom_watch_v1(husk_cgstats_t *s, husk_error_t *err)
{
	_cleanup_free_ char *ctl = xasprintf("%s/memory.oom_control", s->memory);
	_cleanup_free_ char *reg = xasprintf("%s/cgroup.event_control", s->memory);
	_cleanup_close_ int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	_cleanup_close_ int ctlfd = open(ctl, HUSK_O_RDONLY);
	_cleanup_close_ int regfd = open(reg, HUSK_O_WRONLY);
	char line[32];
	int len;

	if (efd < 0) {
		return husk_error_errno(err, "cgroups: eventfd");
	}
	if (ctlfd < 0 || regfd < 0) {
		return husk_error_errno(err, "cgroups: open `%s`", ctlfd < 0 ? ctl : reg);
	}
	/* "<eventfd> <memory.oom_control fd>": the kernel signals the eventfd
	 * on every OOM of the cgroup, and when the cgroup is removed. */
	len = snprintf(line, sizeof(line), "%d %d", efd, ctlfd);
	if (write(regfd, line, (size_t) len) != len) {
		return husk_error_errno(err, "cgroups: register an OOM eventfd in `%s`", reg);
	}
	s->oom_ctl_fd = TAKE_FD(ctlfd);
	s->oom_fd = TAKE_FD(efd);
	return s->oom_fd;
}

int husk_cgstats_oom_fd(husk_cgstats_t *s, husk_error_t *err)
{
	if (s->oom_fd >= 0) {
		return s->oom_fd;
	}
	if (s->memory == NULL) {
		return husk_error_make(err, 0, "cgroups: the container has no memory cgroup");
	}
	return s->v2 ? oom_watch_v2(s, err) : oom_watch_v1(s, err);
}

void husk_cgstats_oom_drain(const husk_cgstats_t *s)
{
	char buf[4096];

	if (s->oom_fd < 0) {
		return;
	}
	while (read(s->oom_fd, buf, sizeof(buf)) > 0) {
		/* an eventfd reads once; inotify may hold several events */
	}
}
