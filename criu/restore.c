/* husk criu: restore a container from a CRIU checkpoint (criu.h).
 *
 * A restore is a create whose init comes from the images instead of a
 * clone, so the new container is what the (possibly different) bundle
 * says: its own state dir, its own cgroup made and limited from the config,
 * and bind mounts, masked paths, devices and namespaces joined by path
 * supplied from the config under the keys `checkpoint` recorded them with.
 * That is how one checkpoint becomes any number of clones under new ids.
 *
 *   husk                                  CRIU child
 *   state dir, kept config, cgroup
 *   <state>/criu-root
 *   fork  ────────────────────────────►  a private mount namespace (rslave,
 *                                        so nothing reaches the host): the
 *                                        rootfs bound on criu-root, mount
 *                                        points made, binds mounted there so
 *                                        mount points inside them can be made
 *                                        exec criu restore --restore-sibling
 *   the restored init is husk's child  ◄  tasks in the cgroup (--cgroup-root)
 *   state.json, pid file
 *
 * CRIU needs its --root to be a mount point whose parent is not
 * overmounted; the bind on criu-root is one, and it lives only in the
 * child's namespace.  Any failure kills whatever was restored (through the
 * cgroup, or the pid), and removes the cgroup and the state dir.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroups/cgroup.h"
#include "runtime/husk.h"
#include "runtime/create.h"
#include "criu/criu.h"
#include "criu/restore-args.h"
#include "init/hooks.h"
#include "state/record.h"
#include "state/statedir.h"
#include "runtime/wait.h"
#include "spec/descriptors.h"
#include "util/cleanup.h"
#include "util/file.h"
#include "util/log.h"
#include "util/open.h"
#include "util/pathfs.h"
#include "util/proc.h"
#include "util/procfs.h"
#include "util/xalloc.h"

#define CRIU_ROOT "criu-root"
#define CRIU_PID  "criu.pid"

/* What the CRIU child needs to lay out the root. */
typedef struct restore_root_s {
	const husk_config_t *cfg;
	const char *bundle;
	const char *rootfs;    /* the bundle's root.path, absolute */
	const char *criu_root; /* <state>/criu-root */
} restore_root_t;

/* A bind's source: relative to the bundle when not absolute. */
static char *mount_source(const char *bundle, const husk_mount_t *m)
{
	if (m->source == NULL) {
		return xstrdup("");
	}
	return m->source[0] == '/' ? xstrdup(m->source) : xasprintf("%s/%s", bundle, m->source);
}

/* Whether DEST lies inside a tmpfs of the config: CRIU restores a tmpfs
 * with its content, mount points included. */
static bool on_tmpfs(const husk_config_t *cfg, const char *dest)
{
	for (size_t i = 0; i < cfg->mounts.n; i++) {
		const husk_mount_t *m = &cfg->mounts.v[i];
		size_t n = strlen(m->destination);

		if (m->type != NULL && strcmp(m->type, "tmpfs") == 0 &&
		    strncmp(dest, m->destination, n) == 0 && dest[n] == '/') {
			return true;
		}
	}
	return false;
}

/* One config mount's mount point in the root at ROOTFD, as create would
 * make it; a bind is mounted there too, for the mount points inside it. */
static int make_mount_point(const restore_root_t *rr, int rootfd, const husk_mount_t *m,
			    husk_error_t *err)
{
	_cleanup_free_ char *src = NULL;
	_cleanup_close_ int fd = -1;
	char name[32];
	struct stat sb;

	if (!husk_criu_is_bind(m)) {
		fd = husk_path_mkdir_at(rootfd, m->destination, 0755, err);
		return fd < 0 ? -1 : 0;
	}
	src = mount_source(rr->bundle, m);
	if (stat(src, &sb) < 0) {
		return husk_error_errno(err, "bind source `%s`", src);
	}
	fd = S_ISDIR(sb.st_mode) ? husk_path_mkdir_at(rootfd, m->destination, 0755, err)
				 : husk_path_create_file_at(rootfd, m->destination, 0644, err);
	if (fd < 0) {
		return -1;
	}
	if (mount(src, husk_path_fd_name(fd, name), NULL, MS_BIND | MS_REC, NULL) < 0) {
		return husk_error_errno(err, "bind `%s` onto `%s`", src, m->destination);
	}
	return 0;
}

/* In the CRIU child: the root CRIU restores into (see the top of file). */
static int prepare_root(void *arg, husk_error_t *err)
{
	const restore_root_t *rr = arg;
	_cleanup_close_ int rootfd = -1;

	if (unshare(CLONE_NEWNS) < 0) {
		return husk_error_errno(err, "unshare the mount namespace for criu");
	}
	if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0) {
		return husk_error_errno(err, "make `/` rslave for criu");
	}
	if (mount(rr->rootfs, rr->criu_root, NULL, MS_BIND | MS_REC, NULL) < 0) {
		return husk_error_errno(err, "bind the rootfs `%s` onto `%s`", rr->rootfs,
					rr->criu_root);
	}
	rootfd = open(rr->criu_root, HUSK_O_PATH_DIR);
	if (rootfd < 0) {
		return husk_error_errno(err, "open `%s`", rr->criu_root);
	}
	for (size_t i = 0; i < rr->cfg->mounts.n; i++) {
		const husk_mount_t *m = &rr->cfg->mounts.v[i];

		/* cgroup mount points come with /sys (v2) or inside the
		 * tmpfs CRIU restores (v1). */
		if ((m->type != NULL && strcmp(m->type, "cgroup") == 0) ||
		    on_tmpfs(rr->cfg, m->destination)) {
			continue;
		}
		if (make_mount_point(rr, rootfd, m, err) < 0) {
			return husk_error_wrap(err, "prepare mount `%s`", m->destination);
		}
	}
	return 0;
}

/* What restore cannot do, refused by name before anything is made. */
static int check_restore_support(const husk_config_t *cfg, const husk_create_opts_t *o,
				 husk_error_t *err)
{
	const husk_hooks_t *h = cfg->hooks;

	if (cfg->process == NULL || cfg->root == NULL) {
		return husk_error_make(err, 0, "config.json: %s: required to restore a container",
				       cfg->process == NULL ? "process" : "root");
	}
	if (cfg->process->terminal) {
		return husk_error_make(err, 0,
				       "config.json: process.terminal: husk cannot restore a "
				       "terminal container (CRIU hands its pty over only through "
				       "its RPC, which husk does not use)");
	}
	if (o->console_socket != NULL) {
		return husk_error_make(err, 0,
				       "cannot use console socket if husk will not detach "
				       "or allocate tty");
	}
	if (h != NULL && (h->prestart.n > 0 || h->create_runtime.n > 0 ||
			  h->create_container.n > 0 || h->start_container.n > 0)) {
		return husk_error_make(
			err, 0,
			"config.json: hooks: restore runs no prestart, createRuntime, "
			"createContainer or startContainer hook (they ran when the "
			"container was created); remove them to restore");
	}
	return husk_restore_check_namespaces(cfg, err);
}

/* The restore's own arguments, and the descriptors CRIU must inherit
 * (namespaces joined by path) in FDS[*NFDS]. */
static int add_restore_args(husk_argv_t *a, const husk_config_t *cfg, const char *bundle,
			    const char *criu_root, const char *pidfile, const husk_created_t *c,
			    int fds[HUSK_RESTORE_MAX_NS_FDS], size_t *nfds, husk_error_t *err)
{
	const husk_linux_t *l = cfg->linux_;

	husk_argv_add(a, "--root");
	husk_argv_add(a, criu_root);
	husk_argv_add(a, "--restore-detached");
	husk_argv_add(a, "--restore-sibling");
	husk_argv_add(a, "--pidfile");
	husk_argv_add(a, pidfile);
	husk_argv_add(a, "--evasive-devices");
	if (husk_cgroup_path(c->cgroup) != NULL) {
		husk_argv_add(a, "--cgroup-root");
		husk_argv_add(a, husk_cgroup_path(c->cgroup));
	}
	for (size_t i = 0; i < cfg->mounts.n; i++) {
		if (husk_criu_is_bind(&cfg->mounts.v[i])) {
			_cleanup_free_ char *src = mount_source(bundle, &cfg->mounts.v[i]);

			husk_argv_add(a, "--external");
			husk_argv_addf(a, "mnt[%s]:%s", cfg->mounts.v[i].destination, src);
		}
	}
	if (l->masked_paths != NULL && l->masked_paths[0] != NULL) {
		husk_argv_add(a, "--external");
		husk_argv_add(a, "mnt[/dev/null]:/dev/null");
	}
	for (size_t i = 0; i < l->devices.n; i++) {
		husk_argv_add(a, "--external");
		husk_argv_addf(a, "mnt[%s]:%s", l->devices.v[i].path, l->devices.v[i].path);
	}
	return husk_restore_namespace_args(a, cfg, fds, nfds, err);
}

/* The pid CRIU wrote, and a pidfd pinning it. */
static int read_restored_pid(husk_created_t *c, husk_error_t *err)
{
	_cleanup_close_ int fd = openat(c->dirfd, CRIU_PID, HUSK_O_RDONLY);
	char buf[32];
	ssize_t n;

	if (fd < 0 || (n = read(fd, buf, sizeof(buf) - 1)) <= 0) {
		return husk_error_errno(err, "read the pid criu restored");
	}
	buf[n] = '\0';
	c->pid = (pid_t) atoi(buf);
	unlinkat(c->dirfd, CRIU_PID, 0);
	if (c->pid <= 0) {
		return husk_error_make(err, 0, "criu wrote no pid: `%s`", buf);
	}
	c->pidfd = husk_pidfd_open(c->pid);
	if (c->pidfd < 0) {
		return husk_error_errno(err, "the restored init %d", c->pid);
	}
	return 0;
}

static uint64_t new_namespaces(const husk_config_t *cfg)
{
	uint64_t flags = 0;

	for (size_t i = 0; i < cfg->linux_->namespaces.n; i++) {
		const husk_namespace_t *ns = &cfg->linux_->namespaces.v[i];

		if (ns->type == HUSK_NS_PID && ns->path == NULL) {
			flags |= CLONE_NEWPID;
		}
	}
	return flags;
}

/* Run CRIU's restore for C, made in the state dir STATE. */
static int run_criu(const husk_criu_t *criu, const husk_criu_opts_t *o, husk_created_t *c,
		    const char *state, const char *images, const char *work, husk_error_t *err)
{
	_cleanup_free_ char *rootfs = NULL;
	_cleanup_free_ char *criu_root = xasprintf("%s/%s", state, CRIU_ROOT);
	_cleanup_free_ char *pidfile = xasprintf("%s/%s", state, CRIU_PID);
	_cleanup_free_ char *log = xasprintf("%s/restore.log", work);
	restore_root_t rr;
	husk_argv_t a = { 0 };
	int fds[HUSK_RESTORE_MAX_NS_FDS];
	size_t nfds = 0;
	int r = -1;

	rootfs = c->cfg->root->path[0] == '/' ? xstrdup(c->cfg->root->path)
					      : xasprintf("%s/%s", c->bundle, c->cfg->root->path);
	rr = (restore_root_t){
		.cfg = c->cfg, .bundle = c->bundle, .rootfs = rootfs, .criu_root = criu_root
	};
	if (mkdirat(c->dirfd, CRIU_ROOT, 0700) < 0) {
		return husk_error_errno(err, "make `%s`", criu_root);
	}
	{
		/* --cgroup-manager disabled: the container stays in the
		 * caller's cgroups, so CRIU must not put it back in the ones
		 * it was dumped from. */
		husk_criu_opts_t co = *o;

		if (husk_cgroup_path(c->cgroup) == NULL) {
			co.manage_cgroups_mode = "ignore";
		}
		husk_criu_common_args(&a, "restore", &co, images, work, log);
	}
	if (add_restore_args(&a, c->cfg, c->bundle, criu_root, pidfile, c, fds, &nfds, err) < 0 ||
	    husk_restore_stdio_args(&a, images, err) < 0 ||
	    husk_restore_clear_outputs(images, work, err) < 0) {
		goto out;
	}
	r = husk_criu_run(criu, a.v, prepare_root, &rr, fds, nfds, "restore", log, err);
out:
	husk_argv_free(&a);
	for (size_t i = 0; i < nfds; i++) {
		husk_safe_close(fds[i]);
	}
	unlinkat(c->dirfd, CRIU_ROOT, AT_REMOVEDIR);
	return r;
}

/* Read and check the bundle: C->bundle and C->cfg. */
static int load_bundle(const husk_create_opts_t *o, husk_created_t *c, husk_error_t *err)
{
	_cleanup_close_ int bundlefd = -1;
	char resolved[PATH_MAX];

	if (realpath(o->bundle != NULL ? o->bundle : ".", resolved) == NULL) {
		return husk_error_errno(err, "bundle `%s`", o->bundle != NULL ? o->bundle : ".");
	}
	c->bundle = xstrdup(resolved);
	bundlefd = open(c->bundle, HUSK_O_DIR);
	if (bundlefd < 0) {
		return husk_error_errno(err, "open bundle `%s`", c->bundle);
	}
	c->cfg = husk_config_load_at(bundlefd, err);
	/* CRIU gives the restored processes the LSM labels it dumped; the
	 * config's are checked as create checks them. */
	if (c->cfg == NULL || husk_config_check_supported(c->cfg, err) < 0 ||
	    husk_lsm_plan(c->cfg->process, c->cfg->linux_->mount_label, &c->lsm, err) < 0 ||
	    check_restore_support(c->cfg, o, err) < 0) {
		return -1;
	}
	c->clone_flags = new_namespaces(c->cfg);
	return 0;
}

/* The state dir made, the cgroup made, CRIU run, the state recorded. */
static int restore_into(const husk_create_opts_t *o, const husk_criu_t *criu,
			const husk_criu_opts_t *co, husk_created_t *c, const char *images,
			const char *work, husk_error_t *err)
{
	_cleanup_close_ int bundlefd = open(c->bundle, HUSK_O_DIR);
	_cleanup_free_ char *state = NULL;
	char root[PATH_MAX];

	if (bundlefd < 0) {
		return husk_error_errno(err, "open bundle `%s`", c->bundle);
	}
	if (husk_hooks_keep_config(c->cfg, bundlefd, c->dirfd, err) < 0) {
		return -1;
	}
	c->procfd = husk_procfs_open(err);
	if (c->procfd < 0 || husk_create_make_cgroup(o, c, err) < 0) {
		return -1;
	}
	if (realpath(o->root, root) == NULL) {
		return husk_error_errno(err, "state root `%s`", o->root);
	}
	state = xasprintf("%s/%s", root, o->id);
	if (run_criu(criu, co, c, state, images, work, err) < 0 || read_restored_pid(c, err) < 0 ||
	    husk_create_record(c, o->id, err) < 0) {
		return -1;
	}
	if (o->pid_file != NULL && husk_write_pid_file(o->pid_file, c->pid, err) < 0) {
		return -1;
	}
	return 0;
}

static int restore_container(const husk_create_opts_t *o, const husk_criu_t *criu,
			     const husk_criu_opts_t *co, husk_created_t *c, husk_error_t *err)
{
	_cleanup_free_ char *images = NULL;
	_cleanup_free_ char *work = NULL;

	*c = HUSK_CREATED_INIT;
	if (husk_statedir_check_id(o->id, err) < 0 || load_bundle(o, c, err) < 0) {
		return -1;
	}
	images = husk_criu_dir(co->image_path != NULL ? co->image_path : "checkpoint", false,
			       "image directory", err);
	if (images == NULL) {
		return -1;
	}
	work = co->work_path != NULL ? husk_criu_dir(co->work_path, true, "work directory", err)
				     : xstrdup(images);
	if (work == NULL) {
		return -1;
	}
	c->rootfd = husk_statedir_open_root(o->root, true, err);
	if (c->rootfd < 0) {
		return -1;
	}
	c->dirfd = husk_statedir_create(c->rootfd, o->id, err);
	if (c->dirfd < 0) {
		return -1;
	}
	/* From here on, a failure must undo what was made. */
	if (restore_into(o, criu, co, c, images, work, err) < 0) {
		husk_create_abort(c, o->id);
		return -1;
	}
	return 0;
}

int husk_container_restore(const husk_create_opts_t *o, const husk_run_opts_t *r,
			   const husk_criu_opts_t *co, int *exit_status, husk_error_t *err)
{
	husk_created_t c = HUSK_CREATED_INIT;
	husk_criu_t criu;
	sigset_t set, old;
	int ret = -1;

	*exit_status = 0;
	/* Before anything is made: no CRIU, or too old a one, changes
	 * nothing. */
	if (husk_criu_find(co->criu, &criu, err) < 0) {
		return -1;
	}
	if (!r->detach && !r->no_subreaper && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		return husk_error_errno(err, "prctl(PR_SET_CHILD_SUBREAPER)");
	}
	husk_wait_forwardable(&set);
	if (!r->detach) {
		sigprocmask(SIG_BLOCK, &set, &old);
	}
	if (restore_container(o, &criu, co, &c, err) < 0) {
		goto out;
	}
	/* Unlocked from here: the container is there for other commands. */
	c.dirfd = husk_safe_close(c.dirfd);
	if (r->detach) {
		ret = 0;
		goto out;
	}
	ret = husk_wait_forwarding(c.pid, c.pidfd, c.console_master, &set, exit_status, err);
	if (ret == 0) {
		_cleanup_error_ husk_error_t e = NULL;

		if (husk_container_delete(o->root, o->id, true, &e) < 0) {
			husk_log_error(e);
		}
	}
out:
	husk_created_release(&c);
	if (!r->detach) {
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	return ret;
}
