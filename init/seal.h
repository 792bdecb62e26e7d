/* husk init: the husk binary, sealed against the containers it starts
 * (CVE-2019-5736).
 *
 * A process husk starts in a container is husk until it execs, and a
 * container program that execs /proc/self/exe (a `#!/proc/self/exe` script,
 * a symlink to it) runs husk inside the container.  Either way the
 * container can reach husk's binary as /proc/<pid>/exe, and opening that
 * for writing would replace the host's husk.  So the verbs that start such
 * processes run from a binary that cannot be written through that link:
 *   - nothing to do when it already cannot (a read-only mount, or a sealed
 *     memfd: what the re-exec below leaves);
 *   - else a read-only, detached bind mount of its own file (open_tree +
 *     mount_setattr: no copy) becomes the running process's exe in place:
 *     the program's segments are mapped again from it (the same page
 *     cache; data as an anonymous copy) and PR_SET_MM_MAP swaps the exe,
 *     which the kernel allows only once nothing maps the old file.  No
 *     second exec, so no second start-up of the C library, which under a
 *     hypervisor costs more than the rest of the seal;
 *   - where that is not allowed (no CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE,
 *     or a kernel without checkpoint/restore), husk re-executes itself from
 *     that mount;
 *   - where the mount API is not allowed either, from a copy in a sealed
 *     memfd.
 * Processes that join a container are also non-dumpable until they exec,
 * so nothing in it can open their exe or memory meanwhile (init/init.c,
 * runtime/exec.c).
 */
#ifndef HUSK_INIT_SEAL_H
#define HUSK_INIT_SEAL_H

#include <stdbool.h>

#include "util/error.h"

/* How the running binary is protected. */
enum husk_seal {
	HUSK_SEAL_NONE,     /* writable: the binary is exposed */
	HUSK_SEAL_READONLY, /* on a read-only mount (ours, or the host's) */
	HUSK_SEAL_MEMFD,    /* a sealed memfd copy */
};

/* What protects the running binary now. */
enum husk_seal husk_seal_state(husk_error_t *err);

/* Return 0 when the running binary is protected, already or now (in
 * place); otherwise re-execute husk with ARGV from a protected reference
 * (no return), or fail. */
int husk_seal_self(char **argv, husk_error_t *err);

/* Drop what an in-place seal kept (the mount handle; the seal itself stays:
 * the exe holds the mount).  The last holder pays for dissolving the
 * mount: a child just cloned drops its copy at once (husk_clone3), and
 * create drops the parent's while the init sets up, so the cost falls in
 * a wait.  Without a call, exit drops it. */
void husk_seal_release(void);

#endif
