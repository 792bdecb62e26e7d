/* husk init: the container init, from clone to exec.
 *
 * The init is cloned by `create` (or `run`) straight into its new
 * namespaces.  It sets itself up as the process will run, reports over the
 * sync socket, blocks on exec.fifo until `start`, then execs.
 */
#ifndef HUSK_INIT_INIT_H
#define HUSK_INIT_INIT_H

#include <stdbool.h>
#include <stdint.h>

#include "init/lsm.h"
#include "seccomp/seccomp.h"
#include "spec/config.h"

typedef struct husk_init_s {
	const husk_config_t *cfg;
	const char *id;
	const char *bundle;      /* absolute */
	int sync;                /* the init's end of the sync socketpair */
	int procfd;              /* verified procfs handle, opened before clone */
	int fifofd;              /* <state>/exec.fifo, opened O_RDWR: reading it blocks until
				    `start` writes */
	int nsfd[HUSK_NS_COUNT]; /* namespaces to join (setns), -1 for none */
	uint64_t clone_flags;    /* the CLONE_NEW* the init was born with */
	bool no_pivot;
	bool no_new_keyring;
	int preserve_fds;
	bool setgroups_denied; /* the parent wrote "deny" to setgroups */
	bool joined_userns;    /* born in a user namespace joined by path */
	bool late_cgroupns;    /* unshare the cgroup namespace after USERMAP_DONE */
	/* A pidfd of the parent (husk) when the job must die with it: the init
	 * then keeps SIGKILL as its parent-death signal through the exec; -1
	 * for a container that outlives husk. */
	int parent_pidfd;
	/* The rootfs, cloned by husk on the host's side for a container with
	 * a user namespace (husk_rootfs_clone_host()); -1 for none */
	int rootfs_mfd;
	/* linux.seccomp, compiled by the parent; NULL for none */
	const husk_seccomp_filter_t *seccomp;
	/* husk_create_opts_t.early_seccomp: a filter that would load right
	 * before execve loads right after CREATED */
	bool early_seccomp;
	/* husk_create_opts_t.job_status: the init stays pid 1 and the process
	 * is its child (init/jobinit.h); NULL: the init execs it */
	struct husk_job_status_s *job_status;
	/* The process's LSM labels, decided by the parent (init/lsm.h) */
	const husk_lsm_plan_t *lsm;
	/* husk_create_opts_t.after_mounts: rootfs/opts.h's hook, or NULL */
	int (*after_mounts)(void *data, int rootfd, husk_error_t *err);
	void *after_mounts_data;
} husk_init_t;

/* The init's whole life.  Returns only on failure, with the exit status the
 * process should end with; the failure has already been sent to the parent
 * (before CREATED) or printed on stderr (after, when nobody else listens). */
int husk_init_main(const husk_init_t *in);

#endif
