/* husk sandbox: --diff DIR, the overlays' upper layers made reviewable
 * (sandbox/internal.h, sandbox/workspace-internal.h).
 *
 * Each overlay's upper layer, on the workspace's tmpfs that husk still
 * holds, is read against its source on the host: DIR/overlay-N gets every
 * file, directory and symlink added or changed, DIR/manifest.json
 * (spec/diff.h) lists those and what was deleted.  Overlayfs's own marks
 * are translated: a whiteout (a 0:0 character device) is a deletion, an
 * opaque directory (overlay.opaque "y", in the trusted or, in a user
 * namespace, the user xattr namespace, the one the overlay used) hides
 * everything the source had in it.  A file the upper layer holds only
 * because the job opened it for writing, with the same type, mode and
 * content as the source's, is no change.
 *
 * The upper layer was written by a hostile job, which is dead by now (its
 * pid namespace went with its init): every entry is looked at with lstat
 * first and opened one name at a time through the path layer, never
 * following a symlink; only regular files and directories are opened at
 * all (a fifo, a socket or a device is listed as skipped, never opened);
 * a symlink is copied as a symlink; a file with holes is copied with its
 * holes, so a job cannot turn a few bytes of tmpfs into gigabytes of
 * host disk; hard links are copied once and linked again in DIR; set-id
 * bits are dropped (DIR's files are husk's, root's when husk runs as
 * root); and directories deeper than MAX_DEPTH are skipped, so the
 * descriptors held stay bounded.  Rootless, a file or directory the job
 * made unreadable is its own (the caller's on the host): its mode is
 * relaxed for the copy, the manifest keeps the original.
 */
#include "sandbox/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "sandbox/workspace-internal.h"
#include "spec/diff.h"
#include "util/cleanup.h"
#include "util/io.h"
#include "util/open.h"
#include "util/pathfs.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* Three descriptors per level are held while a level is read. */
#define MAX_DEPTH 128
#define CHUNK     65536

/* A file's first copy in DIR, by inode, for its other hard links. */
typedef struct link_s {
	dev_t dev;
	ino_t ino;
	char *path; /* relative to the overlay's tree */
} link_t;

typedef struct walk_s {
	husk_diff_overlay_t *out;
	int treefd; /* DIR/overlay-N */
	const char *opaque_xattr;
	link_t *links; /* open addressing, CAP a power of two */
	size_t n_links, cap;
} walk_t;

/* What one level works on. */
typedef struct level_s {
	int upper;   /* O_RDONLY directory of the upper layer */
	int lower;   /* O_PATH directory of the source, or -1 where it has none */
	int out;     /* O_PATH directory in DIR */
	bool opaque; /* the source's entries here are hidden */
	const char *rel;
	int depth;
} level_t;

static const char *type_of(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG:
		return "file";
	case S_IFDIR:
		return "directory";
	case S_IFLNK:
		return "symlink";
	case S_IFIFO:
		return "fifo";
	case S_IFSOCK:
		return "socket";
	case S_IFCHR:
		return "char-device";
	default:
		return "block-device";
	}
}

static char *rel_path(const char *rel, const char *name)
{
	return rel[0] == '\0' ? xstrdup(name) : xasprintf("%s/%s", rel, name);
}

static void add(walk_t *w, int change, const char *rel, const char *name, const struct stat *st)
{
	husk_diff_entry_t e = {
		.change = change,
		.path = rel_path(rel, name),
		.type = type_of(st->st_mode),
		.mode = st->st_mode & 07777,
		.size = S_ISREG(st->st_mode) ? (uint64_t) st->st_size : 0,
	};

	husk_diff_add(w->out, &e);
}

static void skip(walk_t *w, const char *rel, const char *name, const struct stat *st,
		 const char *reason)
{
	add(w, HUSK_DIFF_SKIPPED, rel, name, st);
	w->out->v[w->out->n - 1].reason = reason;
}

/* ---- hard links ---- */

static size_t link_slot(const walk_t *w, dev_t dev, ino_t ino)
{
	size_t i = ((size_t) ino * 0x9e3779b97f4a7c15ull ^ (size_t) dev) & (w->cap - 1);

	while (w->links[i].path != NULL && (w->links[i].dev != dev || w->links[i].ino != ino)) {
		i = (i + 1) & (w->cap - 1);
	}
	return i;
}

static const char *link_find(const walk_t *w, const struct stat *st)
{
	return w->cap == 0 ? NULL : w->links[link_slot(w, st->st_dev, st->st_ino)].path;
}

static void link_put(walk_t *w, const struct stat *st, const char *path)
{
	if (2 * (w->n_links + 1) > w->cap) {
		link_t *old = w->links;
		size_t old_cap = w->cap;

		w->cap = w->cap ? 2 * w->cap : 64;
		w->links = xcalloc(w->cap, sizeof(*w->links));
		for (size_t i = 0; i < old_cap; i++) {
			if (old[i].path != NULL) {
				w->links[link_slot(w, old[i].dev, old[i].ino)] = old[i];
			}
		}
		free(old);
	}
	w->links[link_slot(w, st->st_dev, st->st_ino)] =
		(link_t){ .dev = st->st_dev, .ino = st->st_ino, .path = xstrdup(path) };
	w->n_links++;
}

/* ---- one entry ---- */

/* Open NAME under DIRFD as FLAGS, through the path layer and without
 * following it.  Rootless, an entry the job made unreadable is its own
 * (the caller's): once, it gets ADD in its mode and is tried again. */
static int open_entry(int dirfd, const char *name, int flags, mode_t mode, mode_t add_mode,
		      husk_error_t *err)
{
	int fd = husk_path_open_at(dirfd, name, flags | O_NOFOLLOW, 0, err);

	if (fd < 0 && husk_error_errno_of(*err) == EACCES && geteuid() != 0 &&
	    fchmodat(dirfd, name, (mode & 07777) | add_mode, 0) == 0) {
		husk_error_free(err);
		fd = husk_path_open_at(dirfd, name, flags | O_NOFOLLOW, 0, err);
	}
	return fd;
}

static bool same_content(int a, int b)
{
	_cleanup_free_ char *x = xmalloc(CHUNK);
	_cleanup_free_ char *y = xmalloc(CHUNK);

	for (;;) {
		ssize_t n = husk_read_upto(a, x, CHUNK);
		ssize_t m = husk_read_upto(b, y, CHUNK);

		if (n < 0 || n != m || memcmp(x, y, (size_t) n) != 0) {
			return false;
		}
		if (n == 0) {
			return true;
		}
	}
}

/* Whether the upper file is the source's, untouched: the same mode, size
 * and bytes (overlayfs copies a file up when it is opened for writing). */
static bool unchanged_file(const level_t *l, const char *name, int in, const struct stat *st,
			   const struct stat *lst)
{
	_cleanup_error_ husk_error_t e = NULL;
	_cleanup_close_ int src = -1;

	if (!S_ISREG(lst->st_mode) || (lst->st_mode & 07777) != (st->st_mode & 07777) ||
	    lst->st_size != st->st_size) {
		return false;
	}
	src = husk_path_open_at(l->lower, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0,
				&e);
	return src >= 0 && same_content(in, src) && lseek(in, 0, SEEK_SET) == 0;
}

/* IN's bytes into OUT, its holes left holes. */
static int copy_data(int in, int out, off_t size, husk_error_t *err)
{
	_cleanup_free_ char *buf = xmalloc(CHUNK);
	off_t pos = 0;

	while (pos < size) {
		off_t data = lseek(in, pos, SEEK_DATA);
		off_t hole;

		if (data < 0 && errno == ENXIO) {
			break;
		}
		hole = data < 0 ? -1 : lseek(in, data, SEEK_HOLE);
		if (hole < 0) {
			return husk_error_errno(err, "seek");
		}
		for (off_t at = data; at < hole;) {
			size_t want = (size_t) (hole - at) < CHUNK ? (size_t) (hole - at) : CHUNK;
			ssize_t n = pread(in, buf, want, at);

			if (n <= 0 || lseek(out, at, SEEK_SET) < 0 ||
			    husk_write_all(out, buf, (size_t) n) < 0) {
				return husk_error_errno(err, n == 0 ? "short read" : "copy");
			}
			at += n;
		}
		pos = hole;
	}
	return ftruncate(out, size) < 0 ? husk_error_errno(err, "truncate") : 0;
}

static void set_times(int dirfd, const char *name, const struct stat *st, int flags)
{
	struct timespec t[2] = { st->st_atim, st->st_mtim };

	(void) utimensat(dirfd, name, t, flags);
}

/* A regular file: no change, a hard link of one copied already, or a copy. */
static int do_file(walk_t *w, const level_t *l, const char *name, const struct stat *st,
		   const struct stat *lst, husk_error_t *err)
{
	_cleanup_free_ char *path = rel_path(l->rel, name);
	_cleanup_close_ int in = -1;
	_cleanup_close_ int out = -1;
	const char *first = st->st_nlink > 1 ? link_find(w, st) : NULL;
	struct stat now;

	if (first != NULL) {
		if (linkat(w->treefd, first, l->out, name, 0) < 0) {
			return husk_error_errno(err, "link `%s` to `%s`", path, first);
		}
		add(w, lst != NULL ? HUSK_DIFF_CHANGED : HUSK_DIFF_ADDED, l->rel, name, st);
		w->out->v[w->out->n - 1].link = xstrdup(first);
		return 1;
	}
	in = open_entry(l->upper, name, O_RDONLY | O_NONBLOCK | O_NOCTTY, st->st_mode, 0400, err);
	if (in < 0 || fstat(in, &now) < 0) {
		return in < 0 ? husk_error_wrap(err, "`%s`", path) : husk_error_errno(err, "stat");
	}
	if (!S_ISREG(now.st_mode) || now.st_ino != st->st_ino) {
		return husk_error_make(err, 0, "`%s` changed while it was read", path);
	}
	if (lst != NULL && unchanged_file(l, name, in, st, lst)) {
		return 0;
	}
	out = openat(l->out, name, HUSK_O_CREAT_EXCL, 0600);
	if (out < 0 || copy_data(in, out, st->st_size, err) < 0) {
		return out < 0 ? husk_error_errno(err, "make `%s`", path)
			       : husk_error_wrap(err, "`%s`", path);
	}
	(void) fchmod(out, st->st_mode & 0777);
	set_times(out, "", st, AT_EMPTY_PATH);
	if (st->st_nlink > 1) {
		link_put(w, st, path);
	}
	add(w, lst != NULL ? HUSK_DIFF_CHANGED : HUSK_DIFF_ADDED, l->rel, name, st);
	return 1;
}

static int do_symlink(walk_t *w, const level_t *l, const char *name, const struct stat *st,
		      const struct stat *lst, husk_error_t *err)
{
	char target[PATH_MAX + 1], old[PATH_MAX + 1];
	ssize_t n = readlinkat(l->upper, name, target, sizeof(target) - 1);
	ssize_t m;

	if (n < 0) {
		return husk_error_errno(err, "read symlink `%s`", name);
	}
	target[n] = '\0';
	if (lst != NULL && S_ISLNK(lst->st_mode)) {
		m = readlinkat(l->lower, name, old, sizeof(old) - 1);
		if (m == n && memcmp(old, target, (size_t) n) == 0) {
			return 0;
		}
	}
	if (symlinkat(target, l->out, name) < 0) {
		return husk_error_errno(err, "make symlink `%s`", name);
	}
	set_times(l->out, name, st, AT_SYMLINK_NOFOLLOW);
	add(w, lst != NULL ? HUSK_DIFF_CHANGED : HUSK_DIFF_ADDED, l->rel, name, st);
	w->out->v[w->out->n - 1].target = xstrdup(target);
	return 1;
}

static int walk_level(walk_t *w, const level_t *l, husk_error_t *err);

static bool is_opaque(const walk_t *w, int dirfd)
{
	char v[2];

	return fgetxattr(dirfd, w->opaque_xattr, v, sizeof(v)) == 1 && v[0] == 'y';
}

/* A directory: listed when new, or when it replaced another type or changed
 * its mode; walked in any case; left out of DIR when nothing in it is. */
static int do_dir(walk_t *w, const level_t *l, const char *name, const struct stat *st,
		  const struct stat *lst, husk_error_t *err)
{
	_cleanup_free_ char *path = rel_path(l->rel, name);
	level_t sub = { .upper = -1, .lower = -1, .out = -1, .rel = path, .depth = l->depth + 1 };
	bool listed = lst == NULL || !S_ISDIR(lst->st_mode) ||
		      (lst->st_mode & 07777) != (st->st_mode & 07777);
	int r = -1;

	if (sub.depth > MAX_DEPTH) {
		skip(w, l->rel, name, st, "deeper than 128 directories");
		return 0;
	}
	sub.upper = open_entry(l->upper, name, O_RDONLY | O_DIRECTORY, st->st_mode, 0500, err);
	if (sub.upper < 0) {
		return husk_error_wrap(err, "`%s`", path);
	}
	sub.opaque = l->opaque || is_opaque(w, sub.upper);
	if (lst != NULL && S_ISDIR(lst->st_mode)) {
		_cleanup_error_ husk_error_t e = NULL;

		sub.lower = husk_path_open_at(l->lower, name, HUSK_O_PATH_DIR, 0, &e);
	}
	/* Listed before what it holds, as a reader goes. */
	if (listed) {
		add(w, lst != NULL ? HUSK_DIFF_CHANGED : HUSK_DIFF_ADDED, l->rel, name, st);
	}
	if (mkdirat(l->out, name, 0700) < 0 ||
	    (sub.out = openat(l->out, name, HUSK_O_PATH_DIR)) < 0) {
		husk_error_errno(err, "make `%s`", path);
	} else {
		r = walk_level(w, &sub, err);
	}
	husk_safe_close(sub.upper);
	husk_safe_close(sub.lower);
	husk_safe_close(sub.out);
	if (r < 0) {
		return -1;
	}
	if (r == 0 && !listed) {
		return unlinkat(l->out, name, AT_REMOVEDIR) < 0 ? husk_error_errno(err, "rmdir")
								: 0;
	}
	(void) fchmodat(l->out, name, st->st_mode & 0777, 0);
	set_times(l->out, name, st, 0);
	return 1;
}

/* One entry of the upper layer: >0 when something of it is in DIR. */
static int do_entry(walk_t *w, const level_t *l, const char *name, husk_error_t *err)
{
	struct stat st, lst;
	bool in_source = l->lower >= 0 && fstatat(l->lower, name, &lst, AT_SYMLINK_NOFOLLOW) == 0;
	const struct stat *ls = in_source ? &lst : NULL;

	if (fstatat(l->upper, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		return husk_error_errno(err, "stat `%s`", name);
	}
	if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
		/* A whiteout: the source's entry deleted. */
		if (in_source) {
			add(w, HUSK_DIFF_DELETED, l->rel, name, &lst);
		}
		return 0;
	}
	switch (st.st_mode & S_IFMT) {
	case S_IFREG:
		return do_file(w, l, name, &st, ls, err);
	case S_IFDIR:
		return do_dir(w, l, name, &st, ls, err);
	case S_IFLNK:
		return do_symlink(w, l, name, &st, ls, err);
	default:
		skip(w, l->rel, name, &st, "not a file, directory or symlink: not copied");
		return 0;
	}
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The names in the directory FD (not consumed), sorted. */
static char **list_dir(int fd, husk_error_t *err)
{
	_cleanup_closedir_ DIR *d = NULL;
	char **names = NULL;
	struct dirent *e;
	int dup = husk_path_open_at(fd, ".", O_RDONLY | O_DIRECTORY, 0, err);

	if (dup < 0) {
		return NULL;
	}
	d = fdopendir(dup);
	if (d == NULL) {
		husk_safe_close(dup);
		husk_error_errno(err, "read a directory");
		return NULL;
	}
	names = xcalloc(1, sizeof(*names));
	while ((errno = 0, e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			husk_strv_push(&names, xstrdup(e->d_name));
		}
	}
	if (errno != 0) {
		husk_strv_free(names);
		husk_error_errno(err, "read a directory");
		return NULL;
	}
	qsort(names, husk_strv_len(names), sizeof(*names), by_name);
	return names;
}

/* Under an opaque directory, what the source had and the upper layer has
 * not is deleted. */
static int hidden_entries(walk_t *w, const level_t *l, char **upper, husk_error_t *err)
{
	_cleanup_strv_ char **names = NULL;

	if (!l->opaque || l->lower < 0) {
		return 0;
	}
	names = list_dir(l->lower, err);
	if (names == NULL) {
		return -1;
	}
	for (size_t i = 0; names[i] != NULL; i++) {
		struct stat lst;

		if (bsearch(&names[i], upper, husk_strv_len(upper), sizeof(*upper), by_name) ==
			    NULL &&
		    fstatat(l->lower, names[i], &lst, AT_SYMLINK_NOFOLLOW) == 0) {
			add(w, HUSK_DIFF_DELETED, l->rel, names[i], &lst);
		}
	}
	return 0;
}

/* Returns how many entries of this level are in DIR, or -1. */
static int walk_level(walk_t *w, const level_t *l, husk_error_t *err)
{
	_cleanup_strv_ char **names = list_dir(l->upper, err);
	int copied = 0;

	if (names == NULL) {
		return -1;
	}
	for (size_t i = 0; names[i] != NULL; i++) {
		int r = do_entry(w, l, names[i], err);

		if (r < 0) {
			return -1;
		}
		copied += r > 0;
	}
	return hidden_entries(w, l, names, err) < 0 ? -1 : copied;
}

/* ---- DIR ---- */

static int diff_overlay(const struct husk_workspace *ws, const ws_mount_t *m,
			husk_diff_overlay_t *out, husk_error_t *err)
{
	char upper[24];
	walk_t w = { .out = out,
		     .treefd = -1,
		     .opaque_xattr =
			     ws->userns ? "user.overlay.opaque" : "trusted.overlay.opaque" };
	level_t root = { .upper = -1, .lower = m->sourcefd, .out = -1, .rel = "" };
	int r = -1;

	snprintf(upper, sizeof(upper), WS_UPPER, m->layer);
	root.upper =
		husk_path_open_at(ws->tmpfd, upper, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0, err);
	if (root.upper >= 0 && mkdirat(ws->difffd, out->tree, 0755) == 0 &&
	    (w.treefd = openat(ws->difffd, out->tree, HUSK_O_PATH_DIR)) >= 0) {
		root.out = w.treefd;
		r = walk_level(&w, &root, err);
	} else if (*err == NULL) {
		husk_error_errno(err, "make `%s`", out->tree);
	}
	husk_safe_close(root.upper);
	husk_safe_close(w.treefd);
	for (size_t i = 0; i < w.cap; i++) {
		free(w.links[i].path);
	}
	free(w.links);
	return r < 0 ? -1 : 0;
}

/* DIR must still be empty: a job that could write to it (an --rw mount
 * holding it) must not slip its own files among the diff's. */
static int check_still_empty(const struct husk_workspace *ws, husk_error_t *err)
{
	_cleanup_strv_ char **names = list_dir(ws->difffd, err);

	if (names == NULL) {
		return -1;
	}
	if (names[0] != NULL) {
		return husk_error_make(err, 0, "`%s` appeared in it while the job ran", names[0]);
	}
	return 0;
}

int husk_sandbox_workspace_diff(struct sandbox *sb, husk_error_t *err)
{
	const struct husk_workspace *ws = sb->ws;
	husk_diff_overlay_t *v;
	_cleanup_free_ char *json = NULL;
	int r = 0;

	if (ws == NULL || ws->diff == NULL) {
		return 0;
	}
	if (check_still_empty(ws, err) < 0) {
		return husk_error_wrap(err, "sandbox: --diff `%s`", ws->diff);
	}
	v = xcalloc(ws->n_overlays + 1, sizeof(*v));
	for (size_t i = 0; r == 0 && i < ws->n_overlays; i++) {
		v[i] = (husk_diff_overlay_t){ .source = ws->mounts[i].source,
					      .destination = ws->mounts[i].destination,
					      .tree = xasprintf("overlay-%zu", i) };
		r = diff_overlay(ws, &ws->mounts[i], &v[i], err);
	}
	if (r == 0) {
		json = husk_diff_manifest_json(v, ws->n_overlays);
		r = husk_write_file_at(ws->difffd, "manifest.json", json, strlen(json), 0644, false,
				       err);
	}
	for (size_t i = 0; i < ws->n_overlays; i++) {
		free((char *) v[i].tree);
		husk_diff_clear(&v[i]);
	}
	free(v);
	return r < 0 ? husk_error_wrap(err, "sandbox: --diff `%s`", ws->diff) : 0;
}
