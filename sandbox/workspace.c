/* husk sandbox: the workspace (sandbox/workspace-internal.h): --overlay, --diff,
 * --protect and --disk-limit.
 *
 * An --overlay is three mounts stacked at its destination.  The config
 * binds the source there read-only, so that the init opens it as it opens
 * any bind (with the host's credentials as root, in its own user namespace
 * rootless) and so that it is a mount of the init's own namespace, which
 * overlayfs wants of every layer (it clones them with clone_private_mount,
 * which older kernels allow only there).  Then, in the init
 * (sandbox/workspace-mount.c, through create's after_mounts hook):
 *   - one tmpfs of the job's own, holding every overlay's upper and work
 *     directories and, with --disk-limit, /tmp: so one size= caps all the
 *     job can write, and none of it is on the host's disks.  It is attached
 *     at the first overlay's destination, where that overlay then covers
 *     it: the job never sees the layers, and overlayfs finds them in its
 *     namespace.  Without an overlay it is /tmp itself;
 *   - the overlay, its lower layers the read-only bind and, above it, a
 *     layer of placeholders for the protected paths the source lacks;
 *   - the protected paths of every writable mount bound read-only onto
 *     themselves, and the directories holding them onto themselves, still
 *     writable, so that a rename cannot carry them away.
 * The init sends the tmpfs to husk, which keeps it past the job: for the
 * report's disk_used and its disk-limit end, and for --diff (sandbox/diff.c).
 *
 * Nothing is ever made on the host but DIR: a protected path an --rw or
 * --workdir mount lacks cannot be made impossible to create without making
 * something in its place on the host, so husk looks again after the job
 * and names what the job made (protected_created in the report).
 */
#include "sandbox/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "init/sync.h"
#include "sandbox/workspace-internal.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/pathfs.h"
#include "util/strv.h"
#include "util/xalloc.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* What every writable mount protects unless --protect none: what git runs
 * (hooks, and the config that names hooks, fsmonitor, pagers) and what a
 * shell sources.  A trailing slash marks a directory. */
static const char *const default_protect[] = {
	".git/",       ".git/hooks/",  ".git/config", ".gitconfig", ".bashrc", ".bash_profile",
	".bash_login", ".bash_logout", ".profile",    ".zshrc",     ".zshenv", ".zprofile",
	".zlogin",     ".zlogout",     ".cshrc",      ".tcshrc",    ".login",
};

/* What git follows to another directory's config and hooks when it
 * exists: pinned where it is, named in the report where a job made it
 * (WS_PIN_WATCH). */
static const char *const default_watch[] = { ".git/commondir" };

/* Where an overlay may not go: it would hide the box's own mounts there. */
static const char *const kernel_dirs[] = { "/proc", "/dev", "/sys" };

/* ---- paths ---- */

/* PATH, absolute, with `.`, `..`, repeated and trailing slashes resolved as
 * names (no symlink is looked at). */
static char *normalise(const char *path)
{
	char *out = xmalloc(strlen(path) + 2);
	size_t n = 0;

	for (const char *p = path; *p != '\0';) {
		size_t len = strcspn(p, "/");

		if (len == 2 && p[0] == '.' && p[1] == '.') {
			while (n > 0 && out[--n] != '/') {
			}
		} else if (len > 0 && !(len == 1 && p[0] == '.')) {
			out[n++] = '/';
			memcpy(out + n, p, len);
			n += len;
		}
		p += len + strspn(p + len, "/");
	}
	if (n == 0) {
		out[n++] = '/';
	}
	out[n] = '\0';
	return out;
}

/* Whether PATH is DIR or below it (both normalised). */
static bool at_or_below(const char *path, const char *dir)
{
	size_t len = strlen(dir);

	if (strcmp(dir, "/") == 0) {
		return true;
	}
	return strncmp(path, dir, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

static bool below(const char *path, const char *dir)
{
	return at_or_below(path, dir) && strcmp(path, dir) != 0;
}

/* A --protect path: no empty, `.` or `..` component (an absolute one is
 * normalised instead). */
static int check_relative(const char *path, husk_error_t *err)
{
	for (const char *p = path; *p != '\0';) {
		size_t len = strcspn(p, "/");

		if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.')) {
			return husk_error_make(
				err, 0, "sandbox: --protect `%s`: `.` and `..` are not allowed",
				path);
		}
		p += len + (p[len] == '/');
	}
	return path[0] == '\0' || path[0] == '/' || strstr(path, "//") != NULL
		       ? husk_error_make(err, 0, "sandbox: --protect `%s`: not a path", path)
		       : 0;
}

/* ---- what each writable mount protects ---- */

static size_t depth(const char *path)
{
	size_t d = 0;

	for (const char *p = path; *p != '\0'; p++) {
		d += *p == '/';
	}
	return d;
}

static ws_path_t *find_path(ws_mount_t *m, const char *path)
{
	for (size_t i = 0; i < m->n_paths; i++) {
		if (strcmp(m->paths[i].path, path) == 0) {
			return &m->paths[i];
		}
	}
	return NULL;
}

static void put_path(ws_mount_t *m, const char *path, size_t len, enum ws_pin pin)
{
	_cleanup_free_ char *p = xmalloc(len + 1);
	ws_path_t *have;

	memcpy(p, path, len);
	p[len] = '\0';
	have = find_path(m, p);
	if (have != NULL) {
		if (pin == WS_PIN_ANCHOR) {
			have->pin = WS_PIN_ANCHOR;
		}
		return;
	}
	m->paths = xreallocarray(m->paths, m->n_paths + 1, sizeof(*m->paths));
	m->paths[m->n_paths++] = (ws_path_t){ .path = TAKE_PTR(p), .pin = pin };
}

/* PATH (relative; a trailing slash: a directory) and, as anchors, every
 * directory above it. */
static void protect_path(ws_mount_t *m, const char *path, bool watch)
{
	size_t len = strlen(path);
	bool dir = len > 1 && path[len - 1] == '/';

	len -= dir;
	for (size_t i = 1; i < len; i++) {
		if (path[i] == '/') {
			put_path(m, path, i, WS_PIN_ANCHOR);
		}
	}
	put_path(m, path, len, watch ? WS_PIN_WATCH : dir ? WS_PIN_DIR : WS_PIN_FILE);
}

static int by_depth(const void *a, const void *b)
{
	const ws_path_t *x = a, *y = b;
	size_t dx = depth(x->path), dy = depth(y->path);

	return dx != dy ? (dx < dy ? -1 : 1) : strcmp(x->path, y->path);
}

/* Whether PATH is missing under the directory FD: one of its components is,
 * and every one before it is a directory (no symlink).  Behind a symlink or
 * a file, it is not: whatever the box resolves it to is pinned there. */
static bool is_missing(int fd, const char *path)
{
	_cleanup_free_ char *p = xstrdup(path);

	for (char *slash = p;; slash++) {
		_cleanup_error_ husk_error_t e = NULL;
		_cleanup_close_ int f = -1;
		struct stat st;

		slash = strchr(slash, '/');
		if (slash != NULL) {
			*slash = '\0';
		}
		f = husk_path_open_at(fd, p, O_PATH | O_NOFOLLOW, 0, &e);
		if (f < 0) {
			return husk_error_errno_of(e) == ENOENT;
		}
		if (slash == NULL || fstat(f, &st) < 0 || !S_ISDIR(st.st_mode)) {
			return false;
		}
		*slash = '/';
	}
}

/* Absolute --protect paths, normalised, and the mount each belongs to:
 * the deepest holding it. */
typedef struct abs_paths_s {
	char **path;
	size_t *owner;
	size_t n;
} abs_paths_t;

static void abs_paths_clear(abs_paths_t *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->path[i]);
	}
	free(a->path);
	free(a->owner);
}

/* The protected paths of mount J: the defaults, the relative --protect
 * ones and the absolute ones it holds; and which are missing on the host. */
static void plan_paths(const husk_sandbox_opts_t *o, struct husk_workspace *ws, size_t j,
		       const abs_paths_t *abs)
{
	ws_mount_t *m = &ws->mounts[j];

	for (size_t i = 0; !o->no_default_protect && i < N_OF(default_protect); i++) {
		protect_path(m, default_protect[i], false);
	}
	for (size_t i = 0; !o->no_default_protect && i < N_OF(default_watch); i++) {
		protect_path(m, default_watch[i], true);
	}
	for (size_t i = 0; i < o->n_protect; i++) {
		if (o->protect[i][0] != '/') {
			protect_path(m, o->protect[i], false);
		} else if (abs->owner[i] == j) {
			const char *rel = abs->path[i] + strlen(m->destination) +
					  (strcmp(m->destination, "/") != 0);
			size_t len = strlen(o->protect[i]);
			/* A trailing slash (a directory) survives the
			 * normalisation. */
			_cleanup_free_ char *p =
				xasprintf("%s%s", rel, o->protect[i][len - 1] == '/' ? "/" : "");

			protect_path(m, p, false);
		}
	}
	if (m->n_paths > 0) { /* --protect none: no list at all, not an empty one */
		qsort(m->paths, m->n_paths, sizeof(*m->paths), by_depth);
	}
	for (size_t i = 0; i < m->n_paths; i++) {
		m->paths[i].missing = is_missing(m->sourcefd, m->paths[i].path);
	}
}

/* ---- the plan ---- */

/* SOURCE and DESTINATION are the workspace's now. */
static ws_mount_t *add_mount(struct husk_workspace *ws, char *source, char *destination,
			     bool overlay, husk_error_t *err)
{
	ws_mount_t *m;

	ws->mounts = xreallocarray(ws->mounts, ws->n_mounts + 1, sizeof(*ws->mounts));
	m = &ws->mounts[ws->n_mounts++];
	*m = (ws_mount_t){ .source = source,
			   .destination = destination,
			   .overlay = overlay,
			   .layer = overlay ? (int) ws->n_overlays++ : -1,
			   .sourcefd = -1 };
	m->sourcefd = open(source, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (m->sourcefd < 0) {
		husk_error_errno(err, "sandbox: %s `%s`", overlay ? "--overlay" : "--rw", source);
		return NULL;
	}
	return m;
}

/* --overlay SRC[:DST]: SRC an existing directory, DST absolute, where no
 * other overlay and no kernel filesystem of the box is. */
static int plan_overlay(struct husk_workspace *ws, const husk_sandbox_mount_t *o, husk_error_t *err)
{
	_cleanup_free_ char *src = realpath(o->source, NULL);
	_cleanup_free_ char *dst = NULL;

	if (src == NULL) {
		return husk_error_errno(err, "sandbox: --overlay `%s`", o->source);
	}
	if (o->destination != NULL && o->destination[0] != '/') {
		return husk_error_make(err, 0,
				       "sandbox: --overlay: destination `%s` is not absolute",
				       o->destination);
	}
	dst = normalise(o->destination != NULL ? o->destination : src);
	for (size_t i = 0; i < N_OF(kernel_dirs); i++) {
		if (strcmp(dst, "/") == 0 || at_or_below(dst, kernel_dirs[i])) {
			return husk_error_make(
				err, 0,
				"sandbox: --overlay: destination `%s`: not `/`, nor in "
				"`/proc`, `/dev` or `/sys`",
				dst);
		}
	}
	return add_mount(ws, TAKE_PTR(src), TAKE_PTR(dst), true, err) != NULL ? 0 : -1;
}

/* Overlays are stacked after every other mount: one below an overlay's
 * destination would be hidden, so it is refused. */
static int check_nesting(const struct husk_workspace *ws, const husk_sandbox_spec_t *s,
			 husk_error_t *err)
{
	for (size_t i = 0; i < ws->n_mounts; i++) {
		const char *dst = ws->mounts[i].destination;

		for (size_t j = 0; j < s->n_mounts; j++) {
			_cleanup_free_ char *other = normalise(s->mounts[j].destination);

			if (below(other, dst)) {
				return husk_error_make(err, 0,
						       "sandbox: --overlay `%s`: `%s` is mounted "
						       "below it, which the overlay would hide",
						       dst, other);
			}
		}
		for (size_t j = 0; j < i; j++) {
			if (at_or_below(dst, ws->mounts[j].destination) ||
			    at_or_below(ws->mounts[j].destination, dst)) {
				return husk_error_make(
					err, 0,
					"sandbox: --overlay `%s` and `%s`: one inside "
					"the other",
					ws->mounts[j].destination, dst);
			}
		}
	}
	return 0;
}

/* The config's writable binds (--rw, --workdir), unless an overlay covers
 * one: its protected paths are the overlay's. */
static int plan_binds(struct husk_workspace *ws, const husk_sandbox_spec_t *s, husk_error_t *err)
{
	size_t n_overlays = ws->n_mounts;

	for (size_t i = 0; i < s->n_mounts; i++) {
		_cleanup_free_ char *dst = NULL;
		bool covered = false;

		if (s->mounts[i].kind != HUSK_SANDBOX_RW) {
			continue;
		}
		dst = normalise(s->mounts[i].destination);
		for (size_t j = 0; j < n_overlays; j++) {
			covered |= strcmp(dst, ws->mounts[j].destination) == 0;
		}
		if (covered) {
			continue;
		}
		if (add_mount(ws, xstrdup(s->mounts[i].source), TAKE_PTR(dst), false, err) ==
		    NULL) {
			return -1;
		}
	}
	return 0;
}

/* Check the --protect paths; the absolute ones each inside a writable
 * mount, which takes it. */
static int plan_absolute(const struct husk_workspace *ws, const husk_sandbox_opts_t *o,
			 abs_paths_t *abs, husk_error_t *err)
{
	abs->n = o->n_protect;
	abs->path = xcalloc(abs->n + 1, sizeof(*abs->path));
	abs->owner = xcalloc(abs->n + 1, sizeof(*abs->owner));
	for (size_t i = 0; i < o->n_protect; i++) {
		size_t best = SIZE_MAX;

		if (o->protect[i][0] != '/') {
			if (check_relative(o->protect[i], err) < 0) {
				return -1;
			}
			continue;
		}
		abs->path[i] = normalise(o->protect[i]);
		for (size_t j = 0; j < ws->n_mounts; j++) {
			const char *d = ws->mounts[j].destination;

			if (below(abs->path[i], d) &&
			    (best == SIZE_MAX ||
			     strlen(d) > strlen(ws->mounts[best].destination))) {
				best = j;
			}
		}
		if (best == SIZE_MAX) {
			return husk_error_make(err, 0,
					       "sandbox: --protect `%s`: not inside an --rw, "
					       "--workdir or --overlay mount",
					       o->protect[i]);
		}
		abs->owner[i] = best;
	}
	return 0;
}

/* --diff DIR: made when missing (its parent must exist), else an empty
 * directory; opened once, so that what is written later lands there. */
static int plan_diff(struct husk_workspace *ws, const char *dir, husk_error_t *err)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *e;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT) {
		if (mkdir(dir, 0755) < 0) {
			return husk_error_errno(err, "sandbox: --diff `%s`: make it", dir);
		}
		ws->diff_made = true;
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd < 0) {
		return husk_error_errno(err, "sandbox: --diff `%s`", dir);
	}
	ws->difffd = fd;
	d = fdopendir(fcntl(fd, F_DUPFD_CLOEXEC, 3));
	if (d == NULL) {
		return husk_error_errno(err, "sandbox: --diff `%s`: read it", dir);
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			return husk_error_make(err, 0,
					       "sandbox: --diff `%s`: not empty (it must be "
					       "missing or an empty directory)",
					       dir);
		}
	}
	return 0;
}

static int plan_workspace(struct sandbox *sb, const husk_sandbox_spec_t *s, husk_error_t *err)
{
	const husk_sandbox_opts_t *o = sb->o;
	struct husk_workspace *ws = sb->ws;
	__attribute__((cleanup(abs_paths_clear))) abs_paths_t abs = { NULL, NULL, 0 };

	for (size_t i = 0; i < o->n_overlays; i++) {
		if (plan_overlay(ws, &o->overlays[i], err) < 0) {
			return -1;
		}
	}
	if (check_nesting(ws, s, err) < 0 || plan_binds(ws, s, err) < 0 ||
	    plan_absolute(ws, o, &abs, err) < 0) {
		return -1;
	}
	for (size_t j = 0; j < ws->n_mounts; j++) {
		plan_paths(o, ws, j, &abs);
	}
	ws->userns = sb->rootless || sb->root_job;
	ws->size = o->limits[HUSK_LIMIT_DISK].value;
	ws->tmpfs = ws->n_overlays > 0 || ws->size > 0;
	if (ws->tmpfs && husk_sync_pair(ws->sock, err) < 0) {
		return husk_error_wrap(err, "sandbox: the workspace");
	}
	/* Last: nothing else can fail once DIR is made. */
	return o->diff != NULL ? plan_diff(ws, o->diff, err) : 0;
}

int husk_sandbox_workspace_plan(struct sandbox *sb, const husk_sandbox_spec_t *s,
				husk_sandbox_mount_t **binds, size_t *n, husk_error_t *err)
{
	const husk_sandbox_opts_t *o = sb->o;
	struct husk_workspace *ws;
	bool writable = false;

	*binds = NULL;
	*n = 0;
	if (o->diff != NULL && o->n_overlays == 0) {
		return husk_error_make(err, 0, "sandbox: --diff `%s`: needs an --overlay", o->diff);
	}
	for (size_t i = 0; i < s->n_mounts; i++) {
		writable |= s->mounts[i].kind == HUSK_SANDBOX_RW;
	}
	if (!writable && o->n_overlays == 0 && o->n_protect == 0 &&
	    o->limits[HUSK_LIMIT_DISK].value == 0) {
		return 0; /* no workspace: nothing to plan */
	}
	ws = xmalloc0(sizeof(*ws));
	*ws = (struct husk_workspace){ .sock = { -1, -1 }, .tmpfd = -1, .difffd = -1 };
	ws->diff = o->diff;
	sb->ws = ws;
	if (plan_workspace(sb, s, err) < 0) {
		return -1;
	}
	*binds = xcalloc(ws->n_overlays + 1, sizeof(**binds));
	for (size_t i = 0; i < ws->n_overlays; i++) {
		(*binds)[(*n)++] =
			(husk_sandbox_mount_t){ .kind = HUSK_SANDBOX_RO,
						.source = ws->mounts[i].source,
						.destination = ws->mounts[i].destination };
	}
	return 0;
}

static bool has_work(const struct husk_workspace *ws)
{
	for (size_t i = 0; i < ws->n_mounts; i++) {
		if (ws->mounts[i].n_paths > 0) {
			return true;
		}
	}
	return ws->tmpfs;
}

void husk_sandbox_workspace_hook(struct sandbox *sb, husk_create_opts_t *co)
{
	if (sb->ws != NULL && has_work(sb->ws)) {
		co->after_mounts = husk_sandbox_workspace_mount;
		co->after_mounts_data = sb->ws;
	}
}

/* ---- in husk, after the create and after the job ---- */

int husk_sandbox_workspace_created(struct sandbox *sb, husk_error_t *err)
{
	struct husk_workspace *ws = sb->ws;

	if (ws == NULL || !ws->tmpfs) {
		return 0;
	}
	/* The init's end closed here too: a missing message is then an end
	 * of file, not a wait. */
	ws->sock[1] = husk_safe_close(ws->sock[1]);
	if (husk_sync_expect(ws->sock[0], HUSK_SYNC_FD, NULL, NULL, &ws->tmpfd, err) < 0) {
		return husk_error_wrap(err, "sandbox: the workspace's tmpfs from the init");
	}
	if (ws->tmpfd < 0) {
		return husk_error_make(err, EPROTO, "sandbox: the init sent no workspace tmpfs");
	}
	return 0;
}

/* Protected paths that were missing from an --rw or --workdir mount and
 * are there after the job. */
static void find_created(struct husk_workspace *ws)
{
	for (size_t i = 0; i < ws->n_mounts; i++) {
		const ws_mount_t *m = &ws->mounts[i];

		for (size_t j = 0; !m->overlay && j < m->n_paths; j++) {
			char *path;

			if (!m->paths[j].missing || is_missing(m->sourcefd, m->paths[j].path)) {
				continue;
			}
			path = ws_join(m->destination, m->paths[j].path);
			husk_warn("sandbox: the job made the protected path `%s` (`%s/%s` on the "
				  "host): look at it before anything there runs it",
				  path, m->source, m->paths[j].path);
			husk_strv_push(&ws->created, path);
		}
	}
}

static bool failed(const husk_sandbox_report_t *r)
{
	return (strcmp(r->status, "exited") == 0 && r->exit_code != 0) ||
	       strcmp(r->status, "signaled") == 0;
}

void husk_sandbox_workspace_report(struct sandbox *sb, husk_sandbox_report_t *r)
{
	struct husk_workspace *ws = sb->ws;
	struct statfs st;

	if (ws == NULL) {
		return;
	}
	if (ws->tmpfd >= 0 && fstatfs(ws->tmpfd, &st) == 0) {
		r->has_disk_used = true;
		r->disk_used = (uint64_t) (st.f_blocks - st.f_bfree) * (uint64_t) st.f_bsize;
		/* A job that failed with its space or its inodes all used:
		 * the limit is what it ran into. */
		if (ws->size > 0 && (st.f_bavail == 0 || st.f_ffree == 0) && failed(r)) {
			r->status = "disk-limit";
		}
	}
	find_created(ws);
	r->protected_created = (const char *const *) ws->created;
	r->n_protected_created = husk_strv_len(ws->created);
}

void husk_sandbox_workspace_free(struct sandbox *sb, bool ran)
{
	struct husk_workspace *ws = sb->ws;

	if (ws == NULL) {
		return;
	}
	if (!ran && ws->diff_made && rmdir(ws->diff) < 0) {
		husk_warn("sandbox: remove --diff `%s`: %s", ws->diff, strerror(errno));
	}
	for (size_t i = 0; i < ws->n_mounts; i++) {
		ws_mount_t *m = &ws->mounts[i];

		husk_safe_close(m->sourcefd);
		for (size_t j = 0; j < m->n_paths; j++) {
			free(m->paths[j].path);
		}
		free(m->paths);
		free(m->source);
		free(m->destination);
	}
	free(ws->mounts);
	husk_safe_close(ws->sock[0]);
	husk_safe_close(ws->sock[1]);
	husk_safe_close(ws->tmpfd);
	husk_safe_close(ws->difffd);
	husk_strv_free(ws->created);
	free(ws);
	sb->ws = NULL;
}
