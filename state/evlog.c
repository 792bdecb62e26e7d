/* husk state: a container's lifecycle events. */
#include "state/evlog.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spec/events.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/open.h"
#include "util/xalloc.h"

void husk_evlog_append(int dirfd, const char *id, const char *type, const husk_exit_t *exit)
{
	_cleanup_close_ int fd = openat(dirfd, HUSK_EVENTS_FILE, HUSK_O_APPEND, 0600);
	_cleanup_free_ char *now = husk_now_rfc3339();
	_cleanup_free_ char *json = husk_events_lifecycle_json(type, id, now, exit);
	_cleanup_free_ char *line = xasprintf("%s\n", json);

	if (fd >= 0) {
		(void) !write(fd, line, strlen(line));
	}
}
