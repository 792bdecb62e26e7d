/* husk state: the state directory. */
#include "state/statedir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroups/cgroup.h"
#include "spec/state.h"
#include "util/cleanup.h"
#include "util/io.h"
#include "util/open.h"
#include "util/xalloc.h"

#define ID_MAX 1024

char *husk_statedir_default_root(void)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (geteuid() == 0) {
		return xstrdup("/run/husk");
	}
	if (xdg != NULL && xdg[0] == '/') {
		return xasprintf("%s/husk", xdg);
	}
	return xasprintf("/tmp/husk-%u", (unsigned) geteuid());
}

static bool id_char_ok(char c, bool first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
		return true;
	}
	return c == '_' || c == '+' || c == '-' || (!first && c == '.');
}

int husk_statedir_check_id(const char *id, husk_error_t *err)
{
	size_t len = strnlen(id, ID_MAX + 1);

	if (len == 0) {
		return husk_error_make(err, 0, "container id must not be empty");
	}
	if (len > ID_MAX) {
		return husk_error_make(err, 0, "invalid container id: longer than %d bytes",
				       ID_MAX);
	}
	for (size_t i = 0; i < len; i++) {
		if (!id_char_ok(id[i], i == 0)) {
			return husk_error_make(err, 0, "invalid container id `%s`", id);
		}
	}
	return 0;
}

/* mkdir -p for the root itself: a host path chosen by the caller, not a path
 * inside any container. */
static int mkdir_parents(const char *path)
{
	_cleanup_free_ char *copy = xstrdup(path);

	for (char *p = copy + 1; *p != '\0'; p++) {
		if (*p != '/') {
			continue;
		}
		*p = '\0';
		if (mkdir(copy, 0711) < 0 && errno != EEXIST) {
			return -1;
		}
		*p = '/';
	}
	return mkdir(copy, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

int husk_statedir_open_root(const char *root, bool create, husk_error_t *err)
{
	int fd;

	if (root[0] != '/') {
		return husk_error_make(err, 0, "root `%s` must be an absolute path", root);
	}
	if (create && mkdir_parents(root) < 0) {
		return husk_error_errno(err, "create root `%s`", root);
	}
	fd = open(root, HUSK_O_DIR & ~O_NOFOLLOW);
	if (fd < 0) {
		return husk_error_errno(err, "open root `%s`", root);
	}
	return fd;
}

int husk_statedir_open_root_for(const char *root, const char *id, husk_error_t *err)
{
	int fd;

	if (husk_statedir_check_id(id, err) < 0) {
		return -1;
	}
	fd = husk_statedir_open_root(root, false, err);
	if (fd < 0 && husk_error_errno_of(*err) == ENOENT) {
		husk_error_free(err);
		return husk_error_make(err, 0, "container does not exist: %s", id);
	}
	return fd;
}

/* How long a command waits for another's lock on a container before it
 * gives up: commands hold it only for their own short steps (never while a
 * container runs, a hook runs or a process waits in the freezer), so only
 * a stuck husk holds it this long, and no command may wait for ever. */
#define LOCK_WAIT_MS 30000

/* Take the lock, polling with a growing pause up to LOCK_WAIT_MS; EWOULDBLOCK
 * when another command held it all that time. */
static int lock_dir(int fd, bool shared)
{
	long waited = 0, pause = 1;

	for (;;) {
		struct timespec ts;

		if (flock(fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) == 0) {
			return 0;
		}
		if (errno != EWOULDBLOCK && errno != EINTR) {
			return -1;
		}
		if (waited >= LOCK_WAIT_MS) {
			errno = EWOULDBLOCK;
			return -1;
		}
		ts = (struct timespec){ .tv_sec = pause / 1000,
					.tv_nsec = (pause % 1000) * 1000000 };
		nanosleep(&ts, NULL);
		waited += pause;
		pause = pause < 64 ? pause * 2 : 64;
	}
}

/* A state dir without state.json whose lock we hold was left by a create
 * that died before it finished (create holds the lock from the moment the
 * directory has its name until state.json is written). */
static bool is_abandoned(int fd)
{
	struct stat st;

	return fstatat(fd, HUSK_STATE_FILE, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT;
}

#define CGROUP_NOTE "cgroup"

int husk_statedir_note_cgroup(int dirfd, const char *mode, const char *path, husk_error_t *err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *text = NULL;

	if (path == NULL) {
		return 0;
	}
	text = xasprintf("%s %s\n", mode, path);
	fd = openat(dirfd, CGROUP_NOTE, HUSK_O_CREAT_EXCL, 0600);
	if (fd < 0 || husk_write_all(fd, text, strlen(text)) < 0) {
		return husk_error_errno(err, "note the cgroup in the state dir");
	}
	return 0;
}

/* The cgroup a dead create made, from its note: its init died with it
 * (parent-death signal), so only the directories are left. */
static void remove_noted_cgroup(int fd)
{
	_cleanup_error_ husk_error_t e = NULL;
	_cleanup_close_ int nfd = openat(fd, CGROUP_NOTE, HUSK_O_RDONLY);
	char buf[4200], *sp;
	husk_cgroup_t *cg;
	ssize_t n;

	if (nfd < 0 || (n = read(nfd, buf, sizeof(buf) - 1)) <= 0) {
		return;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	sp = strchr(buf, ' ');
	if (sp == NULL || sp[1] != '/') {
		return;
	}
	*sp = '\0';
	cg = husk_cgroup_open(buf, sp + 1, &e);
	if (cg == NULL) {
		return;
	}
	husk_cgroup_destroy(cg, &e);
	husk_cgroup_free(cg);
}

static void remove_abandoned(int rootfd, const char *id, int fd)
{
	husk_error_t e = NULL;

	remove_noted_cgroup(fd);
	husk_statedir_remove(rootfd, id, fd, &e);
	husk_error_free(&e);
}

/* If <root>/<id> was abandoned by a dead create, remove it.  Returns true
 * when it did, false when a live container (or a create in progress) owns
 * the id. */
static bool reclaim(int rootfd, const char *id)
{
	_cleanup_close_ int fd = openat(rootfd, id, HUSK_O_DIR);

	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0 || !is_abandoned(fd)) {
		return false;
	}
	remove_abandoned(rootfd, id, fd);
	return true;
}

int husk_statedir_create(int rootfd, const char *id, husk_error_t *err)
{
	char tmp[64];

	if (husk_statedir_check_id(id, err) < 0) {
		return -1;
	}
	/* The directory gets its name only once it is locked, so no other
	 * command ever sees it unlocked and empty: made under a temporary
	 * name (ids never start with '.'), locked, then renamed into place
	 * without replacing anything. */
	for (int attempt = 0; attempt < 2; attempt++) {
		_cleanup_close_ int fd = -1;

		snprintf(tmp, sizeof(tmp), ".creating-%d", (int) getpid());
		unlinkat(rootfd, tmp, AT_REMOVEDIR);
		if (mkdirat(rootfd, tmp, 0700) < 0) {
			return husk_error_errno(err, "create state directory for `%s`", id);
		}
		fd = openat(rootfd, tmp, HUSK_O_DIR);
		if (fd < 0 || lock_dir(fd, false) < 0) {
			int saved = errno;

			unlinkat(rootfd, tmp, AT_REMOVEDIR);
			return husk_error_make(err, saved, "open state directory for `%s`", id);
		}
		if (renameat2(rootfd, tmp, rootfd, id, RENAME_NOREPLACE) == 0) {
			return TAKE_FD(fd);
		}
		int saved = errno;

		unlinkat(rootfd, tmp, AT_REMOVEDIR);
		if (saved != EEXIST) {
			return husk_error_make(err, saved, "create state directory for `%s`", id);
		}
		if (!reclaim(rootfd, id)) {
			break;
		}
	}
	return husk_error_make(err, 0, "container with id exists: %s", id);
}

int husk_statedir_open(int rootfd, const char *id, bool shared, husk_error_t *err)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (husk_statedir_check_id(id, err) < 0) {
		return -1;
	}
	fd = openat(rootfd, id, HUSK_O_DIR);
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR)) {
		return husk_error_make(err, 0, "container does not exist: %s", id);
	}
	if (fd < 0) {
		return husk_error_errno(err, "open state directory for `%s`", id);
	}
	if (lock_dir(fd, shared) < 0) {
		if (errno == EWOULDBLOCK) {
			return husk_error_make(
				err, errno,
				"container `%s` is busy: another husk command has held "
				"its lock for %d s",
				id, LOCK_WAIT_MS / 1000);
		}
		return husk_error_errno(err, "lock state directory for `%s`", id);
	}
	/* A delete that held the lock before us removed the directory: our fd
	 * now names an unlinked directory with no links left. */
	if (fstat(fd, &st) < 0 || st.st_nlink == 0) {
		return husk_error_make(err, 0, "container does not exist: %s", id);
	}
	if (is_abandoned(fd)) {
		remove_abandoned(rootfd, id, fd);
		return husk_error_make(err, 0, "container does not exist: %s", id);
	}
	return TAKE_FD(fd);
}

int husk_statedir_remove(int rootfd, const char *id, int dirfd, husk_error_t *err)
{
	_cleanup_closedir_ DIR *d = NULL;
	int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	struct dirent *e;

	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		husk_safe_close(fd);
		return husk_error_errno(err, "read state directory of `%s`", id);
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
			continue;
		}
		if (unlinkat(dirfd, e->d_name, e->d_type == DT_DIR ? AT_REMOVEDIR : 0) < 0 &&
		    errno != ENOENT) {
			return husk_error_errno(err, "remove `%s` from the state of `%s`",
						e->d_name, id);
		}
	}
	if (unlinkat(rootfd, id, AT_REMOVEDIR) < 0 && errno != ENOENT) {
		return husk_error_errno(err, "remove state directory of `%s`", id);
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

char **husk_statedir_list(int rootfd, size_t *count, husk_error_t *err)
{
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_strv_ char **ids = NULL;
	int fd = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
	size_t n = 0;
	struct dirent *e;

	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		husk_safe_close(fd);
		husk_error_errno(err, "read the state root");
		return NULL;
	}
	rewinddir(d);
	ids = xcalloc(1, sizeof(char *));
	while ((e = readdir(d)) != NULL) {
		if (e->d_type != DT_DIR || husk_statedir_check_id(e->d_name, NULL) < 0) {
			continue;
		}
		ids = xreallocarray(ids, n + 2, sizeof(char *));
		ids[n++] = xstrdup(e->d_name);
		ids[n] = NULL;
	}
	qsort(ids, n, sizeof(char *), cmp_str);
	*count = n;
	return TAKE_PTR(ids);
}
