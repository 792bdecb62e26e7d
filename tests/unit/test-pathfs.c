/* Unit tests: the fd-based path layer must never leave the root.
 *
 * A throwaway tree: TMP/root is the root handed to husk_path_*; next to it on
 * the host sit TMP/outside (a sentinel file), TMP/outdir (a directory that must
 * stay empty) and TMP/host (where a racing thread moves directories to).
 * TMP/root/outside is a decoy: where `../outside` must land.  Controls show
 * that a plain openat() of the same strings does reach the host files, so a
 * test passing means the layer stopped the escape.  Run a second time under
 * enosys-shim, the same tests exercise the userspace fallback.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/pathfs.h"

#define RACE_ROUNDS 3000

static char tmp[] = "/tmp/husk-pathfs-XXXXXX";
static pid_t main_pid;
static int rootfd = -1;
static int fds_returned, fds_without_cloexec;

/* ---- the throwaway tree ---- */

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path) < 0 ? (perror(path), 0) : 0;
}

static void remove_tree(void)
{
	if (getpid() == main_pid) {
		husk_safe_close(rootfd);
		nftw(tmp, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	}
}

/* TMP/REL as a host path, in one of a few rotating buffers. */
static const char *host(const char *rel)
{
	static char bufs[4][512];
	static int next;
	char *b = bufs[next++ % 4];

	snprintf(b, sizeof(bufs[0]), "%s/%s", tmp, rel);
	return b;
}

static void must(int r, const char *what)
{
	if (r < 0) {
		perror(what);
		exit(1); /* remove_tree() runs from atexit */
	}
}

static void put_file(const char *rel, const char *text)
{
	int fd = open(host(rel), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	must(fd, rel);
	must((int) write(fd, text, strlen(text)), rel);
	close(fd);
}

static void put_link(const char *target, const char *rel)
{
	must(symlink(target, host(rel)), rel);
}

static void build_tree(void)
{
	static const char *dirs[] = { "outdir",   "host",       "host/x",       "root",
				      "root/etc", "root/dir",   "root/race",    "root/race/d",
				      "root/a1",  "root/a1/b1", "root/a1/b1/c1" };
	char target[512], name[32];

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		must(mkdir(host(dirs[i]), 0755), dirs[i]);
	}
	put_file("outside", "host\n");
	put_file("root/outside", "decoy\n");
	put_file("root/etc/passwd", "inside\n");
	put_file("root/race/d/t", "in\n");
	put_file("host/t", "out\n");
	put_link("/etc/passwd", "root/abs");
	put_link("/etc", "root/absdir");
	put_link("/etc/passwd", "root/dir/abs2");
	put_link("../../../outside", "root/rel");
	put_link("../../../../../outside", "root/dir/rel2");
	put_link(host("outside"), "root/hostabs");
	put_link(host("outside"), "root/fileln");
	put_link(host("outdir"), "root/outlink");
	put_link(host("host"), "root/race/s");
	put_link("../outdir", "root/outrel");
	put_link("../newtarget", "root/dangle");
	put_link("loop2", "root/loop1");
	put_link("/loop1", "root/loop2");
	put_link("self", "root/self");
	snprintf(target, sizeof(target), "/proc/self/root%s", host("outside"));
	put_link(target, "root/magic");
	/* chain0 -> chain1 -> ... -> chain40 -> etc/passwd: 41 links from chain0. */
	for (int i = 0; i <= 40; i++) {
		snprintf(name, sizeof(name), "root/chain%d", i);
		if (i < 40) {
			snprintf(target, sizeof(target), "chain%d", i + 1);
		}
		put_link(i < 40 ? target : "etc/passwd", name);
	}
}

/* ---- checks ---- */

/* Every descriptor the layer hands out goes through here. */
static int track(int fd)
{
	if (fd >= 0) {
		fds_returned++;
		if (!(fcntl(fd, F_GETFD) & FD_CLOEXEC)) {
			fds_without_cloexec++;
		}
	}
	return fd;
}

/* FD is the host object TMP/REL (not following a final symlink). */
static bool fd_is(int fd, const char *rel)
{
	struct stat a, b;

	return fd >= 0 && fstat(fd, &a) == 0 && lstat(host(rel), &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/* Where the host path TMP/REL lands when looked up inside the root, relative
 * to TMP: root/TMP/REL. */
static const char *in_root(const char *rel)
{
	static char buf[600];

	snprintf(buf, sizeof(buf), "root%s/%s", tmp, rel);
	return buf;
}

static bool exists(const char *rel)
{
	struct stat st;

	return lstat(host(rel), &st) == 0;
}

static bool host_untouched(void)
{
	_cleanup_closedir_ DIR *d = opendir(host("outdir"));
	_cleanup_close_ int fd = open(host("outside"), O_RDONLY | O_CLOEXEC);
	char buf[16] = "";
	struct dirent *e;
	int entries = 0;

	while (d != NULL && (e = readdir(d)) != NULL) {
		entries++;
	}
	return d != NULL && entries == 2 && read(fd, buf, sizeof(buf) - 1) == 5 &&
	       strcmp(buf, "host\n") == 0 && !exists("newtarget") && !exists("escape_mk");
}

static int open_in(const char *path, int flags, husk_error_t *err)
{
	return track(husk_path_open_at(rootfd, path, flags, 0644, err));
}

/* PATH opens (O_RDONLY) to the host object TMP/REL. */
static void lands_on(const char *path, const char *rel)
{
	_cleanup_error_ husk_error_t err = NULL;
	_cleanup_close_ int fd = open_in(path, O_RDONLY, &err);

	if (!ok(fd_is(fd, rel), "`%s` resolves to `%s`", path, rel)) {
		diag("  %s", err ? err->msg : "resolved somewhere else");
	}
}

/* PATH fails to open with errno WANT. */
static void fails_with(const char *path, int flags, int want, const char *why)
{
	_cleanup_error_ husk_error_t err = NULL;
	_cleanup_close_ int fd = open_in(path, flags, &err);

	if (!ok(fd < 0 && husk_error_errno_of(err) == want, "`%s` fails: %s", path, why)) {
		diag("  fd %d, %s", fd, err ? err->msg : "no error");
	}
}

static int raw_openat2(int dirfd, const char *path)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC };

	return (int) syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

/* ---- tests ---- */

static void test_mode(void)
{
	const char *env = getenv("HUSK_TEST_NO_OPENAT2");
	int fd = raw_openat2(AT_FDCWD, "/");
	int e = errno;

	diag("mode: %s", fd >= 0 ? "openat2" : "userspace fallback (no openat2)");
	if (env != NULL) {
		int want = strcmp(env, "EPERM") == 0 ? EPERM : ENOSYS;

		ok(fd < 0 && e == want,
		   "under enosys-shim openat2 fails with %s: the fallback runs", env);
	} else {
		skip("openat2 is not blocked here (run under enosys-shim for the fallback)");
	}
	husk_safe_close(fd);
}

static void test_basics(void)
{
	_cleanup_error_ husk_error_t err = NULL;
	_cleanup_close_ int fd = -1;
	char buf[32] = "";

	fd = track(husk_path_open_at(rootfd, "etc/passwd", O_RDONLY, 0, &err));
	ok(fd_is(fd, "root/etc/passwd"), "a relative path opens inside the root");
	ok(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC), "O_CLOEXEC is added when not asked for");
	ok(read(fd, buf, sizeof(buf) - 1) == 7 && strcmp(buf, "inside\n") == 0,
	   "the descriptor reads the file");
	lands_on("/etc/passwd", "root/etc/passwd");
	lands_on("//etc/./passwd", "root/etc/passwd");
	lands_on("/", "root");
	fails_with("", O_RDONLY, ENOENT, "an empty path names nothing");
	is_str(husk_path_fd_name(7, buf), "/proc/self/fd/7", "husk_path_fd_name formats the fd");
}

static void test_dotdot(void)
{
	_cleanup_close_ int naive = openat(rootfd, "../outside", O_RDONLY | O_CLOEXEC);

	ok(fd_is(naive, "outside"), "control: a plain openat of `../outside` reaches the host");
	lands_on("../outside", "root/outside");
	lands_on("../../../../outside", "root/outside");
	lands_on("/../outside", "root/outside");
	lands_on("etc/../../outside", "root/outside");
	lands_on("dir/../../../outside", "root/outside");
	lands_on("..", "root");
}

static void test_symlinks(void)
{
	_cleanup_error_ husk_error_t err = NULL;
	_cleanup_close_ int naive = openat(rootfd, "hostabs", O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int fd = -1;
	struct stat st;

	ok(fd_is(naive, "outside"), "control: a plain openat of `hostabs` reaches the host");
	lands_on("abs", "root/etc/passwd");
	lands_on("absdir/passwd", "root/etc/passwd");
	lands_on("dir/abs2", "root/etc/passwd");
	lands_on("absdir/../outside", "root/outside");
	lands_on("rel", "root/outside");
	lands_on("dir/rel2", "root/outside");
	fails_with("hostabs", O_RDONLY, ENOENT, "an absolute host path is looked up in the root");
	fd = open_in("abs", O_PATH | O_NOFOLLOW, &err);
	ok(fd_is(fd, "root/abs") && fstat(fd, &st) == 0 && S_ISLNK(st.st_mode),
	   "O_PATH | O_NOFOLLOW opens the symlink itself");
	fails_with("abs", O_RDONLY | O_NOFOLLOW, ELOOP, "O_NOFOLLOW refuses a final symlink");
	fails_with("etc/passwd/", O_RDONLY, ENOTDIR, "a trailing slash wants a directory");
	fails_with("etc/passwd/x", O_RDONLY, ENOTDIR, "a file is not a directory");
	lands_on("absdir/", "root/etc");
}

static void test_loops(void)
{
	_cleanup_error_ husk_error_t err = NULL;
	int fd = open_in("loop1", O_RDONLY, &err);

	ok(fd < 0 && husk_error_errno_of(err) == ELOOP, "a symlink loop fails with ELOOP");
	ok(err != NULL && strstr(err->msg, "resolve `loop1` in rootfs") != NULL &&
		   strstr(err->msg, "too many levels of symbolic links") != NULL,
	   "and says so, naming the path");
	if (err != NULL) {
		diag("  %s", err->msg);
	}
	fails_with("self", O_RDONLY, ELOOP, "a self-loop");
	lands_on("chain1", "root/etc/passwd");
	fails_with("chain0", O_RDONLY, ELOOP, "41 symlinks are one too many");
}

static void test_magic_links(void)
{
	_cleanup_close_ int procself = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int outside = open(host("outside"), O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int naive = -1, fd = -1, fd2 = -1;
	_cleanup_error_ husk_error_t err = NULL;
	char path[600];

	fails_with("magic", O_RDONLY, ENOENT, "a symlink to /proc/self/root/... stays in the root");
	snprintf(path, sizeof(path), "root%s", host("outside"));
	naive = openat(procself, path, O_RDONLY | O_CLOEXEC);
	ok(fd_is(naive, "outside"),
	   "control: a plain openat through /proc/self/root reaches the host");
	fd = track(husk_path_open_at(procself, path, O_RDONLY, 0, &err));
	ok(fd < 0, "with /proc/self as the root, the magic link `root` is not followed");
	husk_error_free(&err);
	snprintf(path, sizeof(path), "fd/%d", outside);
	fd2 = track(husk_path_open_at(procself, path, O_RDONLY, 0, &err));
	ok(fd2 < 0 && !fd_is(fd2, "outside"), "nor is the magic link `fd/N`");
}

/* In a private mount namespace, bind the real /proc into the root and try
 * its magic links from inside.  Returns a bitmask of escapes, or 77. */
static int magic_child(void)
{
	_cleanup_close_ int outside = open(host("outside"), O_RDONLY | O_CLOEXEC);
	_cleanup_error_ husk_error_t err = NULL;
	char via_root[600], via_fd[64];
	const char *paths[3] = { via_root, via_fd, "magic" };
	int status = 0, fd;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mkdir(host("root/proc"), 0755) < 0 ||
	    mount("/proc", host("root/proc"), NULL, MS_BIND, NULL) < 0) {
		return 77;
	}
	/* The inherited rootfd sees the mount tree of the old namespace. */
	husk_safe_close(rootfd);
	rootfd = open(host("root"), O_PATH | O_DIRECTORY | O_CLOEXEC);
	snprintf(via_root, sizeof(via_root), "proc/self/root%s", host("outside"));
	snprintf(via_fd, sizeof(via_fd), "/proc/self/fd/%d", outside);
	fd = openat(rootfd, via_root, O_RDONLY | O_CLOEXEC);
	status |= fd_is(fd, "outside") ? 0 : 1; /* the control must escape */
	husk_safe_close(fd);
	for (int i = 0; i < 3; i++) {
		fd = husk_path_open_at(rootfd, paths[i], O_RDONLY, 0, &err);
		status |= fd_is(fd, "outside") ? 2 << i : 0;
		husk_safe_close(fd);
		husk_error_free(&err);
	}
	fd = husk_path_open_at(rootfd, "proc/self/status", O_RDONLY, 0, &err);
	status |= fd < 0 ? 16 : 0; /* a plain symlink in procfs still resolves */
	husk_safe_close(fd);
	return status;
}

static void test_magic_links_mounted(void)
{
	static const char *names[] = { "control: a plain openat of proc/self/root/... escapes",
				       "proc/self/root/... is not followed",
				       "/proc/self/fd/N is not followed",
				       "a symlink to /proc/self/root/... is not followed",
				       "proc/self/status (a plain procfs symlink) still resolves" };
	pid_t pid = fork();
	int status = 0;

	if (pid == 0) {
		_exit(magic_child());
	}
	waitpid(pid, &status, 0);
	rmdir(host("root/proc"));
	for (int i = 0; i < 5; i++) {
		if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
			skip("cannot bind /proc in a private mount namespace here");
		} else if (!WIFEXITED(status)) {
			ok(0, "with /proc bound into the root: %s (child died)", names[i]);
		} else {
			ok(!(WEXITSTATUS(status) & (1 << i)), "with /proc bound into the root: %s",
			   names[i]);
		}
	}
}

static void test_create(void)
{
	_cleanup_error_ husk_error_t err = NULL;
	_cleanup_close_ int fd = -1, fd2 = -1;

	fd = open_in("dir/new", O_CREAT | O_WRONLY, &err);
	ok(fd_is(fd, "root/dir/new"), "O_CREAT creates the file inside the root");
	fd2 = open_in("dangle", O_CREAT | O_WRONLY, &err);
	ok(fd_is(fd2, "root/newtarget") && !exists("newtarget"),
	   "O_CREAT through a dangling climbing symlink creates inside the root");
	fails_with("outlink/new", O_CREAT | O_WRONLY, ENOENT,
		   "O_CREAT through a symlink to a host directory");
	fails_with("dir/new", O_CREAT | O_EXCL | O_WRONLY, EEXIST, "O_EXCL on an existing file");
	fails_with("abs", O_CREAT | O_EXCL | O_WRONLY, EEXIST, "O_EXCL does not follow a symlink");
	ok(!exists("outdir/new"), "nothing was created on the host");
}

static void test_mkdir(void)
{
	_cleanup_error_ husk_error_t err = NULL;
	_cleanup_close_ int fd = -1, again = -1, out = -1, abs = -1, climb = -1, bad = -1;

	fd = track(husk_path_mkdir_at(rootfd, "a/b/c", 0755, &err));
	ok(fd_is(fd, "root/a/b/c") && (fcntl(fd, F_GETFL) & O_PATH),
	   "mkdir_at makes a/b/c, O_PATH");
	again = track(husk_path_mkdir_at(rootfd, "/a/b/c/", 0755, &err));
	ok(fd_is(again, "root/a/b/c"), "mkdir_at of an existing directory returns it");
	out = track(husk_path_mkdir_at(rootfd, "outrel/made", 0755, &err));
	ok(fd_is(out, "root/outdir/made") && !exists("outdir/made"),
	   "mkdir_at through a climbing symlink creates inside the root");
	abs = track(husk_path_mkdir_at(rootfd, "outlink/made2", 0755, &err));
	ok(fd_is(abs, in_root("outdir/made2")) && !exists("outdir/made2"),
	   "mkdir_at through a symlink to a host directory creates inside the root");
	climb = track(husk_path_mkdir_at(rootfd, "../escape_mk", 0755, &err));
	ok(fd_is(climb, "root/escape_mk") && !exists("escape_mk"),
	   "mkdir_at of `../x` stays inside");
	bad = track(husk_path_mkdir_at(rootfd, "etc/passwd/x", 0755, &err));
	ok(bad < 0 && husk_error_errno_of(err) == ENOTDIR && strstr(err->msg, "`passwd`") != NULL,
	   "a file in the way fails with ENOTDIR, naming it");
	if (err != NULL) {
		diag("  %s", err->msg);
	}
}

static void test_create_file(void)
{
	_cleanup_error_ husk_error_t err = NULL;
	_cleanup_close_ int fd = -1, again = -1, existing = -1, viahost = -1, vialink = -1;
	_cleanup_close_ int bad = -1;
	struct stat st;

	fd = track(husk_path_create_file_at(rootfd, "new/sub/file", 0600, &err));
	ok(fd_is(fd, "root/new/sub/file") && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		   (fcntl(fd, F_GETFL) & O_PATH),
	   "create_file_at makes parents and an empty file, O_PATH");
	again = track(husk_path_create_file_at(rootfd, "new/sub/file", 0600, &err));
	ok(fd_is(again, "root/new/sub/file"), "create_file_at of an existing file returns it");
	existing = track(husk_path_create_file_at(rootfd, "abs", 0600, &err));
	ok(fd_is(existing, "root/etc/passwd"), "a final symlink is followed inside the root");
	viahost = track(husk_path_create_file_at(rootfd, "outlink/f", 0600, &err));
	ok(fd_is(viahost, in_root("outdir/f")) && !exists("outdir/f"),
	   "create_file_at through a symlink to a host directory creates inside the root");
	vialink = track(husk_path_create_file_at(rootfd, "fileln", 0600, &err));
	ok(fd_is(vialink, in_root("outside")) && !fd_is(vialink, "outside"),
	   "create_file_at of a symlink to a host file creates inside the root");
	bad = track(husk_path_create_file_at(rootfd, "etc/passwd/x", 0600, &err));
	ok(bad < 0 && husk_error_errno_of(err) == ENOTDIR, "a file in the way fails with ENOTDIR");
}

struct flipper_s {
	atomic_bool stop;
	atomic_int flips;
	int error;      /* errno of a failed rename, which stops the flipping */
	int fd_a, fd_b; /* renameat2 between (fd_a, name_a) and (fd_b, name_b) */
	const char *name_a, *name_b;
	bool exchange;
};

static void *flip(void *arg)
{
	struct flipper_s *f = arg;

	while (!atomic_load(&f->stop)) {
		if (f->exchange) {
			if (renameat2(f->fd_a, f->name_a, f->fd_a, f->name_b, RENAME_EXCHANGE) <
			    0) {
				break;
			}
		} else if (renameat(f->fd_a, f->name_a, f->fd_b, f->name_b) < 0 ||
			   renameat(f->fd_b, f->name_b, f->fd_a, f->name_a) < 0) {
			atomic_store(&f->error, errno);
			break;
		}
		atomic_fetch_add(&f->flips, 1);
		/* Leave the resolver some time with everything in place too. */
		sched_yield();
	}
	return NULL;
}

static bool fd_is_inode(int fd, const struct stat *want)
{
	struct stat st;

	return fstat(fd, &st) == 0 && st.st_dev == want->st_dev && st.st_ino == want->st_ino;
}

/* Resolve PATHS in turn while F flips; every success must be TMP/INSIDE, as
 * it was before the flipping started. */
static void race(struct flipper_s *f, const char *const paths[2], const char *inside,
		 const char *what)
{
	int escapes = 0, hits = 0, misses = 0;
	char why[256] = "";
	struct stat want;
	pthread_t thread;

	if (lstat(host(inside), &want) < 0 || pthread_create(&thread, NULL, flip, f) != 0) {
		ok(0, "%s: start the flipping thread", what);
		ok(0, "%s: resolved at least once", what);
		return;
	}
	/* On a busy machine the thread may not run at once: wait for it. */
	for (int i = 0; i < 5000 && atomic_load(&f->flips) == 0 && f->error == 0; i++) {
		usleep(1000);
	}
	/* RACE_ROUNDS, and on until one lands (scheduling can starve either
	 * side for a while), for at most 50 times as many. */
	for (int i = 0; i < RACE_ROUNDS || (hits == 0 && i < 50 * RACE_ROUNDS); i++) {
		_cleanup_error_ husk_error_t err = NULL;
		_cleanup_close_ int fd = open_in(paths[i % 2], O_RDONLY, &err);

		if (fd < 0) {
			misses++;
			snprintf(why, sizeof(why), "%s", err ? err->msg : "?");
		} else if (fd_is_inode(fd, &want)) {
			hits++;
		} else {
			escapes++;
		}
	}
	atomic_store(&f->stop, true);
	pthread_join(thread, NULL);
	diag("%s: %d inside, %d failed, %d elsewhere, %d flips%s%s", what, hits, misses, escapes,
	     atomic_load(&f->flips), f->error ? ", then: " : "",
	     f->error ? strerror(f->error) : "");
	if (why[0] != '\0') {
		diag("  last failure: %s", why);
	}
	is_int(escapes, 0, "%s: no resolution ends outside", what);
	ok(hits > 0 && atomic_load(&f->flips) > 0, "%s: the race really ran", what);
}

static void test_races(void)
{
	_cleanup_close_ int race_dir = openat(rootfd, "race", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int b1 = openat(rootfd, "a1/b1", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int x = open(host("host/x"), O_PATH | O_DIRECTORY | O_CLOEXEC);
	static const char *const swapped[2] = { "race/d/t", "race/s/t" };
	static const char *const climbing[2] = { "a1/b1/c1/../../../outside",
						 "/a1/b1/c1/../../../outside" };
	struct flipper_s exchange = {
		.fd_a = race_dir, .name_a = "d", .name_b = "s", .exchange = true
	};
	struct flipper_s move_out = { .fd_a = b1, .fd_b = x, .name_a = "c1", .name_b = "c1" };

	/* race/d (a directory) and race/s (a symlink to a host directory holding
	 * a `t` too) trade places all the time. */
	race(&exchange, swapped, "root/race/d/t", "directory/symlink swap");
	/* a1/b1/c1 keeps moving out to the host and back: a kernel `..` from
	 * it at the wrong moment would climb to TMP/outside. */
	race(&move_out, climbing, "root/outside", "directory moved out of the root");
	ok(exists("root/a1/b1/c1") && !exists("host/x/c1"), "the moved directory came back");
}

int main(void)
{
	main_pid = getpid();
	if (mkdtemp(tmp) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	atexit(remove_tree);
	build_tree();
	rootfd = open(host("root"), O_PATH | O_DIRECTORY | O_CLOEXEC);
	must(rootfd, "open root");

	plan(68);
	test_mode();
	test_basics();
	test_dotdot();
	test_symlinks();
	test_loops();
	test_magic_links();
	test_magic_links_mounted();
	test_create();
	test_mkdir();
	test_create_file();
	test_races();
	ok(fds_returned > 0 && fds_without_cloexec == 0,
	   "all %d descriptors returned are O_CLOEXEC", fds_returned);
	ok(host_untouched(), "the host side of the tree is untouched");
	return done();
}
