/* husk update [-r FILE|-] [--memory N] [--memory-swap N] [--memory-reservation N]
 *             [--pids-limit N] [--cpu-shares N] [--cpu-quota N] [--cpu-period N]
 *             [--cpuset-cpus L] [--cpuset-mems L] [--blkio-weight N] ID
 *
 * -r takes a linux.resources object as JSON (containerd sends it on stdin);
 * the flags are runc's.  Sizes take k, m and g suffixes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/options.h"

enum {
	OPT_MEMORY = 256,
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

int husk_cmd_update(husk_global_t *g, int argc, char **argv, husk_error_t *err)
{
	static const struct option opts[] = {
		{ "resources", required_argument, NULL, 'r' },
		{ "memory", required_argument, NULL, OPT_MEMORY },
		{ "memory-swap", required_argument, NULL, OPT_SWAP },
		{ "memory-reservation", required_argument, NULL, OPT_RESERVATION },
		{ "pids-limit", required_argument, NULL, OPT_PIDS },
		{ "cpu-shares", required_argument, NULL, OPT_SHARES },
		{ "cpu-quota", required_argument, NULL, OPT_QUOTA },
		{ "cpu-period", required_argument, NULL, OPT_PERIOD },
		{ "cpuset-cpus", required_argument, NULL, OPT_CPUS },
		{ "cpuset-mems", required_argument, NULL, OPT_MEMS },
		{ "blkio-weight", required_argument, NULL, OPT_BLKIO },
		{ NULL, 0, NULL, 0 },
	};
	husk_memory_t mem = { 0 };
	husk_cpu_t cpu = { 0 };
	husk_pids_t pids = { 0 };
	husk_blkio_t blkio = { 0 };
	husk_resources_t r = { 0 };
	const char *file = NULL, *id;
	int64_t v = 0;
	int c;

	opterr = 0;
	int li = -1;

	while ((c = getopt_long_only(argc, argv, "+:r:", opts, &li)) != -1) {
		char flag[32];

		snprintf(flag, sizeof(flag), "--%s", li >= 0 ? opts[li].name : "resources");
		li = -1;

		switch (c) {
		case 'r':
			file = optarg;
			break;
		case OPT_MEMORY:
		case OPT_SWAP:
		case OPT_RESERVATION:
			if (parse_size(flag, optarg, &v, err) < 0) {
				return -1;
			}
			r.memory = &mem;
			if (c == OPT_MEMORY) {
				mem.has_limit = true;
				mem.limit = v;
			} else if (c == OPT_SWAP) {
				mem.has_swap = true;
				mem.swap = v;
			} else {
				mem.has_reservation = true;
				mem.reservation = v;
			}
			break;
		case OPT_PIDS:
		case OPT_SHARES:
		case OPT_QUOTA:
		case OPT_PERIOD:
		case OPT_BLKIO: {
			char *end;
			long long n;

			errno = 0;
			n = strtoll(optarg, &end, 10);
			if (end == optarg || *end != '\0' || errno != 0 ||
			    (c != OPT_QUOTA && c != OPT_PIDS && n < 0)) {
				return husk_error_make(err, 0, "update: %s: invalid number `%s`",
						       flag, optarg);
			}
			if (c == OPT_PIDS) {
				r.pids = &pids;
				pids.has_limit = true;
				pids.limit = n;
			} else if (c == OPT_BLKIO) {
				if (n < 10 || n > 1000) {
					return husk_error_make(
						err, 0,
						"update: --blkio-weight: %lld is out of "
						"range [10, 1000]",
						n);
				}
				r.block_io = &blkio;
				blkio.has_weight = true;
				blkio.weight = (uint16_t) n;
			} else {
				r.cpu = &cpu;
				if (c == OPT_SHARES) {
					cpu.has_shares = true;
					cpu.shares = (uint64_t) n;
				} else if (c == OPT_QUOTA) {
					cpu.has_quota = true;
					cpu.quota = n;
				} else {
					cpu.has_period = true;
					cpu.period = (uint64_t) n;
				}
			}
			break;
		}
		case OPT_CPUS:
			r.cpu = &cpu;
			cpu.cpus = optarg;
			break;
		case OPT_MEMS:
			r.cpu = &cpu;
			cpu.mems = optarg;
			break;
		default:
			return husk_cmd_bad_option("update", c, argv, err);
		}
	}
	if (husk_cmd_take_id("update", argc, argv, 0, &id, err) < 0) {
		return -1;
	}
	if (file != NULL && (r.memory || r.cpu || r.pids || r.block_io)) {
		return husk_error_make(err, 0,
				       "update: -r and the resource flags exclude each other");
	}
	return husk_container_update(g->root, id, file, &r, err);
}
