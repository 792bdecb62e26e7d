/* Unit tests: the state directory, its ids, locks and runc's error words. */
#include <errno.h>
#include <seccomp.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "state/statedir.h"
#include "spec/state.h"
#include "tap.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/xalloc.h"

static void test_ids(void)
{
	static const char *good[] = { "a", "abc-DEF_1+2.3", "0", "-x", "+", "x..y" };
	static const char *bad[] = { "", ".", "..", ".hidden", "a/b", "a b", "ä", "a:b" };
	_cleanup_error_ husk_error_t err = NULL;
	char longid[1100];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ok(husk_statedir_check_id(good[i], &err) == 0, "id `%s` is valid", good[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		is_int(husk_statedir_check_id(bad[i], &err), -1, "id `%s` is refused", bad[i]);
		husk_error_free(&err);
	}
	memset(longid, 'a', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	is_int(husk_statedir_check_id(longid, &err), -1, "a 1099-byte id is refused");
}

static void test_lifecycle(int rootfd)
{
	_cleanup_error_ husk_error_t err = NULL;
	_cleanup_close_ int a = husk_statedir_create(rootfd, "one", &err);
	_cleanup_strv_ char **ids = NULL;
	size_t n = 0;
	int b;

	ok(a >= 0, "create `one`");
	is_int(husk_statedir_create(rootfd, "one", &err), -1, "create `one` again fails");
	is_str(err ? err->msg : NULL, "container with id exists: one", "with runc's words");
	husk_error_free(&err);
	is_int(husk_statedir_open(rootfd, "nope", true, &err), -1, "open an unknown id fails");
	is_str(err ? err->msg : NULL, "container does not exist: nope", "with runc's words");
	husk_error_free(&err);
	b = husk_statedir_create(rootfd, "two", &err);
	ok(b >= 0, "a second id is independent of the first's lock");
	husk_safe_close(b);
	ids = husk_statedir_list(rootfd, &n, &err);
	ok(ids != NULL && n == 2 && strcmp(ids[0], "one") == 0 && strcmp(ids[1], "two") == 0,
	   "list returns both ids, sorted");
	ok(husk_statedir_remove(rootfd, "one", a, &err) == 0, "remove `one`");
	ok(faccessat(rootfd, "one", F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT,
	   "its directory is gone");
}

/* What a finished create leaves: a state.json (its content is spec/'s). */
static void write_state(int dirfd)
{
	int fd = openat(dirfd, "state.json", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, "{}", 2) != 2) {
		abort();
	}
	close(fd);
}

/* A create that died before state.json (killed mid-way) leaves a directory
 * nobody locks: the next command on that id removes it. */
static void test_abandoned(int rootfd)
{
	_cleanup_error_ husk_error_t err = NULL;
	_cleanup_close_ int held = -1;
	int fd;

	husk_safe_close(husk_statedir_create(rootfd, "ghost", &err));
	is_int(husk_statedir_open(rootfd, "ghost", true, &err), -1,
	       "an abandoned create is not a container");
	is_str(err ? err->msg : NULL, "container does not exist: ghost", "it does not exist");
	husk_error_free(&err);
	ok(faccessat(rootfd, "ghost", F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT,
	   "and its directory was removed");

	husk_safe_close(husk_statedir_create(rootfd, "ghost2", &err));
	fd = husk_statedir_create(rootfd, "ghost2", &err);
	ok(fd >= 0, "create reclaims the id of an abandoned create");
	husk_safe_close(fd);

	held = husk_statedir_create(rootfd, "held", &err);
	is_int(husk_statedir_create(rootfd, "held", &err), -1,
	       "a create in progress (lock held, no state.json yet) keeps its id");
	is_str(err ? err->msg : NULL, "container with id exists: held", "with runc's words");
	husk_error_free(&err);
	ok(faccessat(held, ".", F_OK, 0) == 0 &&
		   faccessat(rootfd, "held", F_OK, AT_SYMLINK_NOFOLLOW) == 0,
	   "and its directory is untouched");
}

/* A command waiting on the lock while delete removes the container must see
 * "does not exist", not a half-removed directory. */
static void test_wait_for_delete(int rootfd)
{
	_cleanup_error_ husk_error_t err = NULL;
	int sync[2];
	pid_t pid;
	char c;
	int fd, status;

	fd = husk_statedir_create(rootfd, "busy", &err);
	write_state(fd);
	husk_safe_close(fd);
	if (pipe2(sync, O_CLOEXEC) < 0) {
		abort();
	}
	pid = fork();
	if (pid == 0) {
		int dfd = husk_statedir_open(rootfd, "busy", false, &err);

		if (dfd < 0 || write(sync[1], "x", 1) != 1) {
			_exit(1);
		}
		usleep(200 * 1000);
		_exit(husk_statedir_remove(rootfd, "busy", dfd, &err) < 0 ? 2 : 0);
	}
	close(sync[1]);
	if (read(sync[0], &c, 1) != 1) {
		abort();
	}
	alarm(10);
	fd = husk_statedir_open(rootfd, "busy", true, &err);
	alarm(0);
	is_int(fd, -1, "a command that waited out a delete fails");
	is_str(err ? err->msg : NULL, "container does not exist: busy", "saying it does not exist");
	waitpid(pid, &status, 0);
	is_int(status, 0, "the deleting process succeeded");
	close(sync[0]);
}

/* Write state.json with fsync(2) failing (EIO, as a dying disk would say):
 * 0 when the write never asked for a sync. */
static int write_without_fsync(int dirfd, bool no_sync)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	husk_state_t st = { .id = (char *) "s", .pid = 1, .no_sync = no_sync };
	husk_error_t err = NULL;

	if (ctx == NULL || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EIO), SCMP_SYS(fsync), 0) < 0 ||
	    seccomp_load(ctx) < 0) {
		return 77;
	}
	if (husk_state_write_at(dirfd, &st, &err) < 0) {
		return err != NULL && err->errno_ == EIO ? 1 : 2;
	}
	return 0;
}

static int in_child(int dirfd, bool no_sync)
{
	pid_t pid = fork();
	int status = 0;

	if (pid == 0) {
		_exit(write_without_fsync(dirfd, no_sync));
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

/* A container's state.json is synced before it is renamed into place; a
 * sandbox's (no_sync) is not: its state dir goes with its job. */
static void test_no_sync(int rootfd)
{
	_cleanup_error_ husk_error_t err = NULL;
	_cleanup_close_ int dirfd = husk_statedir_create(rootfd, "sync", &err);
	int r = in_child(dirfd, false);

	if (r == 77) {
		skip("no seccomp filter here");
		skip("no seccomp filter here");
		return;
	}
	is_int(r, 1, "state.json is synced: a failing fsync fails the write");
	is_int(in_child(dirfd, true), 0, "with no_sync it is written without one");
	husk_statedir_remove(rootfd, "sync", dirfd, &err);
}

int main(void)
{
	char dir[] = "/tmp/husk-test-statedir-XXXXXX";
	_cleanup_error_ husk_error_t err = NULL;
	_cleanup_free_ char *root = NULL;
	_cleanup_free_ char *cmd = NULL;
	int rootfd;

	plan(39);
	if (mkdtemp(dir) == NULL) {
		abort();
	}
	root = xasprintf("%s/nested/root", dir);
	test_ids();
	is_int(husk_statedir_open_root("relative/root", true, &err), -1,
	       "a relative root is refused");
	husk_error_free(&err);
	rootfd = husk_statedir_open_root(root, true, &err);
	ok(rootfd >= 0, "the root is created with its parents");
	test_lifecycle(rootfd);
	test_wait_for_delete(rootfd);
	test_abandoned(rootfd);
	test_no_sync(rootfd);
	close(rootfd);
	cmd = xasprintf("rm -rf '%s'", dir);
	ok(system(cmd) == 0, "cleanup");
	return done();
}
