/* husk: reading a whole small file named on the command line. */
#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/open.h"
#include "util/xalloc.h"

char *husk_read_file(const char *path, size_t max, size_t *len, husk_error_t *err)
{
	_cleanup_close_ int fd =
		strcmp(path, "-") == 0 ? fcntl(0, F_DUPFD_CLOEXEC, 3) : open(path, HUSK_O_RDONLY);
	_cleanup_free_ char *buf = NULL;
	size_t cap = 4096, n = 0;

	if (fd < 0) {
		husk_error_errno(err, "open `%s`", path);
		return NULL;
	}
	buf = xmalloc(cap + 1);
	for (;;) {
		ssize_t r = read(fd, buf + n, cap - n);

		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			husk_error_errno(err, "read `%s`", path);
			return NULL;
		}
		if (r == 0) {
			break;
		}
		n += (size_t) r;
		if (n > max) {
			husk_error_make(err, 0, "`%s` is larger than %zu bytes", path, max);
			return NULL;
		}
		if (n == cap) {
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
	}
	buf[n] = '\0';
	*len = n;
	return TAKE_PTR(buf);
}
