/* husk rootfs: idmapped mounts: the user namespace that carries a mapping, the
 * detached, idmapped copy of a bind's source, and the table of those the
 * runtime prepares before clone (see idmap.h for the semantics). */
#include "rootfs/idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rootfs/rootfs-internal.h"
#include "util/cleanup.h"
#include "util/proc.h"
#include "util/procfs.h"
#include "util/xalloc.h"

/* ---- which mounts ---- */

static bool has_option(const husk_mount_t *m, const char *name)
{
	for (size_t i = 0; m->options != NULL && m->options[i] != NULL; i++) {
		if (strcmp(m->options[i], name) == 0) {
			return true;
		}
	}
	return false;
}

static bool type_is(const husk_mount_t *m, const char *type)
{
	return m->type != NULL && strcmp(m->type, type) == 0;
}

int husk_idmap_request(const husk_config_t *cfg, const husk_mount_t *m, husk_idmap_req_t *out,
		       husk_error_t *err)
{
	const husk_linux_t *l = cfg->linux_;
	bool ridmap = has_option(m, "ridmap");
	bool idmap = ridmap || has_option(m, "idmap");
	bool own = m->uid_mappings.v != NULL || m->gid_mappings.v != NULL;
	bool rbind = type_is(m, "rbind") || has_option(m, "rbind");

	memset(out, 0, sizeof(*out));
	if (!idmap && !own) {
		return 0;
	}
	if (!rbind && !type_is(m, "bind") && !has_option(m, "bind")) {
		return husk_error_make(err, EINVAL, "idmapped mounts are for bind mounts only");
	}
	out->clone_recursive = rbind;
	out->attr_recursive = ridmap;
	if (own) {
		out->uids = &m->uid_mappings;
		out->gids = &m->gid_mappings;
	} else if (l != NULL && l->uid_mappings.n > 0 && l->gid_mappings.n > 0) {
		/* runc's choice where the spec leaves it open: the container's
		 * own mapping, so its root owns what the host's root owns. */
		out->uids = &l->uid_mappings;
		out->gids = &l->gid_mappings;
	} else {
		return husk_error_make(
			err, EINVAL,
			"option `%s` needs uidMappings and gidMappings, on the mount "
			"or in linux for a user namespace",
			ridmap ? "ridmap" : "idmap");
	}
	if (out->uids->n == 0 || out->gids->n == 0) {
		return husk_error_make(err, EINVAL,
				       "an idmapped mount needs both uidMappings and "
				       "gidMappings");
	}
	return 1;
}

/* ---- the user namespace ---- */

/* The short-lived process whose user namespace carries a mapping: born in
 * it, it only waits for the write end of a pipe to close. */
typedef struct holder_s {
	pid_t pid; /* as this process numbers it, for waitpid */
	int pidfd;
	int wfd;
} holder_t;

/* Kill and reap the holder: nothing outlives the call that made it. */
static void holder_stop(holder_t *h)
{
	int saved = errno;

	if (h->pid > 0) {
		husk_kill_and_reap(h->pidfd, h->pid);
		h->pid = -1;
	}
	h->pidfd = husk_safe_close(h->pidfd);
	h->wfd = husk_safe_close(h->wfd);
	errno = saved;
}

static int holder_start(holder_t *h, husk_error_t *err)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0) {
		return husk_error_errno(err, "pipe");
	}
	/* Like fork (no CLONE_VM): the child has a copy of everything and
	 * leaves by _exit, touching nothing of ours. */
	pid = husk_clone_raw(CLONE_NEWUSER, -1, &h->pidfd);
	if (pid == 0) {
		char c;

		close(p[1]);
		while (read(p[0], &c, 1) < 0 && errno == EINTR) {
		}
		_exit(0);
	}
	close(p[0]);
	if (pid < 0) {
		husk_safe_close(p[1]);
		return husk_error_errno(err, "clone3(CLONE_NEWUSER)");
	}
	h->pid = pid;
	h->wfd = p[1];
	return 0;
}

static int write_map(int procfd, pid_t pid, const char *file, const husk_idmaps_t *m,
		     husk_error_t *err)
{
	_cleanup_free_ char *buf = xmalloc(m->n * 36 + 1);
	char path[64];
	size_t len = 0;

	for (size_t i = 0; i < m->n; i++) {
		len += (size_t) sprintf(buf + len, "%u %u %u\n", m->v[i].container_id,
					m->v[i].host_id, m->v[i].size);
	}
	snprintf(path, sizeof(path), "%d/%s", (int) pid, file);
	return husk_procfs_write(procfd, path, buf, len, err);
}

/* ns/user is a magic link, which the procfs handle never follows: open the
 * verified ns directory through it, follow the one link from there, and
 * check that a user namespace came back. */
static int open_userns(int procfd, pid_t pid, husk_error_t *err)
{
	_cleanup_close_ int dir = -1;
	_cleanup_close_ int fd = -1;
	struct statfs sfs;
	char path[64];

	snprintf(path, sizeof(path), "%d/ns", (int) pid);
	dir = husk_procfs_open_at(procfd, path, O_PATH | O_DIRECTORY, err);
	if (dir < 0) {
		return -1;
	}
	fd = openat(dir, "user", O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		return husk_error_errno(err, "open `/proc/%s/user`", path);
	}
	if (fstatfs(fd, &sfs) < 0 || sfs.f_type != NSFS_MAGIC ||
	    ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWUSER) {
		return husk_error_make(err, 0, "`/proc/%s/user` is not a user namespace", path);
	}
	return TAKE_FD(fd);
}

/* A descriptor of a new user namespace with the mappings UIDS and GIDS,
 * written through the procfs handle PROCFD.  The short-lived process that
 * held it is gone when this returns. */
static int idmap_userns(int procfd, const husk_idmaps_t *uids, const husk_idmaps_t *gids,
			husk_error_t *err)
{
	__attribute__((cleanup(holder_stop))) holder_t h = { .pid = -1, .pidfd = -1, .wfd = -1 };
	_cleanup_close_ int own = -1;
	pid_t pid;

	if (procfd < 0) {
		own = procfd = husk_procfs_open(err);
		if (procfd < 0) {
			return -1;
		}
	}
	if (holder_start(&h, err) < 0) {
		return -1;
	}
	pid = husk_procfs_pid_of_pidfd(procfd, h.pidfd, err);
	if (pid < 0) {
		return -1;
	}
	/* No "deny" to setgroups first: the writer is privileged over the
	 * parent namespace, which the kernel asks only of an unprivileged one. */
	if (write_map(procfd, pid, "uid_map", uids, err) < 0) {
		return husk_error_wrap(err, "uidMappings");
	}
	if (write_map(procfd, pid, "gid_map", gids, err) < 0) {
		return husk_error_wrap(err, "gidMappings");
	}
	return open_userns(procfd, pid, err);
}

/* ---- the mount ---- */

int husk_idmap_clone(int procfd, int srcfd, const husk_idmap_req_t *req, husk_error_t *err)
{
	_cleanup_close_ int userns = -1;
	_cleanup_close_ int mfd = -1;
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP };
	unsigned int flags = AT_EMPTY_PATH | (req->attr_recursive ? AT_RECURSIVE : 0);

	userns = idmap_userns(procfd, req->uids, req->gids, err);
	if (userns < 0) {
		return -1;
	}
	mfd = husk_mnt_clone(srcfd, req->clone_recursive, err);
	if (mfd < 0) {
		return -1;
	}
	attr.userns_fd = (uint64_t) userns;
	if (mount_setattr(mfd, "", flags, &attr, sizeof(attr)) < 0) {
		/* EINVAL: a filesystem without FS_ALLOW_IDMAP (or one of the
		 * subtree's, with ridmap). */
		if (errno == EINVAL) {
			return husk_error_errno(
				err, "idmapped mounts are not supported by this filesystem");
		}
		return husk_error_errno(err, "mount_setattr(MOUNT_ATTR_IDMAP)");
	}
	return TAKE_FD(mfd);
}

/* ---- prepared before clone ---- */

/* Indexed like config.json's mounts, -1 where none.  Plain process memory on
 * purpose: the clone (without CLONE_VM or CLONE_FILES) copies the table and
 * its descriptors into the init. */
static int *prepared;
static size_t n_prepared;

void husk_idmap_mounts_release(void)
{
	for (size_t i = 0; i < n_prepared; i++) {
		husk_safe_close(prepared[i]);
	}
	free(prepared);
	prepared = NULL;
	n_prepared = 0;
}

int husk_idmap_mounts_take(size_t i)
{
	return i < n_prepared ? TAKE_FD(prepared[i]) : -1;
}

/* Whether M is a bind, and a recursive one. */
static bool is_bind(const husk_mount_t *m, bool *recursive, husk_error_t *err)
{
	__attribute__((cleanup(husk_mount_flags_clear))) husk_mount_flags_t f = { 0 };
	bool by_type =
		m->type != NULL && (strcmp(m->type, "bind") == 0 || strcmp(m->type, "rbind") == 0);

	if (husk_mount_flags_parse(m->options, &f, err) < 0) {
		return false;
	}
	*recursive = f.recursive || (m->type != NULL && strcmp(m->type, "rbind") == 0);
	return f.bind || by_type;
}

static int prepare_one(const husk_config_t *cfg, size_t i, int bundlefd, int procfd, bool all_binds,
		       husk_error_t *err)
{
	const husk_mount_t *m = &cfg->mounts.v[i];
	_cleanup_close_ int src = -1;
	husk_idmap_req_t req;
	bool recursive = false;
	int r = husk_idmap_request(cfg, m, &req, err);

	if (r < 0) {
		return -1;
	}
	if (r == 0 && (!all_binds || !is_bind(m, &recursive, err))) {
		return *err != NULL ? -1 : 0;
	}
	if (m->source == NULL) {
		return husk_error_make(err, EINVAL, "bind without a source");
	}
	/* As rootfs/mounts.c opens a bind's source: the config author's
	 * path, relative to the bundle, symlinks followed. */
	src = openat(bundlefd, m->source, O_PATH | O_CLOEXEC);
	if (src < 0) {
		return husk_error_errno(err, "open source");
	}
	if (prepared == NULL) {
		prepared = xreallocarray(NULL, cfg->mounts.n, sizeof(int));
		n_prepared = cfg->mounts.n;
		for (size_t j = 0; j < n_prepared; j++) {
			prepared[j] = -1;
		}
	}
	prepared[i] = r > 0 ? husk_idmap_clone(procfd, src, &req, err)
			    : husk_mnt_clone(src, recursive, err);
	return prepared[i] < 0 ? -1 : 0;
}

int husk_idmap_mounts_prepare(const husk_config_t *cfg, int bundlefd, int procfd, bool all_binds,
			      husk_error_t *err)
{
	husk_idmap_mounts_release();
	for (size_t i = 0; i < cfg->mounts.n; i++) {
		const husk_mount_t *m = &cfg->mounts.v[i];

		if (prepare_one(cfg, i, bundlefd, procfd, all_binds, err) < 0) {
			husk_idmap_mounts_release();
			return husk_error_wrap(err, "mount `%s` onto `%s`",
					       m->source != NULL ? m->source : "none",
					       m->destination);
		}
	}
	return 0;
}
