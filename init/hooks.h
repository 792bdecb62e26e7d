/* husk init: OCI hooks (config.json `hooks`).
 *
 * Where each kind runs, per runtime-spec 1.3.0:
 *   prestart, createRuntime  the runtime namespace, during `create`, while the
 *                            init waits before pivot_root (runtime/create.c);
 *   createContainer          the init, in the container's namespaces, before
 *                            pivot_root (init/init.c);
 *   startContainer           the init, after `start`, before exec;
 *   poststart                the runtime namespace, in `start`;
 *   poststop                 the runtime namespace, in `delete`, once the
 *                            container is gone.
 * Every hook gets the container's state JSON on stdin; its stdout and stderr
 * are collected and quoted in the error when it fails.
 */
#ifndef HUSK_INIT_HOOKS_H
#define HUSK_INIT_HOOKS_H

#include <stdbool.h>
#include <sys/types.h>

#include "spec/config.h"
#include "spec/state.h"
#include "util/error.h"

enum husk_hook_kind {
	HUSK_HOOK_PRESTART,
	HUSK_HOOK_CREATE_RUNTIME,
	HUSK_HOOK_CREATE_CONTAINER,
	HUSK_HOOK_START_CONTAINER,
	HUSK_HOOK_POSTSTART,
	HUSK_HOOK_POSTSTOP,
	HUSK_HOOK_KINDS,
};

/* Whether CFG has at least one hook of KIND. */
bool husk_hooks_has(const husk_config_t *cfg, enum husk_hook_kind kind);

/* Whether the init must pause before pivot_root for CFG's hooks: the
 * parent runs prestart and createRuntime there, and tells the init the pid
 * createContainer and startContainer hooks report.  Parent and init ask
 * this same question, so they agree on the handshake. */
bool husk_hooks_need_pre_pivot(const husk_config_t *cfg);

/* Run CFG's hooks of KIND in order, each with ST (its status as the caller
 * set it) as JSON on stdin.  Stops at the first hook that fails, times out
 * or cannot be started, and says which one and why. */
int husk_hooks_run(const husk_config_t *cfg, enum husk_hook_kind kind, const husk_state_t *st,
		   husk_error_t *err);

/* The same for poststart and poststop, whose failures the spec makes
 * warnings: every hook runs, each failure is logged. */
void husk_hooks_run_warn(const husk_config_t *cfg, enum husk_hook_kind kind,
			 const husk_state_t *st);

/* Fill *ST with the state a hook sees before state.json exists: ID, STATUS,
 * PID (as the host sees it) and what CFG and BUNDLE say.  *ST borrows from
 * its arguments and from *ROOTFS, which receives the rootfs path for the
 * caller to free. */
void husk_hooks_state(husk_state_t *st, const husk_config_t *cfg, const char *id,
		      const char *bundle, const char *status, pid_t pid, char **rootfs);

/* poststart and poststop run from `start` and `delete`, when the bundle may
 * have changed or be gone: a config with such hooks is kept in the state dir
 * DIRFD, copied from the bundle's BUNDLEFD at create. */
int husk_hooks_keep_config(const husk_config_t *cfg, int bundlefd, int dirfd, husk_error_t *err);

/* The config kept by husk_hooks_keep_config, or NULL with *err unset when
 * there is none. */
husk_config_t *husk_hooks_kept_config(int dirfd, husk_error_t *err);

#endif
