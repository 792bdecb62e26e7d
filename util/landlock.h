/* husk: Landlock, the kernel's unprivileged access control, by its three
 * system calls (no library wraps them).
 *
 * A process builds a ruleset (the access rights it handles, then rules that
 * allow some of them beneath a directory or on a TCP port) and restricts
 * itself with it: from then on it and every child it makes, across execve,
 * may use a handled right only where a rule allows it.  Rights the ruleset
 * does not handle stay allowed.  Restricting needs no_new_privs or
 * CAP_SYS_ADMIN in the caller's user namespace.
 *
 * Each kernel release added rights, told apart by an ABI number that the
 * kernel gives on request: 1 (Linux 5.13) the filesystem, 2 (5.19) REFER
 * (renames and links across directories), 3 (6.2) TRUNCATE, 4 (6.7) TCP
 * bind and connect, 5 (6.10) IOCTL_DEV, 6 (6.12) scoped abstract unix
 * sockets and signals, 7 (6.15) audit records and the flags that steer them.
 * Debian 12's headers stop at 2, so what came later is defined here, with
 * the kernel's names and values (include/uapi/linux/landlock.h).
 */
#ifndef HUSK_UTIL_LANDLOCK_H
#define HUSK_UTIL_LANDLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

/* The newest ABI husk knows what to do with: a newer kernel is used as 7. */
#define HUSK_LANDLOCK_ABI_MAX 7

/* Filesystem rights (handled_access_fs, allowed_access of a path rule). */
#define HUSK_LL_FS_EXECUTE     (1ULL << 0)
#define HUSK_LL_FS_WRITE_FILE  (1ULL << 1)
#define HUSK_LL_FS_READ_FILE   (1ULL << 2)
#define HUSK_LL_FS_READ_DIR    (1ULL << 3)
#define HUSK_LL_FS_REMOVE_DIR  (1ULL << 4)
#define HUSK_LL_FS_REMOVE_FILE (1ULL << 5)
#define HUSK_LL_FS_MAKE_CHAR   (1ULL << 6)
#define HUSK_LL_FS_MAKE_DIR    (1ULL << 7)
#define HUSK_LL_FS_MAKE_REG    (1ULL << 8)
#define HUSK_LL_FS_MAKE_SOCK   (1ULL << 9)
#define HUSK_LL_FS_MAKE_FIFO   (1ULL << 10)
#define HUSK_LL_FS_MAKE_BLOCK  (1ULL << 11)
#define HUSK_LL_FS_MAKE_SYM    (1ULL << 12)
#define HUSK_LL_FS_REFER       (1ULL << 13) /* ABI 2 */
#define HUSK_LL_FS_TRUNCATE    (1ULL << 14) /* ABI 3 */
#define HUSK_LL_FS_IOCTL_DEV   (1ULL << 15) /* ABI 5 */

/* What reading a tree takes; what writing into it takes besides. */
#define HUSK_LL_FS_READ (HUSK_LL_FS_READ_FILE | HUSK_LL_FS_READ_DIR)
#define HUSK_LL_FS_WRITE                                                                           \
	(HUSK_LL_FS_WRITE_FILE | HUSK_LL_FS_REMOVE_DIR | HUSK_LL_FS_REMOVE_FILE |                  \
	 HUSK_LL_FS_MAKE_CHAR | HUSK_LL_FS_MAKE_DIR | HUSK_LL_FS_MAKE_REG | HUSK_LL_FS_MAKE_SOCK | \
	 HUSK_LL_FS_MAKE_FIFO | HUSK_LL_FS_MAKE_BLOCK | HUSK_LL_FS_MAKE_SYM | HUSK_LL_FS_REFER |   \
	 HUSK_LL_FS_TRUNCATE)
/* The only rights a rule on a file (not a directory) may carry. */
#define HUSK_LL_FS_FILE                                                                            \
	(HUSK_LL_FS_EXECUTE | HUSK_LL_FS_WRITE_FILE | HUSK_LL_FS_READ_FILE | HUSK_LL_FS_TRUNCATE | \
	 HUSK_LL_FS_IOCTL_DEV)

/* Network rights (handled_access_net, a port rule), ABI 4. */
#define HUSK_LL_NET_BIND_TCP    (1ULL << 0)
#define HUSK_LL_NET_CONNECT_TCP (1ULL << 1)

/* Scopes (scoped), ABI 6: no connecting to an abstract unix socket, nor
 * signalling a process, outside the domain. */
#define HUSK_LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define HUSK_LL_SCOPE_SIGNAL               (1ULL << 1)

/* landlock_restrict_self() flags, ABI 7.  By default the kernel audits a
 * domain's denials only until the process that made it calls execve: the
 * program it runs is what should be audited, so husk asks for after. */
#define HUSK_LL_RESTRICT_LOG_SAME_EXEC_OFF  (1U << 0)
#define HUSK_LL_RESTRICT_LOG_NEW_EXEC_ON    (1U << 1)
#define HUSK_LL_RESTRICT_LOG_SUBDOMAINS_OFF (1U << 2)

/* The running kernel's ABI, at most HUSK_LANDLOCK_ABI_MAX; 0 when it has
 * none, with *WHY (static) saying why: not built in (ENOSYS), not enabled
 * at boot (EOPNOTSUPP), or refused (a seccomp filter around husk). */
int husk_landlock_abi(const char **why);

/* The rights ABI knows: the filesystem's, the network's, the scopes. */
uint64_t husk_landlock_fs_rights(int abi);
uint64_t husk_landlock_net_rights(int abi);
uint64_t husk_landlock_scopes(int abi);

/* A ruleset being built. */
typedef struct husk_landlock_s {
	int fd;
	int abi;
	uint64_t fs, net, scoped; /* what it handles */
} husk_landlock_t;

#define HUSK_LANDLOCK_INIT ((husk_landlock_t){ .fd = -1 })

/* A ruleset for ABI handling FS, NET and SCOPED, each cut to what ABI
 * knows.  Its descriptor is close-on-exec, and closed by
 * husk_landlock_enforce() or husk_landlock_close(). */
int husk_landlock_create(husk_landlock_t *ll, int abi, uint64_t fs, uint64_t net, uint64_t scoped,
			 husk_error_t *err);

/* Allow ACCESS (cut to what LL handles, and for a file to HUSK_LL_FS_FILE)
 * beneath what FD (an O_PATH descriptor, say) is.  WHAT names it in errors. */
int husk_landlock_allow_path(husk_landlock_t *ll, int fd, uint64_t access, const char *what,
			     husk_error_t *err);

/* Allow ACCESS (cut to what LL handles) on TCP port PORT. */
int husk_landlock_allow_port(husk_landlock_t *ll, uint16_t port, uint64_t access,
			     husk_error_t *err);

/* Restrict the calling thread (and what it forks and execs) to LL, with
 * FLAGS (HUSK_LL_RESTRICT_*, dropped below ABI 7), and close LL. */
int husk_landlock_enforce(husk_landlock_t *ll, unsigned int flags, husk_error_t *err);

void husk_landlock_close(husk_landlock_t *ll);
#define _cleanup_landlock_ __attribute__((cleanup(husk_landlock_close)))

#endif
