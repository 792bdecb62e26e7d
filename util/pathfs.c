/* husk: the fd-based path layer.
 *
 * Without openat2 the walk below resolves one component at a time, each opened
 * O_PATH | O_NOFOLLOW relative to the descriptor of the one before, so the
 * kernel never follows a symlink and never resolves more than one name:
 *   - `..` pops a stack of directories already open; the kernel is never asked
 *     for `..`, so a directory renamed out of the root mid-walk cannot lead
 *     outside it (the escape openat2 guards against with -EAGAIN);
 *   - a symlink is read with readlinkat(fd, "") from the very descriptor that
 *     was checked, so a swap between the check and the read cannot redirect it;
 *     its text is spliced into the rest of the path, and an absolute one
 *     restarts at the root.  A magic link's text ("/", "pipe:[42]") is thereby
 *     just a path inside the root: the kernel never jumps through it;
 *   - after 40 symlinks the walk fails with ELOOP, as the kernel does.
 * The final component is then opened with the caller's flags by name in its
 * parent (O_NOFOLLOW) and checked to be the inode the walk found.
 * mkdir and file creation always use this walk, creating what is missing in
 * the parent descriptor; openat2 cannot create directories.
 */
#include "util/pathfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/openat2.h"
#include "util/open.h"
#include "util/xalloc.h"

/* The kernel's MAXSYMLINKS: this many symlinks resolve, one more is ELOOP. */
#define MAX_SYMLINKS    40
/* openat2 says EAGAIN when any rename on the system raced a `..` in a
 * RESOLVE_IN_ROOT lookup; after this many tries the walk below takes over. */
#define OPENAT2_RETRIES 32
#define IN_ROOT_RESOLVE (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)

enum walk_create {
	WALK_CREATE_NONE,
	WALK_CREATE_DIRS,     /* every missing component becomes a directory */
	WALK_CREATE_DIRS_FILE /* ... except the last, which becomes a file */
};

struct walk_s {
	int rootfd; /* borrowed: the walk's `/` */
	int *dirs;  /* owned: what was entered below the root, innermost last */
	size_t depth, cap;
	char *path; /* owned: what is left to resolve starts at path + pos */
	size_t pos;
	unsigned links; /* symlinks followed so far */
	enum walk_create create;
	mode_t dir_mode, file_mode;
	bool follow_final;       /* follow a symlink in the last component */
	bool named;              /* the innermost was entered by name (not `.`/`..`) */
	bool missing;            /* the last component does not exist; its parent is on top */
	bool raced;              /* the last component changed between walk and open */
	char name[NAME_MAX + 1]; /* the component being (or last) resolved */
};

static void walk_init(struct walk_s *w, int rootfd, const char *path, enum walk_create create)
{
	*w = (struct walk_s){ .rootfd = rootfd, .path = xstrdup(path), .create = create };
}

static void walk_done(struct walk_s *w)
{
	while (w->depth > 0) {
		husk_safe_close(w->dirs[--w->depth]);
	}
	free(w->dirs);
	free(w->path);
}

#define _cleanup_walk_ __attribute__((cleanup(walk_done)))

static int walk_top(const struct walk_s *w)
{
	return w->depth > 0 ? w->dirs[w->depth - 1] : w->rootfd;
}

static int walk_parent(const struct walk_s *w)
{
	return w->depth > 1 ? w->dirs[w->depth - 2] : w->rootfd;
}

static void walk_push(struct walk_s *w, int fd)
{
	if (w->depth == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 16;
		w->dirs = xreallocarray(w->dirs, w->cap, sizeof(*w->dirs));
	}
	w->dirs[w->depth++] = fd;
}

/* `..`: back to the directory we came from; at the root, stay there. */
static void walk_pop(struct walk_s *w)
{
	if (w->depth > 0) {
		husk_safe_close(w->dirs[--w->depth]);
	}
}

static int make_file(int dirfd, const char *name, mode_t mode)
{
	int fd = openat(dirfd, name, HUSK_O_CREAT_EXCL, mode);

	if (fd < 0) {
		return -1;
	}
	husk_safe_close(fd);
	return 0;
}

/* Open w->name in the innermost directory without following it, creating it
 * first when it is missing and the walk creates. */
static int walk_open_component(struct walk_s *w, bool as_file)
{
	int dirfd = walk_top(w);
	int fd = openat(dirfd, w->name, HUSK_O_PATH);
	int r;

	if (fd >= 0 || errno != ENOENT || w->create == WALK_CREATE_NONE) {
		return fd;
	}
	if (as_file && w->create == WALK_CREATE_DIRS_FILE) {
		r = make_file(dirfd, w->name, w->file_mode);
	} else {
		r = mkdirat(dirfd, w->name, w->dir_mode);
	}
	/* EEXIST: someone else made it first; open whatever it is now. */
	if (r < 0 && errno != EEXIST) {
		return -1;
	}
	return openat(dirfd, w->name, HUSK_O_PATH);
}

/* Replace the walked part of the path with the text of the symlink LINKFD. */
static int walk_follow(struct walk_s *w, int linkfd, const char *rest)
{
	char target[PATH_MAX];
	char *spliced;
	ssize_t n;

	if (++w->links > MAX_SYMLINKS) {
		errno = ELOOP;
		return -1;
	}
	n = readlinkat(linkfd, "", target, sizeof(target));
	if (n <= 0 || (size_t) n >= sizeof(target)) {
		errno = n < 0 ? errno : n == 0 ? ENOENT : ENAMETOOLONG;
		return -1;
	}
	target[n] = '\0';
	if (target[0] == '/') {
		while (w->depth > 0) {
			walk_pop(w);
		}
	}
	spliced = xasprintf("%s%s", target, rest);
	free(w->path);
	w->path = spliced;
	w->pos = 0;
	w->named = false;
	return 0;
}

/* Enter w->name; REST is the path after it ("" or starting with '/'). */
static int walk_enter(struct walk_s *w, const char *rest)
{
	_cleanup_close_ int fd = -1;
	bool must_be_dir = rest[0] != '\0'; /* more to come, or a trailing slash */
	struct stat st;

	fd = walk_open_component(w, !must_be_dir);
	if (fd < 0) {
		w->missing = errno == ENOENT && !must_be_dir;
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		return -1;
	}
	if (S_ISLNK(st.st_mode) && (must_be_dir || w->follow_final)) {
		return walk_follow(w, fd, rest);
	}
	if (must_be_dir && !S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	walk_push(w, TAKE_FD(fd));
	w->named = true;
	return 0;
}

/* Resolve the next component of the path. */
static int walk_step(struct walk_s *w)
{
	const char *start;
	size_t len;

	w->pos += strspn(w->path + w->pos, "/");
	start = w->path + w->pos;
	len = strcspn(start, "/");
	if (len == 0) {
		return 0;
	}
	if (len > NAME_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(w->name, start, len);
	w->name[len] = '\0';
	w->pos += len;
	if (strcmp(w->name, ".") == 0 || strcmp(w->name, "..") == 0) {
		if (w->name[1] == '.') {
			walk_pop(w);
		}
		w->named = false;
		return 0;
	}
	return walk_enter(w, w->path + w->pos);
}

static int walk(struct walk_s *w)
{
	if (w->path[0] == '\0') {
		errno = ENOENT;
		return -1;
	}
	while (w->path[w->pos] != '\0') {
		if (walk_step(w) < 0) {
			return -1;
		}
	}
	return 0;
}

static bool same_inode(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* Open what the walk found with FLAGS: by name in its parent, not following a
 * symlink, and only if it is still the same inode. */
static int walk_reopen(struct walk_s *w, int flags, mode_t mode)
{
	int found = walk_top(w);
	int dirfd = w->named ? walk_parent(w) : found;
	_cleanup_close_ int fd = -1;

	/* O_TMPFILE makes a new inode in the directory found: open it there. */
	if ((flags & O_TMPFILE) == O_TMPFILE) {
		return openat(found, ".", flags | O_CLOEXEC, mode);
	}
	fd = openat(dirfd, w->named ? w->name : ".", flags | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0) {
		return -1;
	}
	if (!same_inode(fd, found)) {
		w->raced = true;
		errno = EAGAIN;
		return -1;
	}
	return TAKE_FD(fd);
}

static int walk_error(const struct walk_s *w, husk_error_t *err, const char *what, const char *path)
{
	if (w->raced) {
		return husk_error_make(err, EAGAIN,
				       "%s `%s` in rootfs: `%s` was replaced while it was opened",
				       what, path, w->name);
	}
	if (w->name[0] != '\0') {
		return husk_error_errno(err, "%s `%s` in rootfs: at `%s`", what, path, w->name);
	}
	return husk_error_errno(err, "%s `%s` in rootfs", what, path);
}

static int open_walk(struct walk_s *w, int flags, mode_t mode)
{
	bool excl = (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL);

	w->follow_final = !(flags & O_NOFOLLOW) && !excl;
	if (walk(w) < 0) {
		if (w->missing && (flags & O_CREAT)) {
			return openat(walk_top(w), w->name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
		}
		return -1;
	}
	return walk_reopen(w, flags, mode);
}

static int open_openat2(int rootfd, const char *path, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (uint64_t) (unsigned) flags,
		.mode = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? mode : 0,
		.resolve = IN_ROOT_RESOLVE,
	};
	int fd = -1;

	for (int i = 0; i < OPENAT2_RETRIES; i++) {
		fd = (int) syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN) {
			break;
		}
	}
	return fd;
}

int husk_path_open_at(int rootfd, const char *path, int flags, mode_t mode, husk_error_t *err)
{
	_cleanup_walk_ struct walk_s w = { .rootfd = -1 };
	int fd;

	flags |= O_CLOEXEC;
	if (husk_openat2_usable()) {
		fd = open_openat2(rootfd, path, flags, mode);
		/* EAGAIN after the retries: a rename storm (anyone's: the kernel's
		 * rename_lock is global) must not make the lookup fail. */
		if (fd >= 0 || (!husk_openat2_refused(errno) && errno != EAGAIN)) {
			return fd >= 0 ? fd : husk_error_errno(err, "resolve `%s` in rootfs", path);
		}
	}
	walk_init(&w, rootfd, path, WALK_CREATE_NONE);
	fd = open_walk(&w, flags, mode);
	return fd >= 0 ? fd : walk_error(&w, err, "resolve", path);
}

int husk_path_mkdir_at(int rootfd, const char *path, mode_t mode, husk_error_t *err)
{
	_cleanup_walk_ struct walk_s w = { .rootfd = -1 };
	int fd = -1;

	walk_init(&w, rootfd, path, WALK_CREATE_DIRS);
	w.dir_mode = mode;
	w.follow_final = true;
	if (walk(&w) == 0) {
		fd = walk_reopen(&w, HUSK_O_PATH_DIR, 0);
	}
	return fd >= 0 ? fd : walk_error(&w, err, "create directory", path);
}

int husk_path_create_file_at(int rootfd, const char *path, mode_t mode, husk_error_t *err)
{
	_cleanup_walk_ struct walk_s w = { .rootfd = -1 };
	int fd = -1;

	walk_init(&w, rootfd, path, WALK_CREATE_DIRS_FILE);
	w.dir_mode = 0755;
	w.file_mode = mode;
	w.follow_final = true;
	if (walk(&w) == 0) {
		fd = walk_reopen(&w, HUSK_O_PATH, 0);
	}
	return fd >= 0 ? fd : walk_error(&w, err, "create file", path);
}

const char *husk_path_fd_name(int fd, char buf[static 32])
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
	return buf;
}
