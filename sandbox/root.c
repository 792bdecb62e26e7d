/* husk sandbox: the job's bundle, an empty root the host's directories are
 * bound into, and its config (sandbox/internal.h). */
#include "sandbox/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootfs/mntapi.h"
#include "state/statedir.h"
#include "util/cleanup.h"
#include "util/file.h"
#include "util/hash.h"
#include "util/log.h"
#include "util/open.h"
#include "util/xalloc.h"

#define TMP_SIZE    (64u << 20)
#define PROFILE_MAX (4u << 20)

/* The state root, made if missing and opened once for the bundle, the
 * shared root and the cache. */
static int state_root(struct sandbox *sb, husk_error_t *err)
{
	if (sb->rootfd < 0) {
		sb->rootfd = husk_statedir_open_root(sb->o->root, true, err);
	}
	return sb->rootfd;
}

/* Remove NAME under DIRFD and all below it.  Nothing of it is mounted in
 * husk's mount namespace (the job's mounts died with it), and no symlink
 * is followed. */
static int remove_tree_at(int at, const char *name, husk_error_t *err)
{
	_cleanup_closedir_ DIR *d = NULL;
	int fd = openat(at, name, HUSK_O_DIR);
	struct dirent *e;

	if (fd < 0 && errno == ENOTDIR) {
		return unlinkat(at, name, 0) < 0 ? husk_error_errno(err, "remove `%s`", name) : 0;
	}
	if (fd < 0) {
		return errno == ENOENT ? 0 : husk_error_errno(err, "open `%s`", name);
	}
	d = fdopendir(fd);
	if (d == NULL) {
		husk_safe_close(fd);
		return husk_error_errno(err, "read `%s`", name);
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
			continue;
		}
		if (remove_tree_at(dirfd(d), e->d_name, err) < 0) {
			return husk_error_wrap(err, "remove `%s`", name);
		}
	}
	if (unlinkat(at, name, AT_REMOVEDIR) < 0 && errno != ENOENT) {
		return husk_error_errno(err, "remove `%s`", name);
	}
	return 0;
}

void husk_sandbox_remove_bundle(struct sandbox *sb)
{
	_cleanup_error_ husk_error_t e = NULL;

	if (sb->bundle != NULL && !sb->shared_root &&
	    remove_tree_at(AT_FDCWD, sb->bundle, &e) < 0) {
		husk_log_error(e);
	}
	free(sb->bundle);
	sb->bundle = NULL;
}

/* Keep S until the sandbox is done with it. */
const char *husk_sandbox_own(struct sandbox *sb, char *s)
{
	husk_strv_push(&sb->owned, s);
	return s;
}

static void add_mount(husk_sandbox_spec_t *s, husk_sandbox_mount_t **v, husk_sandbox_mount_t m)
{
	*v = xreallocarray(*v, s->n_mounts + 1, sizeof(**v));
	(*v)[s->n_mounts++] = m;
	s->mounts = *v;
}

/* The host's top-level directories a program needs, read-only: a
 * directory is bound, a symlink (a merged /usr's /bin -> usr/bin) is
 * copied as a symlink. */
static const char *const host_dirs[] = { "usr",   "bin",   "sbin",   "lib",
					 "lib32", "lib64", "libx32", "etc" };
#define N_HOST_DIRS (sizeof(host_dirs) / sizeof(host_dirs[0]))

/* What the host has of them: for each, "" for a directory, the target for
 * a symlink, NULL when missing (or anything else). */
typedef struct host_layout_s {
	char *target[N_HOST_DIRS];
} host_layout_t;

static void layout_clear(host_layout_t *h)
{
	for (size_t i = 0; i < N_HOST_DIRS; i++) {
		free(h->target[i]);
	}
}

static int host_layout(host_layout_t *h, husk_error_t *err)
{
	for (size_t i = 0; i < N_HOST_DIRS; i++) {
		char host[16], target[PATH_MAX];
		struct stat st;
		ssize_t len;

		snprintf(host, sizeof(host), "/%s", host_dirs[i]);
		h->target[i] = NULL;
		if (lstat(host, &st) < 0) {
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			h->target[i] = xstrdup("");
			continue;
		}
		if (!S_ISLNK(st.st_mode)) {
			continue;
		}
		len = readlink(host, target, sizeof(target) - 1);
		if (len < 0) {
			return husk_error_errno(err, "read symlink `%s`", host);
		}
		target[len] = '\0';
		h->target[i] = xstrdup(target);
	}
	return 0;
}

/* Bind the host's directories of H, read-only. */
static void host_mounts(struct sandbox *sb, const host_layout_t *h, husk_sandbox_spec_t *s,
			husk_sandbox_mount_t **v)
{
	for (size_t i = 0; i < N_HOST_DIRS; i++) {
		if (h->target[i] != NULL && h->target[i][0] == '\0') {
			const char *host = husk_sandbox_own(sb, xasprintf("/%s", host_dirs[i]));

			add_mount(s, v,
				  (husk_sandbox_mount_t){ .kind = HUSK_SANDBOX_RO,
							  .source = host,
							  .destination = host });
		}
	}
}

/* The empty root under ROOTFS: H's symlinks, and with MOUNTPOINTS the
 * directories every default mount goes on (which the init would otherwise
 * make). */
static int populate_root(int rootfs, const host_layout_t *h, bool mountpoints, husk_error_t *err)
{
	static const char *const base[] = { "proc", "dev", "tmp" };

	for (size_t i = 0; i < N_HOST_DIRS; i++) {
		if (h->target[i] == NULL) {
			continue;
		}
		if (h->target[i][0] != '\0' && symlinkat(h->target[i], rootfs, host_dirs[i]) < 0) {
			return husk_error_errno(err, "copy symlink `/%s` into the sandbox",
						host_dirs[i]);
		}
		if (h->target[i][0] == '\0' && mountpoints &&
		    mkdirat(rootfs, host_dirs[i], 0755) < 0) {
			return husk_error_errno(err, "make `/%s` in the sandbox's root",
						host_dirs[i]);
		}
	}
	for (size_t i = 0; mountpoints && i < sizeof(base) / sizeof(base[0]); i++) {
		if (mkdirat(rootfs, base[i], 0755) < 0) {
			return husk_error_errno(err, "make `/%s` in the sandbox's root", base[i]);
		}
	}
	return 0;
}

int husk_sandbox_make_id(struct sandbox *sb, husk_error_t *err)
{
	uint64_t r;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r)) {
		return husk_error_errno(err, "getrandom for a sandbox id");
	}
	snprintf(sb->id, sizeof(sb->id), "sandbox-%016llx", (unsigned long long) r);
	return 0;
}

/* <root>/.sandbox-<id>/rootfs: ids never start with '.', so no command
 * takes the bundle for a container. */
static int make_bundle(struct sandbox *sb, int *rootfs, husk_error_t *err)
{
	int rootfd = state_root(sb, err);
	_cleanup_close_ int bundlefd = -1;
	_cleanup_free_ char *name = xasprintf(".%s", sb->id);

	if (rootfd < 0) {
		return -1;
	}
	if (mkdirat(rootfd, name, 0700) < 0) {
		return husk_error_errno(err, "make the sandbox's bundle `%s/%s`", sb->o->root,
					name);
	}
	sb->bundle = xasprintf("%s/%s", sb->o->root, name);
	bundlefd = openat(rootfd, name, HUSK_O_DIR);
	if (bundlefd < 0 || mkdirat(bundlefd, "rootfs", 0755) < 0) {
		return husk_error_errno(err, "make `%s/rootfs`", sb->bundle);
	}
	*rootfs = openat(bundlefd, "rootfs", HUSK_O_DIR);
	if (*rootfs < 0) {
		return husk_error_errno(err, "open `%s/rootfs`", sb->bundle);
	}
	return 0;
}

/* FNV-1a over the layout: what names a shared root. */
static uint64_t layout_hash(const host_layout_t *h)
{
	uint64_t x = HUSK_FNV1A_INIT;

	for (size_t i = 0; i < N_HOST_DIRS; i++) {
		const char *t = h->target[i] != NULL ? h->target[i] : "\n-";

		x = husk_fnv1a(x, host_dirs[i], strlen(host_dirs[i]));
		x = husk_fnv1a(x, "=", 1);
		x = husk_fnv1a(x, t, strlen(t));
		x = husk_fnv1a(x, "\n", 1);
	}
	return x;
}

/* Make NAME under ROOTFD whole: built under a name of our own and renamed
 * into place, so that a sandbox never sees half of one; losing a race to
 * another husk is no error (its root is the same). */
static int make_shared_root(int rootfd, const char *name, const host_layout_t *h, husk_error_t *err)
{
	_cleanup_free_ char *tmp = xasprintf("%s.%d", name, (int) getpid());
	_cleanup_close_ int dir = -1;
	_cleanup_close_ int rootfs = -1;
	_cleanup_error_ husk_error_t e = NULL;

	remove_tree_at(rootfd, tmp, &e); /* a killed husk's with our pid */
	if (mkdirat(rootfd, tmp, 0700) < 0 || (dir = openat(rootfd, tmp, HUSK_O_DIR)) < 0 ||
	    mkdirat(dir, "rootfs", 0755) < 0 || (rootfs = openat(dir, "rootfs", HUSK_O_DIR)) < 0) {
		husk_error_errno(err, "make the sandboxes' root `%s`", tmp);
	} else if (populate_root(rootfs, h, true, err) == 0 &&
		   renameat2(rootfd, tmp, rootfd, name, RENAME_NOREPLACE) == 0) {
		return 0;
	} else if (*err == NULL && errno != EEXIST) {
		husk_error_errno(err, "put the sandboxes' root `%s` in place", name);
	}
	husk_error_free(&e);
	remove_tree_at(rootfd, tmp, &e);
	return *err != NULL ? -1 : 0;
}

/* A job on the default root with no mount of its own needs nothing of a
 * root but H's symlinks and the default mounts' mount points, the same for
 * every such job: so they share one, <root>/.rootfs-<hash of H>/rootfs,
 * made once and kept (as the seccomp cache is).  A root of its own costs a
 * job a dozen inodes made and removed on the state root's filesystem, more
 * than the rest of its setup when that is a disk (bench/bench.sh).  Safe to
 * share: each job binds it into a mount namespace of its own, read-only
 * (root.readonly), and the init finds every mount point there, so it
 * writes nothing into it. */
static int shared_root(struct sandbox *sb, const host_layout_t *h, husk_error_t *err)
{
	int rootfd = state_root(sb, err);
	_cleanup_close_ int fd = -1;
	char name[40];
	struct stat st;

	if (rootfd < 0) {
		return -1;
	}
	snprintf(name, sizeof(name), ".rootfs-%016llx", (unsigned long long) layout_hash(h));
	fd = openat(rootfd, name, HUSK_O_DIR);
	if (fd < 0 && errno == ENOENT) {
		if (make_shared_root(rootfd, name, h, err) < 0) {
			return -1;
		}
		fd = openat(rootfd, name, HUSK_O_DIR);
	}
	if (fd < 0) {
		return husk_error_errno(err, "open the sandboxes' root `%s/%s`", sb->o->root, name);
	}
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022) != 0) {
		return husk_error_make(err, 0, "the sandboxes' root `%s/%s` is not husk's own",
				       sb->o->root, name);
	}
	sb->bundle = xasprintf("%s/%s", sb->o->root, name);
	sb->shared_root = true;
	return 0;
}

/* A host path of a flag, absolute and existing. */
static const char *host_path(struct sandbox *sb, const char *flag, const char *path,
			     husk_error_t *err)
{
	char *real = realpath(path, NULL);

	if (real == NULL) {
		husk_error_errno(err, "sandbox: --%s `%s`", flag, path);
		return NULL;
	}
	return husk_sandbox_own(sb, real);
}

static int user_mounts(struct sandbox *sb, husk_sandbox_spec_t *s, husk_sandbox_mount_t **v,
		       husk_error_t *err)
{
	static const char *const flags[] = { "ro", "rw", "tmpfs" };

	for (size_t i = 0; i < sb->o->n_mounts; i++) {
		husk_sandbox_mount_t m = sb->o->mounts[i];

		if (m.kind != HUSK_SANDBOX_TMPFS) {
			m.source = host_path(sb, flags[m.kind], m.source, err);
			if (m.source == NULL) {
				return -1;
			}
		}
		if (m.destination == NULL) {
			m.destination = m.source;
		}
		if (m.destination[0] != '/') {
			return husk_error_make(err, 0,
					       "sandbox: --%s: destination `%s` is not absolute",
					       flags[m.kind], m.destination);
		}
		add_mount(s, v, m);
	}
	if (sb->o->workdir != NULL) {
		const char *w = host_path(sb, "workdir", sb->o->workdir, err);

		if (w == NULL) {
			return -1;
		}
		add_mount(s, v,
			  (husk_sandbox_mount_t){
				  .kind = HUSK_SANDBOX_RW, .source = w, .destination = w });
		s->cwd = w;
	}
	return 0;
}

/* Each --overlay stacks on a read-only bind of its source. */
static int workspace_mounts(struct sandbox *sb, husk_sandbox_spec_t *s, husk_sandbox_mount_t **v,
			    husk_error_t *err)
{
	_cleanup_free_ husk_sandbox_mount_t *binds = NULL;
	size_t n;

	if (husk_sandbox_workspace_plan(sb, s, &binds, &n, err) < 0) {
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		add_mount(s, v, binds[i]);
	}
	return 0;
}

static char *read_profile(const char *seccomp, husk_error_t *err)
{
	size_t len;
	char *text;

	if (seccomp == NULL) {
		return xstrdup(husk_sandbox_default_seccomp);
	}
	if (strcmp(seccomp, "none") == 0) {
		return NULL;
	}
	text = husk_read_file(seccomp, PROFILE_MAX, &len, err);
	if (text == NULL) {
		husk_error_wrap(err, "sandbox: --seccomp `%s`", seccomp);
	}
	return text;
}

/* A root in memory for a job with mounts of its own: a tmpfs, detached,
 * holding H's symlinks and the default mounts' mount points; the init makes
 * the job's own mount points in it and it goes with the job's mount
 * namespace.  A root on the state root's filesystem instead costs a dozen
 * inodes made and removed per job, each a journal entry on a disk
 * (bench/bench.sh: about a tenth of a `--overlay` job there).  As root
 * only: a tmpfs made in husk's user namespace, which a job with a user
 * namespace of its own could not write its mount points into.  -1 and no
 * error where this kernel has no mount API: the caller makes a bundle. */
static int memory_root(const host_layout_t *h, husk_error_t *err)
{
	static char *const opts[] = { "mode=755", "size=1m", NULL };
	_cleanup_error_ husk_error_t e = NULL;
	_cleanup_close_ int mfd =
		husk_mnt_new("tmpfs", "tmpfs", opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, &e);

	if (mfd < 0) {
		husk_debug("sandbox: no root in memory (%s): a bundle on the state root", e->msg);
		return -1;
	}
	if (populate_root(mfd, h, true, err) < 0) {
		husk_error_wrap(err, "sandbox: the root in memory");
		return -1;
	}
	return TAKE_FD(mfd);
}

/* The default root: the host's directories bound into the shared root,
 * or, when the job has mounts of its own (whose mount points the init may
 * have to make in it), into a root in memory or one of the job's own. */
static int default_root(struct sandbox *sb, husk_sandbox_spec_t *s, husk_sandbox_mount_t **v,
			husk_error_t *err)
{
	host_layout_t h = { .target = { NULL } };
	_cleanup_close_ int rootfs = -1;
	int r = host_layout(&h, err);
	bool own_mounts = sb->o->n_mounts > 0 || sb->o->workdir != NULL || sb->o->n_overlays > 0;

	if (r == 0 && own_mounts && !sb->rootless && !sb->root_job) {
		sb->root_mfd = memory_root(&h, err);
		if (sb->root_mfd < 0 && *err != NULL) {
			r = -1;
		}
	}
	if (r == 0 && (!own_mounts || sb->root_mfd >= 0)) {
		r = shared_root(sb, &h, err);
	} else if (r == 0) {
		r = make_bundle(sb, &rootfs, err);
		if (r == 0) {
			r = populate_root(rootfs, &h, false, err);
		}
	}
	if (r == 0) {
		host_mounts(sb, &h, s, v);
		s->rootfs = husk_sandbox_own(sb, xasprintf("%s/rootfs", sb->bundle));
	}
	layout_clear(&h);
	return r;
}

/* The host's id behind the job's ID.  Rootless, the caller's own (CALLER):
 * the only one it may map.  As root, ID itself, except 0: a job must never
 * be root of the host, whose uid 0 may write sysctls through /proc/sys and
 * owns /etc/shadow even without a capability; it is nobody instead. */
uint32_t husk_sandbox_host_id(const struct sandbox *sb, uint32_t id, uint32_t caller)
{
	if (sb->rootless) {
		return caller;
	}
	return id == 0 ? HUSK_SANDBOX_NOBODY : id;
}

/* The job's config: the bundle's root, the default mounts, the host's
 * directories or --rootfs, a /tmp, the flags' mounts, the limits. */
husk_config_t *husk_sandbox_build_config(struct sandbox *sb, husk_error_t *err)
{
	const husk_sandbox_opts_t *o = sb->o;
	_cleanup_close_ int rootfs = -1;
	_cleanup_free_ husk_sandbox_mount_t *v = NULL;
	_cleanup_free_ char *seccomp = NULL;
	_cleanup_strv_ char **env = husk_sandbox_env(o, err);
	husk_sandbox_spec_t s = {
		.args = o->args,
		.env = env,
		.uid = o->uid,
		.gid = o->gid,
		.net_host = o->net_host,
		.device_rules = o->rootfs != NULL,
		.userns = sb->rootless || sb->root_job,
		.host_uid = husk_sandbox_host_id(sb, o->uid, geteuid()),
		.host_gid = husk_sandbox_host_id(sb, o->gid, getegid()),
		.map_root = sb->root_job,
		.host_root = HUSK_SANDBOX_NOBODY,
	};
	husk_config_t *cfg;

	if (env == NULL) {
		return NULL;
	}
	husk_sandbox_net_env(sb, &env);
	s.env = env;
	if (o->tty) {
		struct winsize ws;

		s.terminal = true;
		if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 ||
		    ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) {
			s.console_rows = ws.ws_row;
			s.console_cols = ws.ws_col;
		}
	}
	if (sb->cgroup) {
		s.cgroups_path = husk_sandbox_own(sb, xasprintf("%s/%s", sb->cg_parent, sb->id));
	}
	if (o->rootfs != NULL) {
		if (make_bundle(sb, &rootfs, err) == 0) {
			s.rootfs = host_path(sb, "rootfs", o->rootfs, err);
		}
	} else {
		default_root(sb, &s, &v, err);
	}
	if (s.rootfs == NULL) {
		return NULL;
	}
	/* With --disk-limit, /tmp is the workspace's (sandbox/workspace.c),
	 * mounted over this one, which stays empty beneath it: a mount of the
	 * config's at /tmp is what Landlock's rules start from (init/landlock.c
	 * allows beneath each, as the mount on top allows). */
	add_mount(&s, &v,
		  (husk_sandbox_mount_t){ .kind = HUSK_SANDBOX_TMPFS,
					  .destination = "/tmp",
					  .size = o->limits[HUSK_LIMIT_DISK].value == 0 ? TMP_SIZE
											: 4096 });
	if (user_mounts(sb, &s, &v, err) < 0 || workspace_mounts(sb, &s, &v, err) < 0) {
		return NULL;
	}
	husk_sandbox_spec_limits(sb, &s);
	/* The built-in profile is parsed only to be compiled, and its program
	 * is in the cache after the first job: taken from there, the config
	 * does without it (about 0.2 ms of parsing a 10 KB profile). */
	if (o->seccomp == NULL) {
		_cleanup_error_ husk_error_t e = NULL;

		sb->filter =
			husk_seccomp_cached_text(husk_sandbox_default_seccomp, state_root(sb, &e));
	}
	seccomp = sb->filter != NULL ? NULL : read_profile(o->seccomp, err);
	if (seccomp == NULL && *err != NULL) {
		return NULL;
	}
	s.seccomp = seccomp;
	s.seccomp_builtin = o->seccomp == NULL;
	s.landlock = sb->landlock;
	s.seccomp_source =
		husk_sandbox_own(sb, o->seccomp != NULL ? xasprintf("--seccomp `%s`", o->seccomp)
							: xstrdup("the default seccomp profile"));
	cfg = husk_sandbox_config(&s, err);
	if (cfg == NULL) {
		husk_error_wrap(err, "sandbox");
	}
	return cfg;
}
