/* husk update [-r FILE|-] [runc's resource flags] ID */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/options.h"
#include "util/xalloc.h"

enum {
	OPT_RESOURCES = HUSK_OPT_VERB,
	OPT_MEMORY,
	OPT_SWAP,
	OPT_RESERVATION,
	OPT_PIDS,
	OPT_SHARES,
	OPT_QUOTA,
	OPT_PERIOD,
	OPT_CPUS,
	OPT_MEMS,
	OPT_BLKIO,
};

/* What the flags set, pointed to from a husk_resources_t. */
typedef struct update_values_s {
	husk_memory_t mem;
	husk_cpu_t cpu;
	husk_pids_t pids;
	husk_blkio_t blkio;
} update_values_t;

/* "512m", "1g", "-1" (unlimited) or bytes. */
static int parse_size(const char *flag, const char *s, int64_t *out, husk_error_t *err)
{
	char *end;
	long long v;
	int64_t mult = 1;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end != s && end[0] != '\0' && end[1] == '\0') {
		switch (end[0] | 0x20) {
		case 'k':
			mult = 1LL << 10;
			end++;
			break;
		case 'm':
			mult = 1LL << 20;
			end++;
			break;
		case 'g':
			mult = 1LL << 30;
			end++;
			break;
		default:
			break;
		}
	}
	if (end == s || *end != '\0' || errno != 0 || v < -1 || (v > 0 && v > INT64_MAX / mult)) {
		return husk_error_make(err, 0, "update: %s: invalid size `%s`", flag, s);
	}
	*out = v * (v > 0 ? mult : 1);
	return 0;
}

static const husk_flag_t flags[] = {
	{ "resources", 'r', "FILE", OPT_RESOURCES,
	  "a linux.resources object as JSON, from FILE or, with -, from stdin (what "
	  "containerd sends); excludes the flags below" },
	{ "memory", 0, "BYTES", OPT_MEMORY, "the memory limit" },
	{ "memory-swap", 0, "BYTES", OPT_SWAP, "the limit of memory and swap together" },
	{ "memory-reservation", 0, "BYTES", OPT_RESERVATION, "the memory soft limit" },
	{ "pids-limit", 0, "N", OPT_PIDS, "the most processes at once (-1: no limit)" },
	{ "cpu-shares", 0, "N", OPT_SHARES, "the CPU weight, relative to other cgroups" },
	{ "cpu-quota", 0, "USEC", OPT_QUOTA,
	  "CPU time in each period, in microseconds (-1: no limit)" },
	{ "cpu-period", 0, "USEC", OPT_PERIOD, "the length of that period, in microseconds" },
	{ "cpuset-cpus", 0, "LIST", OPT_CPUS, "the CPUs it may run on, such as 0-3,6" },
	{ "cpuset-mems", 0, "LIST", OPT_MEMS, "the memory nodes it may use" },
	{ "blkio-weight", 0, "N", OPT_BLKIO, "the block I/O weight, 10 to 1000" },
	{ NULL },
};

static int set_memory(int id, int64_t v, husk_resources_t *r, husk_memory_t *mem)
{
	r->memory = mem;
	if (id == OPT_MEMORY) {
		mem->has_limit = true;
		mem->limit = v;
	} else if (id == OPT_SWAP) {
		mem->has_swap = true;
		mem->swap = v;
	} else {
		mem->has_reservation = true;
		mem->reservation = v;
	}
	return 0;
}

/* --pids-limit, --blkio-weight and the CPU numbers: N, where only the
 * quota and the pids limit may be negative (-1: no limit). */
static int set_number(int id, const char *flag, const char *s, husk_resources_t *r,
		      update_values_t *u, husk_error_t *err)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 ||
	    (id != OPT_QUOTA && id != OPT_PIDS && n < 0)) {
		return husk_error_make(err, 0, "update: %s: invalid number `%s`", flag, s);
	}
	if (id == OPT_PIDS) {
		r->pids = &u->pids;
		u->pids.has_limit = true;
		u->pids.limit = n;
	} else if (id == OPT_BLKIO) {
		if (n < 10 || n > 1000) {
			return husk_error_make(
				err, 0, "update: --blkio-weight: %lld is out of range [10, 1000]",
				n);
		}
		r->block_io = &u->blkio;
		u->blkio.has_weight = true;
		u->blkio.weight = (uint16_t) n;
	} else {
		r->cpu = &u->cpu;
		if (id == OPT_SHARES) {
			u->cpu.has_shares = true;
			u->cpu.shares = (uint64_t) n;
		} else if (id == OPT_QUOTA) {
			u->cpu.has_quota = true;
			u->cpu.quota = n;
		} else {
			u->cpu.has_period = true;
			u->cpu.period = (uint64_t) n;
		}
	}
	return 0;
}

static int set_flag(const husk_opt_t *o, husk_resources_t *r, update_values_t *u, husk_error_t *err)
{
	_cleanup_free_ char *flag = xasprintf("--%s", o->flag->name);
	int id = o->flag->id;
	int64_t v = 0;

	switch (id) {
	case OPT_MEMORY:
	case OPT_SWAP:
	case OPT_RESERVATION:
		return parse_size(flag, o->value, &v, err) < 0 ? -1 : set_memory(id, v, r, &u->mem);
	case OPT_CPUS:
	case OPT_MEMS:
		r->cpu = &u->cpu;
		*(id == OPT_CPUS ? &u->cpu.cpus : &u->cpu.mems) = o->value;
		return 0;
	default:
		return set_number(id, flag, o->value, r, u, err);
	}
}

static int update(husk_global_t *g, const husk_args_t *a, husk_error_t *err)
{
	update_values_t u = { 0 };
	husk_resources_t r = { 0 };
	const char *file = NULL, *id;

	for (size_t i = 0; i < a->n_opts; i++) {
		if (a->opts[i].flag->id == OPT_RESOURCES) {
			file = a->opts[i].value;
		} else if (set_flag(&a->opts[i], &r, &u, err) < 0) {
			return -1;
		}
	}
	if (husk_cmd_take_id(a, 0, &id, err) < 0) {
		return -1;
	}
	if (file != NULL && (r.memory || r.cpu || r.pids || r.block_io)) {
		return husk_error_make(err, 0,
				       "update: -r and the resource flags exclude each other");
	}
	return husk_container_update(g->root, id, file, &r, err);
}

const husk_verb_t husk_verb_update = {
	.name = "update",
	.fn = update,
	.summary = "change the resource limits of a running container",
	.operands = "ID",
	.flags = flags,
	.about = "Change the cgroup limits of a running container, from a linux.resources "
		 "object (-r) or from runc's flags.  BYTES takes a k, m or g suffix (powers "
		 "of 1024), or -1 for no limit.  What the flags leave out is left as it "
		 "is.",
	.section = 8,
};
