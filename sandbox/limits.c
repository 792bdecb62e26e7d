/* husk sandbox: the limits, and what enforces each (sandbox/internal.h). */
#include "sandbox/internal.h"

#include <string.h>

#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

#define CGROUP_PARENT "/husk-sandbox"

const char *const husk_sandbox_limit_names[HUSK_LIMIT_COUNT] = {
	[HUSK_LIMIT_TIME] = "time",       [HUSK_LIMIT_CPU_TIME] = "cpu-time",
	[HUSK_LIMIT_MEMORY] = "memory",   [HUSK_LIMIT_PIDS] = "pids",
	[HUSK_LIMIT_CPUS] = "cpus",       [HUSK_LIMIT_FSIZE] = "fsize",
	[HUSK_LIMIT_NOFILE] = "nofile",   [HUSK_LIMIT_OUTPUT] = "output-limit",
	[HUSK_LIMIT_DISK] = "disk-limit",
};

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
			husk_sandbox_limit_names[l], text, why, ctl);
	}
	sb->mechanism[l] = xasprintf("none: %s (%s)", why, ctl);
	return 0;
}

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

int husk_sandbox_plan_limits(struct sandbox *sb, husk_error_t *err)
{
	static const char *const fixed[HUSK_LIMIT_COUNT] = {
		[HUSK_LIMIT_TIME] = "husk: SIGKILL to the job's pid namespace at the deadline",
		[HUSK_LIMIT_CPU_TIME] = "RLIMIT_CPU: SIGXCPU, then SIGKILL a second later",
		[HUSK_LIMIT_FSIZE] = "RLIMIT_FSIZE",
		[HUSK_LIMIT_NOFILE] = "RLIMIT_NOFILE",
		[HUSK_LIMIT_OUTPUT] = "husk: relayed output counted, SIGKILL past the limit",
		[HUSK_LIMIT_DISK] = "tmpfs size= and nr_inodes=: one tmpfs holds /tmp and every "
				    "--overlay layer, so they share the limit",
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
			char *parent = xasprintf("%s%s", base, CGROUP_PARENT);

			husk_strv_push(&sb->owned, parent); /* freed with the sandbox */
			sb->cg_parent = parent;
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

void husk_sandbox_spec_limits(const struct sandbox *sb, husk_sandbox_spec_t *s)
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
