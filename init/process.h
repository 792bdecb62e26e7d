/* husk init: the container process's own attributes.
 *
 * Called in the container init and in exec'd processes, after the rootfs
 * is in place.  Each step is its own function, and husk_process_prepare()
 * runs them in the one order that keeps the process safe, for both.
 */
#ifndef HUSK_INIT_PROCESS_H
#define HUSK_INIT_PROCESS_H

#include <stdbool.h>

#include "init/lsm.h"
#include "seccomp/seccomp.h"
#include "spec/config.h"
#include "util/error.h"

/* What husk_process_prepare() needs to know besides the process. */
typedef struct {
	const husk_process_t *p;
	const husk_linux_t *linux_; /* personality, memoryPolicy; NULL: the caller's */
	bool setgroups_denied;      /* setgroups is denied in its user namespace */
	/* Descriptors that stay open past the close of husk's others: the
	 * passed 3..3+PRESERVE_FDS-1, and the N_KEEP of KEEP (-1 entries are
	 * ignored); PROCFD lists the others when close_range is refused
	 * (util/fds.h). */
	int preserve_fds;
	const int *keep;
	size_t n_keep;
	int procfd;
	/* The AppArmor profile and SELinux label for the exec, or NULL; written
	 * through LSM_PROCFD, a verified procfs handle (init/lsm.h). */
	const husk_lsm_plan_t *lsm;
	int lsm_procfd;
	/* A filter to load before the capabilities go (husk_seccomp_stage()
	 * said HUSK_SECCOMP_BEFORE_CAPS), or NULL; its listener's descriptor,
	 * if it has one, is sent on NOTIFY_SOCK (init/sync.h), or closed when
	 * that is -1. */
	const husk_seccomp_filter_t *early_seccomp;
	int notify_sock;
	/* The container's config, for its Landlock policy and its mounts
	 * (init/landlock.h); NULL: the process is not confined. */
	const husk_config_t *landlock;
} husk_process_prep_t;

/* The privilege order, written once for the init and for exec: rlimits
 * (raising a hard one needs privilege), the scheduler and I/O priority
 * (RLIMIT_NICE and RLIMIT_RTPRIO may be what allows them), the personality
 * and memory policy (the container's: the init's only), the umask, the LSM
 * labels (before a filter can refuse the write), the cwd tried as root,
 * every descriptor of husk's but the kept ones closed (before a filter can
 * refuse close_range), Landlock (while still root of the user namespace,
 * before any filter), an early filter, user, groups and capabilities, the
 * cwd as the user, and last the program found in the root.  Returns its path,
 * for husk_process_exec(); NULL on failure. */
char *husk_process_prepare(const husk_process_prep_t *s, husk_error_t *err);

/* Find ARGS[0] the way execvp would, in the container's PATH (from P's env),
 * inside the container's root, which must be the caller's root by now.  Each
 * candidate is resolved with the path layer (util/pathfs.h), so a symlink of
 * the image or a magic link (/proc/self/fd/N, /proc/self/exe) that would take
 * it out of the root is refused, never followed (CVE-2024-21626, attacks 3a
 * and 3b).  Done before the init blocks on exec.fifo, so `create` reports a
 * missing binary with runc's words: exec: "x": executable file not found in
 * $PATH. */
char *husk_process_find_exec(const husk_process_t *p, husk_error_t *err);

/* The exit status docker and podman give a program that cannot run, from an
 * error of husk_process_find_exec(): 127 when it is not there, 126 when it
 * is but cannot be run; 0 when E is some other error. */
int husk_process_exec_status(husk_error_t e);

/* What runc warns about and goes on without, for the runtime before the
 * process is made: a capability of P the running kernel does not know
 * (newer than it) is ignored; an ambient one that is not also permitted and
 * inheritable, which the kernel would refuse to raise, is dropped. */
void husk_process_tolerate_caps(husk_process_t *p);

/* rlimits, while still privileged (raising a hard limit needs it). */
int husk_process_set_rlimits(const husk_process_t *p, husk_error_t *err);

/* Bounding set, then user and groups, then the other four capability sets,
 * in the one order that does not lose a capability the config asked for nor
 * keep one it did not.  SETGROUPS_DENIED: the user namespace denies setgroups. */
int husk_process_set_user_and_caps(const husk_process_t *p, bool setgroups_denied,
				   husk_error_t *err);

/* chdir to process.cwd (unless THERE: done already) and check with getcwd
 * that we are where we asked to be: a cwd of /proc/self/fd/N would
 * otherwise leave a host directory as the cwd (CVE-2024-21626). */
int husk_process_chdir(const husk_process_t *p, bool there, husk_error_t *err);

/* The same, tried as root before the user and capabilities change, and
 * before a seccomp filter of the container's can refuse getcwd, as runc
 * does: 1 when done, 0 when the cwd refused root (EACCES: try again as the
 * process's user), -1 on any other failure.  A cwd root may enter and the
 * process's user may not is where the process starts (runc's rule too). */
int husk_process_chdir_early(const husk_process_t *p, husk_error_t *err);

/* process.scheduler through sched_setattr, and process.ioPriority through
 * ioprio_set: while still privileged (a lower nice, a real-time policy and
 * the real-time I/O class need CAP_SYS_NICE or CAP_SYS_ADMIN). */
int husk_process_set_scheduler(const husk_process_t *p, husk_error_t *err);
int husk_process_set_ioprio(const husk_process_t *p, husk_error_t *err);

/* linux.personality (LINUX or LINUX32); it survives exec. */
int husk_process_set_personality(const husk_linux_t *l, husk_error_t *err);

/* Bind the calling process to the cpus of LIST ("0-3,7"; NULL or empty
 * does nothing).  WHAT names it in errors: "initial" or "final". */
int husk_process_set_affinity(const char *list, const char *what, husk_error_t *err);

/* Check PATH again as husk_process_find_exec() did, close every descriptor
 * above stdio and the PRESERVE_FDS passed ones (util/fds.h; UNDER_FILTER: a
 * seccomp filter of the container's is loaded already, so only close(2)),
 * apply execCPUAffinity.final, load SECCOMP (NULL: none, or loaded earlier),
 * then exec PATH.  At the execve no descriptor of husk's is open.  Returns
 * only on failure. */
int husk_process_exec(const husk_process_t *p, const char *path, int preserve_fds,
		      const husk_seccomp_filter_t *seccomp, bool under_filter, husk_error_t *err);

#endif
