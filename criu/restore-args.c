/* husk criu: a restore's namespaces and untrusted images (see
 * restore-args.h). */
#include "criu/restore-args.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec/descriptors.h"
#include "util/cleanup.h"
#include "util/io.h"
#include "util/open.h"
#include "util/xalloc.h"

#define DESCRIPTORS_MAX (64 << 10)

static const struct {
	const char *name; /* CRIU's, and the error's */
	int flag;
	enum { NS_EXTERNAL, NS_JOIN, NS_REFUSED } how;
	const char *key; /* NS_EXTERNAL: the key checkpoint gave it */
} ns_kinds[HUSK_NS_COUNT] = {
	[HUSK_NS_PID] = { "pid", CLONE_NEWPID, NS_EXTERNAL, "extRootPidNS" },
	[HUSK_NS_NETWORK] = { "net", CLONE_NEWNET, NS_EXTERNAL, "extRootNetNS" },
	[HUSK_NS_IPC] = { "ipc", CLONE_NEWIPC, NS_JOIN, NULL },
	[HUSK_NS_UTS] = { "uts", CLONE_NEWUTS, NS_JOIN, NULL },
	[HUSK_NS_USER] = { "user", CLONE_NEWUSER, NS_JOIN, NULL },
	[HUSK_NS_TIME] = { "time", CLONE_NEWTIME, NS_JOIN, NULL },
	[HUSK_NS_MOUNT] = { "mount", CLONE_NEWNS, NS_REFUSED, NULL },
	[HUSK_NS_CGROUP] = { "cgroup", CLONE_NEWCGROUP, NS_REFUSED, NULL },
};

int husk_restore_check_namespaces(const husk_config_t *cfg, husk_error_t *err)
{
	for (size_t i = 0; i < cfg->linux_->namespaces.n; i++) {
		const husk_namespace_t *ns = &cfg->linux_->namespaces.v[i];

		if (ns->path != NULL && ns_kinds[ns->type].how == NS_REFUSED) {
			return husk_error_make(
				err, 0,
				"config.json: linux.namespaces: CRIU cannot restore "
				"into the %s namespace `%s` joined by path (it joins "
				"ipc, uts, user, time, network and pid ones)",
				ns_kinds[ns->type].name, ns->path);
		}
	}
	return 0;
}

/* NS's path, opened (followed, as create does: /proc/<pid>/ns/net is a
 * link) and checked to be a namespace of its type. */
static int open_namespace(const husk_namespace_t *ns, husk_error_t *err)
{
	_cleanup_close_ int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
	int type;

	if (fd < 0) {
		return husk_error_errno(err, "open %s namespace `%s`", ns_kinds[ns->type].name,
					ns->path);
	}
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type != ns_kinds[ns->type].flag) {
		return husk_error_make(err, type < 0 ? errno : 0,
				       "config.json: linux.namespaces: `%s` is not a %s namespace",
				       ns->path, ns_kinds[ns->type].name);
	}
	return TAKE_FD(fd);
}

int husk_restore_namespace_args(husk_argv_t *a, const husk_config_t *cfg,
				int fds[HUSK_RESTORE_MAX_NS_FDS], size_t *nfds, husk_error_t *err)
{
	const husk_linux_t *l = cfg->linux_;

	*nfds = 0;
	for (size_t i = 0; i < l->namespaces.n; i++) {
		const husk_namespace_t *ns = &l->namespaces.v[i];
		int fd;

		if (ns->path == NULL || *nfds == HUSK_RESTORE_MAX_NS_FDS) {
			continue;
		}
		fd = open_namespace(ns, err);
		if (fd < 0) {
			return -1;
		}
		if (ns_kinds[ns->type].how == NS_EXTERNAL) {
			fds[(*nfds)++] = fd;
			husk_argv_add(a, "--inherit-fd");
			husk_argv_addf(a, "fd[%d]:%s", fd, ns_kinds[ns->type].key);
			continue;
		}
		/* CRIU opens the path itself; the check above only names a
		 * wrong one early. */
		husk_safe_close(fd);
		husk_argv_add(a, "--join-ns");
		husk_argv_addf(a, "%s:%s", ns_kinds[ns->type].name, ns->path);
	}
	return 0;
}

/* "pipe:[N]", exactly: what runc's descriptors.json holds for a pipe. */
static bool is_pipe_name(const char *s)
{
	size_t n;

	if (strncmp(s, "pipe:[", 6) != 0) {
		return false;
	}
	n = strspn(s + 6, "0123456789");
	return n > 0 && n <= 20 && strcmp(s + 6 + n, "]") == 0;
}

/* IMAGES/descriptors.json, strictly; NULL with no error when there is none. */
static char *read_descriptors(const char *images, size_t *len, husk_error_t *err)
{
	_cleanup_close_ int dirfd = open(images, HUSK_O_DIR);
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	struct stat st;

	if (dirfd < 0) {
		husk_error_errno(err, "image directory `%s`", images);
		return NULL;
	}
	/* Looked at before it is opened: opening a device node can act on the
	 * device, and a fifo would block. */
	if (fstatat(dirfd, HUSK_DESCRIPTORS_FILE, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT) {
			husk_error_errno(err, "checkpoint `%s/%s`", images, HUSK_DESCRIPTORS_FILE);
		}
		return NULL;
	}
	fd = S_ISREG(st.st_mode) ? openat(dirfd, HUSK_DESCRIPTORS_FILE, HUSK_O_RDONLY | O_NONBLOCK)
				 : -1;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > DESCRIPTORS_MAX) {
		husk_error_make(err, 0,
				"checkpoint `%s/%s`: not a regular file of at most %d bytes",
				images, HUSK_DESCRIPTORS_FILE, DESCRIPTORS_MAX);
		return NULL;
	}
	buf = husk_read_fd(fd, DESCRIPTORS_MAX, len);
	if (buf == NULL) {
		husk_error_errno(err, "read `%s/%s`", images, HUSK_DESCRIPTORS_FILE);
		return NULL;
	}
	return TAKE_PTR(buf);
}

int husk_restore_stdio_args(husk_argv_t *a, const char *images, husk_error_t *err)
{
	_cleanup_free_ char *json = NULL;
	_cleanup_strv_ char **fds = NULL;
	size_t len = 0;

	json = read_descriptors(images, &len, err);
	if (json == NULL) {
		return *err != NULL ? -1 : 0; /* not a husk or runc checkpoint */
	}
	fds = husk_descriptors_parse(json, len, err);
	if (fds == NULL) {
		return -1;
	}
	for (int i = 0; i < 3 && fds[i] != NULL; i++) {
		if (is_pipe_name(fds[i])) {
			husk_argv_add(a, "--inherit-fd");
			husk_argv_addf(a, "fd[%d]:%s", i, fds[i]);
		}
	}
	return 0;
}

static int clear_in(const char *dir, const char *const *names, husk_error_t *err)
{
	_cleanup_close_ int dirfd = open(dir, HUSK_O_DIR);

	if (dirfd < 0) {
		return husk_error_errno(err, "open `%s`", dir);
	}
	for (size_t i = 0; names[i] != NULL; i++) {
		struct stat st;

		if (unlinkat(dirfd, names[i], 0) == 0 || errno == ENOENT) {
			continue;
		}
		/* A read-only image may keep a plain file of its own: CRIU
		 * cannot write it either.  Anything else is refused. */
		if (fstatat(dirfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) || st.st_nlink != 1) {
			return husk_error_make(err, 0,
					       "checkpoint: `%s/%s` is not a plain file husk can "
					       "remove, and CRIU would write through it",
					       dir, names[i]);
		}
	}
	return 0;
}

int husk_restore_clear_outputs(const char *images, const char *work, husk_error_t *err)
{
	static const char *const in_images[] = { "stats-restore", NULL };
	static const char *const in_work[] = { "restore.log", NULL };

	return clear_in(images, in_images, err) < 0 || clear_in(work, in_work, err) < 0 ? -1 : 0;
}
