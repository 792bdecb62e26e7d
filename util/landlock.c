/* husk: Landlock's three system calls (util/landlock.h). */
#include "util/landlock.h"

#include <errno.h>
#include <linux/types.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"

#define CREATE_RULESET_VERSION (1U << 0)

/* The rule types of landlock_add_rule(). */
#define RULE_PATH_BENEATH 1
#define RULE_NET_PORT     2 /* ABI 4 */

/* The kernel's struct landlock_ruleset_attr as of ABI 6; older kernels take
 * a prefix of it (the size says how much), newer ones the same with zeros
 * after. */
struct ruleset_attr {
	__u64 handled_access_fs;
	__u64 handled_access_net; /* ABI 4 */
	__u64 scoped;             /* ABI 6 */
};

/* Packed in the kernel's header too: no padding after the fd. */
struct path_beneath_attr {
	__u64 allowed_access;
	__s32 parent_fd;
} __attribute__((packed));

struct net_port_attr {
	__u64 allowed_access;
	__u64 port;
};

int husk_landlock_abi(const char **why)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, CREATE_RULESET_VERSION);

	*why = NULL;
	if (abi > 0) {
		return abi > HUSK_LANDLOCK_ABI_MAX ? HUSK_LANDLOCK_ABI_MAX : (int) abi;
	}
	switch (errno) {
	case ENOSYS:
		*why = "this kernel has no Landlock (landlock_create_ruleset: ENOSYS)";
		break;
	case EOPNOTSUPP:
		*why = "Landlock is not enabled at boot (EOPNOTSUPP: add landlock to the "
		       "kernel's lsm= list)";
		break;
	case EPERM:
		*why = "Landlock is refused here (EPERM: a seccomp filter around husk)";
		break;
	default:
		*why = "landlock_create_ruleset failed";
		break;
	}
	return 0;
}

uint64_t husk_landlock_fs_rights(int abi)
{
	uint64_t r = 0;

	if (abi >= 1) {
		r = (HUSK_LL_FS_MAKE_SYM << 1) - 1; /* EXECUTE .. MAKE_SYM */
	}
	if (abi >= 2) {
		r |= HUSK_LL_FS_REFER;
	}
	if (abi >= 3) {
		r |= HUSK_LL_FS_TRUNCATE;
	}
	if (abi >= 5) {
		r |= HUSK_LL_FS_IOCTL_DEV;
	}
	return r;
}

uint64_t husk_landlock_net_rights(int abi)
{
	return abi >= 4 ? HUSK_LL_NET_BIND_TCP | HUSK_LL_NET_CONNECT_TCP : 0;
}

uint64_t husk_landlock_scopes(int abi)
{
	return abi >= 6 ? HUSK_LL_SCOPE_ABSTRACT_UNIX_SOCKET | HUSK_LL_SCOPE_SIGNAL : 0;
}

int husk_landlock_create(husk_landlock_t *ll, int abi, uint64_t fs, uint64_t net, uint64_t scoped,
			 husk_error_t *err)
{
	struct ruleset_attr attr = {
		.handled_access_fs = fs & husk_landlock_fs_rights(abi),
		.handled_access_net = net & husk_landlock_net_rights(abi),
		.scoped = scoped & husk_landlock_scopes(abi),
	};
	/* Only the part of the struct this ABI has. */
	size_t size = abi >= 6   ? sizeof(attr)
		      : abi >= 4 ? offsetof(struct ruleset_attr, scoped)
				 : offsetof(struct ruleset_attr, handled_access_net);
	long fd = syscall(SYS_landlock_create_ruleset, &attr, size, 0);

	*ll = HUSK_LANDLOCK_INIT;
	if (fd < 0) {
		return husk_error_errno(err, "landlock: create a ruleset (ABI %d)", abi);
	}
	/* The kernel makes it close-on-exec. */
	*ll = (husk_landlock_t){ .fd = (int) fd,
				 .abi = abi,
				 .fs = attr.handled_access_fs,
				 .net = attr.handled_access_net,
				 .scoped = attr.scoped };
	return 0;
}

int husk_landlock_allow_path(husk_landlock_t *ll, int fd, uint64_t access, const char *what,
			     husk_error_t *err)
{
	struct path_beneath_attr attr = { .allowed_access = access & ll->fs, .parent_fd = fd };
	struct stat st;

	if (fstat(fd, &st) < 0) {
		return husk_error_errno(err, "landlock: stat `%s`", what);
	}
	if (!S_ISDIR(st.st_mode)) {
		attr.allowed_access &= HUSK_LL_FS_FILE;
	}
	/* A rule allowing nothing is refused (ENOMSG): nothing to add. */
	if (attr.allowed_access == 0) {
		return 0;
	}
	if (syscall(SYS_landlock_add_rule, ll->fd, RULE_PATH_BENEATH, &attr, 0) < 0) {
		return husk_error_errno(err, "landlock: allow 0x%llx beneath `%s`",
					(unsigned long long) attr.allowed_access, what);
	}
	return 0;
}

int husk_landlock_allow_port(husk_landlock_t *ll, uint16_t port, uint64_t access, husk_error_t *err)
{
	struct net_port_attr attr = { .allowed_access = access & ll->net, .port = port };

	if (attr.allowed_access == 0) {
		return 0;
	}
	if (syscall(SYS_landlock_add_rule, ll->fd, RULE_NET_PORT, &attr, 0) < 0) {
		return husk_error_errno(err, "landlock: allow TCP port %u", (unsigned) port);
	}
	return 0;
}

int husk_landlock_enforce(husk_landlock_t *ll, unsigned int flags, husk_error_t *err)
{
	long r = syscall(SYS_landlock_restrict_self, ll->fd, ll->abi >= 7 ? flags : 0);
	int saved = errno;

	husk_landlock_close(ll);
	if (r < 0) {
		return husk_error_make(err, saved, "landlock: restrict the container's process");
	}
	return 0;
}

void husk_landlock_close(husk_landlock_t *ll)
{
	ll->fd = husk_safe_close(ll->fd);
}
