/* husk spec: config.json `linux.resources`.
 *
 * Docker fills in zeros for every limit it was not given; they mean "unset",
 * so the range checks below let 0 through wherever the kernel's own minimum
 * would otherwise refuse it.
 */
#include <string.h>

#include "spec/config-internal.h"

/* ---- devices ---- */

static const husk_field_t rule_fields[] = {
	HUSK_FIELD_REQ("allow", &husk_kind_bool, husk_device_rule_t, allow),
	HUSK_FIELD("type", &husk_kind_string, husk_device_rule_t, type),
	HUSK_FIELD_OPT("major", &husk_kind_i64, husk_device_rule_t, major),
	HUSK_FIELD_OPT("minor", &husk_kind_i64, husk_device_rule_t, minor),
	HUSK_FIELD("access", &husk_kind_string, husk_device_rule_t, access),
};

static int check_access(husk_walk_t *w, const char *access)
{
	char q[200];

	for (size_t i = 0; access != NULL && access[i] != '\0'; i++) {
		if (strchr("rwm", access[i]) == NULL || strchr(access + i + 1, access[i]) != NULL) {
			husk_json_quote(access, q, sizeof(q));
			return husk_walk_fail_key(
				w, "access", "expected a combination of r, w and m, got %s", q);
		}
	}
	return 0;
}

static int check_rule(husk_walk_t *w, void *obj)
{
	husk_device_rule_t *r = obj;
	char q[200];

	if (r->type != NULL && strcmp(r->type, "a") != 0 && strcmp(r->type, "b") != 0 &&
	    strcmp(r->type, "c") != 0) {
		husk_json_quote(r->type, q, sizeof(q));
		return husk_walk_fail_key(w, "type", "expected \"a\", \"b\" or \"c\", got %s", q);
	}
	/* -1 is how Go clients spell "any". */
	if (r->has_major && husk_check_range(w, "major", r->major, -1, UINT32_MAX) < 0) {
		return -1;
	}
	if (r->has_minor && husk_check_range(w, "minor", r->minor, -1, UINT32_MAX) < 0) {
		return -1;
	}
	return check_access(w, r->access);
}

static const husk_obj_type_t rule_type = HUSK_OBJ_TYPE(husk_device_rule_t, rule_fields, check_rule);

/* ---- memory, cpu, pids ---- */

static const husk_field_t memory_fields[] = {
	HUSK_FIELD_OPT("limit", &husk_kind_i64, husk_memory_t, limit),
	HUSK_FIELD_OPT("reservation", &husk_kind_i64, husk_memory_t, reservation),
	HUSK_FIELD_OPT("swap", &husk_kind_i64, husk_memory_t, swap),
	HUSK_FIELD_OPT("kernel", &husk_kind_i64, husk_memory_t, kernel),
	HUSK_FIELD_OPT("kernelTCP", &husk_kind_i64, husk_memory_t, kernel_tcp),
	HUSK_FIELD_OPT("swappiness", &husk_kind_u64, husk_memory_t, swappiness),
	HUSK_FIELD_OPT("disableOOMKiller", &husk_kind_bool, husk_memory_t, disable_oom_killer),
	HUSK_FIELD_OPT("useHierarchy", &husk_kind_bool, husk_memory_t, use_hierarchy),
	HUSK_FIELD_OPT("checkBeforeUpdate", &husk_kind_bool, husk_memory_t, check_before_update),
};

static int check_memory(husk_walk_t *w, void *obj)
{
	husk_memory_t *m = obj;
	static const struct {
		const char *key;
		size_t has, val;
	} limits[] = {
		{ "limit", offsetof(husk_memory_t, has_limit), offsetof(husk_memory_t, limit) },
		{ "reservation", offsetof(husk_memory_t, has_reservation),
		  offsetof(husk_memory_t, reservation) },
		{ "swap", offsetof(husk_memory_t, has_swap), offsetof(husk_memory_t, swap) },
		{ "kernel", offsetof(husk_memory_t, has_kernel), offsetof(husk_memory_t, kernel) },
		{ "kernelTCP", offsetof(husk_memory_t, has_kernel_tcp),
		  offsetof(husk_memory_t, kernel_tcp) },
	};

	for (size_t i = 0; i < HUSK_N(limits); i++) {
		int64_t v = *(int64_t *) ((char *) m + limits[i].val);

		/* -1 is "unlimited"; nothing below it means anything. */
		if (*(bool *) ((char *) m + limits[i].has) &&
		    husk_check_range(w, limits[i].key, v, -1, INT64_MAX) < 0) {
			return -1;
		}
	}
	/* Go clients turn an unset swappiness of -1 into 2^64 - 1. */
	if (m->has_swappiness && m->swappiness == UINT64_MAX) {
		m->has_swappiness = false;
	}
	if (m->has_swappiness && m->swappiness > 100) {
		return husk_walk_fail_key(w, "swappiness", "%llu is out of range [0, 100]",
					  (unsigned long long) m->swappiness);
	}
	return 0;
}

static const husk_obj_type_t memory_type =
	HUSK_OBJ_TYPE(husk_memory_t, memory_fields, check_memory);

static const husk_field_t cpu_fields[] = {
	HUSK_FIELD_OPT("shares", &husk_kind_u64, husk_cpu_t, shares),
	HUSK_FIELD_OPT("quota", &husk_kind_i64, husk_cpu_t, quota),
	HUSK_FIELD_OPT("burst", &husk_kind_u64, husk_cpu_t, burst),
	HUSK_FIELD_OPT("period", &husk_kind_u64, husk_cpu_t, period),
	HUSK_FIELD_OPT("realtimeRuntime", &husk_kind_i64, husk_cpu_t, realtime_runtime),
	HUSK_FIELD_OPT("realtimePeriod", &husk_kind_u64, husk_cpu_t, realtime_period),
	HUSK_FIELD("cpus", &husk_kind_string, husk_cpu_t, cpus),
	HUSK_FIELD("mems", &husk_kind_string, husk_cpu_t, mems),
	HUSK_FIELD_OPT("idle", &husk_kind_i64, husk_cpu_t, idle),
};

static int check_cpu(husk_walk_t *w, void *obj)
{
	husk_cpu_t *c = obj;

	if (husk_check_cpu_list(w, "cpus", c->cpus) < 0 ||
	    husk_check_cpu_list(w, "mems", c->mems) < 0) {
		return -1;
	}
	if (c->has_quota && husk_check_range(w, "quota", c->quota, -1, INT64_MAX) < 0) {
		return -1;
	}
	return c->has_idle ? husk_check_range(w, "idle", c->idle, 0, 1) : 0;
}

static const husk_obj_type_t cpu_type = HUSK_OBJ_TYPE(husk_cpu_t, cpu_fields, check_cpu);

static const husk_field_t pids_fields[] = {
	HUSK_FIELD_OPT("limit", &husk_kind_i64, husk_pids_t, limit),
};
static const husk_obj_type_t pids_type = HUSK_OBJ_TYPE(husk_pids_t, pids_fields, NULL);

/* ---- blockIO ---- */

static int check_weight(husk_walk_t *w, const char *key, bool has, uint16_t weight)
{
	if (has && weight != 0 && (weight < 10 || weight > 1000)) {
		return husk_walk_fail_key(w, key, "%u is out of range [10, 1000]", weight);
	}
	return 0;
}

static const husk_field_t weight_dev_fields[] = {
	HUSK_FIELD_REQ("major", &husk_kind_i64, husk_blkio_weight_t, major),
	HUSK_FIELD_REQ("minor", &husk_kind_i64, husk_blkio_weight_t, minor),
	HUSK_FIELD_OPT("weight", &husk_kind_u16, husk_blkio_weight_t, weight),
	HUSK_FIELD_OPT("leafWeight", &husk_kind_u16, husk_blkio_weight_t, leaf_weight),
};

static int check_weight_dev(husk_walk_t *w, void *obj)
{
	husk_blkio_weight_t *d = obj;

	if (husk_check_range(w, "major", d->major, 0, UINT32_MAX) < 0 ||
	    husk_check_range(w, "minor", d->minor, 0, UINT32_MAX) < 0) {
		return -1;
	}
	if (check_weight(w, "weight", d->has_weight, d->weight) < 0) {
		return -1;
	}
	return check_weight(w, "leafWeight", d->has_leaf_weight, d->leaf_weight);
}

static const husk_obj_type_t weight_dev_type =
	HUSK_OBJ_TYPE(husk_blkio_weight_t, weight_dev_fields, check_weight_dev);

static const husk_field_t rate_fields[] = {
	HUSK_FIELD_REQ("major", &husk_kind_i64, husk_blkio_rate_t, major),
	HUSK_FIELD_REQ("minor", &husk_kind_i64, husk_blkio_rate_t, minor),
	HUSK_FIELD_REQ("rate", &husk_kind_u64, husk_blkio_rate_t, rate),
};

static int check_rate(husk_walk_t *w, void *obj)
{
	husk_blkio_rate_t *r = obj;

	if (husk_check_range(w, "major", r->major, 0, UINT32_MAX) < 0) {
		return -1;
	}
	return husk_check_range(w, "minor", r->minor, 0, UINT32_MAX);
}

static const husk_obj_type_t rate_type = HUSK_OBJ_TYPE(husk_blkio_rate_t, rate_fields, check_rate);

static const husk_kind_t kind_weight_devs = HUSK_KIND_VEC(weight_dev_type);
static const husk_kind_t kind_rates = HUSK_KIND_VEC(rate_type);

static const husk_field_t blkio_fields[] = {
	HUSK_FIELD_OPT("weight", &husk_kind_u16, husk_blkio_t, weight),
	HUSK_FIELD_OPT("leafWeight", &husk_kind_u16, husk_blkio_t, leaf_weight),
	HUSK_FIELD("weightDevice", &kind_weight_devs, husk_blkio_t, weight_device),
	HUSK_FIELD("throttleReadBpsDevice", &kind_rates, husk_blkio_t, throttle_read_bps_device),
	HUSK_FIELD("throttleWriteBpsDevice", &kind_rates, husk_blkio_t, throttle_write_bps_device),
	HUSK_FIELD("throttleReadIOPSDevice", &kind_rates, husk_blkio_t, throttle_read_iops_device),
	HUSK_FIELD("throttleWriteIOPSDevice", &kind_rates, husk_blkio_t,
		   throttle_write_iops_device),
};

static int check_blkio(husk_walk_t *w, void *obj)
{
	husk_blkio_t *b = obj;

	if (check_weight(w, "weight", b->has_weight, b->weight) < 0) {
		return -1;
	}
	return check_weight(w, "leafWeight", b->has_leaf_weight, b->leaf_weight);
}

static const husk_obj_type_t blkio_type = HUSK_OBJ_TYPE(husk_blkio_t, blkio_fields, check_blkio);

/* ---- hugepages, network, rdma ---- */

static const husk_field_t hugepage_fields[] = {
	HUSK_FIELD_REQ("pageSize", &husk_kind_string, husk_hugepage_t, page_size),
	HUSK_FIELD_REQ("limit", &husk_kind_u64, husk_hugepage_t, limit),
};

/* "2MB", "1GB", "64KB": what the hugetlb controller's file names carry. */
static int check_hugepage(husk_walk_t *w, void *obj)
{
	const char *s = ((husk_hugepage_t *) obj)->page_size;
	size_t digits = strspn(s, "0123456789");
	char q[200];

	if (digits == 0 || s[0] == '0' ||
	    (strcmp(s + digits, "KB") != 0 && strcmp(s + digits, "MB") != 0 &&
	     strcmp(s + digits, "GB") != 0 && strcmp(s + digits, "TB") != 0)) {
		husk_json_quote(s, q, sizeof(q));
		return husk_walk_fail_key(w, "pageSize", "expected a size such as \"2MB\", got %s",
					  q);
	}
	return 0;
}

static const husk_obj_type_t hugepage_type =
	HUSK_OBJ_TYPE(husk_hugepage_t, hugepage_fields, check_hugepage);

static const husk_field_t prio_fields[] = {
	HUSK_FIELD_REQ("name", &husk_kind_string, husk_net_prio_t, name),
	HUSK_FIELD_REQ("priority", &husk_kind_u32, husk_net_prio_t, priority),
};
static const husk_obj_type_t prio_type = HUSK_OBJ_TYPE(husk_net_prio_t, prio_fields, NULL);
static const husk_kind_t kind_prios = HUSK_KIND_VEC(prio_type);

static const husk_field_t network_fields[] = {
	HUSK_FIELD_OPT("classID", &husk_kind_u32, husk_network_t, class_id),
	HUSK_FIELD("priorities", &kind_prios, husk_network_t, priorities),
};
static const husk_obj_type_t network_type = HUSK_OBJ_TYPE(husk_network_t, network_fields, NULL);

static const husk_field_t rdma_fields[] = {
	HUSK_FIELD_OPT("hcaHandles", &husk_kind_u32, husk_rdma_t, hca_handles),
	HUSK_FIELD_OPT("hcaObjects", &husk_kind_u32, husk_rdma_t, hca_objects),
};
static const husk_obj_type_t rdma_type = HUSK_OBJ_TYPE(husk_rdma_t, rdma_fields, NULL);

/* ---- resources ---- */

static const husk_kind_t kind_rules = HUSK_KIND_VEC(rule_type);
static const husk_kind_t kind_memory = HUSK_KIND_OBJ(memory_type);
static const husk_kind_t kind_cpu = HUSK_KIND_OBJ(cpu_type);
static const husk_kind_t kind_pids = HUSK_KIND_OBJ(pids_type);
static const husk_kind_t kind_blkio = HUSK_KIND_OBJ(blkio_type);
static const husk_kind_t kind_hugepages = HUSK_KIND_VEC(hugepage_type);
static const husk_kind_t kind_network = HUSK_KIND_OBJ(network_type);
static const husk_kind_t kind_rdma = HUSK_KIND_MAP(rdma_type);

static const husk_field_t resources_fields[] = {
	HUSK_FIELD("devices", &kind_rules, husk_resources_t, devices),
	HUSK_FIELD("memory", &kind_memory, husk_resources_t, memory),
	HUSK_FIELD("cpu", &kind_cpu, husk_resources_t, cpu),
	HUSK_FIELD("pids", &kind_pids, husk_resources_t, pids),
	HUSK_FIELD("blockIO", &kind_blkio, husk_resources_t, block_io),
	HUSK_FIELD("hugepageLimits", &kind_hugepages, husk_resources_t, hugepage_limits),
	HUSK_FIELD("network", &kind_network, husk_resources_t, network),
	HUSK_FIELD("rdma", &kind_rdma, husk_resources_t, rdma),
	HUSK_FIELD("unified", &husk_kind_strmap, husk_resources_t, unified),
};

/* A unified key names a file in the container's cgroup directory. */
static int check_resources(husk_walk_t *w, void *obj)
{
	husk_resources_t *r = obj;
	char q[200];

	for (size_t i = 0; i < r->unified.n; i++) {
		const char *key = r->unified.v[i].key;

		if (key[0] == '\0' || key[0] == '.' || strchr(key, '/') != NULL) {
			size_t old = husk_walk_push_key(w, "unified");

			husk_json_quote(key, q, sizeof(q));
			husk_walk_fail(w, "invalid cgroup file name %s", q);
			husk_walk_pop(w, old);
			return -1;
		}
	}
	return 0;
}

static const husk_obj_type_t resources_type =
	HUSK_OBJ_TYPE(husk_resources_t, resources_fields, check_resources);

const husk_kind_t husk_kind_resources = HUSK_KIND_OBJ(resources_type);
