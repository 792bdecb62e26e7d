/* husk: reading and writing whole files and buffers (util/io.h). */
#include "util/io.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/open.h"
#include "util/xalloc.h"

char *husk_read_fd(int fd, size_t max, size_t *len)
{
	size_t cap = max < 4096 ? max : 4096, n = 0;
	_cleanup_free_ char *buf = xmalloc(cap + 1);

	for (;;) {
		ssize_t r;

		if (n == cap) {
			if (cap >= max) {
				/* Full: one more byte says whether it was all. */
				char c;

				do {
					r = read(fd, &c, 1);
				} while (r < 0 && errno == EINTR);
				if (r != 0) {
					errno = r > 0 ? EFBIG : errno;
					return NULL;
				}
				break;
			}
			cap = cap * 2 < max ? cap * 2 : max;
			buf = xrealloc(buf, cap + 1);
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			return NULL;
		}
		if (r == 0) {
			break;
		}
		n += (size_t) r;
	}
	buf[n] = '\0';
	if (len != NULL) {
		*len = n;
	}
	return TAKE_PTR(buf);
}

char *husk_read_at(int dirfd, const char *name, size_t max, size_t *len, husk_error_t *err)
{
	_cleanup_close_ int fd = openat(dirfd, name, HUSK_O_RDONLY);
	char *buf;

	if (fd < 0) {
		husk_error_errno(err, "read `%s`", name);
		return NULL;
	}
	buf = husk_read_fd(fd, max, len);
	if (buf == NULL && errno == EFBIG) {
		husk_error_make(err, EFBIG, "`%s` is larger than %zu bytes", name, max);
	} else if (buf == NULL) {
		husk_error_errno(err, "read `%s`", name);
	}
	return buf;
}

ssize_t husk_read_upto(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t r = read(fd, p + got, len - got);

		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			return -1;
		}
		if (r == 0) {
			break;
		}
		got += (size_t) r;
	}
	return (ssize_t) got;
}

int husk_read_exact(int fd, void *buf, size_t len)
{
	ssize_t got = husk_read_upto(fd, buf, len);

	return got < 0 ? -1 : (size_t) got == len;
}

int husk_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			if (w == 0) {
				errno = EIO;
			}
			return -1;
		}
		p += w;
		len -= (size_t) w;
	}
	return 0;
}

int husk_write_file_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
		       bool no_sync, husk_error_t *err)
{
	const char *base = strrchr(name, '/');
	int dirlen = base != NULL ? (int) (base - name + 1) : 0;
	char tmp[PATH_MAX];
	_cleanup_close_ int fd = -1;

	/* Beside NAME, in its directory: a rename never crosses a mount. */
	if ((size_t) snprintf(tmp, sizeof(tmp), "%.*s.%s.husk-tmp", dirlen, name, name + dirlen) >=
	    sizeof(tmp)) {
		return husk_error_make(err, ENAMETOOLONG, "write `%s`", name);
	}
	unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, HUSK_O_CREAT_EXCL, mode);
	if (fd < 0 || husk_write_all(fd, data, len) < 0 || (!no_sync && fsync(fd) < 0)) {
		int saved = errno;

		unlinkat(dirfd, tmp, 0);
		return husk_error_make(err, saved, "write `%s`", name);
	}
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		int saved = errno;

		unlinkat(dirfd, tmp, 0);
		return husk_error_make(err, saved, "rename `%s`", name);
	}
	return 0;
}
