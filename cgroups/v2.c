/* husk cgroups: the v2 manager, one cgroup2 directory holding every
 * controller. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroups/cgroup-internal.h"
#include "cgroups/devices-bpf.h"
#include "cgroups/io.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/xalloc.h"

/* cpu.shares (v1, what the spec and Kubernetes speak in) to cpu.weight.
 * Not the old linear map, which made the default 1024 shares a weight of
 * 39 against the 100 of every process outside a container: the curve that
 * Kubernetes asked for and runc 1.3.2, crun 1.23 and youki use, a quadratic
 * in log2(shares) through 2 -> 1, 1024 -> 100 and 262144 -> 10000, its
 * power of ten rounded up. */
uint64_t husk_cg_shares_to_weight(uint64_t shares)
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
uint64_t husk_cg_blkio_to_io_weight(uint64_t w)
{
	return w == 0 ? 0 : 1 + ((w - 10) * 9999) / 990;
}

static int write_limit(const char *d, const char *file, int64_t v, husk_error_t *err)
{
	return v > 0 ? husk_cg_write_int(d, file, v, err) : husk_cg_write(d, file, "max", err);
}

static int apply_memory(const char *d, const husk_memory_t *m, husk_error_t *err)
{
	if (m->has_limit && m->limit != 0 && write_limit(d, "memory.max", m->limit, err) < 0) {
		return -1;
	}
	if (m->has_reservation && m->reservation > 0 &&
	    husk_cg_write_int(d, "memory.low", m->reservation, err) < 0) {
		return -1;
	}
	/* The spec's swap is memory plus swap; v2's is swap alone. */
	if (m->has_swap && m->swap != 0) {
		if (m->swap < 0) {
			if (husk_cg_write(d, "memory.swap.max", "max", err) < 0) {
				return -1;
			}
		} else if (!m->has_limit || m->limit <= 0 || m->swap < m->limit) {
			return husk_error_make(err, 0,
					       "linux.resources.memory.swap: %" PRId64
					       " must be at least memory.limit",
					       m->swap);
		} else if (husk_cg_write_int(d, "memory.swap.max", m->swap - m->limit, err) < 0) {
			return -1;
		}
	}
	if (m->has_disable_oom_killer && m->disable_oom_killer) {
		husk_warn("linux.resources.memory.disableOOMKiller: cgroup v2 has no such "
			  "switch; ignored as runc does");
	}
	return 0;
}

static int apply_cpu(const char *d, const husk_cpu_t *c, husk_error_t *err)
{
	char buf[64];

	if (c->has_shares && c->shares != 0 &&
	    husk_cg_write_int(d, "cpu.weight", (int64_t) husk_cg_shares_to_weight(c->shares), err) <
		    0) {
		return -1;
	}
	if ((c->has_quota && c->quota != 0) || (c->has_period && c->period != 0)) {
		uint64_t period = c->has_period && c->period != 0 ? c->period : 100000;

		if (c->has_quota && c->quota > 0) {
			snprintf(buf, sizeof(buf), "%" PRId64 " %" PRIu64, c->quota, period);
		} else {
			snprintf(buf, sizeof(buf), "max %" PRIu64, period);
		}
		if (husk_cg_write(d, "cpu.max", buf, err) < 0) {
			return -1;
		}
	}
	if (c->has_burst && husk_cg_write_int(d, "cpu.max.burst", (int64_t) c->burst, err) < 0) {
		return -1;
	}
	if (c->has_idle && husk_cg_write_int(d, "cpu.idle", c->idle, err) < 0) {
		return -1;
	}
	if (c->cpus != NULL && c->cpus[0] != '\0' &&
	    husk_cg_write(d, "cpuset.cpus", c->cpus, err) < 0) {
		return -1;
	}
	if (c->mems != NULL && c->mems[0] != '\0' &&
	    husk_cg_write(d, "cpuset.mems", c->mems, err) < 0) {
		return -1;
	}
	return 0;
}

static int apply_io(const char *d, const husk_blkio_t *b, husk_error_t *err)
{
	char buf[64];

	if (b->has_weight && b->weight != 0 &&
	    husk_cg_write_int(d, "io.weight", (int64_t) husk_cg_blkio_to_io_weight(b->weight),
			      err) < 0) {
		return -1;
	}
	if (husk_cgroup_apply_io_throttle(d, true, b, err) < 0) {
		return -1;
	}
	for (size_t i = 0; i < b->weight_device.n; i++) {
		const husk_blkio_weight_t *w = &b->weight_device.v[i];

		if (!w->has_weight || w->weight == 0) {
			continue;
		}
		snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %" PRIu64, w->major, w->minor,
			 husk_cg_blkio_to_io_weight(w->weight));
		if (husk_cg_write(d, "io.weight", buf, err) < 0) {
			return -1;
		}
	}
	return 0;
}

static int apply_unified(const char *d, const husk_kvs_t *u, husk_error_t *err)
{
	for (size_t i = 0; i < u->n; i++) {
		const char *k = u->v[i].key;

		if (strchr(k, '/') != NULL || k[0] == '.') {
			return husk_error_make(err, 0, "linux.resources.unified: bad key `%s`", k);
		}
		if (husk_cg_write(d, k, u->v[i].value, err) < 0) {
			return husk_error_wrap(err, "linux.resources.unified");
		}
	}
	return 0;
}

static int apply_hugetlb(const char *d, const husk_resources_t *r, husk_error_t *err)
{
	for (size_t i = 0; i < r->hugepage_limits.n; i++) {
		const husk_hugepage_t *h = &r->hugepage_limits.v[i];
		_cleanup_free_ char *file = xasprintf("hugetlb.%s.max", h->page_size);
		_cleanup_free_ char *rsvd = xasprintf("hugetlb.%s.rsvd.max", h->page_size);

		/* The reservation limit, where the kernel has one, follows the
		 * limit (runc does the same): a reserved page is as good as a
		 * used one for the limit's purpose. */
		if (husk_cg_write_int(d, file, (int64_t) h->limit, err) < 0 ||
		    (husk_cg_exists(d, rsvd) &&
		     husk_cg_write_int(d, rsvd, (int64_t) h->limit, err) < 0)) {
			return -1;
		}
	}
	return 0;
}

static int apply_devices(const husk_cgroup_t *cg, const husk_linux_t *l, husk_error_t *err)
{
	_cleanup_free_ husk_device_rule_t *rules = NULL;
	size_t n;

	/* Rootless, attaching a program needs privilege the caller has not;
	 * a user namespace makes no device node anyway. */
	if (l->resources->devices.n == 0 || (cg->rootless && geteuid() != 0)) {
		return 0;
	}
	n = husk_cg_device_rules(l, &rules);
	if (husk_devices_bpf_apply(cg->unified, rules, n, err) < 0) {
		return husk_error_wrap(err, "linux.resources.devices");
	}
	return 0;
}

int husk_cg_v2_apply(husk_cgroup_t *cg, const husk_linux_t *l, husk_error_t *err)
{
	const husk_resources_t *r = l->resources;
	const char *d = cg->unified;

	if (r == NULL) {
		return 0;
	}
	if (husk_cg_apply_rdma(d, r, err) < 0 ||
	    (r->memory != NULL && apply_memory(d, r->memory, err) < 0) ||
	    (r->pids != NULL && r->pids->has_limit &&
	     write_limit(d, "pids.max", r->pids->limit, err) < 0) ||
	    (r->cpu != NULL && apply_cpu(d, r->cpu, err) < 0) ||
	    (r->block_io != NULL && apply_io(d, r->block_io, err) < 0) ||
	    apply_unified(d, &r->unified, err) < 0 || apply_devices(cg, l, err) < 0) {
		return -1;
	}
	return apply_hugetlb(d, r, err);
}

int husk_cg_v2_update(husk_cgroup_t *cg, const husk_resources_t *r, husk_error_t *err)
{
	husk_linux_t l = { .resources = (husk_resources_t *) r };

	if (husk_cg_check_before_update(cg, cg->unified, "memory.current", r, err) < 0) {
		return -1;
	}
	return husk_cg_v2_apply(cg, &l, err);
}

static int v2_make(husk_cgroup_t *cg, const husk_cgroup_req_t *req, husk_error_t *err)
{
	const husk_linux_t *l = req->cfg->linux_;
	int r = husk_cg_fs_path(cg, req, err);

	if (r != 0) {
		return r < 0 ? -1 : husk_cg_make_disabled(cg, req, err);
	}
	cg->rootless = req->rootless;
	if (husk_cg_unified_setup(cg, HUSK_CG_ROOT, true, "unified", err) < 0) {
		return -1;
	}
	if (cg->unified == NULL) {
		/* Rootless, and the unified hierarchy would not take it. */
		return husk_cg_none_writable(cg, l, err);
	}
	return husk_cg_fs_finish(cg, l, husk_cg_v2_apply, err);
}

static int v2_open(husk_cgroup_t *cg, husk_error_t *err)
{
	cg->rootless = geteuid() != 0;
	return husk_cg_unified_setup(cg, HUSK_CG_ROOT, false, "unified", err);
}

static int v2_enter(husk_cgroup_t *cg, pid_t pid, husk_error_t *err)
{
	char buf[24];

	if (cg->unified == NULL || cg->unified_fd >= 0) {
		return 0;
	}
	snprintf(buf, sizeof(buf), "%d", pid);
	return husk_cg_write(cg->unified, "cgroup.procs", buf, err);
}

const husk_cgroup_manager_t husk_cg_v2 = {
	.name = "v2",
	.unified = true,
	.make = v2_make,
	.open = v2_open,
	.update = husk_cg_v2_update,
	.enter = v2_enter,
	.destroy = husk_cg_fs_destroy,
};
