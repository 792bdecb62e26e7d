/* husk cgroups: the v1 manager, for v1 and hybrid hosts.  libcgroup finds
 * where each v1 controller is mounted; the unified hierarchy of a hybrid
 * host gets the cgroup too, as runc makes it there, and the init is cloned
 * into that one. */
#include <errno.h>
#include <inttypes.h>
#include <libcgroup.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <unistd.h>

#include "cgroups/cgroup-internal.h"
#include "cgroups/io.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/xalloc.h"

static int find_v1(husk_cgroup_t *cg, husk_error_t *err)
{
	struct controller_data d;
	void *h = NULL;
	int r;

	if (husk_cg_lib_init(err) < 0) {
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
		if (!seen && cg->n < HUSK_CG_V1_MAX) {
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

static int apply_devices(const char *dir, const husk_linux_t *l, husk_error_t *err)
{
	_cleanup_free_ husk_device_rule_t *rules = NULL;
	size_t n = husk_cg_device_rules(l, &rules);

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
		if (husk_cg_write(dir, d->allow ? "devices.allow" : "devices.deny", rule, err) <
		    0) {
			return -1;
		}
	}
	return 0;
}

static int apply_memory(const husk_cgroup_t *cg, const husk_memory_t *m, husk_error_t *err)
{
	const char *mem = v1_dir(cg, "memory");

	if (husk_cg_need_dir(cg, mem, "memory", err) < 0) {
		return -1;
	}
	if (m->has_limit && m->limit != 0 &&
	    husk_cg_write_int(mem, "memory.limit_in_bytes", m->limit, err) < 0) {
		return -1;
	}
	if (m->has_swap && m->swap != 0 &&
	    husk_cg_write_int(mem, "memory.memsw.limit_in_bytes", m->swap, err) < 0) {
		return -1;
	}
	if (m->has_reservation && m->reservation != 0 &&
	    husk_cg_write_int(mem, "memory.soft_limit_in_bytes", m->reservation, err) < 0) {
		return -1;
	}
	if (m->has_swappiness && m->swappiness <= 100 &&
	    husk_cg_write_int(mem, "memory.swappiness", (int64_t) m->swappiness, err) < 0) {
		return -1;
	}
	if (m->has_disable_oom_killer && m->disable_oom_killer &&
	    husk_cg_write(mem, "memory.oom_control", "1", err) < 0) {
		return -1;
	}
	return 0;
}

static int apply_pids(const husk_cgroup_t *cg, const husk_pids_t *p, husk_error_t *err)
{
	const char *pids = v1_dir(cg, "pids");

	if (!p->has_limit) {
		return 0;
	}
	if (husk_cg_need_dir(cg, pids, "pids", err) < 0) {
		return -1;
	}
	return p->limit > 0 ? husk_cg_write_int(pids, "pids.max", p->limit, err)
			    : husk_cg_write(pids, "pids.max", "max", err);
}

static int apply_cpuset(const husk_cgroup_t *cg, const husk_cpu_t *c, husk_error_t *err)
{
	const char *cpuset = v1_dir(cg, "cpuset");
	bool cpus = c->cpus != NULL && c->cpus[0] != '\0';
	bool mems = c->mems != NULL && c->mems[0] != '\0';

	if (!cpus && !mems) {
		return 0;
	}
	if (husk_cg_need_dir(cg, cpuset, "cpuset", err) < 0 ||
	    (cpus && husk_cg_write(cpuset, "cpuset.cpus", c->cpus, err) < 0) ||
	    (mems && husk_cg_write(cpuset, "cpuset.mems", c->mems, err) < 0)) {
		return -1;
	}
	return 0;
}

static int apply_cpu(const husk_cgroup_t *cg, const husk_cpu_t *c, husk_error_t *err)
{
	const char *cpu = v1_dir(cg, "cpu");

	if ((c->has_shares || c->has_quota || c->has_period) &&
	    husk_cg_need_dir(cg, cpu, "cpu", err) < 0) {
		return -1;
	}
	if (c->has_shares && c->shares != 0 &&
	    husk_cg_write_int(cpu, "cpu.shares", (int64_t) c->shares, err) < 0) {
		return -1;
	}
	if (c->has_period && c->period != 0 &&
	    husk_cg_write_int(cpu, "cpu.cfs_period_us", (int64_t) c->period, err) < 0) {
		return -1;
	}
	if (c->has_quota && c->quota != 0 &&
	    husk_cg_write_int(cpu, "cpu.cfs_quota_us", c->quota, err) < 0) {
		return -1;
	}
	if (c->has_realtime_period && c->realtime_period != 0 &&
	    husk_cg_write_int(cpu, "cpu.rt_period_us", (int64_t) c->realtime_period, err) < 0) {
		return -1;
	}
	if (c->has_realtime_runtime && c->realtime_runtime != 0 &&
	    husk_cg_write_int(cpu, "cpu.rt_runtime_us", c->realtime_runtime, err) < 0) {
		return -1;
	}
	return apply_cpuset(cg, c, err);
}

static int apply_blkio(const husk_cgroup_t *cg, const husk_blkio_t *b, husk_error_t *err)
{
	const char *blkio = v1_dir(cg, "blkio");

	if (husk_cg_need_dir(cg, blkio, "blkio", err) < 0) {
		return -1;
	}
	if (b->has_weight && b->weight != 0 &&
	    husk_cg_write_int(blkio, "blkio.weight", b->weight, err) < 0) {
		return -1;
	}
	if (husk_cgroup_apply_io_throttle(blkio, false, b, err) < 0) {
		return -1;
	}
	for (size_t i = 0; i < b->weight_device.n; i++) {
		const husk_blkio_weight_t *w = &b->weight_device.v[i];
		char line[64];

		if (!w->has_weight || w->weight == 0) {
			continue;
		}
		snprintf(line, sizeof(line), "%" PRId64 ":%" PRId64 " %u", w->major, w->minor,
			 w->weight);
		if (husk_cg_write(blkio, "blkio.weight_device", line, err) < 0) {
			return -1;
		}
	}
	return 0;
}

/* hugetlb lives in a v1 hierarchy, or, on this kind of hybrid host, in the
 * unified one. */
static int apply_hugepage(const husk_cgroup_t *cg, const husk_hugepage_t *h, husk_error_t *err)
{
	const char *v1 = v1_dir(cg, "hugetlb");
	const char *dir = v1 != NULL ? v1 : cg->unified;
	_cleanup_free_ char *file = NULL;
	_cleanup_free_ char *rsvd = NULL;

	if (dir == NULL) {
		return husk_cg_need_dir(cg, NULL, "hugetlb", err);
	}
	file = xasprintf(v1 != NULL ? "hugetlb.%s.limit_in_bytes" : "hugetlb.%s.max", h->page_size);
	rsvd = xasprintf(v1 != NULL ? "hugetlb.%s.rsvd.limit_in_bytes" : "hugetlb.%s.rsvd.max",
			 h->page_size);
	/* A unified root that does not hand hugetlb down: enabling it there
	 * would change the host's own cgroup root, which husk never does. */
	if (v1 == NULL && !husk_cg_exists(dir, file)) {
		return husk_error_make(err, 0,
				       "linux.resources.hugepageLimits: hugetlb is only in this "
				       "host's unified hierarchy, which does not delegate it "
				       "(cgroup.subtree_control)");
	}
	/* The reservation limit, where the kernel has one, follows the limit
	 * (runc does the same). */
	if (husk_cg_write_int(dir, file, (int64_t) h->limit, err) < 0 ||
	    (husk_cg_exists(dir, rsvd) &&
	     husk_cg_write_int(dir, rsvd, (int64_t) h->limit, err) < 0)) {
		return -1;
	}
	return 0;
}

static int v1_apply(husk_cgroup_t *cg, const husk_linux_t *l, husk_error_t *err)
{
	const husk_resources_t *r = l->resources;

	if (husk_cg_apply_rdma(v1_dir(cg, "rdma"), r, err) < 0) {
		return -1;
	}
	if (r->unified.n > 0) {
		return husk_error_make(err, 0,
				       "linux.resources.unified: needs a cgroup v2 host (this one "
				       "is v1)");
	}
	if ((r->memory != NULL && apply_memory(cg, r->memory, err) < 0) ||
	    (r->pids != NULL && apply_pids(cg, r->pids, err) < 0) ||
	    (r->cpu != NULL && apply_cpu(cg, r->cpu, err) < 0) ||
	    (r->block_io != NULL && apply_blkio(cg, r->block_io, err) < 0)) {
		return -1;
	}
	if (r->devices.n > 0 && !(cg->rootless && geteuid() != 0) &&
	    (husk_cg_need_dir(cg, v1_dir(cg, "devices"), "devices", err) < 0 ||
	     apply_devices(v1_dir(cg, "devices"), l, err) < 0)) {
		return -1;
	}
	for (size_t i = 0; i < r->hugepage_limits.n; i++) {
		if (apply_hugepage(cg, &r->hugepage_limits.v[i], err) < 0) {
			return -1;
		}
	}
	return 0;
}

static int v1_update(husk_cgroup_t *cg, const husk_resources_t *r, husk_error_t *err)
{
	husk_linux_t l = { .resources = (husk_resources_t *) r };

	if (husk_cg_check_before_update(cg, v1_dir(cg, "memory"), "memory.usage_in_bytes", r, err) <
	    0) {
		return -1;
	}
	return v1_apply(cg, &l, err);
}

/* ---- the hierarchies ---- */

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

/* Make the cgroup in hierarchy I; *KEEP false when, rootless, the caller
 * may not. */
static int make_in(husk_cgroup_t *cg, size_t i, bool *keep, husk_error_t *err)
{
	size_t root_len = strlen(cg->v1[i]) - strlen(cg->path);
	_cleanup_free_ char *root = xstrndup(cg->v1[i], root_len);
	_cleanup_free_ char *made = NULL;
	_cleanup_error_ husk_error_t e = NULL;
	bool existed = false;

	made = husk_cg_make_dirs(root, cg->path, strcmp(cg->v1_ctl[i], "cpuset") == 0, false,
				 &existed, &e);
	cg->existed |= existed;
	if (made == NULL && !(cg->rootless && husk_cg_not_ours(e))) {
		return husk_error_move(err, &e);
	}
	*keep = made != NULL;
	return 0;
}

/* The v1 hierarchies where the cgroup is (CREATE: made), dropping those a
 * rootless caller may not write. */
static int setup_v1(husk_cgroup_t *cg, bool create, husk_error_t *err)
{
	size_t kept = 0;
	int r = 0;

	for (size_t i = 0; i < cg->n; i++) {
		/* Rootless, the devices hierarchy takes no rule from anyone
		 * but a privileged writer: the container stays in the
		 * caller's. */
		bool keep =
			!(cg->rootless && geteuid() != 0 && strcmp(cg->v1_ctl[i], "devices") == 0);

		if (r == 0 && keep && create && make_in(cg, i, &keep, err) < 0) {
			r = -1; /* the rest is kept, to be freed with CG */
			keep = true;
		}
		if (!keep) {
			husk_debug("cgroups: rootless: `%s` left out", cg->v1[i]);
			husk_cg_add_dropped(cg, cg->v1_ctl[i]);
			free(cg->v1[i]);
			free(cg->v1_ctl[i]);
			continue;
		}
		cg->v1[kept] = cg->v1[i];
		cg->v1_ctl[kept] = cg->v1_ctl[i];
		kept++;
	}
	cg->n = kept;
	return r;
}

static bool is_cgroup2(const char *path)
{
	struct statfs sfs;

	return statfs(path, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
}

static int setup(husk_cgroup_t *cg, bool create, const char *const *controllers, husk_error_t *err)
{
	if (find_v1(cg, err) < 0) {
		return -1;
	}
	/* Made in some hierarchies only: an existing cgroup is opened where
	 * it exists. */
	if (controllers != NULL || !create) {
		filter_v1(cg, controllers, !create);
	}
	if (is_cgroup2(HUSK_CG_UNIFIED) &&
	    husk_cg_unified_setup(cg, HUSK_CG_UNIFIED, create, "hugetlb", err) < 0) {
		return -1;
	}
	return setup_v1(cg, create, err);
}

static int v1_make(husk_cgroup_t *cg, const husk_cgroup_req_t *req, husk_error_t *err)
{
	const husk_linux_t *l = req->cfg->linux_;
	int r = husk_cg_fs_path(cg, req, err);

	if (r != 0) {
		return r < 0 ? -1 : husk_cg_make_disabled(cg, req, err);
	}
	cg->rootless = req->rootless;
	if (setup(cg, true, req->controllers, err) < 0) {
		return -1;
	}
	if (cg->n == 0 && cg->unified == NULL && req->rootless) {
		/* Nothing delegated: the container stays in the caller's
		 * cgroups, as with the manager disabled. */
		return husk_cg_none_writable(cg, l, err);
	}
	return husk_cg_fs_finish(cg, l, v1_apply, err);
}

static int v1_open(husk_cgroup_t *cg, husk_error_t *err)
{
	cg->rootless = geteuid() != 0;
	return setup(cg, false, NULL, err);
}

static int v1_enter(husk_cgroup_t *cg, pid_t pid, husk_error_t *err)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%d", pid);
	for (size_t i = 0; i < cg->n; i++) {
		if (husk_cg_write(cg->v1[i], "cgroup.procs", buf, err) < 0) {
			return -1;
		}
	}
	if (cg->unified != NULL && cg->unified_fd < 0 &&
	    husk_cg_write(cg->unified, "cgroup.procs", buf, err) < 0) {
		return -1;
	}
	return 0;
}

const husk_cgroup_manager_t husk_cg_v1 = {
	.name = "v1",
	.unified = false,
	.make = v1_make,
	.open = v1_open,
	.update = v1_update,
	.enter = v1_enter,
	.destroy = husk_cg_fs_destroy,
};
