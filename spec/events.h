/* husk spec: the JSON lines of `events`, in runc's shape.
 *
 * runc prints one object a line: {"type":"stats","id":ID,"data":{...}} with
 * data its libcontainer Stats (cpu, memory, pids, hugetlb; with the pressure
 * stall information of cgroup v2, psi under cpu, memory and blkio), and
 * {"type":"oom","id":ID} when the kernel OOM-kills in the container.
 */
#ifndef HUSK_SPEC_EVENTS_H
#define HUSK_SPEC_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One "key value" line of a cgroup stat file (memory.stat). */
typedef struct husk_stat_kv_s {
	char *key;
	uint64_t value;
} husk_stat_kv_t;

typedef struct husk_hugetlb_stats_s {
	char *page_size; /* "2MB", as runc names it */
	uint64_t usage, max, failcnt;
} husk_hugetlb_stats_t;

/* Pressure stall information, one line of a cgroup's *.pressure file:
 * runc's PSIData (avg10, avg60, avg300 in percent, total in microseconds). */
typedef struct husk_psi_data_s {
	double avg10, avg60, avg300;
	uint64_t total;
} husk_psi_data_t;

/* A *.pressure file: "some" and, where the kernel has it, "full". */
typedef struct husk_psi_s {
	bool has, has_full;
	husk_psi_data_t some, full;
} husk_psi_t;

/* A container's resource usage, as the cgroup files give it.  Times are
 * nanoseconds; an unlimited limit is UINT64_MAX (runc's math.MaxUint64),
 * except pids, where it is 0 (runc's "no limit"). */
typedef struct husk_stats_s {
	bool has_cpu;
	uint64_t cpu_total, cpu_user, cpu_kernel;
	uint64_t cpu_periods, cpu_throttled_periods, cpu_throttled_time;

	husk_psi_t cpu_psi; /* cpu.pressure */

	bool has_memory;
	uint64_t mem_usage, mem_max, mem_limit, mem_failcnt, mem_cache;
	husk_stat_kv_t *mem_raw; /* memory.stat, whole */
	size_t n_mem_raw;
	husk_psi_t mem_psi; /* memory.pressure */
	/* The kernel's counts of processes OOM-killed and of group OOM kills
	 * (memory.oom.group: every process of the cgroup at once; v2's
	 * memory.events only). */
	bool has_oom_kill, has_oom_group_kill;
	uint64_t mem_oom_kill, mem_oom_group_kill;

	husk_psi_t io_psi; /* io.pressure, runc's blkio.psi */

	bool has_pids;
	uint64_t pids_current, pids_limit;

	husk_hugetlb_stats_t *hugetlb;
	size_t n_hugetlb;
} husk_stats_t;

/* Free what ST holds (not ST itself). */
void husk_stats_clear(husk_stats_t *st);

/* One line each, without the newline. */
char *husk_events_stats_json(const char *id, const husk_stats_t *st);
char *husk_events_oom_json(const char *id);

struct husk_exit_s;
/* A lifecycle event (created, started, paused, resumed, oom, exited):
 * {"type": TYPE, "id": ID, "data": {"time": TIME, and for exited the exit
 * code, signal and whether the OOM killer ended it}}. */
char *husk_events_lifecycle_json(const char *type, const char *id, const char *time,
				 const struct husk_exit_s *exit);

#endif
