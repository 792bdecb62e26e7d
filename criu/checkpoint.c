/* husk criu: checkpoint a running container with CRIU (criu.h).
 *
 * What CRIU cannot take from inside the container it must be told is
 * external, as runc tells it, so that a restore can supply it again:
 *   - bind mounts: the host directory behind each is not the container's to
 *     dump; each is recorded under its destination as its key;
 *   - masked files: the host's /dev/null bound over them, recorded under the
 *     key "/dev/null";
 *   - linux.devices: nodes that may be binds of the host's;
 *   - network and pid namespaces joined by path: the host's to keep, not the
 *     container's to dump (extRootNetNS, extRootPidNS).
 * The init's stdio is written to descriptors.json (runc's file) so that
 * `restore` can hand CRIU the restoring caller's pipes in place of the old
 * ones.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cgroups/cgroup.h"
#include "runtime/husk.h"
#include "criu/criu.h"
#include "init/hooks.h"
#include "state/record.h"
#include "spec/descriptors.h"
#include "util/cleanup.h"
#include "util/io.h"
#include "util/open.h"
#include "util/pathfs.h"
#include "util/procfs.h"
#include "util/xalloc.h"

/* The config the container was made from: the one kept in its state dir,
 * else its bundle's. */
static husk_config_t *container_config(int dirfd, const husk_state_t *st, husk_error_t *err)
{
	_cleanup_close_ int bundlefd = -1;
	husk_config_t *cfg = husk_hooks_kept_config(dirfd, err);

	if (cfg != NULL || *err != NULL) {
		return cfg;
	}
	bundlefd = open(st->bundle, HUSK_O_DIR);
	if (bundlefd < 0) {
		husk_error_errno(err, "open the container's bundle `%s`", st->bundle);
		return NULL;
	}
	return husk_config_load_at(bundlefd, err);
}

/* Masked paths that are files in the container, the /dev/null husk bound
 * over each (a directory is masked with a tmpfs, which CRIU dumps itself).
 * Looked up inside the container's root through the path layer: a link
 * the container made there resolves inside it, and only a 1:3 node is
 * taken for a mask. */
static void add_masked(husk_argv_t *a, const husk_linux_t *l, int procfd, pid_t pid)
{
	_cleanup_close_ int rootfd = -1;
	char root[32];

	snprintf(root, sizeof(root), "%d/root", pid);
	rootfd = openat(procfd, root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (size_t i = 0; rootfd >= 0 && l->masked_paths != NULL && l->masked_paths[i] != NULL;
	     i++) {
		_cleanup_error_ husk_error_t e = NULL;
		_cleanup_close_ int fd =
			husk_path_open_at(rootfd, l->masked_paths[i], O_PATH | O_NOFOLLOW, 0, &e);
		struct stat sb;

		if (fd >= 0 && fstat(fd, &sb) == 0 && S_ISCHR(sb.st_mode) &&
		    sb.st_rdev == makedev(1, 3)) {
			husk_argv_add(a, "--external");
			husk_argv_addf(a, "mnt[%s]:/dev/null", l->masked_paths[i]);
		}
	}
}

/* A namespace joined by path: CRIU leaves it alone and expects it back at
 * restore under KEY. */
static int add_external_ns(husk_argv_t *a, const husk_linux_t *l, int type, const char *name,
			   const char *key, husk_error_t *err)
{
	for (size_t i = 0; i < l->namespaces.n; i++) {
		const husk_namespace_t *ns = &l->namespaces.v[i];
		struct stat sb;

		if (ns->type != type || ns->path == NULL) {
			continue;
		}
		if (stat(ns->path, &sb) < 0) {
			return husk_error_errno(err, "%s namespace `%s`", name, ns->path);
		}
		husk_argv_add(a, "--external");
		husk_argv_addf(a, "%s[%llu]:%s", name, (unsigned long long) sb.st_ino, key);
	}
	return 0;
}

static int add_externals(husk_argv_t *a, const husk_config_t *cfg, int procfd, pid_t pid,
			 husk_error_t *err)
{
	const husk_linux_t *l = cfg->linux_;

	for (size_t i = 0; i < cfg->mounts.n; i++) {
		if (husk_criu_is_bind(&cfg->mounts.v[i])) {
			husk_argv_add(a, "--external");
			husk_argv_addf(a, "mnt[%s]:%s", cfg->mounts.v[i].destination,
				       cfg->mounts.v[i].destination);
		}
	}
	add_masked(a, l, procfd, pid);
	for (size_t i = 0; i < l->devices.n; i++) {
		husk_argv_add(a, "--external");
		husk_argv_addf(a, "mnt[%s]:%s", l->devices.v[i].path, l->devices.v[i].path);
	}
	if (add_external_ns(a, l, HUSK_NS_NETWORK, "net", "extRootNetNS", err) < 0 ||
	    add_external_ns(a, l, HUSK_NS_PID, "pid", "extRootPidNS", err) < 0) {
		return -1;
	}
	return 0;
}

/* descriptors.json: what the init's fds 0-2 are, in the image directory. */
static int write_descriptors(const char *images, int procfd, pid_t pid, husk_error_t *err)
{
	_cleanup_close_ int dirfd = open(images, HUSK_O_DIR);
	_cleanup_free_ char *json = NULL;
	char target[3][PATH_MAX];
	char *v[3];

	if (dirfd < 0) {
		return husk_error_errno(err, "open the image directory `%s`", images);
	}
	for (int i = 0; i < 3; i++) {
		char link[64];
		ssize_t n;

		snprintf(link, sizeof(link), "%d/fd/%d", pid, i);
		n = readlinkat(procfd, link, target[i], sizeof(target[i]) - 1);
		if (n < 0) {
			/* A closed stdio fd: nothing to hand back. */
			n = 0;
		}
		target[i][n] = '\0';
		v[i] = target[i];
	}
	json = husk_descriptors_to_json(v, 3);
	if (husk_write_file_at(dirfd, HUSK_DESCRIPTORS_FILE, json, strlen(json), 0600, false, err) <
	    0) {
		return husk_error_wrap(err, "image directory `%s`", images);
	}
	return 0;
}

/* The container's cgroup where one cgroup2 directory holds all of it (its
 * freezer stops the whole container at once, forks included), or NULL. */
static char *freeze_dir(const husk_state_t *st)
{
	_cleanup_error_ husk_error_t e = NULL;
	husk_cgroup_t *cg = husk_state_cgroup(st, &e);
	const char *dir = cg != NULL ? husk_cgroup_unified_dir(cg) : NULL;
	char *r = dir != NULL ? xstrdup(dir) : NULL;

	husk_cgroup_free(cg);
	return r;
}

/* The dump's own arguments: the tree, its root, how to freeze it. */
static void add_dump_args(husk_argv_t *a, const husk_criu_opts_t *o, const husk_state_t *st)
{
	_cleanup_free_ char *freezer = freeze_dir(st);

	husk_argv_add(a, "--tree");
	husk_argv_addf(a, "%d", st->pid);
	husk_argv_add(a, "--root");
	husk_argv_add(a, st->rootfs);
	/* Elsewhere CRIU seizes the tasks with ptrace. */
	if (freezer != NULL) {
		husk_argv_add(a, "--freeze-cgroup");
		husk_argv_add(a, freezer);
	}
	if (o->leave_running || o->pre_dump) {
		husk_argv_add(a, "--leave-running");
	}
	if (o->parent_path != NULL) {
		husk_argv_add(a, "--prev-images-dir");
		husk_argv_add(a, o->parent_path);
		husk_argv_add(a, "--track-mem");
	} else if (o->pre_dump) {
		husk_argv_add(a, "--track-mem");
	}
	if (o->tcp_skip_in_flight) {
		husk_argv_add(a, "--skip-in-flight");
	}
	if (o->link_remap) {
		husk_argv_add(a, "--link-remap");
	}
}

static int dump(const husk_criu_t *criu, const husk_criu_opts_t *o, int dirfd,
		const husk_state_t *st, husk_error_t *err)
{
	_cleanup_config_ husk_config_t *cfg = NULL;
	_cleanup_free_ char *images = NULL;
	_cleanup_free_ char *work = NULL;
	_cleanup_free_ char *log = NULL;
	_cleanup_close_ int procfd = -1;
	husk_argv_t a = { 0 };
	const char *verb = o->pre_dump ? "pre-dump" : "dump";
	int r = -1;

	cfg = container_config(dirfd, st, err);
	if (cfg == NULL) {
		return -1;
	}
	procfd = husk_procfs_open(err);
	if (procfd < 0) {
		return -1;
	}
	images = husk_criu_dir(o->image_path != NULL ? o->image_path : "checkpoint", true,
			       "image directory", err);
	if (images == NULL) {
		return -1;
	}
	work = o->work_path != NULL ? husk_criu_dir(o->work_path, true, "work directory", err)
				    : xstrdup(images);
	if (work == NULL) {
		return -1;
	}
	log = xasprintf("%s/%s.log", work, verb);
	husk_criu_common_args(&a, verb, o, images, work, log);
	add_dump_args(&a, o, st);
	/* A pre-dump copies memory only: no mounts, no descriptors. */
	if (!o->pre_dump && (add_externals(&a, cfg, procfd, st->pid, err) < 0 ||
			     write_descriptors(images, procfd, st->pid, err) < 0)) {
		goto out;
	}
	r = husk_criu_run(criu, a.v, NULL, NULL, NULL, 0, verb, log, err);
out:
	husk_argv_free(&a);
	return r;
}

int husk_container_checkpoint(const char *root, const char *id, const husk_criu_opts_t *o,
			      husk_error_t *err)
{
	_cleanup_close_ int dirfd = -1;
	_cleanup_close_ int pidfd = -1;
	_cleanup_state_ husk_state_t *st = NULL;
	_cleanup_free_ char *freezer = NULL;
	husk_criu_t criu;
	enum husk_status status;

	st = husk_state_open(root, id, false, NULL, &dirfd, err);
	if (st == NULL) {
		return -1;
	}
	/* runc's words.  A paused container is dumped as it is, frozen,
	 * where CRIU freezes through the same cgroup (v2); elsewhere CRIU
	 * would try to seize frozen tasks with ptrace. */
	status = husk_state_status(dirfd, st, &pidfd);
	freezer = status == HUSK_STATUS_PAUSED ? freeze_dir(st) : NULL;
	if (status == HUSK_STATUS_CREATED || status == HUSK_STATUS_STOPPED ||
	    (status == HUSK_STATUS_PAUSED && freezer == NULL)) {
		return husk_error_make(err, 0, "container cannot be checkpointed in %s state",
				       husk_status_name(status));
	}
	/* Before anything is written: no CRIU, or too old a one, changes
	 * nothing. */
	if (husk_criu_find(o->criu, &criu, err) < 0 || dump(&criu, o, dirfd, st, err) < 0) {
		return -1;
	}
	if (o->leave_running || o->pre_dump) {
		return 0;
	}
	/* CRIU has killed the tree: the container is gone, and so is its
	 * state (runc destroys it too), which frees its id for `restore`.
	 * delete takes the lock itself. */
	dirfd = husk_safe_close(dirfd);
	return husk_container_delete(root, id, true, err);
}
