/* husk: reading a whole small file named on the command line. */
#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/io.h"
#include "util/open.h"
#include "util/xalloc.h"

char *husk_read_file(const char *path, size_t max, size_t *len, husk_error_t *err)
{
	_cleanup_close_ int fd =
		strcmp(path, "-") == 0 ? fcntl(0, F_DUPFD_CLOEXEC, 3) : open(path, HUSK_O_RDONLY);
	char *buf;

	if (fd < 0) {
		husk_error_errno(err, "open `%s`", path);
		return NULL;
	}
	buf = husk_read_fd(fd, max, len);
	if (buf == NULL && errno == EFBIG) {
		husk_error_make(err, 0, "`%s` is larger than %zu bytes", path, max);
	} else if (buf == NULL) {
		husk_error_errno(err, "read `%s`", path);
	}
	return buf;
}
