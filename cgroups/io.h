/* husk cgroups: block I/O throttling. */
#ifndef HUSK_CGROUPS_IO_H
#define HUSK_CGROUPS_IO_H

#include <stdbool.h>

#include "spec/config.h"
#include "util/error.h"

/* Write B's throttle rules into the cgroup directory DIR: the blkio
 * hierarchy's on v1, the unified one's (io.max) when V2. */
int husk_cgroup_apply_io_throttle(const char *dir, bool v2, const husk_blkio_t *b,
				  husk_error_t *err);

#endif
