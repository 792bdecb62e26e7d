/* husk criu: the arguments of a restore that come from outside husk's
 * own state: the namespaces the config joins by path, and the checkpoint's
 * images, which are untrusted input.
 *
 * Namespaces joined by path (a container restored into a Kubernetes pod
 * joins the pod's): network and pid are the host's to keep, marked external
 * by `checkpoint` (extRootNetNS, extRootPidNS), and handed back to CRIU as
 * inherited descriptors; ipc, uts, user and time are joined with CRIU's
 * --join-ns, as runc and crun do.  Each path is opened and checked to be a
 * namespace of its type first, so a wrong one fails here, naming it, and not
 * somewhere in CRIU's log.  CRIU can join neither a mount nor a cgroup
 * namespace: those are refused by name.
 *
 * A checkpoint may come from anywhere (a registry, a node that was broken
 * into); husk reads as little of it as it can, and that strictly:
 * descriptors.json is read through no symlink, only as a regular file of at
 * most 64 KiB, and only "pipe:[N]" entries are handed to CRIU.  The files
 * CRIU writes into the image and work directories (restore.log,
 * stats-restore) are removed first, without following a link, so that a
 * link planted in the image cannot have CRIU, running as root, truncate and
 * write a host file.  The images themselves are CRIU's to parse.
 */
#ifndef HUSK_CRIU_RESTORE_ARGS_H
#define HUSK_CRIU_RESTORE_ARGS_H

#include <stddef.h>

#include "criu/criu.h"
#include "spec/config.h"
#include "util/error.h"

/* At most this many namespaces are joined by path (one of each type). */
#define HUSK_RESTORE_MAX_NS_FDS HUSK_NS_COUNT

/* Refuse, by name, a namespace joined by path that CRIU cannot join. */
int husk_restore_check_namespaces(const husk_config_t *cfg, husk_error_t *err);

/* --inherit-fd and --join-ns for every namespace CFG joins by path; the
 * descriptors CRIU must inherit go to FDS[*NFDS] (the caller closes them). */
int husk_restore_namespace_args(husk_argv_t *a, const husk_config_t *cfg,
				int fds[HUSK_RESTORE_MAX_NS_FDS], size_t *nfds, husk_error_t *err);

/* --inherit-fd for the restoring caller's stdio pipes, in place of the
 * checkpointed init's (IMAGES/descriptors.json, as runc writes it). */
int husk_restore_stdio_args(husk_argv_t *a, const char *images, husk_error_t *err);

/* Remove what CRIU's restore will write in IMAGES and WORK, links included
 * (not followed). */
int husk_restore_clear_outputs(const char *images, const char *work, husk_error_t *err);

#endif
