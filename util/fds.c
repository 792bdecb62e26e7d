/* husk: closing descriptors before a container's program runs (util/fds.h). */
#include "util/fds.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/num.h"
#include "util/procfs.h"
#include "util/xalloc.h"

/* How many descriptors may be opened, and left open, between
 * husk_fds_close_except() and husk_fds_close_from(): far more than the
 * init or an exec ever holds there (a program lookup, a hook's pipes). */
#define FDS_MARGIN    64
/* The most descriptors the last fallback closes one by one. */
#define FDS_BRUTE_MAX (1 << 20)

/* The highest descriptor husk_fds_close_except() left open; -1: not run. */
static int kept_high = -1;

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *) a, y = *(const int *) b;

	return (x > y) - (x < y);
}

static void close_each(int first, int last)
{
	for (int fd = first; fd <= last; fd++) {
		close(fd);
	}
}

static bool is_kept(int fd, const int *keep, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (keep[i] == fd) {
			return true;
		}
	}
	return false;
}

/* The open descriptors, from husk's procfs handle; NULL when it cannot say. */
static int *list_open(int procfd, size_t *n)
{
	_cleanup_error_ husk_error_t e = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_free_ int *v = NULL;
	size_t cap = 0;
	struct dirent *de;
	char path[32];
	pid_t self;
	int fd;

	*n = 0;
	self = procfd >= 0 ? husk_procfs_self_pid(procfd, &e) : -1;
	if (self < 0) {
		return NULL;
	}
	snprintf(path, sizeof(path), "%d/fd", (int) self);
	fd = husk_procfs_open_at(procfd, path, O_RDONLY | O_DIRECTORY, &e);
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		husk_safe_close(fd);
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		uint64_t v_fd;

		if (husk_parse_u64(de->d_name, INT32_MAX, &v_fd) < 0 || (int) v_fd == dirfd(d)) {
			continue;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[(*n)++] = (int) v_fd;
	}
	return TAKE_PTR(v);
}

/* Close FIRST..LAST but KEEP, without close_range. */
static void close_except_slow(int first, int last, const int *keep, size_t n, int procfd)
{
	size_t count = 0;
	_cleanup_free_ int *open_fds = list_open(procfd, &count);

	if (open_fds != NULL) {
		for (size_t i = 0; i < count; i++) {
			if (open_fds[i] >= first && open_fds[i] <= last &&
			    !is_kept(open_fds[i], keep, n)) {
				close(open_fds[i]);
			}
		}
		return;
	}
	for (int fd = first; fd <= last; fd++) {
		if (!is_kept(fd, keep, n)) {
			close(fd);
		}
	}
}

static int brute_last(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur > FDS_BRUTE_MAX) {
		return FDS_BRUTE_MAX;
	}
	return (int) rl.rlim_cur;
}

int husk_fds_close_except(int first, const int *keep, size_t n, int procfd, husk_error_t *err)
{
	_cleanup_free_ int *k = xcalloc(n + 1, sizeof(*k));
	size_t m = 0;
	int lo = first;

	for (size_t i = 0; i < n; i++) {
		if (keep[i] >= first) {
			k[m++] = keep[i];
		}
	}
	qsort(k, m, sizeof(*k), cmp_int);
	kept_high = m > 0 ? k[m - 1] : first - 1;
	/* The gaps between the kept ones, then everything above the last. */
	for (size_t i = 0; i <= m; i++) {
		unsigned hi = i < m ? (unsigned) k[i] - 1 : ~0U;

		if (i < m && k[i] < lo) {
			continue; /* listed twice */
		}
		if ((unsigned) lo <= hi && syscall(SYS_close_range, (unsigned) lo, hi, 0) < 0) {
			if (errno != ENOSYS && errno != EPERM && errno != EINVAL) {
				return husk_error_errno(err, "close descriptors %d and up", lo);
			}
			close_except_slow(first, brute_last(), k, m, procfd);
			return 0;
		}
		lo = i < m ? k[i] + 1 : lo;
	}
	return 0;
}

void husk_fds_close_from(int first, bool under_filter)
{
	if (!under_filter && syscall(SYS_close_range, (unsigned) first, ~0U, 0) == 0) {
		return;
	}
	if (kept_high < 0) {
		close_each(first, brute_last());
		return;
	}
	close_each(first, kept_high + FDS_MARGIN);
}

int husk_fds_check_passed(int n, const char *what, husk_error_t *err)
{
	for (int fd = 3; fd < 3 + n; fd++) {
		int flags = fcntl(fd, F_GETFD);

		if (flags < 0 || (flags & FD_CLOEXEC)) {
			return husk_error_make(err, 0, "%s: descriptor %d is not open in husk",
					       what, fd);
		}
	}
	return 0;
}
