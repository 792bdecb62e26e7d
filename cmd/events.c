/* husk events [--stats] [--interval DURATION] ID: the container's stats as
 * runc prints them, once or every DURATION (a Go duration: 5s, 500ms,
 * 1m30s), with its OOM kills as they happen and its lifecycle events
 * (created, started, paused, resumed, oom, exited: the ones so far, then as
 * they come); the stream ends with the container.
 * husk events --all: every container's lifecycle events, until interrupted. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/options.h"
#include "runtime/events.h"

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

int husk_cmd_events(husk_global_t *g, int argc, char **argv, husk_error_t *err)
{
	enum { OPT_STATS = 1, OPT_INTERVAL, OPT_ALL };
	static const struct option opts[] = {
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ NULL, 0, NULL, 0 },
	};
	husk_events_opts_t o = { .root = g->root, .interval_ns = DEFAULT_INTERVAL_NS };
	int c;

	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "+:", opts, NULL)) != -1) {
		if (c == OPT_STATS) {
			o.stats_once = true;
		} else if (c == OPT_ALL) {
			o.all = true;
		} else if (c == OPT_INTERVAL) {
			if (parse_interval(optarg, &o.interval_ns, err) < 0) {
				return -1;
			}
		} else {
			return husk_cmd_bad_option("events", c, argv, err);
		}
	}
	if (o.all) {
		if (optind < argc) {
			return husk_error_make(err, 0, "events: --all takes no container id");
		}
		return husk_container_events(&o, err);
	}
	if (husk_cmd_take_id("events", argc, argv, 0, &o.id, err) < 0) {
		return -1;
	}
	return husk_container_events(&o, err);
}
