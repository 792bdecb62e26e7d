/* husk cgroups: what a container's cgroup counts, for `events`.
 *
 * Reads the stat files of either layout into a husk_stats_t (spec/events.h):
 *   v2  cpu.stat, memory.{current,max,peak,events,stat}, pids.{current,max},
 *       hugetlb.<size>.{current,max,events};
 *   v1  cpuacct.usage{,_user,_sys}, cpu.stat,
 *       memory.{usage_in_bytes,max_usage_in_bytes,limit_in_bytes,failcnt,stat},
 *       pids.{current,max}, hugetlb.<size>.{usage_in_bytes,...}.
 * and, where the cgroup has a twin in a v2 hierarchy (v2, or a hybrid host's
 * unified one), its {cpu,memory,io}.pressure.
 * A controller whose files are missing is left out, as runc leaves it out.
 * OOM kills are counted by the kernel (v2 memory.events, v1
 * memory.oom_control: oom_kill) and announced through a descriptor to poll:
 * inotify on memory.events (v2), an eventfd registered on memory.oom_control
 * through cgroup.event_control (v1).
 */
#ifndef HUSK_CGROUPS_STATS_H
#define HUSK_CGROUPS_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "cgroups/cgroup.h"
#include "spec/events.h"
#include "util/error.h"

typedef struct husk_cgstats_s husk_cgstats_t;

/* The stat files of CG (they outlive it); refuses a container without a
 * cgroup. */
husk_cgstats_t *husk_cgstats_open(const husk_cgroup_t *cg, husk_error_t *err);
void husk_cgstats_free(husk_cgstats_t *s);
/* Whether the counters are v2's (one cgroup2 directory), for saying which
 * file counted what; false for NULL. */
bool husk_cgstats_unified(const husk_cgstats_t *s);

/* Fill *OUT (clear it with husk_stats_clear). */
int husk_cgstats_read(const husk_cgstats_t *s, husk_stats_t *out, husk_error_t *err);

/* The most memory the cgroup ever charged (v2 memory.peak, v1
 * memory.max_usage_in_bytes); 0 when that file is not there (no memory
 * controller, or a v2 kernel before 5.19). */
int husk_cgstats_memory_peak(const husk_cgstats_t *s, uint64_t *peak, bool *has, husk_error_t *err);

/* How many processes the kernel has OOM-killed in the cgroup so far. */
int husk_cgstats_oom_count(const husk_cgstats_t *s, uint64_t *n, husk_error_t *err);

/* The processes in the cgroup now, and the most it ever held where the
 * kernel counts that (*HAS_PEAK: v2's pids.peak). */
int husk_cgstats_pids(const husk_cgstats_t *s, uint64_t *current, uint64_t *peak, bool *has_peak,
		      husk_error_t *err);

/* A descriptor (owned by S) that polls readable after an OOM in the cgroup:
 * call husk_cgstats_oom_drain() then, and read the count again. */
int husk_cgstats_oom_fd(husk_cgstats_t *s, husk_error_t *err);
void husk_cgstats_oom_drain(const husk_cgstats_t *s);

#endif
