/* husk events [--stats] [--interval DURATION] ID, husk events --all. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/options.h"
#include "runtime/husk.h"

#define DEFAULT_INTERVAL_NS (5 * 1000000000ull)

static const struct {
	const char *name;
	double ns;
} units[] = {
	{ "ns", 1 },   { "us", 1e3 }, { "\u00b5s", 1e3 }, { "\u03bcs", 1e3 },
	{ "ms", 1e6 }, { "s", 1e9 },  { "m", 60e9 },      { "h", 3600e9 },
};

/* The unit at the start of S: its length and scale, or 0. */
static size_t take_unit(const char *s, double *ns)
{
	size_t best = 0;

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t len = strlen(units[i].name);

		if (len > best && strncmp(s, units[i].name, len) == 0) {
			best = len;
			*ns = units[i].ns;
		}
	}
	return best;
}

/* Go's time.ParseDuration: [-+]?(NUMBER UNIT)+, or a bare 0. */
static int parse_duration(const char *s, double *ns)
{
	const char *p = s;
	bool neg = *p == '-';

	*ns = 0;
	if (*p == '-' || *p == '+') {
		p++;
	}
	if (strcmp(p, "0") == 0) {
		return 0;
	}
	if (*p == '\0') {
		return -1;
	}
	while (*p != '\0') {
		char *end;
		double v, scale = 0;
		size_t ulen;

		if ((*p < '0' || *p > '9') && *p != '.') {
			return -1;
		}
		v = strtod(p, &end);
		if (end == p || *end == 'e' || *end == 'E' ||
		    (ulen = take_unit(end, &scale)) == 0) {
			return -1;
		}
		*ns += v * scale;
		p = end + ulen;
	}
	if (neg) {
		*ns = -*ns;
	}
	return 0;
}

static int parse_interval(const char *s, uint64_t *out, husk_error_t *err)
{
	double ns;

	if (parse_duration(s, &ns) < 0 || !(ns <= 9.2e18)) {
		return husk_error_make(err, 0,
				       "events: invalid --interval `%s`: a duration such as 5s, "
				       "500ms or 1m30s",
				       s);
	}
	if (ns < 1) {
		return husk_error_make(err, 0, "duration interval must be greater than 0");
	}
	*out = (uint64_t) (ns + 0.5);
	return 0;
}

enum {
	OPT_STATS = HUSK_OPT_VERB,
	OPT_INTERVAL,
	OPT_ALL,
};

static const husk_flag_t flags[] = {
	{ "stats", 0, NULL, OPT_STATS, "print the stats once and exit" },
	{ "interval", 0, "DURATION", OPT_INTERVAL,
	  "how often to print the stats: a Go duration such as 5s, 500ms or 1m30s", "5s" },
	{ "all", 0, NULL, OPT_ALL,
	  "follow every container's lifecycle events (no ID), until interrupted" },
	{ NULL },
};

static int events(husk_global_t *g, const husk_args_t *a, husk_error_t *err)
{
	husk_events_opts_t o = { .root = g->root, .interval_ns = DEFAULT_INTERVAL_NS };

	for (size_t i = 0; i < a->n_opts; i++) {
		int id = a->opts[i].flag->id;

		o.stats_once |= id == OPT_STATS;
		o.all |= id == OPT_ALL;
		if (id == OPT_INTERVAL &&
		    parse_interval(a->opts[i].value, &o.interval_ns, err) < 0) {
			return -1;
		}
	}
	if (o.all) {
		if (a->argc > 0) {
			return husk_error_make(err, 0, "events: --all takes no container id");
		}
		return husk_container_events(&o, err);
	}
	if (husk_cmd_take_id(a, 0, &o.id, err) < 0) {
		return -1;
	}
	return husk_container_events(&o, err);
}

const husk_verb_t husk_verb_events = {
	.name = "events",
	.fn = events,
	.summary = "print a container's stats, OOM kills and lifecycle as JSON lines",
	.operands = "ID",
	.flags = flags,
	.about = "Print the container's stats as runc does (a JSON line of type `stats`) "
		 "every --interval, with its OOM kills as they happen, and its lifecycle "
		 "events: the ones so far (created, started, paused, resumed, oom, exited), "
		 "then as they come.  The stream ends with the container.  With --all, "
		 "every container's lifecycle events, until interrupted.",
	.section = 8,
};
