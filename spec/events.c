/* husk spec: the JSON lines of `events`. */
#include "spec/events.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "spec/state.h"
#include "util/xalloc.h"

void husk_stats_clear(husk_stats_t *st)
{
	for (size_t i = 0; i < st->n_mem_raw; i++) {
		free(st->mem_raw[i].key);
	}
	free(st->mem_raw);
	for (size_t i = 0; i < st->n_hugetlb; i++) {
		free(st->hugetlb[i].page_size);
	}
	free(st->hugetlb);
	memset(st, 0, sizeof(*st));
}

static void gen_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *) s, strlen(s));
}

/* A uint64 in full: yajl_gen_integer stops at LLONG_MAX, and runc writes
 * an unlimited limit as 18446744073709551615. */
static void gen_u64(yajl_gen g, const char *key, uint64_t v)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%" PRIu64, v);

	gen_str(g, key);
	yajl_gen_number(g, buf, (size_t) n);
}

/* runc's omitempty fields: left out when zero. */
static void gen_u64_nz(yajl_gen g, const char *key, uint64_t v)
{
	if (v != 0) {
		gen_u64(g, key, v);
	}
}

static void gen_psi_data(yajl_gen g, const char *key, const husk_psi_data_t *d)
{
	const char *names[] = { "avg10", "avg60", "avg300" };
	const double avgs[] = { d->avg10, d->avg60, d->avg300 };
	char buf[32];

	gen_str(g, key);
	yajl_gen_map_open(g);
	for (size_t i = 0; i < 3; i++) {
		int n = snprintf(buf, sizeof(buf), "%.2f", avgs[i]);

		gen_str(g, names[i]);
		yajl_gen_number(g, buf, (size_t) n);
	}
	gen_u64(g, "total", d->total);
	yajl_gen_map_close(g);
}

/* runc's "psi": {"some": {...}, "full": {...}}, when the file was there. */
static void gen_psi(yajl_gen g, const husk_psi_t *p)
{
	if (!p->has) {
		return;
	}
	gen_str(g, "psi");
	yajl_gen_map_open(g);
	gen_psi_data(g, "some", &p->some);
	if (p->has_full) {
		gen_psi_data(g, "full", &p->full);
	}
	yajl_gen_map_close(g);
}

static void gen_cpu(yajl_gen g, const husk_stats_t *st)
{
	gen_str(g, "cpu");
	yajl_gen_map_open(g);
	gen_str(g, "usage");
	yajl_gen_map_open(g);
	gen_u64_nz(g, "total", st->cpu_total);
	gen_u64(g, "kernel", st->cpu_kernel);
	gen_u64(g, "user", st->cpu_user);
	yajl_gen_map_close(g);
	gen_str(g, "throttling");
	yajl_gen_map_open(g);
	gen_u64_nz(g, "periods", st->cpu_periods);
	gen_u64_nz(g, "throttledPeriods", st->cpu_throttled_periods);
	gen_u64_nz(g, "throttledTime", st->cpu_throttled_time);
	yajl_gen_map_close(g);
	gen_psi(g, &st->cpu_psi);
	yajl_gen_map_close(g);
}

static void gen_memory(yajl_gen g, const husk_stats_t *st)
{
	gen_str(g, "memory");
	yajl_gen_map_open(g);
	gen_u64_nz(g, "cache", st->mem_cache);
	gen_str(g, "usage");
	yajl_gen_map_open(g);
	gen_u64(g, "limit", st->mem_limit);
	gen_u64_nz(g, "usage", st->mem_usage);
	gen_u64_nz(g, "max", st->mem_max);
	gen_u64(g, "failcnt", st->mem_failcnt);
	yajl_gen_map_close(g);
	if (st->n_mem_raw > 0) {
		gen_str(g, "raw");
		yajl_gen_map_open(g);
		for (size_t i = 0; i < st->n_mem_raw; i++) {
			gen_u64(g, st->mem_raw[i].key, st->mem_raw[i].value);
		}
		yajl_gen_map_close(g);
	}
	gen_psi(g, &st->mem_psi);
	/* Not runc's: the kernel's OOM counts, group kills apart. */
	if (st->has_oom_kill) {
		gen_u64(g, "oom_kill", st->mem_oom_kill);
	}
	if (st->has_oom_group_kill) {
		gen_u64(g, "oom_group_kill", st->mem_oom_group_kill);
	}
	yajl_gen_map_close(g);
}

/* runc's blkio holds the io controller's counters too; husk gives only its
 * pressure. */
static void gen_blkio(yajl_gen g, const husk_stats_t *st)
{
	gen_str(g, "blkio");
	yajl_gen_map_open(g);
	gen_psi(g, &st->io_psi);
	yajl_gen_map_close(g);
}

static void gen_pids(yajl_gen g, const husk_stats_t *st)
{
	gen_str(g, "pids");
	yajl_gen_map_open(g);
	gen_u64_nz(g, "current", st->pids_current);
	gen_u64_nz(g, "limit", st->pids_limit);
	yajl_gen_map_close(g);
}

static void gen_hugetlb(yajl_gen g, const husk_stats_t *st)
{
	gen_str(g, "hugetlb");
	yajl_gen_map_open(g);
	for (size_t i = 0; i < st->n_hugetlb; i++) {
		const husk_hugetlb_stats_t *h = &st->hugetlb[i];

		gen_str(g, h->page_size);
		yajl_gen_map_open(g);
		gen_u64_nz(g, "usage", h->usage);
		gen_u64_nz(g, "max", h->max);
		gen_u64(g, "failcnt", h->failcnt);
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
}

static yajl_gen event_open(const char *type, const char *id)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	if (g == NULL) {
		abort();
	}
	yajl_gen_map_open(g);
	gen_str(g, "type");
	gen_str(g, type);
	gen_str(g, "id");
	gen_str(g, id);
	return g;
}

static char *event_close(yajl_gen g)
{
	const unsigned char *buf;
	size_t len;
	char *out;

	yajl_gen_map_close(g);
	yajl_gen_get_buf(g, &buf, &len);
	out = xstrndup((const char *) buf, len);
	yajl_gen_free(g);
	return out;
}

char *husk_events_stats_json(const char *id, const husk_stats_t *st)
{
	yajl_gen g = event_open("stats", id);

	gen_str(g, "data");
	yajl_gen_map_open(g);
	if (st->has_cpu) {
		gen_cpu(g, st);
	}
	if (st->has_memory) {
		gen_memory(g, st);
	}
	if (st->has_pids) {
		gen_pids(g, st);
	}
	if (st->n_hugetlb > 0) {
		gen_hugetlb(g, st);
	}
	if (st->io_psi.has) {
		gen_blkio(g, st);
	}
	yajl_gen_map_close(g);
	return event_close(g);
}

char *husk_events_oom_json(const char *id)
{
	return event_close(event_open("oom", id));
}

char *husk_events_lifecycle_json(const char *type, const char *id, const char *time,
				 const husk_exit_t *exit)
{
	yajl_gen g = event_open(type, id);

	gen_str(g, "data");
	yajl_gen_map_open(g);
	gen_str(g, "time");
	gen_str(g, time);
	if (exit != NULL) {
		gen_str(g, "exitCode");
		yajl_gen_integer(g, exit->code);
		if (exit->signal != 0) {
			gen_str(g, "signal");
			yajl_gen_integer(g, exit->signal);
		}
		gen_str(g, "oomKilled");
		yajl_gen_bool(g, exit->oom_killed);
	}
	yajl_gen_map_close(g);
	return event_close(g);
}
