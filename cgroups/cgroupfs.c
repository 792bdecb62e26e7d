/* husk cgroups: the files and directories every cgroupfs layout shares. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libcgroup.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroups/cgroup-internal.h"
#include "util/cleanup.h"
#include "util/io.h"
#include "util/log.h"
#include "util/open.h"
#include "util/proc.h"
#include "util/xalloc.h"

/* ---- files ---- */

int husk_cg_write(const char *dir, const char *file, const char *value, husk_error_t *err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
	_cleanup_close_ int fd = open(path, HUSK_O_WRONLY);
	size_t len = strlen(value);

	if (fd < 0 || write(fd, value, len) != (ssize_t) len) {
		return husk_error_errno(err, "cgroups: write `%s` to `%s`", value, path);
	}
	return 0;
}

char *husk_cg_read(const char *dir, const char *file, husk_error_t *err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
	char *text = husk_read_at(AT_FDCWD, path, 1 << 20, NULL, err);

	if (text == NULL) {
		husk_error_wrap(err, "cgroups");
	}
	return text;
}

int husk_cg_write_int(const char *dir, const char *file, int64_t v, husk_error_t *err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return husk_cg_write(dir, file, buf, err);
}

bool husk_cg_exists(const char *dir, const char *file)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file);

	return access(path, F_OK) == 0;
}

bool husk_cg_listed(const char *list, const char *ctl)
{
	size_t n = strlen(ctl);

	for (const char *p = list; (p = strstr(p, ctl)) != NULL; p += n) {
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0')) {
			return true;
		}
	}
	return false;
}

/* ---- directories ---- */

/* A new level copies its parent's cpuset.cpus and cpuset.mems where its own
 * are empty. */
static int init_cpuset(const char *parent, const char *dir, husk_error_t *err)
{
	for (int i = 0; i < 2; i++) {
		const char *f = i == 0 ? "cpuset.cpus" : "cpuset.mems";
		_cleanup_free_ char *mine = husk_cg_read(dir, f, err);
		_cleanup_free_ char *from = NULL;

		if (mine == NULL) {
			return -1;
		}
		if (mine[0] != '\n' && mine[0] != '\0') {
			continue;
		}
		from = husk_cg_read(parent, f, err);
		if (from == NULL || husk_cg_write(dir, f, from, err) < 0) {
			return -1;
		}
	}
	return 0;
}

char *husk_cg_make_dirs(const char *root, const char *path, bool cpuset, bool enable, bool *existed,
			husk_error_t *err)
{
	_cleanup_free_ char *dir = xstrdup(root);

	*existed = true; /* no level: the root, which is anything but empty */
	for (const char *p = path; *p != '\0';) {
		size_t len = strcspn(p, "/");
		_cleanup_free_ char *next = NULL;

		if (len > 0) {
			/* v2: a level's controllers come from its parent's
			 * subtree_control, so enable them before making it. */
			if (enable && husk_cg_enable_controllers(dir, err) < 0) {
				return NULL;
			}
			next = xasprintf("%s/%.*s", dir, (int) len, p);
			*existed = mkdir(next, 0755) < 0;
			if (*existed && errno != EEXIST) {
				husk_error_errno(err, "cgroups: make `%s`", next);
				return NULL;
			}
			if (cpuset && init_cpuset(dir, next, err) < 0) {
				return NULL;
			}
			free(dir);
			dir = TAKE_PTR(next);
		}
		p += len;
		p += *p == '/';
	}
	return TAKE_PTR(dir);
}

/* DIR's cgroup.subtree_control; NULL when unreadable, and then every
 * controller is written. */
static char *enabled_controllers(const char *dir)
{
	_cleanup_error_ husk_error_t e = NULL;

	return husk_cg_read(dir, "cgroup.subtree_control", &e);
}

/* Those already enabled are not written again: each write to
 * cgroup.subtree_control first waits until every dying cgroup below DIR is
 * offline, and the previous container's, just removed, can take an RCU
 * grace period and a workqueue round to get there. */
int husk_cg_enable_controllers(const char *dir, husk_error_t *err)
{
	_cleanup_free_ char *avail = husk_cg_read(dir, "cgroup.controllers", err);
	_cleanup_free_ char *on = NULL;

	if (avail == NULL) {
		return -1;
	}
	on = enabled_controllers(dir);
	for (char *save = NULL, *c = strtok_r(avail, " \n", &save); c != NULL;
	     c = strtok_r(NULL, " \n", &save)) {
		_cleanup_error_ husk_error_t e = NULL;
		_cleanup_free_ char *plus = NULL;

		if (on != NULL && husk_cg_listed(on, c)) {
			continue;
		}
		plus = xasprintf("+%s", c);

		/* Best effort per controller: one the parent cannot delegate
		 * (a threaded subtree, say) must not stop the others; a limit
		 * that needs it fails later, clearly. */
		if (husk_cg_write(dir, "cgroup.subtree_control", plus, &e) < 0) {
			husk_debug("%s", e->msg);
		}
	}
	return 0;
}

/* ---- where ---- */

/* libcgroup's cgroup_init(), once per process: it clears an 800 KiB table
 * before it reads the mounts, 200 page faults each time, and `run` would pay
 * them twice (create, then delete), a sandbox three times (create, its
 * stats, delete). */
int husk_cg_lib_init(husk_error_t *err)
{
	static int init = -1;

	if (init != 0) {
		init = cgroup_init();
	}
	if (init != 0) {
		return husk_error_make(err, 0, "cgroups: libcgroup: %s", cgroup_strerror(init));
	}
	return 0;
}

/* The root of the hierarchy the delegation is read from: v2's, or v1's
 * pids (one base for every hierarchy); NULL when there is none. */
static char *delegation_root(bool unified, husk_error_t *err)
{
	char *root = NULL;

	if (unified) {
		return xstrdup(HUSK_CG_ROOT);
	}
	if (husk_cg_lib_init(err) < 0 || cgroup_get_subsys_mount_point("pids", &root) != 0) {
		return NULL; /* no pids hierarchy to anchor the path: none */
	}
	return root;
}

char *husk_cg_delegated(bool unified, husk_error_t *err)
{
	_cleanup_free_ char *root = delegation_root(unified, err);
	_cleanup_free_ char *own = NULL;
	char *best = NULL;
	uid_t me = geteuid();

	if (root == NULL || (own = husk_cg_own(unified, err)) == NULL) {
		return NULL;
	}
	/* Up from husk's own cgroup while the caller owns each level, as a
	 * delegation (chown of the directory and its cgroup.procs) leaves it. */
	for (;;) {
		_cleanup_free_ char *dir =
			xasprintf("%s%s", root, strcmp(own, "/") == 0 ? "" : own);
		_cleanup_free_ char *procs = xasprintf("%s/cgroup.procs", dir);
		struct stat st;
		char *slash;

		if (strcmp(own, "/") == 0 || stat(dir, &st) < 0 || st.st_uid != me ||
		    access(dir, W_OK) < 0 || access(procs, W_OK) < 0) {
			break;
		}
		free(best);
		best = xstrdup(own);
		slash = strrchr(own, '/');
		if (slash == own) {
			slash[1] = '\0';
		} else {
			*slash = '\0';
		}
	}
	return best;
}

char *husk_cg_own(bool unified, husk_error_t *err)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
	char line[4096];

	if (f == NULL) {
		husk_error_errno(err, "read /proc/self/cgroup");
		return NULL;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *ctl = strchr(line, ':');
		char *path = ctl != NULL ? strchr(ctl + 1, ':') : NULL;

		if (path == NULL) {
			continue;
		}
		*path++ = '\0';
		path[strcspn(path, "\n")] = '\0';
		if ((unified && strcmp(ctl + 1, "") == 0) ||
		    (!unified && strcmp(ctl + 1, "pids") == 0)) {
			return xstrdup(path);
		}
	}
	husk_error_make(err, 0, "cgroups: husk's own cgroup is not in /proc/self/cgroup");
	return NULL;
}

/* The absolute path for a cgroupsPath (NULL: /husk/<ID>); refuses ".." and
 * "." components. */
static char *path_for(bool unified, const char *cgroups_path, const char *id, husk_error_t *err)
{
	_cleanup_free_ char *own = NULL;

	if (cgroups_path == NULL || cgroups_path[0] == '\0') {
		return xasprintf("/husk/%s", id);
	}
	for (const char *p = cgroups_path; *p != '\0';) {
		size_t len = strcspn(p, "/");

		if ((len == 2 && strncmp(p, "..", 2) == 0) || (len == 1 && p[0] == '.')) {
			husk_error_make(err, 0,
					"linux.cgroupsPath `%s`: `.` and `..` are not allowed",
					cgroups_path);
			return NULL;
		}
		p += len;
		p += *p == '/';
	}
	if (cgroups_path[0] == '/') {
		return xstrdup(cgroups_path);
	}
	own = husk_cg_own(unified, err);
	if (own == NULL) {
		return NULL;
	}
	return xasprintf("%s/%s", strcmp(own, "/") == 0 ? "" : own, cgroups_path);
}

int husk_cg_fs_path(husk_cgroup_t *cg, const husk_cgroup_req_t *req, husk_error_t *err)
{
	const char *cgroups_path = req->cfg->linux_->cgroups_path;
	_cleanup_free_ char *base = NULL;

	if (!req->rootless || geteuid() == 0 || (cgroups_path != NULL && cgroups_path[0] != '\0')) {
		cg->path = path_for(cg->m->unified, cgroups_path, req->id, err);
		return cg->path != NULL ? 0 : -1;
	}
	/* Not root and no path asked for: under the subtree delegated to
	 * the caller, or in no cgroup of its own. */
	base = husk_cg_delegated(cg->m->unified, err);
	if (base == NULL) {
		return *err != NULL ? -1 : 1;
	}
	cg->path = xasprintf("%s/husk/%s", base, req->id);
	return 0;
}

bool husk_cg_any_limit(const husk_resources_t *r)
{
	return r != NULL &&
	       (r->memory != NULL || r->cpu != NULL || r->pids != NULL || r->block_io != NULL ||
		r->hugepage_limits.n || r->rdma.n || r->unified.n || r->network != NULL);
}

int husk_cg_fs_finish(husk_cgroup_t *cg, const husk_linux_t *l,
		      int (*apply)(husk_cgroup_t *cg, const husk_linux_t *l, husk_error_t *err),
		      husk_error_t *err)
{
	/* A cgroup with processes is another container's (or someone's):
	 * sharing it would let one delete kill the other.  Refused, and left
	 * exactly as it is.  One made just now holds nothing. */
	if (cg->existed) {
		_cleanup_free_ pid_t *pids = NULL;
		ssize_t n = husk_cg_pids(cg, &pids, err);

		if (n != 0) {
			if (n > 0) {
				husk_error_make(err, 0,
						"cgroup `%s` is not empty: it is in use by other "
						"processes",
						cg->path);
			}
			return -1;
		}
	}
	if (l->resources != NULL && apply(cg, l, err) < 0) {
		_cleanup_error_ husk_error_t e = NULL;

		husk_cg_fs_destroy(cg, &e);
		return -1;
	}
	return 0;
}

/* ---- rootless ---- */

void husk_cg_add_dropped(husk_cgroup_t *cg, const char *what)
{
	char *d = xasprintf("%s%s%s", cg->dropped != NULL ? cg->dropped : "",
			    cg->dropped != NULL ? " " : "", what);

	free(cg->dropped);
	cg->dropped = d;
}

bool husk_cg_not_ours(husk_error_t e)
{
	int n = husk_error_errno_of(e);

	return n == EACCES || n == EPERM || n == EROFS;
}

static bool was_dropped(const husk_cgroup_t *cg, const char *what)
{
	size_t len = strlen(what);

	for (const char *p = cg->dropped; p != NULL && (p = strstr(p, what)) != NULL; p += len) {
		if ((p == cg->dropped || p[-1] == ' ' || p[-1] == ',') &&
		    (p[len] == '\0' || p[len] == ' ' || p[len] == ',')) {
			return true;
		}
	}
	return false;
}

int husk_cg_need_dir(const husk_cgroup_t *cg, const char *dir, const char *what, husk_error_t *err)
{
	if (dir != NULL) {
		return 0;
	}
	if (cg->rootless && was_dropped(cg, what)) {
		return husk_error_make(
			err, EACCES,
			"linux.resources.%s: the %s cgroup `%s` cannot be made by uid "
			"%u (rootless): delegate a %s cgroup to this user, or run "
			"as root",
			what, what, cg->path, (unsigned) geteuid(), what);
	}
	return husk_error_make(err, 0, "linux.resources.%s: the host has no %s controller mounted",
			       what, what);
}

/* Rootless: whether the caller may move a process into UROOT + PATH of the
 * unified hierarchy.  The kernel wants write access to cgroup.procs of the
 * nearest cgroup above both the caller's and the target (for
 * CLONE_INTO_CGROUP too), which a delegated subtree grants only when the
 * caller sits in it. */
static bool may_move_into(const char *uroot, const char *path)
{
	_cleanup_error_ husk_error_t e = NULL;
	_cleanup_free_ char *own = husk_cg_own(true, &e);
	_cleanup_free_ char *procs = NULL;
	size_t common = 0;

	if (own == NULL) {
		return false;
	}
	for (size_t i = 0;; i++) {
		bool end_own = own[i] == '\0' || own[i] == '/';
		bool end_path = path[i] == '\0' || path[i] == '/';

		if (end_own && end_path) {
			common = i;
		}
		if (own[i] == '\0' || path[i] == '\0' || own[i] != path[i]) {
			break;
		}
	}
	procs = xasprintf("%s%.*s/cgroup.procs", uroot, (int) common, path);
	return access(procs, W_OK) == 0;
}

static int unified_make(husk_cgroup_t *cg, const char *uroot, const char *what, husk_error_t *err)
{
	_cleanup_error_ husk_error_t e = NULL;

	cg->unified = husk_cg_make_dirs(uroot, cg->path, false, cg->m->unified, &cg->existed, &e);
	if (cg->unified != NULL && cg->rootless && !may_move_into(uroot, cg->path)) {
		husk_debug("cgroups: rootless: no process can be moved into `%s`", cg->unified);
		rmdir(cg->unified);
		free(TAKE_PTR(cg->unified));
	} else if (cg->unified == NULL && !(cg->rootless && husk_cg_not_ours(e))) {
		return husk_error_move(err, &e);
	}
	if (cg->unified == NULL) {
		husk_cg_add_dropped(cg, what);
	}
	return 0;
}

int husk_cg_unified_setup(husk_cgroup_t *cg, const char *uroot, bool create, const char *what,
			  husk_error_t *err)
{
	if (create) {
		if (unified_make(cg, uroot, what, err) < 0) {
			return -1;
		}
	} else {
		cg->unified = xasprintf("%s%s", uroot, cg->path);
		if (cg->rootless && access(cg->unified, F_OK) < 0) {
			free(TAKE_PTR(cg->unified));
		}
	}
	if (cg->unified != NULL) {
		cg->unified_fd = open(cg->unified, HUSK_O_PATH_DIR);
		if (cg->unified_fd < 0 && create) {
			return husk_error_errno(err, "cgroups: open `%s`", cg->unified);
		}
	}
	return 0;
}

/* ---- devices ---- */

/* The devices every container may use whatever its rules say, as runc
 * adds them: the default /dev nodes, the console and its ptys. */
static const struct {
	int64_t major, minor; /* minor -1: any */
} default_devices[] = {
	{ 1, 3 }, { 1, 5 }, { 1, 7 }, { 1, 8 }, { 1, 9 }, { 5, 0 }, { 5, 1 }, { 5, 2 }, { 136, -1 },
};

size_t husk_cg_device_rules(const husk_linux_t *l, husk_device_rule_t **rules)
{
	const husk_resources_t *r = l->resources;
	size_t ndef = sizeof(default_devices) / sizeof(*default_devices), n = 0;
	husk_device_rule_t *v = xcalloc(r->devices.n + ndef + l->devices.n + 1, sizeof(*v));

	for (size_t i = 0; i < r->devices.n; i++) {
		v[n] = r->devices.v[i];
		/* -1 is how Go clients spell "any". */
		v[n].has_major &= v[n].major >= 0;
		v[n].has_minor &= v[n].minor >= 0;
		n++;
	}
	for (size_t i = 0; i < ndef; i++) {
		v[n++] = (husk_device_rule_t){
			.allow = true,
			.type = (char *) "c",
			.has_major = true,
			.major = default_devices[i].major,
			.has_minor = default_devices[i].minor >= 0,
			.minor = default_devices[i].minor,
			.access = (char *) "rwm",
		};
	}
	for (size_t i = 0; i < l->devices.n; i++) {
		const husk_device_t *d = &l->devices.v[i];

		if (d->type == HUSK_DEV_FIFO) {
			continue;
		}
		v[n++] = (husk_device_rule_t){
			.allow = true,
			.type = (char *) (d->type == HUSK_DEV_BLOCK ? "b" : "c"),
			.has_major = true,
			.major = d->major,
			.has_minor = true,
			.minor = d->minor,
			.access = (char *) "rwm",
		};
	}
	*rules = v;
	return n;
}

/* ---- a cgroup that exists ---- */

const char *husk_cg_procs_dir(const husk_cgroup_t *cg)
{
	static const char *const prefer[] = { "pids", "freezer" };

	if (cg->m->unified) {
		return cg->unified;
	}
	for (size_t k = 0; k < 2; k++) {
		for (size_t i = 0; i < cg->n; i++) {
			if (strcmp(cg->v1_ctl[i], prefer[k]) == 0) {
				return cg->v1[i];
			}
		}
	}
	return cg->n > 0 ? cg->v1[0] : cg->unified;
}

/* Call FN on each sub-cgroup of DIR (its subdirectories). */
static int each_child(const char *dir, int (*fn)(const char *child, void *data, husk_error_t *err),
		      void *data, husk_error_t *err)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL) {
		return errno == ENOENT ? 0 : husk_error_errno(err, "cgroups: read `%s`", dir);
	}
	while ((de = readdir(d)) != NULL) {
		_cleanup_free_ char *child = NULL;

		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0) {
			continue;
		}
		child = xasprintf("%s/%s", dir, de->d_name);
		if (fn(child, data, err) < 0) {
			return -1;
		}
	}
	return 0;
}

struct pid_list {
	pid_t *v;
	size_t n;
};

/* cgroup.procs of DIR and of every cgroup below it (`exec --cgroup` and
 * the container itself may have made some). */
static int collect_pids(const char *dir, void *data, husk_error_t *err)
{
	struct pid_list *l = data;
	_cleanup_free_ char *text = husk_cg_read(dir, "cgroup.procs", err);

	if (text == NULL) {
		return -1;
	}
	for (char *save = NULL, *t = strtok_r(text, "\n", &save); t != NULL;
	     t = strtok_r(NULL, "\n", &save)) {
		l->v = xreallocarray(l->v, l->n + 1, sizeof(pid_t));
		l->v[l->n++] = (pid_t) atoi(t);
	}
	return each_child(dir, collect_pids, l, err);
}

ssize_t husk_cg_pids(const husk_cgroup_t *cg, pid_t **pids, husk_error_t *err)
{
	const char *dir = husk_cg_procs_dir(cg);
	struct pid_list l = { NULL, 0 };

	*pids = NULL;
	if (cg->path == NULL || dir == NULL) {
		return 0;
	}
	if (collect_pids(dir, &l, err) < 0) {
		free(l.v);
		return -1;
	}
	*pids = l.v;
	return (ssize_t) l.n;
}

int husk_cg_signal_all(const husk_cgroup_t *cg, int signo, husk_error_t *err)
{
	_cleanup_free_ pid_t *pids = NULL;
	ssize_t n;

	if (signo == SIGKILL && cg->unified != NULL && cg->m->unified &&
	    husk_cg_exists(cg->unified, "cgroup.kill")) {
		return husk_cg_write(cg->unified, "cgroup.kill", "1", err);
	}
	n = husk_cg_pids(cg, &pids, err);
	if (n < 0) {
		return -1;
	}
	for (ssize_t i = 0; i < n; i++) {
		/* pidfd first: the pid was in the cgroup when listed, and a
		 * pidfd keeps naming that process even if it exits and the
		 * number is reused before the signal. */
		_cleanup_close_ int fd = husk_pidfd_open(pids[i]);

		if (fd >= 0) {
			husk_pidfd_send(fd, signo);
		}
	}
	return 0;
}

static const char *freezer_dir(const husk_cgroup_t *cg)
{
	if (cg->m->unified) {
		return cg->unified;
	}
	for (size_t i = 0; i < cg->n; i++) {
		if (strcmp(cg->v1_ctl[i], "freezer") == 0) {
			return cg->v1[i];
		}
	}
	return NULL;
}

static bool frozen_now(const husk_cgroup_t *cg)
{
	_cleanup_error_ husk_error_t e = NULL;
	_cleanup_free_ char *s = NULL;
	const char *dir = freezer_dir(cg);

	if (dir == NULL) {
		return false;
	}
	if (cg->m->unified) {
		s = husk_cg_read(dir, "cgroup.events", &e);
		return s != NULL && strstr(s, "frozen 1") != NULL;
	}
	s = husk_cg_read(dir, "freezer.state", &e);
	return s != NULL && strncmp(s, "FROZEN", 6) == 0;
}

int husk_cg_freeze(const husk_cgroup_t *cg, bool frozen, husk_error_t *err)
{
	const char *dir = freezer_dir(cg);

	if (dir == NULL) {
		return husk_error_make(err, 0, "cgroups: no freezer: the container cannot be %s",
				       frozen ? "paused" : "resumed");
	}
	if (cg->m->unified) {
		if (husk_cg_write(dir, "cgroup.freeze", frozen ? "1" : "0", err) < 0) {
			return -1;
		}
	} else if (husk_cg_write(dir, "freezer.state", frozen ? "FROZEN" : "THAWED", err) < 0) {
		return -1;
	}
	/* Freezing is asynchronous: wait (bounded) until it is done. */
	for (int i = 0; i < 500; i++) {
		if (frozen_now(cg) == frozen) {
			return 0;
		}
		poll(NULL, 0, 10);
	}
	return husk_error_make(err, ETIMEDOUT, "cgroups: the container did not %s",
			       frozen ? "freeze" : "thaw");
}

bool husk_cg_is_frozen(const husk_cgroup_t *cg)
{
	return cg->path != NULL && frozen_now(cg);
}

static int remove_child(const char *dir, void *data, husk_error_t *err)
{
	(void) data;
	return husk_cg_remove_dir(dir, err);
}

int husk_cg_remove_dir(const char *dir, husk_error_t *err)
{
	if (each_child(dir, remove_child, NULL, err) < 0) {
		return -1;
	}
	/* A cgroup whose last process has just died may still count it for
	 * a moment: retry EBUSY, bounded. */
	for (int i = 0; i < 200; i++) {
		if (rmdir(dir) == 0 || errno == ENOENT) {
			return 0;
		}
		if (errno != EBUSY) {
			break;
		}
		poll(NULL, 0, 10);
	}
	return husk_error_errno(err, "cgroups: remove `%s`", dir);
}

void husk_cg_fs_empty(husk_cgroup_t *cg)
{
	_cleanup_free_ pid_t *pids = NULL;
	_cleanup_error_ husk_error_t e = NULL;

	/* Frozen processes cannot act on SIGKILL until thawed. */
	if (husk_cg_is_frozen(cg)) {
		husk_cg_freeze(cg, false, &e);
		husk_error_free(&e);
	}
	for (int i = 0; i < 500; i++) {
		ssize_t n = husk_cg_pids(cg, &pids, &e);

		free(TAKE_PTR(pids));
		husk_error_free(&e);
		if (n <= 0) {
			break;
		}
		husk_cg_signal_all(cg, SIGKILL, &e);
		husk_error_free(&e);
		poll(NULL, 0, 10);
	}
}

int husk_cg_fs_destroy(husk_cgroup_t *cg, husk_error_t *err)
{
	_cleanup_error_ husk_error_t e = NULL;
	int r = 0;

	husk_cg_fs_empty(cg);
	for (size_t i = 0; i < cg->n; i++) {
		if (husk_cg_remove_dir(cg->v1[i], err) < 0) {
			r = -1;
			err = &e; /* keep the first error, try the rest */
		}
	}
	if (cg->unified != NULL && husk_cg_remove_dir(cg->unified, err) < 0) {
		r = -1;
	}
	return r;
}

int husk_cg_check_before_update(const husk_cgroup_t *cg, const char *dir, const char *file,
				const husk_resources_t *r, husk_error_t *err)
{
	_cleanup_free_ char *cur = NULL;
	long long used;

	/* checkBeforeUpdate: a limit below what is in use now is refused
	 * rather than making the kernel reclaim or OOM-kill to meet it. */
	if (r->memory == NULL || !r->memory->has_check_before_update ||
	    !r->memory->check_before_update || !r->memory->has_limit || r->memory->limit <= 0) {
		return 0;
	}
	if (dir == NULL) {
		return husk_cg_need_dir(cg, NULL, "memory", err);
	}
	cur = husk_cg_read(dir, file, err);
	if (cur == NULL) {
		return -1;
	}
	used = strtoll(cur, NULL, 10);
	if (used > r->memory->limit) {
		return husk_error_make(err, 0,
				       "update: memory.checkBeforeUpdate: the new limit %" PRId64
				       " is below the current usage %lld",
				       r->memory->limit, used);
	}
	return 0;
}

int husk_cg_apply_rdma(const char *dir, const husk_resources_t *r, husk_error_t *err)
{
	if (r->rdma.n == 0) {
		return 0;
	}
	if (dir == NULL || !husk_cg_exists(dir, "rdma.max")) {
		return husk_error_make(err, 0,
				       "linux.resources.rdma: the host has no rdma controller for "
				       "the container");
	}
	for (size_t i = 0; i < r->rdma.n; i++) {
		const husk_rdma_t *d = &r->rdma.v[i];
		char handles[16] = "max", objects[16] = "max";
		_cleanup_free_ char *line = NULL;

		if (d->has_hca_handles) {
			snprintf(handles, sizeof(handles), "%u", d->hca_handles);
		}
		if (d->has_hca_objects) {
			snprintf(objects, sizeof(objects), "%u", d->hca_objects);
		}
		line = xasprintf("%s hca_handle=%s hca_object=%s", d->name, handles, objects);
		if (husk_cg_write(dir, "rdma.max", line, err) < 0) {
			return husk_error_wrap(err, "linux.resources.rdma");
		}
	}
	return 0;
}
