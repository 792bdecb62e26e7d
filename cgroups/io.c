/* husk cgroups: block I/O throttling (linux.resources.blockIO.throttle*).
 *
 * v1 takes one "MAJOR:MINOR RATE" line per device and file
 * (blkio.throttle.{read,write}_{bps,iops}_device); v2 takes
 * "MAJOR:MINOR KEY=RATE" lines in io.max (rbps, wbps, riops, wiops).  The
 * kernel refuses a device that is not a whole block device of this host,
 * which surfaces as the error naming the file and the line.
 */
#include "cgroups/io.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/open.h"
#include "util/xalloc.h"

static int write_line(const char *dir, const char *file, const char *line, husk_error_t *err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
	_cleanup_close_ int fd = open(path, HUSK_O_WRONLY);
	size_t len = strlen(line);

	if (fd < 0 || write(fd, line, len) != (ssize_t) len) {
		return husk_error_errno(err, "cgroups: write `%s` to `%s`", line, path);
	}
	return 0;
}

int husk_cgroup_apply_io_throttle(const char *dir, bool v2, const husk_blkio_t *b,
				  husk_error_t *err)
{
	static const struct {
		const char *v1_file, *v2_key;
		size_t off;
	} kinds[] = {
		{ "blkio.throttle.read_bps_device", "rbps",
		  offsetof(husk_blkio_t, throttle_read_bps_device) },
		{ "blkio.throttle.write_bps_device", "wbps",
		  offsetof(husk_blkio_t, throttle_write_bps_device) },
		{ "blkio.throttle.read_iops_device", "riops",
		  offsetof(husk_blkio_t, throttle_read_iops_device) },
		{ "blkio.throttle.write_iops_device", "wiops",
		  offsetof(husk_blkio_t, throttle_write_iops_device) },
	};

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		const husk_blkio_rates_t *rates =
			(const husk_blkio_rates_t *) ((const char *) b + kinds[k].off);

		for (size_t i = 0; i < rates->n; i++) {
			const husk_blkio_rate_t *r = &rates->v[i];
			char line[96];

			if (v2) {
				/* 0 means "no limit" in the spec, "max" in io.max. */
				if (r->rate == 0) {
					snprintf(line, sizeof(line),
						 "%" PRId64 ":%" PRId64 " %s=max", r->major,
						 r->minor, kinds[k].v2_key);
				} else {
					snprintf(line, sizeof(line),
						 "%" PRId64 ":%" PRId64 " %s=%" PRIu64, r->major,
						 r->minor, kinds[k].v2_key, r->rate);
				}
			} else {
				snprintf(line, sizeof(line), "%" PRId64 ":%" PRId64 " %" PRIu64,
					 r->major, r->minor, r->rate);
			}
			if (write_line(dir, v2 ? "io.max" : kinds[k].v1_file, line, err) < 0) {
				return -1;
			}
		}
	}
	return 0;
}
