/* husk init: the container init, from clone to exec.
 *
 * Born by clone3 in its new namespaces (runtime/create.c says why that way).
 * Everything that can fail is done before CREATED is sent, so `create`
 * reports it and cleans up: joining namespaces, hostname, the rootfs,
 * sysctls, rlimits, the user and capabilities, the cwd and finding the
 * program.  What is left after CREATED is one blocking read on exec.fifo and
 * the exec itself; a failure there can only be printed on stderr.
 */
#include "init/init.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "namespaces/loopback.h"
#include "rootfs/rootfs.h"
#include "init/hooks.h"
#include "init/jobinit.h"
#include "init/process.h"
#include "init/sync.h"
#include "init/tty.h"
#include "util/cleanup.h"
#include "util/fds.h"
#include "util/log.h"
#include "util/procfs.h"
#include "util/xalloc.h"

#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif

/* Default handlers, and an empty mask, but for a sandbox's init (JOB):
 * there everything stays blocked until the job is forked and the init
 * forwards what waits in the queue (init/jobinit.c).  husk forwards the
 * signals it gets to the init from its start, and pid 1 of a namespace
 * drops a signal it neither handles nor blocks (pid_namespaces(7)): a
 * SIGTERM sent right after the job's state appeared was lost. */
static void reset_signals(bool job)
{
	sigset_t mask;

	if (job) {
		sigfillset(&mask);
	} else {
		sigemptyset(&mask);
	}
	for (int s = 1; s < NSIG; s++) {
		signal(s, SIG_DFL); /* SIGKILL, SIGSTOP and the gaps fail: harmless */
	}
	sigprocmask(SIG_SETMASK, &mask, NULL);
}

/* Root of the new user namespace: the parent has written the maps. */
static int become_userns_root(const husk_init_t *in, husk_error_t *err)
{
	const husk_linux_t *l = in->cfg->linux_;
	bool maps_root = false;

	for (size_t i = 0; i < l->uid_mappings.n; i++) {
		maps_root |= l->uid_mappings.v[i].container_id == 0;
	}
	if (in->joined_userns) {
		/* Its maps are not in the config: root if it maps one (EINVAL
		 * says it does not). */
		if ((setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) && errno != EINVAL) {
			return husk_error_errno(err, "become root in the user namespace");
		}
		return 0;
	}
	if (!maps_root) {
		return 0; /* the process's own user is set later; nothing to become */
	}
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
		return husk_error_errno(err, "become root in the user namespace");
	}
	return 0;
}

static int join_namespaces(const husk_init_t *in, husk_error_t *err)
{
	for (int t = 0; t < HUSK_NS_COUNT; t++) {
		if (in->nsfd[t] < 0) {
			continue;
		}
		if (setns(in->nsfd[t], 0) < 0) {
			const husk_namespace_t *ns = husk_config_namespace(in->cfg, t);

			return husk_error_errno(err, "join %s namespace `%s`", husk_ns_type_name(t),
						ns != NULL && ns->path != NULL ? ns->path
									       : "(made by husk)");
		}
	}
	return 0;
}

static bool has_ns(const husk_init_t *in, int type)
{
	return husk_config_namespace(in->cfg, type) != NULL;
}

static int set_names(const husk_init_t *in, husk_error_t *err)
{
	const husk_config_t *cfg = in->cfg;

	if (!has_ns(in, HUSK_NS_UTS)) {
		return 0; /* validation refused a hostname without one */
	}
	if (cfg->hostname != NULL && sethostname(cfg->hostname, strlen(cfg->hostname)) < 0) {
		return husk_error_errno(err, "set hostname `%s`", cfg->hostname);
	}
	if (cfg->domainname != NULL &&
	    setdomainname(cfg->domainname, strlen(cfg->domainname)) < 0) {
		return husk_error_errno(err, "set domainname `%s`", cfg->domainname);
	}
	return 0;
}

/* linux.sysctl, written through husk's procfs handle: the container's own
 * /proc/sys is read-only by then, and the values land in the namespaces of
 * the writer (validation checked each key belongs to one the container
 * owns). */
static int set_sysctls(const husk_init_t *in, husk_error_t *err)
{
	const husk_kvs_t *kv = &in->cfg->linux_->sysctl;

	for (size_t i = 0; i < kv->n; i++) {
		_cleanup_free_ char *path = xasprintf("sys/%s", kv->v[i].key);

		for (char *p = path + 4; *p != '\0'; p++) {
			if (*p == '.') {
				*p = '/';
			}
		}
		if (husk_procfs_write(in->procfd, path, kv->v[i].value, strlen(kv->v[i].value),
				      err) < 0) {
			return husk_error_wrap(err, "linux.sysctl `%s`", kv->v[i].key);
		}
	}
	return 0;
}

/* A session keyring of the container's own, so keys never leak between
 * containers (runc names it the same way). */
static int join_keyring(const husk_init_t *in, husk_error_t *err)
{
	_cleanup_free_ char *name = NULL;

	if (in->no_new_keyring) {
		return 0;
	}
	name = xasprintf("_ses.%s", in->id);
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name, 0, 0, 0) < 0 &&
	    errno != ENOSYS) {
		return husk_error_errno(err, "join a session keyring");
	}
	return 0;
}

/* Descriptors 3 .. 3+N-1 are the caller's, passed on with --preserve-fds. */
static int keep_preserved_fds(int n, husk_error_t *err)
{
	for (int fd = 3; fd < 3 + n; fd++) {
		if (fcntl(fd, F_SETFD, 0) < 0) {
			return husk_error_errno(err, "--preserve-fds: descriptor %d", fd);
		}
	}
	return 0;
}

/* What the init carries from one stage to the next. */
struct init_run {
	const husk_init_t *in;
	pid_t host_pid; /* the init as the host sees it, told at PRE_PIVOT_DONE; 0 if not */
};

/* Hooks the init runs itself, in the container's namespaces, with the
 * state the parent would report. */
static int run_init_hooks(const struct init_run *r, enum husk_hook_kind kind, const char *status,
			  husk_error_t *err)
{
	_cleanup_free_ char *rootfs = NULL;
	husk_state_t st;

	if (!husk_hooks_has(r->in->cfg, kind)) {
		return 0;
	}
	husk_hooks_state(&st, r->in->cfg, r->in->id, r->in->bundle, status, r->host_pid, &rootfs);
	return husk_hooks_run(r->in->cfg, kind, &st, err);
}

/* Called by husk_rootfs_setup with every mount in place, before
 * pivot_root: the parent runs prestart and createRuntime hooks in the
 * runtime namespace meanwhile, then the init runs createContainer here,
 * where the host's paths still resolve. */
static int before_pivot(void *data, husk_error_t *err)
{
	struct init_run *r = data;
	pid_t pid = 0;
	size_t len = sizeof(pid);

	if (husk_sync_send(r->in->sync, HUSK_SYNC_PRE_PIVOT, NULL, 0, -1, err) < 0 ||
	    husk_sync_expect(r->in->sync, HUSK_SYNC_PRE_PIVOT_DONE, &pid, &len, NULL, err) < 0) {
		return -1;
	}
	if (len != sizeof(pid) || pid <= 0) {
		return husk_error_make(err, EPROTO, "sync: malformed `pre-pivot-done` message");
	}
	r->host_pid = pid;
	return run_init_hooks(r, HUSK_HOOK_CREATE_CONTAINER, "creating", err);
}

/* linux.seccomp when STAGE is the one it loads at
 * (seccomp/seccomp.h: husk_seccomp_stage), else NULL.  The common stage is
 * BEFORE_EXEC: the filter loads last, inside husk_process_exec.  The other
 * two come earlier for reasons of their own:
 *   - BEFORE_CAPS: without noNewPrivileges the kernel loads a filter only
 *     for a holder of CAP_SYS_ADMIN, which the capability drop right after
 *     may take away; so, as runc does, the filter goes first and the rest of
 *     the setup (the drop itself, chdir, the fifo, startContainer hooks)
 *     runs under it (husk_process_prepare).
 *   - BEFORE_CREATED: a listener's fd is born with the filter and must
 *     reach listenerPath, a host path, through the parent; the parent is
 *     only listening before CREATED.  The parent relays the fd as soon as it
 *     arrives, so a notified syscall the init makes afterwards is answered.
 * A listener's fd leaves the init for the parent and is never the
 * container's.  A watched filter (the sandbox's) that may load early is
 * taken as BEFORE_EXEC: it loads right after CREATED, its listener's fd
 * sent before READY (husk_seccomp_watched_after_created). */
static const husk_seccomp_filter_t *seccomp_at(const husk_init_t *in, enum husk_seccomp_stage stage)
{
	bool nnp = in->cfg->process->no_new_privileges;
	enum husk_seccomp_stage at;

	if (in->seccomp == NULL) {
		return NULL;
	}
	at = husk_seccomp_watched_after_created(in->seccomp, nnp, in->early_seccomp)
		     ? HUSK_SECCOMP_BEFORE_EXEC
		     : husk_seccomp_stage(in->seccomp, nnp);
	return at == stage ? in->seccomp : NULL;
}

/* The early load, right after CREATED; a watched filter's listener goes to
 * the parent, which takes it before READY. */
static int load_seccomp_early(const husk_init_t *in, husk_error_t *err)
{
	_cleanup_close_ int notify = -1;

	if (husk_seccomp_load(in->seccomp, husk_seccomp_has_listener(in->seccomp) ? &notify : NULL,
			      err) < 0) {
		return -1;
	}
	if (notify >= 0 && husk_sync_send(in->sync, HUSK_SYNC_FD, NULL, 0, notify, err) < 0) {
		return husk_error_wrap(err, "send the seccomp notify fd");
	}
	return 0;
}

/* The BEFORE_CREATED filter, its listener's fd sent to the parent. */
static int load_seccomp_with_listener(const husk_init_t *in, husk_error_t *err)
{
	const husk_seccomp_filter_t *f = seccomp_at(in, HUSK_SECCOMP_BEFORE_CREATED);
	_cleanup_close_ int notify = -1;

	if (f == NULL) {
		return 0;
	}
	if (husk_seccomp_load(f, &notify, err) < 0) {
		return -1;
	}
	if (notify >= 0 && husk_sync_send(in->sync, HUSK_SYNC_FD, NULL, 0, notify, err) < 0) {
		return husk_error_wrap(err, "send the seccomp notify fd");
	}
	return 0;
}

/* Everything before CREATED.  On failure, *err goes to the parent. */
static int setup(struct init_run *r, char **exec_path, husk_error_t *err)
{
	const husk_init_t *in = r->in;
	const husk_config_t *cfg = in->cfg;
	const husk_process_t *p = cfg->process;
	_cleanup_close_ int master = -1;
	husk_rootfs_opts_t ro = {
		.bundle = in->bundle,
		.no_pivot = in->no_pivot,
		.console_fd = -1,
		.in_userns = (in->clone_flags & CLONE_NEWUSER) != 0 || in->joined_userns,
		.own_netns = has_ns(in, HUSK_NS_NETWORK),
		.own_cgroupns = has_ns(in, HUSK_NS_CGROUP),
		.procfd = in->procfd,
		.selinux = in->lsm != NULL && in->lsm->selinux_enabled,
		.rootfs_mfd = in->rootfs_mfd,
		.before_pivot = husk_hooks_need_pre_pivot(cfg) ? before_pivot : NULL,
		.before_pivot_data = r,
		.console_master = p->terminal ? &master : NULL,
		.after_mounts = in->after_mounts,
		.after_mounts_data = in->after_mounts_data,
	};
	bool setgroups_denied = false;
	size_t len = sizeof(setgroups_denied);
	const int keep[] = { in->sync, in->procfd, in->fifofd, in->parent_pidfd, husk_log_fd() };

	/* Die with the parent until it has heard CREATED: a create killed
	 * half-way leaves no init behind. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) {
		return husk_error_errno(err, "prctl(PR_SET_PDEATHSIG)");
	}
	if (husk_sync_expect(in->sync, HUSK_SYNC_USERMAP_DONE, &setgroups_denied, &len, NULL, err) <
	    0) {
		return -1;
	}
	/* Non-dumpable until the exec (which resets it): the init is husk
	 * until then, and nothing in the container may open its
	 * /proc/<pid>/exe or memory (CVE-2019-5736).  Not before USERMAP_DONE:
	 * the parent writes our id maps, and a non-dumpable process's /proc
	 * files belong to root of the host. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		return husk_error_errno(err, "prctl(PR_SET_DUMPABLE)");
	}
	/* execCPUAffinity.initial: the rest of the setup runs on those cpus.
	 * Not earlier: a failure before USERMAP_DONE would race the parent's
	 * send and lose its message. */
	if (p->exec_cpu_affinity != NULL &&
	    husk_process_set_affinity(p->exec_cpu_affinity->initial, "initial", err) < 0) {
		return -1;
	}
	if (((in->clone_flags & CLONE_NEWUSER) || in->joined_userns) &&
	    become_userns_root(in, err) < 0) {
		return -1;
	}
	/* The parent moved us into our v1 cgroups before USERMAP_DONE: a
	 * cgroup namespace made now is rooted there. */
	if (in->late_cgroupns && unshare(CLONE_NEWCGROUP) < 0) {
		return husk_error_errno(err, "unshare the cgroup namespace");
	}
	if (join_namespaces(in, err) < 0 || set_names(in, err) < 0) {
		return -1;
	}
	/* `lo` up in a network namespace of the container's own, as runc and
	 * crun bring it (a service on 127.0.0.1 works); still root in the
	 * namespaces, before any capability is dropped. */
	if ((in->clone_flags & CLONE_NEWNET) && husk_loopback_up(err) < 0) {
		return -1;
	}
	if (husk_rootfs_setup(cfg, &ro, err) < 0) {
		return -1;
	}
	/* Its own session, always, as runc's init: a container never shares
	 * the caller's session or controlling terminal, and CRIU refuses to
	 * dump a tree whose session leader lies outside its pid namespace. */
	if (setsid() < 0) {
		return husk_error_errno(err, "setsid");
	}
	/* The console: the process's controlling terminal and stdio here, its
	 * master to the parent. */
	if (p->terminal && (husk_tty_setup_stdio(master, p->console_size, err) < 0 ||
			    husk_sync_send(in->sync, HUSK_SYNC_FD, NULL, 0, master, err) < 0)) {
		return -1;
	}
	master = husk_safe_close(master);
	if (set_sysctls(in, err) < 0 || join_keyring(in, err) < 0) {
		return -1;
	}
	/* The privilege order (init/process.h).  Every descriptor the init
	 * holds but the few it still needs (the sync socket, the procfs
	 * handle, exec.fifo, husk's pidfd, the log file) is closed there,
	 * before a filter of the container's may load and refuse close_range;
	 * those few are closed one by one on the way to the exec (util/fds.h).
	 * What goes: the bundle, the state dir, the cgroup directory, the
	 * namespaces joined, every descriptor the parent had. */
	*exec_path = husk_process_prepare(
		&(husk_process_prep_t){
			.p = p,
			.linux_ = cfg->linux_,
			.setgroups_denied = setgroups_denied || in->setgroups_denied,
			.preserve_fds = in->preserve_fds,
			.keep = keep,
			.n_keep = sizeof(keep) / sizeof(keep[0]),
			.procfd = in->procfd,
			.lsm = in->lsm,
			.lsm_procfd = in->procfd,
			.early_seccomp = seccomp_at(in, HUSK_SECCOMP_BEFORE_CAPS),
			.notify_sock = in->sync,
			.landlock = cfg,
		},
		err);
	if (*exec_path == NULL) {
		return -1;
	}
	if (keep_preserved_fds(in->preserve_fds, err) < 0 ||
	    load_seccomp_with_listener(in, err) < 0) {
		return -1;
	}
	return 0;
}

/* Block until `start` writes one byte to exec.fifo. */
static int wait_for_start(int fifofd, husk_error_t *err)
{
	char c;
	ssize_t n;

	do {
		n = read(fifofd, &c, 1);
	} while (n < 0 && errno == EINTR);
	if (n != 1) {
		return husk_error_make(err, n < 0 ? errno : EIO, "wait for start on %s",
				       "exec.fifo");
	}
	return 0;
}

/* The job dies with husk (husk_init_t.parent_pidfd).  Becoming the
 * process's user cleared the parent-death signal (the kernel clears it on
 * any change of credentials), so it is set again now, the last thing
 * before the exec, which keeps it (no_new_privs: no set-id exec that would
 * clear it).  If husk died before that, the pidfd says so. */
static int die_with_parent(int parent_pidfd, husk_error_t *err)
{
	struct pollfd p = { .fd = parent_pidfd, .events = POLLIN };

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) {
		return husk_error_errno(err, "prctl(PR_SET_PDEATHSIG)");
	}
	if (poll(&p, 1, 0) != 0) {
		return husk_error_make(err, 0, "husk is gone: the job is not started");
	}
	return 0;
}

/* Under a filter loaded already, the last descriptors are closed one by
 * one (util/fds.h), unless the filter allows the close_range call that
 * closes them at once (docker's profile does): a hundred close(2) calls,
 * each through the filter, before every job. */
static bool allows_close_range(const husk_init_t *in)
{
	uint64_t first = 3 + (in->job_status != NULL ? 0 : (uint64_t) in->preserve_fds);
	const uint64_t args[6] = { first, (unsigned int) ~0U, 0 };

	return husk_seccomp_allows(in->seccomp, __NR_close_range, args);
}

int husk_init_main(const husk_init_t *in)
{
	_cleanup_error_ husk_error_t err = NULL;
	_cleanup_free_ char *exec_path = NULL;
	struct init_run r = { .in = in };
	const husk_seccomp_filter_t *filter = seccomp_at(in, HUSK_SECCOMP_BEFORE_EXEC);
	bool under_filter;

	reset_signals(in->job_status != NULL);
	if (setup(&r, &exec_path, &err) < 0) {
		husk_sync_send_error(in->sync, err);
		return 1;
	}
	if (husk_sync_send(in->sync, HUSK_SYNC_CREATED, NULL, 0, -1, &err) < 0) {
		return 1;
	}
	/* Loading a filter costs a few hundred microseconds (the kernel checks,
	 * translates and compiles it), which here overlap husk's recording of
	 * the state instead of delaying the exec after `start`. */
	if (in->early_seccomp && filter != NULL) {
		if (load_seccomp_early(in, &err) < 0) {
			/* husk waits for READY: it gets this instead. */
			husk_sync_send_error(in->sync, err);
			return 1;
		}
		filter = NULL;
	}
	/* Once husk has recorded us in state.json (READY), we outlive
	 * `create` by design.  Not before: a create killed after CREATED but
	 * before the record would leave an init nothing knows of. */
	if (husk_sync_expect(in->sync, HUSK_SYNC_READY, NULL, NULL, NULL, &err) < 0 ||
	    (in->parent_pidfd < 0 && prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0) < 0) ||
	    husk_sync_send(in->sync, HUSK_SYNC_READY, NULL, 0, -1, &err) < 0) {
		return 1;
	}
	husk_safe_close(in->sync);
	husk_safe_close(in->procfd);
	if (wait_for_start(in->fifofd, &err) < 0) {
		husk_log_error(err);
		return 127;
	}
	/* startContainer: after `start`, before exec, in the container.
	 * `start` has returned by now; a failure stops the container and is
	 * printed on its stderr (runc does the same). */
	if (run_init_hooks(&r, HUSK_HOOK_START_CONTAINER, "created", &err) < 0) {
		husk_log_error(err);
		return 127;
	}
	husk_safe_close(in->fifofd);
	if (in->parent_pidfd >= 0 && die_with_parent(in->parent_pidfd, &err) < 0) {
		husk_log_error(err);
		return 137;
	}
	husk_safe_close(in->parent_pidfd);
	under_filter = in->seccomp != NULL && filter == NULL && !allows_close_range(in);
	if (in->job_status != NULL) {
		return husk_jobinit_run(in->cfg->process, exec_path, filter, under_filter,
					in->job_status);
	}
	husk_process_exec(in->cfg->process, exec_path, in->preserve_fds, filter, under_filter,
			  &err);
	husk_log_error(err);
	/* As docker and podman: 127 for a program not there, 126 for one
	 * that is but cannot be run. */
	return husk_error_errno_of(err) == ENOENT ? 127 : 126;
}
