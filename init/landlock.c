/* husk init: Landlock in the container's process (init/landlock.h). */
#include "init/landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "spec/landlock.h"
#include "util/cleanup.h"
#include "util/landlock.h"
#include "util/open.h"
#include "util/pathfs.h"

/* What the tree beneath FD may be used for, from its mount's own flags:
 * the mount, not the config, says what it became (a "ro" option, a
 * read-only root, a recursive bind of a read-only mount). */
static int rights_of(int fd, const char *what, uint64_t *rights, husk_error_t *err)
{
	struct statvfs sv;

	if (fstatvfs(fd, &sv) < 0) {
		return husk_error_errno(err, "landlock: statvfs `%s`", what);
	}
	*rights = HUSK_LL_FS_READ | HUSK_LL_FS_IOCTL_DEV;
	if (!(sv.f_flag & ST_NOEXEC)) {
		*rights |= HUSK_LL_FS_EXECUTE;
	}
	if (!(sv.f_flag & ST_RDONLY)) {
		*rights |= HUSK_LL_FS_WRITE;
	}
	return 0;
}

/* Allow beneath PATH, inside the root ROOTFD, what its mount allows.  A
 * path that is gone (an exec into a container that removed a mount point)
 * has nothing beneath it to allow. */
static int allow_mount(husk_landlock_t *ll, int rootfd, const char *path, husk_error_t *err)
{
	_cleanup_error_ husk_error_t e = NULL;
	_cleanup_close_ int fd = husk_path_open_at(rootfd, path, O_PATH, 0, &e);
	uint64_t rights;

	if (fd < 0) {
		if (husk_error_errno_of(e) == ENOENT) {
			return 0;
		}
		husk_error_move(err, &e);
		return husk_error_wrap(err, "landlock: mount `%s`", path);
	}
	if (rights_of(fd, path, &rights, err) < 0) {
		return -1;
	}
	return husk_landlock_allow_path(ll, fd, rights, path, err);
}

/* The character devices of /dev (null, zero, tty, the console) are written
 * to even on a read-only root, which the root's rule would refuse: allow
 * reading and writing files there, and nothing that makes one. */
static int allow_devices(husk_landlock_t *ll, int rootfd, husk_error_t *err)
{
	_cleanup_error_ husk_error_t e = NULL;
	_cleanup_close_ int fd = husk_path_open_at(rootfd, "/dev", O_PATH | O_DIRECTORY, 0, &e);

	if (fd < 0) {
		return 0; /* no /dev: nothing to allow */
	}
	return husk_landlock_allow_path(
		ll, fd, HUSK_LL_FS_READ | HUSK_LL_FS_WRITE_FILE | HUSK_LL_FS_IOCTL_DEV, "/dev",
		err);
}

static int allow_ports(husk_landlock_t *ll, const husk_landlock_ports_t *ports, uint64_t access,
		       husk_error_t *err)
{
	for (size_t i = 0; i < ports->n; i++) {
		if (husk_landlock_allow_port(ll, ports->v[i], access, err) < 0) {
			return -1;
		}
	}
	return 0;
}

int husk_landlock_usable(const husk_landlock_policy_t *p, int *abi, const char **why,
			 husk_error_t *err)
{
	bool strict = p->mode == HUSK_LANDLOCK_STRICT;
	bool ports = p->tcp_bind.set || p->tcp_connect.set;

	*abi = husk_landlock_abi(why);
	if (*abi == 0) {
		return strict ? husk_error_make(err, 0, "landlock: strict, but %s", *why) : 0;
	}
	/* ABI 1 refuses every rename and link across directories (EXDEV),
	 * which breaks more jobs than it protects: only when asked for. */
	if (*abi == 1 && !strict) {
		*why = "Landlock ABI 1 would refuse every rename across directories: not used "
		       "unless strict";
		return 0;
	}
	if (*abi < 4 && ports) {
		if (strict) {
			return husk_error_make(err, 0,
					       "landlock: strict, but TCP port rules need Landlock "
					       "ABI 4 and this kernel has %d",
					       *abi);
		}
		*why = "TCP port rules need Landlock ABI 4: not enforced";
	}
	return 1;
}

static int build(husk_landlock_t *ll, const husk_config_t *cfg, const husk_landlock_policy_t *p,
		 husk_error_t *err)
{
	_cleanup_close_ int rootfd = open("/", HUSK_O_PATH_DIR);
	uint64_t rights;

	if (rootfd < 0) {
		return husk_error_errno(err, "landlock: open the container's root");
	}
	if (rights_of(rootfd, "/", &rights, err) < 0 ||
	    husk_landlock_allow_path(ll, rootfd, rights, "/", err) < 0 ||
	    allow_devices(ll, rootfd, err) < 0) {
		return -1;
	}
	for (size_t i = 0; i < cfg->mounts.n; i++) {
		if (allow_mount(ll, rootfd, cfg->mounts.v[i].destination, err) < 0) {
			return -1;
		}
	}
	if (allow_ports(ll, &p->tcp_bind, HUSK_LL_NET_BIND_TCP, err) < 0 ||
	    allow_ports(ll, &p->tcp_connect, HUSK_LL_NET_CONNECT_TCP, err) < 0) {
		return -1;
	}
	return 0;
}

int husk_landlock_confine(const husk_config_t *cfg, husk_error_t *err)
{
	_cleanup_landlock_ husk_landlock_t ll = HUSK_LANDLOCK_INIT;
	husk_landlock_policy_t p;
	const char *why;
	int abi, ok;

	if (husk_config_landlock(cfg, &p, err) < 0) {
		return -1;
	}
	if (p.mode == HUSK_LANDLOCK_OFF) {
		return 0;
	}
	ok = husk_landlock_usable(&p, &abi, &why, err);
	if (ok <= 0) {
		return ok;
	}
	if (husk_landlock_create(&ll, abi, husk_landlock_fs_rights(abi),
				 (p.tcp_bind.set ? HUSK_LL_NET_BIND_TCP : 0) |
					 (p.tcp_connect.set ? HUSK_LL_NET_CONNECT_TCP : 0),
				 p.unscoped ? 0 : husk_landlock_scopes(abi), err) < 0 ||
	    build(&ll, cfg, &p, err) < 0) {
		return -1;
	}
	/* Denials are audited for the program the process runs, not only for
	 * husk's own code before the exec (util/landlock.h). */
	return husk_landlock_enforce(&ll, HUSK_LL_RESTRICT_LOG_NEW_EXEC_ON, err);
}
