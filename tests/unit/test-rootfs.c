/* Unit tests: the rootfs stage (rootfs/rootfs.h).
 *
 * Each case parses a config, then forks a child that unshares a mount and a
 * pid namespace (and forks again, so /proc is the new pid namespace's) and
 * calls husk_rootfs_setup() there; the grandchild checks the result from
 * inside and reports over a pipe, one "1 name" or "0 name" line per check.
 * Every mount dies with the child's namespace; the host is never mounted on.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <linux/magic.h>

#include "tap.h"
#include "rootfs/rootfs.h"
#include "rootfs/rootfs-internal.h"
#include "spec/config.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/procfs.h"
#include "util/xalloc.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

static char bundle[64];
static int report_fd = -1;

/* ---- reporting from inside ---- */

static void __attribute__((format(printf, 2, 3))) check(int cond, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n = snprintf(line, sizeof(line), "%d ", cond ? 1 : 0);

	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t) n - 1, fmt, ap);
	va_end(ap);
	if (n > (int) sizeof(line) - 2) {
		n = (int) sizeof(line) - 2;
	}
	line[n++] = '\n';
	if (write(report_fd, line, (size_t) n) < 0) {
		_exit(3);
	}
}

/* The options of the mount at PATH (the top one), or "" when none. */
static char *mount_field(const char *path, int which)
{
	static char out[2048];
	char line[4096];
	FILE *f = fopen("/proc/self/mountinfo", "re");

	out[0] = '\0';
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		char mp[1024], opts[512], rest[2048], *dash;

		if (sscanf(line, "%*s %*s %*s %*s %1023s %511s %2047[^\n]", mp, opts, rest) != 3 ||
		    strcmp(mp, path) != 0) {
			continue;
		}
		if (which == 0) {
			snprintf(out, sizeof(out), "%s", opts);
		} else if (which == 1) {
			snprintf(out, sizeof(out), "%s", rest);
		} else if ((dash = strstr(rest, "- ")) != NULL) {
			sscanf(dash + 2, "%511s", out);
		}
	}
	if (f != NULL) {
		fclose(f);
	}
	return out;
}

static bool mounted_ro(const char *path)
{
	return strncmp(mount_field(path, 0), "ro", 2) == 0 &&
	       (mount_field(path, 0)[2] == ',' || mount_field(path, 0)[2] == '\0');
}

static const char *fstype(const char *path)
{
	return mount_field(path, 2);
}

static bool is_chr(const char *path, unsigned int ma, unsigned int mi)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(ma, mi);
}

static bool link_is(const char *path, const char *want)
{
	char buf[256];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	if (n < 0) {
		return false;
	}
	buf[n] = '\0';
	return strcmp(buf, want) == 0;
}

static int errno_of_create(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	if (fd >= 0) {
		close(fd);
		unlink(path);
		return 0;
	}
	return errno;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	while (d != NULL && (de = readdir(d)) != NULL) {
		n += de->d_name[0] != '.';
	}
	if (d != NULL) {
		closedir(d);
	}
	return n;
}

/* ---- running a case ---- */

typedef struct test_case_s {
	const char *name;
	const char *json; /* "@BUNDLE@" is the bundle */
	husk_rootfs_opts_t opts;
	int unshare_extra;
	bool want_fail;
	const char *want_error;                /* substring of the error when want_fail */
	void (*before)(husk_rootfs_opts_t *o); /* in the child, before setup */
	void (*checks)(const husk_rootfs_opts_t *o);
} test_case_t;

static void run_inside(const test_case_t *tc, husk_config_t *cfg)
{
	_cleanup_error_ husk_error_t err = NULL;
	husk_rootfs_opts_t o = tc->opts;
	int before_fds, r;

	o.bundle = bundle;
	o.rootfs_mfd = -1;
	o.procfd = husk_procfs_open(&err);
	if (o.procfd < 0) {
		check(0, "%s: procfs handle: %s", tc->name, err->msg);
		return;
	}
	if (tc->before != NULL) {
		tc->before(&o);
	}
	before_fds = count_fds();
	r = husk_rootfs_setup(cfg, &o, &err);
	if (tc->want_fail) {
		check(r < 0, "%s: setup fails", tc->name);
		check(r < 0 && err != NULL && strstr(err->msg, tc->want_error) != NULL,
		      "%s: error says `%s` (got: %s)", tc->name, tc->want_error,
		      err != NULL ? err->msg : "none");
		return;
	}
	if (!(r == 0)) {
		check(0, "%s: setup: %s", tc->name, err ? err->msg : "?");
		return;
	}
	check(1, "%s: setup succeeds", tc->name);
	check(count_fds() == before_fds + (o.console_master != NULL ? 1 : 0),
	      "%s: no descriptor left open (%d before, %d after)", tc->name, before_fds,
	      count_fds());
	tc->checks(&o);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		return -1;
	}
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t) strlen(text) ? 0 : -1;
}

/* A user namespace where root is the host's root, mapped by ourselves. */
static int enter_userns(void)
{
	if (unshare(CLONE_NEWUSER) < 0 || write_file("/proc/self/setgroups", "deny") < 0 ||
	    write_file("/proc/self/uid_map", "0 0 1") < 0 ||
	    write_file("/proc/self/gid_map", "0 0 1") < 0) {
		return -1;
	}
	return 0;
}

static char *with_bundle(const char *json)
{
	const char *at = strstr(json, "@BUNDLE@");

	if (at == NULL) {
		return xstrdup(json);
	}
	return xasprintf("%.*s%s%s", (int) (at - json), json, bundle, at + strlen("@BUNDLE@"));
}

static void run_case(const test_case_t *tc)
{
	_cleanup_error_ husk_error_t err = NULL;
	_cleanup_free_ char *json = NULL;
	husk_config_t *cfg;
	int fds[2];
	pid_t pid;
	FILE *in;
	char line[600];
	int status;

	json = with_bundle(tc->json);
	cfg = husk_config_parse(json, strlen(json), &err);
	if (cfg == NULL) {
		ok(0, "%s: config parses: %s", tc->name, err->msg);
		return;
	}
	if (pipe2(fds, O_CLOEXEC) < 0) {
		abort();
	}
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		report_fd = fds[1];
		if ((tc->unshare_extra & CLONE_NEWUSER) && enter_userns() < 0) {
			check(0, "%s: user namespace: %s", tc->name, strerror(errno));
			_exit(1);
		}
		if (unshare(CLONE_NEWNS | CLONE_NEWPID | (tc->unshare_extra & ~CLONE_NEWUSER)) <
			    0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
			check(0, "%s: unshare: %s", tc->name, strerror(errno));
			_exit(1);
		}
		pid = fork();
		if (pid == 0) {
			run_inside(tc, cfg);
			_exit(0);
		}
		waitpid(pid, &status, 0);
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 2);
	}
	close(fds[1]);
	in = fdopen(fds[0], "r");
	while (fgets(line, sizeof(line), in) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		ok(line[0] == '1', "%s", line + 2);
	}
	fclose(in);
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: the child exits cleanly", tc->name);
	husk_config_free(cfg);
}

/* ---- the throwaway bundle ---- */

static void put(const char *rel, const char *text)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", bundle, rel);
	FILE *f = fopen(p, "we");

	if (f == NULL) {
		fprintf(stderr, "create %s: %m\n", p);
		abort();
	}
	fputs(text, f);
	fclose(f);
}

static void dir(const char *rel)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", bundle, rel);

	if (mkdir(p, 0755) < 0 && errno != EEXIST) {
		abort();
	}
}

static void link_(const char *target, const char *rel)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", bundle, rel);

	if (symlink(target, p) < 0) {
		abort();
	}
}

static void make_bundle(void)
{
	static const char *dirs[] = {
		"rootfs",       "rootfs/bin", "rootfs/etc",        "rootfs/proc",      "rootfs/sys",
		"rootfs/dev",   "rootfs/tmp", "rootfs/secret-dir", "rootfs/etc/rodir", "outside",
		"devtarget",    "hostdir",    "hostdir/sub",       "fakedev",          "rootfs2",
		"rootfs2/proc", "rootfs3",    "rootfs3/dev",       "rootfs3/etc",      NULL
	};
	_cleanup_free_ char *outside = NULL;
	_cleanup_free_ char *devtarget = NULL;

	for (size_t i = 0; dirs[i] != NULL; i++) {
		dir(dirs[i]);
	}
	put("rootfs/.husk-rootfs", "");
	put("rootfs/etc/hostname", "husk-test\n");
	put("rootfs/etc/secret", "secret\n");
	put("rootfs/secret-dir/file", "secret\n");
	put("hostfile", "from the host\n");
	put("hostdir/file", "x\n");
	/* A destination that is an absolute symlink to the host's "outside". */
	outside = xasprintf("%s/outside", bundle);
	link_(outside, "rootfs/escape");
	link_("../../../../../../../..", "rootfs/dotdot");
	/* Hostile images: a /dev that is an absolute symlink to a host
	 * directory (the test's own, so that nothing else writes there). */
	devtarget = xasprintf("%s/devtarget", bundle);
	link_(devtarget, "rootfs2/dev");
	link_("/proc/sys/kernel/core_pattern", "fakedev/null");
	put("rootfs3/etc/target", "target\n");
	link_("/etc/target", "rootfs3/dev/console");
}

/* ---- case 1: a runc-like config ---- */

#define BASE_MOUNTS                                                                           \
	"{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"                  \
	"{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","                  \
	"\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]},"             \
	"{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\","            \
	"\"options\":[\"nosuid\",\"noexec\",\"newinstance\",\"ptmxmode=0666\",\"mode=0620\"," \
	"\"gid=5\"]},"                                                                        \
	"{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\","                \
	"\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\",\"size=65536k\"]},"

static const char basic_json[] =
	"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"mounts\":[" BASE_MOUNTS
	"{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\","
	"\"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"
	"{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","
	"\"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"
	"{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\","
	"\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"relatime\"]},"
	"{\"destination\":\"/tmp\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
	"\"options\":[\"size=1m\",\"mode=1777\",\"noexec\"]},"
	"{\"destination\":\"/etc/bound-file\",\"type\":\"bind\",\"source\":\"hostfile\","
	"\"options\":[\"bind\",\"ro\"]},"
	"{\"destination\":\"/escape/sub\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
	"{\"destination\":\"/dotdot/x\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}"
	"],\"linux\":{"
	"\"maskedPaths\":[\"/proc/kcore\",\"/proc/cmdline\",\"/etc/secret\",\"/secret-dir\",\"/"
	"does/not/exist\"],"
	"\"readonlyPaths\":[\"/proc/sys\",\"/etc/rodir\",\"/not/there\"],"
	"\"devices\":[{\"path\":\"/dev/fuse\",\"type\":\"c\",\"major\":10,\"minor\":229,"
	"\"fileMode\":384,\"uid\":1000,\"gid\":1001},"
	"{\"path\":\"/dev/net/tun\",\"type\":\"c\",\"major\":10,\"minor\":200}]}}";

static void basic_devices(void)
{
	static const struct {
		const char *p;
		unsigned int ma, mi;
	} nodes[] = { { "/dev/null", 1, 3 },   { "/dev/zero", 1, 5 },    { "/dev/full", 1, 7 },
		      { "/dev/random", 1, 8 }, { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 } };
	struct stat st;

	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		check(is_chr(nodes[i].p, nodes[i].ma, nodes[i].mi) && stat(nodes[i].p, &st) == 0 &&
			      (st.st_mode & 07777) == 0666,
		      "basic: %s is char %u:%u, mode 0666", nodes[i].p, nodes[i].ma, nodes[i].mi);
	}
	check(link_is("/dev/ptmx", "pts/ptmx"), "basic: /dev/ptmx -> pts/ptmx");
	check(link_is("/dev/fd", "/proc/self/fd") && link_is("/dev/stdin", "/proc/self/fd/0") &&
		      link_is("/dev/stdout", "/proc/self/fd/1") &&
		      link_is("/dev/stderr", "/proc/self/fd/2"),
	      "basic: /dev/fd, stdin, stdout, stderr link to /proc/self/fd");
	check(strcmp(fstype("/dev/pts"), "devpts") == 0, "basic: /dev/pts is a devpts");
	check(strcmp(fstype("/dev/shm"), "tmpfs") == 0, "basic: /dev/shm is a tmpfs");
	check(strcmp(fstype("/dev/mqueue"), "mqueue") == 0, "basic: /dev/mqueue is an mqueue");
	check(stat("/dev/fuse", &st) == 0 && st.st_rdev == makedev(10, 229) &&
		      (st.st_mode & 07777) == 0600 && st.st_uid == 1000 && st.st_gid == 1001,
	      "basic: linux.devices /dev/fuse has its mode, owner and numbers");
	check(is_chr("/dev/net/tun", 10, 200), "basic: /dev/net/tun made in a new directory");
}

static void basic_mounts(void)
{
	struct statfs sfs;
	struct stat st;
	char buf[128] = "";
	int fd;

	check(access("/.husk-rootfs", F_OK) == 0, "basic: / is the rootfs");
	check(getcwd(buf, sizeof(buf)) != NULL && strcmp(buf, "/") == 0, "basic: cwd is /");
	check(strcmp(fstype("/proc"), "proc") == 0 && link_is("/proc/self", "1"),
	      "basic: /proc is the new pid namespace's");
	check(statfs("/tmp", &sfs) == 0 && sfs.f_blocks * sfs.f_bsize == 1 << 20 &&
		      stat("/tmp", &st) == 0 && (st.st_mode & 07777) == 01777,
	      "basic: /tmp is a tmpfs of size=1m, mode=1777");
	check(strstr(mount_field("/tmp", 0), "noexec") != NULL, "basic: /tmp is noexec");
	check(strstr(mount_field("/dev", 0), "nosuid") != NULL, "basic: /dev is nosuid");
	check(mounted_ro("/sys"), "basic: sysfs is read-only without a network namespace");
	check(mounted_ro("/sys/fs/cgroup"), "basic: cgroupfs is read-only without a cgroupns");
	check(mounted_ro("/sys/fs/cgroup/memory") || mounted_ro("/sys/fs/cgroup/unified") ||
		      strcmp(fstype("/sys/fs/cgroup"), "cgroup2") == 0,
	      "basic: and so are its hierarchies (%s)", mount_field("/sys/fs/cgroup/memory", 0));
	check(mkdir("/sys/fs/cgroup/memory/husk-test", 0755) < 0 && errno == EROFS,
	      "basic: mkdir in a cgroup hierarchy fails with EROFS");
	fd = open("/etc/bound-file", O_RDONLY | O_CLOEXEC);
	memset(buf, 0, sizeof(buf));
	check(fd >= 0 && read(fd, buf, sizeof(buf) - 1) > 0 && strcmp(buf, "from the host\n") == 0,
	      "basic: a file bound onto a file shows the host's file");
	if (fd >= 0) {
		close(fd);
	}
	check(open("/etc/bound-file", O_WRONLY | O_CLOEXEC) < 0 && errno == EROFS,
	      "basic: and it is read-only");
	snprintf(buf, sizeof(buf), "%s/outside/sub", bundle);
	check(strcmp(fstype(buf), "tmpfs") == 0,
	      "basic: a destination through an absolute symlink lands inside the rootfs");
	check(strcmp(fstype("/x"), "tmpfs") == 0,
	      "basic: a destination through a `..` symlink stays inside the rootfs");
	check(errno_of_create("/etc/newfile") == 0, "basic: the rootfs is writable");
}

static void basic_masks(void)
{
	char buf[16];
	DIR *d;
	struct dirent *de;
	int fd, entries = 0;

	check(is_chr("/proc/cmdline", 1, 3), "basic: masked /proc/cmdline is /dev/null");
	fd = open("/etc/secret", O_RDONLY | O_CLOEXEC);
	check(fd >= 0 && read(fd, buf, sizeof(buf)) == 0 && is_chr("/etc/secret", 1, 3),
	      "basic: a masked file reads empty and is char 1:3");
	if (fd >= 0) {
		close(fd);
	}
	d = opendir("/secret-dir");
	while (d != NULL && (de = readdir(d)) != NULL) {
		entries += de->d_name[0] != '.';
	}
	if (d != NULL) {
		closedir(d);
	}
	check(d != NULL && entries == 0, "basic: a masked directory is empty");
	check(strcmp(fstype("/secret-dir"), "tmpfs") == 0 && mounted_ro("/secret-dir") &&
		      errno_of_create("/secret-dir/x") == EROFS,
	      "basic: and a read-only tmpfs");
	check(open("/proc/sys/kernel/hostname", O_WRONLY | O_CLOEXEC) < 0 && errno == EROFS,
	      "basic: a write under read-only /proc/sys fails with EROFS");
	check(errno_of_create("/etc/rodir/x") == EROFS,
	      "basic: a file in a read-only directory cannot be created (EROFS)");
}

static void basic_checks(const husk_rootfs_opts_t *o)
{
	basic_mounts();
	basic_devices();
	basic_masks();
}

/* ---- case 2: root.readonly, rro, propagation ---- */

static const char ro_json[] =
	"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
	"\"mounts\":[" BASE_MOUNTS
	"{\"destination\":\"/mnt/a\",\"type\":\"none\",\"source\":\"@BUNDLE@/hostdir\","
	"\"options\":[\"rbind\",\"ro\"]},"
	"{\"destination\":\"/mnt/b\",\"type\":\"none\",\"source\":\"hostdir\","
	"\"options\":[\"rbind\",\"rro\",\"rnosuid\",\"private\"]},"
	"{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"}"
	"],\"linux\":{\"rootfsPropagation\":\"shared\"}}";

/* In the child's namespace: a submount in the bind source. */
static void ro_before(husk_rootfs_opts_t *o)
{
	_cleanup_free_ char *sub = xasprintf("%s/hostdir/sub", bundle);

	if (mount("tmpfs", sub, "tmpfs", 0, "size=64k") < 0) {
		check(0, "readonly: submount in the source: %s", strerror(errno));
	}
}

static void ro_checks(const husk_rootfs_opts_t *o)
{
	check(errno_of_create("/etc/x") == EROFS, "readonly: root.readonly makes / read-only");
	check(errno_of_create("/dev/x") == 0, "readonly: /dev stays writable");
	check(mounted_ro("/mnt/a") && !mounted_ro("/mnt/a/sub"),
	      "readonly: rbind,ro makes only the top mount read-only");
	check(mounted_ro("/mnt/b") && mounted_ro("/mnt/b/sub") &&
		      strstr(mount_field("/mnt/b/sub", 0), "nosuid") != NULL,
	      "readonly: rro,rnosuid reach the submount");
	check(strstr(mount_field("/mnt/b", 1), "shared:") == NULL &&
		      strstr(mount_field("/mnt/b", 1), "master:") == NULL,
	      "readonly: `private` leaves the mount with no peers (%s)", mount_field("/mnt/b", 1));
	check(strstr(mount_field("/", 1), "shared:") != NULL,
	      "readonly: rootfsPropagation shared applies to the new / (%s)", mount_field("/", 1));
}

/* ---- case 3: own network and cgroup namespaces ---- */

static const char ns_json[] =
	"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"mounts\":["
	"{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
	"{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\"},"
	"{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\"}]}";

static void ns_checks(const husk_rootfs_opts_t *o)
{
	check(!mounted_ro("/sys"), "ns: sysfs is writable with its own network namespace");
	check(!mounted_ro("/sys/fs/cgroup"), "ns: cgroupfs is writable with its own cgroupns");
}

/* ---- hostile images ---- */

static const char devlink_json[] =
	"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs2\"},\"mounts\":["
	"{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"}]}";

/* /dev bound from a directory whose null is a symlink into /proc: the mask
 * must still be husk's own /dev/null. */
static const char nulllink_json[] =
	"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"mounts\":["
	"{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
	"{\"destination\":\"/dev\",\"type\":\"bind\",\"source\":\"fakedev\","
	"\"options\":[\"rbind\"]}],"
	"\"linux\":{\"maskedPaths\":[\"/etc/secret\",\"/proc/cmdline\"]}}";

static void nulllink_checks(const husk_rootfs_opts_t *o)
{
	check(link_is("/dev/null", "/proc/sys/kernel/core_pattern"),
	      "nulllink: the image's /dev/null is a symlink into /proc");
	check(is_chr("/etc/secret", 1, 3) && is_chr("/proc/cmdline", 1, 3),
	      "nulllink: masks are still the real /dev/null");
}

static const char console_json[] =
	"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs3\"},\"mounts\":["
	"{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"}]}";

static dev_t console_rdev;

static void console_before(husk_rootfs_opts_t *o)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	struct stat st;

	if (master < 0 || unlockpt(master) < 0) {
		check(0, "console: open a pty: %s", strerror(errno));
		return;
	}
	o->console_fd = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (o->console_fd < 0 || fstat(o->console_fd, &st) < 0) {
		check(0, "console: TIOCGPTPEER: %s", strerror(errno));
		return;
	}
	console_rdev = st.st_rdev;
}

static void console_checks(const husk_rootfs_opts_t *o)
{
	struct stat st;
	int fd;
	char buf[16] = "";

	check(lstat("/dev/console", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == console_rdev,
	      "console: /dev/console is the given pty, not the image's symlink");
	fd = open("/etc/target", O_RDONLY | O_CLOEXEC);
	check(fd >= 0 && read(fd, buf, sizeof(buf) - 1) > 0 && strcmp(buf, "target\n") == 0 &&
		      lstat("/etc/target", &st) == 0 && S_ISREG(st.st_mode),
	      "console: the symlink's target was not touched");
	if (fd >= 0) {
		close(fd);
	}
}

static const char master_json[] =
	"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"mounts\":[" BASE_MOUNTS
	"{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"}]}";

static int master_fd = -1;

static void master_checks(const husk_rootfs_opts_t *o)
{
	struct stat st;
	unsigned int n = 0;

	check(master_fd >= 0 && ioctl(master_fd, TIOCGPTN, &n) == 0 &&
		      stat("/dev/console", &st) == 0 && S_ISCHR(st.st_mode) &&
		      minor(st.st_rdev) == n && strcmp(fstype("/dev/pts"), "devpts") == 0,
	      "master: /dev/console is the peer of the returned master (pts %u)", n);
	check(master_fd >= 0 && (fcntl(master_fd, F_GETFD) & FD_CLOEXEC),
	      "master: the master is close-on-exec");
}

static const char nopivot_json[] =
	"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"mounts\":["
	"{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
	"{\"destination\":\"/etc\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
	"\"options\":[\"tmpcopyup\",\"size=1m\"]}]}";

static void nopivot_checks(const husk_rootfs_opts_t *o)
{
	char buf[64] = "";
	int fd;

	check(access("/.husk-rootfs", F_OK) == 0 && getcwd(buf, sizeof(buf)) != NULL &&
		      strcmp(buf, "/") == 0,
	      "nopivot: / is the rootfs and cwd is /");
	check(link_is("/proc/self", "1"), "nopivot: /proc is mounted");
	check(strcmp(fstype("/etc"), "tmpfs") == 0 && access("/etc/secret", F_OK) == 0 &&
		      access("/etc/rodir", F_OK) == 0,
	      "tmpcopyup: /etc is a tmpfs holding the image's /etc");
	fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
	memset(buf, 0, sizeof(buf));
	check(fd >= 0 && read(fd, buf, sizeof(buf) - 1) > 0 && strcmp(buf, "husk-test\n") == 0,
	      "tmpcopyup: file contents are copied");
	if (fd >= 0) {
		close(fd);
	}
}

static const char badfs_json[] =
	"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"mounts\":["
	"{\"destination\":\"/x\",\"type\":\"nosuchfs\",\"source\":\"none\"}]}";

static const char badopt_json[] =
	"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"mounts\":["
	"{\"destination\":\"/t\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
	"\"options\":[\"size=lots\"]}]}";

/* Only root is mapped: devpts gets no gid=5. */
static const char userns_json[] =
	"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"mounts\":["
	"{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
	"{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\","
	"\"options\":[\"newinstance\",\"ptmxmode=0666\"]},"
	"{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"}],"
	"\"linux\":{\"maskedPaths\":[\"/etc/secret\"],"
	"\"devices\":[{\"path\":\"/dev/fuse\",\"type\":\"c\",\"major\":10,\"minor\":229}]}}";

static void userns_checks(const husk_rootfs_opts_t *o)
{
	check(is_chr("/dev/null", 1, 3) && is_chr("/dev/tty", 5, 0) &&
		      strcmp(fstype("/dev/null"), "devtmpfs") == 0,
	      "userns: default nodes are the host's, bound (/dev/null on %s)", fstype("/dev/null"));
	check(access("/dev/fuse", F_OK) != 0 || is_chr("/dev/fuse", 10, 229),
	      "userns: a linux.devices node is bound from the host when it has one");
	check(is_chr("/etc/secret", 1, 3), "userns: masking works");
}

static void cleanup_bundle(void)
{
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", bundle);

	if (bundle[0] != '\0' && system(cmd) != 0) {
		diag("could not remove %s", bundle);
	}
}

static bool dir_is_empty(const char *rel)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", bundle, rel);
	DIR *d = opendir(p);
	struct dirent *de;
	int n = 0;

	while (d != NULL && (de = readdir(d)) != NULL) {
		n += de->d_name[0] != '.';
	}
	if (d != NULL) {
		closedir(d);
	}
	return d != NULL && n == 0;
}

static void master_before(husk_rootfs_opts_t *o)
{
	o->console_master = &master_fd;
}

static void test_options(void)
{
	_cleanup_error_ husk_error_t err = NULL;
	husk_mount_flags_t f;
	char *opts1[] = { "ro", "nosuid", "rw", "size=1m", "mode=755", "rbind", NULL };
	char *opts2[] = { "rro", "rnoexec", "rslave", "noatime", NULL };
	char *opts3[] = { "idmap", NULL };

	ok(husk_mount_flags_parse(opts1, &f, &err) == 0, "options: parse");
	ok(f.bind && f.recursive, "options: rbind is a recursive bind");
	ok(!(f.attr_set & MOUNT_ATTR_RDONLY) && (f.attr_clr & MOUNT_ATTR_RDONLY) &&
		   (f.attr_set & MOUNT_ATTR_NOSUID),
	   "options: a later `rw` overrides `ro`");
	ok(f.fs_options != NULL && strcmp(f.fs_options[0], "size=1m") == 0 &&
		   strcmp(f.fs_options[1], "mode=755") == 0 && f.fs_options[2] == NULL,
	   "options: unknown options go to the filesystem");
	husk_mount_flags_clear(&f);
	ok(husk_mount_flags_parse(opts2, &f, &err) == 0 &&
		   f.rattr_set == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOEXEC) &&
		   f.propagation == MS_SLAVE && f.propagation_rec &&
		   (f.attr_clr & MOUNT_ATTR__ATIME) && (f.attr_set & MOUNT_ATTR_NOATIME),
	   "options: recursive attributes, propagation and atime");
	husk_mount_flags_clear(&f);
	husk_mount_flags_clear(&f);
	ok(husk_mount_flags_parse(opts3, &f, &err) == 0 && f.fs_options == NULL,
	   "options: idmap is never handed to the filesystem");
	husk_mount_flags_clear(&f);
}

int main(void)
{
	const test_case_t cases[] = {
		{ "basic", basic_json, { .console_fd = -1 }, 0, false, NULL, NULL, basic_checks },
		{ "readonly", ro_json, { .console_fd = -1 }, 0, false, NULL, ro_before, ro_checks },
		{ "ns",
		  ns_json,
		  { .console_fd = -1, .own_netns = true, .own_cgroupns = true },
		  CLONE_NEWNET | CLONE_NEWCGROUP,
		  false,
		  NULL,
		  NULL,
		  ns_checks },
		{ "devlink", devlink_json, { .console_fd = -1 }, 0, true, "`/dev` is a symlink" },
		{ "nulllink",
		  nulllink_json,
		  { .console_fd = -1 },
		  0,
		  false,
		  NULL,
		  NULL,
		  nulllink_checks },
		{ "console",
		  console_json,
		  { .console_fd = -1 },
		  0,
		  false,
		  NULL,
		  console_before,
		  console_checks },
		{ "master",
		  master_json,
		  { .console_fd = -1 },
		  0,
		  false,
		  NULL,
		  master_before,
		  master_checks },
		{ "nopivot",
		  nopivot_json,
		  { .console_fd = -1, .no_pivot = true },
		  0,
		  false,
		  NULL,
		  NULL,
		  nopivot_checks },
		{ "userns",
		  userns_json,
		  { .console_fd = -1, .in_userns = true },
		  CLONE_NEWUSER,
		  false,
		  NULL,
		  NULL,
		  userns_checks },
		{ "badfs",
		  badfs_json,
		  { .console_fd = -1 },
		  0,
		  true,
		  "mount `none` onto `/x`: fsopen: no such device" },
		{ "badopt",
		  badopt_json,
		  { .console_fd = -1 },
		  0,
		  true,
		  "mount `tmpfs` onto `/t`: option `size=lots`: invalid argument (tmpfs: Bad "
		  "value" },
	};
	_cleanup_free_ char *host_dev = NULL;

	if (geteuid() != 0) {
		skip_all("needs root");
	}
	snprintf(bundle, sizeof(bundle), "/tmp/husk-test-rootfs-XXXXXX");
	if (mkdtemp(bundle) == NULL) {
		skip_all("mkdtemp failed");
	}
	make_bundle();
	test_options();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run_case(&cases[i]);
	}
	ok(dir_is_empty("outside"), "escape: nothing was made in the host directory behind "
				    "the symlink");
	ok(dir_is_empty("devtarget"), "devlink: nothing was made where the /dev symlink points");
	cleanup_bundle();
	plan(tap_run_);
	return done();
}
