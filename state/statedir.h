/* husk state: the state directory.
 *
 * <root>/<id>/ holds one container's state (state.json, exec.fifo, ...).
 * Commands on one container serialise on an flock of that directory; two
 * different ids never block each other.  Errors use runc's words, which
 * engines match on: "container does not exist", "container with id exists".
 */
#ifndef HUSK_STATE_STATEDIR_H
#define HUSK_STATE_STATEDIR_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

#define HUSK_EXEC_FIFO "exec.fifo"

/* The default root: /run/husk for root, $XDG_RUNTIME_DIR/husk otherwise,
 * and /tmp/husk-<uid> when that is unset.  Returns a new string. */
char *husk_statedir_default_root(void);

/* Check ID against [a-zA-Z0-9_+-][a-zA-Z0-9_+.-]* (so never "." or ".."). */
int husk_statedir_check_id(const char *id, husk_error_t *err);

/* Open ROOT as a directory fd, creating it (0700) when CREATE is set. */
int husk_statedir_open_root(const char *root, bool create, husk_error_t *err);

/* Open ROOT for a command on the existing container ID (checked): a root
 * that does not exist means the container does not either, in runc's
 * words. */
int husk_statedir_open_root_for(const char *root, const char *id, husk_error_t *err);

/* Create <root>/<id> (0700) and return its fd, locked exclusively. */
int husk_statedir_create(int rootfd, const char *id, husk_error_t *err);

/* Open <root>/<id> and lock it (exclusively unless SHARED).  Waits for a
 * command already holding the lock; fails with "container does not exist"
 * when the directory is missing or was removed while we waited. */
int husk_statedir_open(int rootfd, const char *id, bool shared, husk_error_t *err);

/* Remove <root>/<id> and everything in it (one level: state files only).
 * DIRFD is the locked fd from create/open. */
int husk_statedir_remove(int rootfd, const char *id, int dirfd, husk_error_t *err);

/* The ids under ROOTFD, sorted, NULL-terminated; *COUNT is set. */
char **husk_statedir_list(int rootfd, size_t *count, husk_error_t *err);

/* Record in DIRFD where a create's cgroup is (MODE "v1"/"v2", PATH), so
 * that reclaiming the state dir of a create killed before state.json
 * removes the cgroup too. */
int husk_statedir_note_cgroup(int dirfd, const char *mode, const char *path, husk_error_t *err);

#endif
