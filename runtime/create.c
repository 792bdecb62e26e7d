/* husk runtime: create a container.
 *
 * The parent (this process) does everything that needs the host's view:
 * it reads the bundle, makes the state dir, opens the namespaces to join and
 * a verified procfs handle, and clones the init straight into its new
 * namespaces with one clone3.  The init sets itself up (init/init.c) and
 * the two talk over the sync socket:
 *
 *   parent                                init
 *   clone3(CLONE_NEW*)  ───────────────►  born in the new namespaces
 *   write uid_map/gid_map, oom_score_adj
 *   USERMAP_DONE        ───────────────►  root in its user namespace
 *                                         setns, hostname, mounts
 *                       ◄───────────────  PRE_PIVOT (only with hooks)
 *   prestart, createRuntime hooks
 *   PRE_PIVOT_DONE {pid} ──────────────►  createContainer hooks
 *                                         pivot_root, sysctl, rlimits,
 *                                         user, capabilities, cwd
 *                       ◄───────────────  FD {pty master} (only with a terminal)
 *   --console-socket, or kept for `run`
 *                       ◄───────────────  CREATED (or ERROR {errno, text})
 *   state.json, pid file; exit            blocks reading exec.fifo
 *
 * Why one clone3 and this order: the kernel creates the user namespace of a
 * clone first and makes it the owner of every other namespace born in the
 * same call, so a container's mount, network or uts namespace is owned by
 * its user namespace and the init holds full capabilities over them; the
 * pid namespace only takes effect for children, which is why the init is a
 * child born into it rather than a process that unshares; and the id maps can
 * only be written from outside the new user namespace, by the parent, before
 * the init acts as root in it.  Namespaces joined by path are joined by the
 * init with setns after the clone (joining a user namespace would have to
 * come first and is refused until that ordering is built).
 *
 * Any failure kills the init through its pidfd, reaps it and removes the
 * state dir: a failed create leaves nothing behind.
 */
#include "runtime/create.h"
#include "init/seal.h"
#include "util/sendfd.h"

#include <errno.h>
#include <linux/nsfs.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rootfs/idmap.h"
#include "namespaces/enter.h"
#include "namespaces/netdev.h"
#include "namespaces/netns.h"
#include "rootfs/rootfs.h"
#include "namespaces/usermap.h"
#include "cgroups/cgroup.h"
#include "cgroups/devices-bpf.h"
#include "init/clone.h"
#include "state/evlog.h"
#include "init/hooks.h"
#include "init/init.h"
#include "state/liveness.h"
#include "init/process.h"
#include "init/stage.h"
#include "state/record.h"
#include "state/statedir.h"
#include "init/sync.h"
#include "init/tty.h"
#include "seccomp/seccomp.h"
#include "util/cleanup.h"
#include "util/fds.h"
#include "util/io.h"
#include "util/log.h"
#include "util/num.h"
#include "util/open.h"
#include "util/proc.h"
#include "util/procfs.h"
#include "util/xalloc.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const uint64_t ns_clone_flag[HUSK_NS_COUNT] = {
	[HUSK_NS_PID] = CLONE_NEWPID,       [HUSK_NS_NETWORK] = CLONE_NEWNET,
	[HUSK_NS_MOUNT] = CLONE_NEWNS,      [HUSK_NS_IPC] = CLONE_NEWIPC,
	[HUSK_NS_UTS] = CLONE_NEWUTS,       [HUSK_NS_USER] = CLONE_NEWUSER,
	[HUSK_NS_CGROUP] = CLONE_NEWCGROUP, [HUSK_NS_TIME] = CLONE_NEWTIME,
};

/* What the bundle asks that husk cannot do yet, refused before anything is
 * made (spec/supported.c holds the fields the parser knows husk ignores;
 * these are the ones the lifecycle does not act on yet). */
static int check_lifecycle_support(const husk_config_t *cfg, const husk_create_opts_t *o,
				   husk_error_t *err)
{
	if (cfg->process == NULL) {
		return husk_error_make(err, 0,
				       "config.json: process: required to create a container");
	}
	if (cfg->root == NULL) {
		return husk_error_make(err, 0, "config.json: root: required to create a container");
	}
	/* runc's rules and words: the pty master must go somewhere. */
	if (cfg->process->terminal && o->console_socket == NULL && !o->tty_relay) {
		return husk_error_make(err, 0,
				       "cannot allocate tty if husk will detach without "
				       "setting console socket");
	}
	if (!cfg->process->terminal && o->console_socket != NULL) {
		return husk_error_make(err, 0,
				       "cannot use console socket if husk will not detach "
				       "or allocate tty");
	}
	return 0;
}

/* Decide the clone flags and open the namespaces to join.  Each refusal
 * names the namespace and why. */
static int plan_namespaces(const husk_config_t *cfg, uint64_t *flags, int nsfd[HUSK_NS_COUNT],
			   husk_error_t *err)
{
	const husk_linux_t *l = cfg->linux_;
	bool new_user = false;

	*flags = 0;
	if (l == NULL) {
		return husk_error_make(err, 0,
				       "config.json: linux: required to create a container");
	}
	for (size_t i = 0; i < l->namespaces.n; i++) {
		const husk_namespace_t *ns = &l->namespaces.v[i];
		const char *name = husk_ns_type_name(ns->type);

		if (ns->path == NULL || ns->path[0] == '\0') {
			*flags |= ns_clone_flag[ns->type];
			new_user |= ns->type == HUSK_NS_USER;
			continue;
		}
		switch (ns->type) {
		case HUSK_NS_TIME:
			if (l->time_offsets.n > 0) {
				return husk_error_make(
					err, 0,
					"config.json: linux.timeOffsets: the clocks of a "
					"joined time namespace cannot be set");
			}
			break;
		default:
			break;
		}
		nsfd[ns->type] = open(ns->path, O_RDONLY | O_CLOEXEC);
		if (nsfd[ns->type] < 0) {
			return husk_error_errno(err, "open %s namespace `%s`", name, ns->path);
		}
	}
	/* A mount namespace joined by path is set up as runc does: the rootfs
	 * is mounted and pivoted into inside it, for every process there. */
	if (!(*flags & CLONE_NEWNS) && nsfd[HUSK_NS_MOUNT] < 0) {
		return husk_error_make(
			err, 0,
			"config.json: linux.namespaces: husk needs a mount namespace "
			"of the container's, new or joined by path");
	}
	if (new_user && (l->uid_mappings.n == 0 || l->gid_mappings.n == 0)) {
		return husk_error_make(err, 0,
				       "config.json: linux.uidMappings: a new user namespace needs "
				       "uid and gid mappings");
	}
	if (!new_user && (l->uid_mappings.n > 0 || l->gid_mappings.n > 0)) {
		return husk_error_make(err, 0,
				       "config.json: linux.uidMappings: mappings need a new user "
				       "namespace in linux.namespaces");
	}
	return 0;
}

/* The parent's part of the init's setup, between clone and USERMAP_DONE. */
static int setup_from_parent(husk_created_t *c, husk_error_t *err)
{
	const husk_linux_t *l = c->cfg->linux_;
	const husk_process_t *p = c->cfg->process;
	char path[64];

	/* Whoever made a joined namespace decided about setgroups. */
	if (c->joined_userns &&
	    husk_usermap_setgroups_denied(c->procfd, c->pid, &c->setgroups_denied, err) < 0) {
		return -1;
	}
	if ((c->clone_flags & CLONE_NEWUSER) &&
	    husk_usermap_write(c->procfd, c->pid, &l->uid_mappings, &l->gid_mappings,
			       &c->setgroups_denied, err) < 0) {
		return -1;
	}
	if (p->has_oom_score_adj) {
		char v[16];
		int n = snprintf(v, sizeof(v), "%d", p->oom_score_adj);

		snprintf(path, sizeof(path), "%d/oom_score_adj", c->pid);
		if (husk_procfs_write(c->procfd, path, v, (size_t) n, err) < 0) {
			return husk_error_wrap(err, "set oomScoreAdj of the container");
		}
	}
	return husk_sync_send(c->sync, HUSK_SYNC_USERMAP_DONE, &c->setgroups_denied,
			      sizeof(c->setgroups_denied), -1, err);
}

/* linux.netDevices, into the container's network namespace: NSFD when it
 * was made ahead or is joined by path (the init may not be in it yet),
 * else the one the clone made.  Before any hook, and long before the
 * container's program runs. */
static int move_net_devices(husk_created_t *c, int nsfd, husk_error_t *err)
{
	_cleanup_close_ int own = -1;
	char path[64];

	if (c->cfg->linux_->net_devices.n == 0) {
		return 0;
	}
	if (nsfd < 0) {
		snprintf(path, sizeof(path), "%d/ns/net", c->pid);
		own = husk_procfs_open_at(c->procfd, path, O_RDONLY | O_CLOEXEC, err);
		if (own < 0) {
			return -1;
		}
		nsfd = own;
	}
	return husk_netdev_move_all(c->cfg->linux_, nsfd, err);
}

/* With hooks to run, the init waits before pivot_root (PRE_PIVOT): its
 * namespaces and mounts exist, and prestart and createRuntime hooks run
 * here, in the runtime namespace.  PRE_PIVOT_DONE tells the init the pid its
 * own hooks report, which it cannot see from inside its pid namespace. */
static int run_runtime_hooks(husk_created_t *c, const char *id, husk_error_t *err)
{
	_cleanup_free_ char *rootfs = NULL;
	husk_state_t st;

	if (!husk_hooks_need_pre_pivot(c->cfg)) {
		return 0;
	}
	if (husk_sync_expect(c->sync, HUSK_SYNC_PRE_PIVOT, NULL, NULL, NULL, err) < 0) {
		return -1;
	}
	husk_hooks_state(&st, c->cfg, id, c->bundle, "creating", c->pid, &rootfs);
	if (husk_hooks_run(c->cfg, HUSK_HOOK_PRESTART, &st, err) < 0 ||
	    husk_hooks_run(c->cfg, HUSK_HOOK_CREATE_RUNTIME, &st, err) < 0) {
		return -1;
	}
	return husk_sync_send(c->sync, HUSK_SYNC_PRE_PIVOT_DONE, &c->pid, sizeof(c->pid), -1, err);
}

/* A seccomp listener: the init loaded its filter before CREATED and sends
 * the notify fd, which goes on to listenerPath before `create` returns, with
 * the state as the hooks see it ("creating"). */
static int send_seccomp_listener(husk_created_t *c, const char *id, husk_error_t *err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *rootfs = NULL;
	husk_state_t st;

	if (husk_sync_expect(c->sync, HUSK_SYNC_FD, NULL, NULL, &fd, err) < 0) {
		return -1;
	}
	husk_hooks_state(&st, c->cfg, id, c->bundle, "creating", c->pid, &rootfs);
	return husk_seccomp_send_listener(c->cfg->linux_->seccomp, fd, &st, err);
}

int husk_create_make_cgroup(const husk_create_opts_t *o, husk_created_t *c, husk_error_t *err)
{
	husk_cgroup_req_t req = {
		.id = o->id,
		.cfg = c->cfg,
		.rootless = o->rootless == HUSK_ROOTLESS_TRUE ||
			    (o->rootless == HUSK_ROOTLESS_AUTO && geteuid() != 0),
		.controllers = o->cgroup_controllers,
	};
	const husk_cgroup_manager_t *m = husk_cgroup_manager_for(o->cgroup_manager, err);

	if (m == NULL) {
		return -1;
	}
	/* A device program already loaded for the same rules is shared. */
	husk_devices_bpf_share_at(c->rootfd);
	c->cgroup = husk_cgroup_make(m, &req, err);
	husk_devices_bpf_share_at(-1);
	if (c->cgroup == NULL) {
		return -1;
	}
	/* Until state.json exists, this is how a reclaim of the state dir
	 * of a killed create finds the cgroup (state/statedir.c). */
	return husk_statedir_note_cgroup(c->dirfd,
					 husk_cgroup_manager_name(husk_cgroup_manager(c->cgroup)),
					 husk_cgroup_path(c->cgroup), err);
}

/* Write the pid file atomically: engines poll for it and must never read a
 * partial number. */
/* runc leaves the owner empty for root's containers. */
static char *owner_name(void)
{
	return geteuid() == 0 ? xstrdup("") : xasprintf("%u", (unsigned) geteuid());
}

int husk_create_record(const husk_created_t *c, const char *id, husk_error_t *err)
{
	husk_state_t st = {
		.id = (char *) id,
		.pid = c->pid,
		.bundle = c->bundle,
		.own_pid_ns = (c->clone_flags & CLONE_NEWPID) != 0,
		.no_sync = c->volatile_state,
	};
	_cleanup_free_ char *rootfs = NULL;
	_cleanup_free_ char *created = husk_now_rfc3339();
	_cleanup_free_ char *owner = owner_name();
	const char *root = c->cfg->root->path;

	if (root[0] == '/') {
		rootfs = xstrdup(root);
	} else {
		rootfs = xasprintf("%s/%s", c->bundle, root);
	}
	st.rootfs = rootfs;
	st.created = created;
	st.owner = owner;
	st.annotations = c->cfg->annotations;
	st.cgroup_manager = (char *) husk_cgroup_manager_name(husk_cgroup_manager(c->cgroup));
	st.cgroup_path = (char *) husk_cgroup_path(c->cgroup);
	st.output_log = (char *) c->output_log;
	if (husk_pid_start_time(c->procfd, c->pid, &st.init_start_time, err) < 0) {
		return husk_error_wrap(err, "record the container init");
	}
	if (c->monitored) {
		st.monitor_pid = getpid();
		if (husk_pid_start_time(c->procfd, st.monitor_pid, &st.monitor_start_time, err) <
		    0) {
			return husk_error_wrap(err, "record the monitor");
		}
	}
	return husk_state_write_at(c->dirfd, &st, err);
}

int husk_write_pid_file(const char *path, pid_t pid, husk_error_t *err)
{
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "%d", pid);

	if (husk_write_file_at(AT_FDCWD, path, buf, (size_t) n, 0644, true, err) < 0) {
		return husk_error_wrap(err, "pid file");
	}
	return 0;
}

void husk_created_release(husk_created_t *c)
{
	husk_config_free(c->cfg);
	free(c->bundle);
	husk_safe_close(c->pidfd);
	husk_safe_close(c->dirfd);
	husk_safe_close(c->rootfd);
	husk_safe_close(c->procfd);
	husk_safe_close(c->sync);
	husk_safe_close(c->console_master);
	husk_safe_close(c->parent_pidfd);
	husk_safe_close(c->rootfs_mfd);
	husk_safe_close(c->netns);
	husk_cgroup_free(c->cgroup);
	husk_seccomp_filter_free(c->seccomp);
	husk_safe_close(c->seccomp_notify);
	husk_safe_close(c->start_fd);
	*c = HUSK_CREATED_INIT;
}

/* A container whose init was made and then failed (a prestart,
 * createRuntime or createContainer hook, or anything after): the lifecycle
 * goes on to its end, the poststop hooks, which only warn (runtime-spec,
 * and runc's destroy). */
static void run_poststop(const husk_created_t *c, const char *id)
{
	_cleanup_free_ char *rootfs = NULL;
	husk_state_t st;

	if (c->cfg == NULL || !husk_hooks_has(c->cfg, HUSK_HOOK_POSTSTOP)) {
		return;
	}
	husk_hooks_state(&st, c->cfg, id, c->bundle, "stopped", 0, &rootfs);
	husk_hooks_run_warn(c->cfg, HUSK_HOOK_POSTSTOP, &st);
}

void husk_create_abort(husk_created_t *c, const char *id)
{
	_cleanup_error_ husk_error_t e = NULL;
	bool cloned = c->pid > 0;

	if (cloned) {
		husk_kill_and_reap(c->pidfd, c->pid);
		c->pid = 0;
	}
	if (c->cgroup != NULL && husk_cgroup_destroy(c->cgroup, &e) < 0) {
		husk_log_error(e);
		husk_error_free(&e);
	}
	if (c->dirfd >= 0 && husk_statedir_remove(c->rootfd, id, c->dirfd, &e) < 0) {
		husk_log_error(e);
	}
	if (cloned) {
		run_poststop(c, id);
	}
}

/* Set NAME=VALUE in the process's environment, replacing an old NAME. */
static void set_env(husk_process_t *p, const char *name, int value)
{
	size_t n = husk_strv_len(p->env), len = strlen(name), j = 0;

	for (size_t i = 0; i < n; i++) {
		if (strncmp(p->env[i], name, len) == 0 && p->env[i][len] == '=') {
			free(p->env[i]);
		} else {
			p->env[j++] = p->env[i];
		}
	}
	if (p->env != NULL) {
		p->env[j] = NULL;
	}
	husk_strv_push(&p->env, xasprintf("%s=%d", name, value));
}

/* The descriptors from 3 up that go into the container: --preserve-fds N,
 * plus those of socket activation when systemd handed them to this very
 * process (LISTEN_FDS with LISTEN_PID our pid), which the container's
 * process is then told are its own (LISTEN_PID=1), as runc does.  Each must
 * have been inherited by husk: a descriptor inherited across execve cannot
 * be close-on-exec, and every one husk opens is, so a close-on-exec one in
 * the range is husk's own (the caller passed fewer than it said) and must
 * never reach the container. */
static int plan_passed_fds(const husk_create_opts_t *o, husk_config_t *cfg, int *total,
			   husk_error_t *err)
{
	const char *fds = getenv("LISTEN_FDS");
	const char *pid = getenv("LISTEN_PID");
	uint64_t n, lpid;
	int listen = 0;

	*total = o->preserve_fds;

	if (fds != NULL && pid != NULL && husk_parse_u64(pid, INT32_MAX, &lpid) == 0 &&
	    lpid == (uint64_t) getpid()) {
		if (husk_parse_u64(fds, 1 << 16, &n) < 0) {
			return husk_error_make(err, 0, "LISTEN_FDS `%s`: expected a number", fds);
		}
		listen = (int) n;
		set_env(cfg->process, "LISTEN_FDS", listen);
		set_env(cfg->process, "LISTEN_PID", 1);
	}
	*total += listen;
	return husk_fds_check_passed(*total, "--preserve-fds", err);
}

/* Back to husk's own time namespace for later children (hooks). */
static void restore_time_ns(int own)
{
	if (own >= 0) {
		setns(own, CLONE_NEWTIME);
	}
}

/* linux.timeOffsets.  A time namespace's clocks can only be set before any
 * process is in it, and a clone3 with CLONE_NEWTIME puts the child in at
 * once.  So husk makes the namespace for its children itself (unshare
 * leaves husk where it is), sets the offsets, clones the init without
 * CLONE_NEWTIME (the init is born in that namespace), and goes back to its
 * own for any later child (restore_time_ns).  Returns a descriptor of
 * husk's own time namespace, or -1 with nothing done when there are no
 * offsets. */
static int prepare_time_ns(husk_created_t *c, husk_error_t *err)
{
	const husk_linux_t *l = c->cfg->linux_;
	_cleanup_close_ int own = -1;
	_cleanup_free_ char *buf = NULL;
	char path[64];
	size_t len = 0;
	pid_t self;

	if (!(c->clone_flags & CLONE_NEWTIME) || l->time_offsets.n == 0) {
		return -1;
	}
	own = open("/proc/thread-self/ns/time", O_RDONLY | O_CLOEXEC);
	if (own < 0 || ioctl(own, NS_GET_NSTYPE) != CLONE_NEWTIME) {
		return husk_error_errno(err, "linux.timeOffsets: open husk's time namespace");
	}
	if (unshare(CLONE_NEWTIME) < 0) {
		return husk_error_errno(err, "linux.timeOffsets: make a time namespace");
	}
	buf = xmalloc(l->time_offsets.n * 64 + 1);
	for (size_t i = 0; i < l->time_offsets.n; i++) {
		const husk_time_offset_t *t = &l->time_offsets.v[i];

		len += (size_t) sprintf(buf + len, "%s %lld %u\n",
					t->clock == HUSK_CLOCK_MONOTONIC ? "monotonic" : "boottime",
					(long long) t->secs, t->nanosecs);
	}
	self = husk_procfs_self_pid(c->procfd, err);
	if (self < 0) {
		restore_time_ns(own);
		return -1;
	}
	snprintf(path, sizeof(path), "%d/timens_offsets", self);
	if (husk_procfs_write(c->procfd, path, buf, len, err) < 0) {
		restore_time_ns(own);
		return husk_error_wrap(err, "linux.timeOffsets");
	}
	return TAKE_FD(own);
}

/* pid and time namespaces joined by path decide where the init is born:
 * husk enters them for its children, clones the init there, and goes back
 * (init/clone.h).  The init is then not pid 1 of its pid namespace:
 * whoever made that namespace owns it.  The init must not join them a
 * second time. */
static int enter_for_children(int nsfd[HUSK_NS_COUNT], int own[2], husk_error_t *err)
{
	if (husk_ns_enter_for_children(nsfd[HUSK_NS_PID], nsfd[HUSK_NS_TIME], own, err) < 0) {
		return husk_error_wrap(err, "linux.namespaces");
	}
	nsfd[HUSK_NS_PID] = husk_safe_close(nsfd[HUSK_NS_PID]);
	nsfd[HUSK_NS_TIME] = husk_safe_close(nsfd[HUSK_NS_TIME]);
	return 0;
}

/* Whether the init moves itself into its v1 cgroups, which costs far less
 * than a move by pid (cgroups/cgroup.h): it can while it is in husk's user
 * namespace, where the cgroup files are its to write. */
static bool init_enters_cgroup(const husk_created_t *c)
{
	return !(c->clone_flags & CLONE_NEWUSER) && !c->joined_userns &&
	       husk_cgroup_moves_after_clone(c->cgroup);
}

/* The child's side of clone3: hand over to the init and never return. */
static void run_init(const husk_create_opts_t *o, husk_created_t *c, int child_sync, int fifofd,
		     int nsfd[HUSK_NS_COUNT])
{
	_cleanup_error_ husk_error_t err = NULL;
	husk_init_t in = {
		.cfg = c->cfg,
		.id = o->id,
		.bundle = c->bundle,
		.sync = child_sync,
		.procfd = c->procfd,
		.fifofd = fifofd,
		.clone_flags = c->clone_flags,
		.no_pivot = o->no_pivot,
		.no_new_keyring = o->no_new_keyring,
		.preserve_fds = c->passed_fds,
		.joined_userns = c->joined_userns,
		.late_cgroupns = c->late_cgroupns,
		.seccomp = c->seccomp,
		.early_seccomp = o->early_seccomp,
		.parent_pidfd = c->parent_pidfd,
		.rootfs_mfd = c->rootfs_mfd,
		.job_status = o->job_status,
		.lsm = &c->lsm,
		.after_mounts = o->after_mounts,
		.after_mounts_data = o->after_mounts_data,
	};

	/* Into the cgroups before anything else; READY tells the parent. */
	if (init_enters_cgroup(c) &&
	    (husk_cgroup_enter_self(c->cgroup, &err) < 0 ||
	     husk_sync_send(child_sync, HUSK_SYNC_READY, NULL, 0, -1, &err) < 0)) {
		husk_sync_send_error(child_sync, err);
		_exit(1);
	}
	/* The init keeps no descriptor of the parent's but its own. */
	c->sync = husk_safe_close(c->sync);
	c->dirfd = husk_safe_close(c->dirfd);
	c->rootfd = husk_safe_close(c->rootfd);
	c->start_fd = husk_safe_close(c->start_fd);
	for (int i = 0; i < HUSK_NS_COUNT; i++) {
		in.nsfd[i] = nsfd[i];
	}
	_exit(husk_init_main(&in));
}

/* A user namespace joined by path must be entered before the container's
 * other namespaces are made, so that it owns them; and husk cannot enter it
 * itself, since there is no way back out.  A short-lived joiner does:
 * cloned by husk, it enters the user namespace, clones the init with the
 * CLONE_NEW* flags and CLONE_PARENT (so the init is husk's child, reaped
 * and waited for as any other), passes the init's pidfd back over the sync
 * socket, and exits.  Returns the init's pid, with c->pidfd set. */
static pid_t clone_in_user_ns(const husk_create_opts_t *o, husk_created_t *c, uint64_t flags,
			      int child_sync, int fifofd, int nsfd[HUSK_NS_COUNT],
			      husk_error_t *err)
{
	_cleanup_close_ int joiner_pidfd = -1;
	pid_t joiner, pid;

	c->joined_userns = true;
	joiner = husk_clone3(0, -1, &joiner_pidfd, err);
	if (joiner < 0) {
		return -1;
	}
	if (joiner == 0) {
		husk_error_t e = NULL;
		int pidfd = -1;

		if (setns(nsfd[HUSK_NS_USER], CLONE_NEWUSER) < 0) {
			husk_error_errno(&e, "join the user namespace");
			husk_sync_send_error(child_sync, e);
			_exit(1);
		}
		nsfd[HUSK_NS_USER] = husk_safe_close(nsfd[HUSK_NS_USER]);
		pid = husk_clone3(flags | CLONE_PARENT, husk_cgroup_clone_fd(c->cgroup), &pidfd,
				  &e);
		if (pid == 0) {
			run_init(o, c, child_sync, fifofd, nsfd);
		}
		if (pid < 0 || husk_sync_send(child_sync, HUSK_SYNC_FD, NULL, 0, pidfd, &e) < 0) {
			husk_sync_send_error(child_sync, e);
			_exit(1);
		}
		_exit(0);
	}
	/* The joiner's report comes first on the socket, before anything of
	 * the init's. */
	if (husk_sync_expect(c->sync, HUSK_SYNC_FD, NULL, NULL, &c->pidfd, err) < 0) {
		husk_kill_and_reap(joiner_pidfd, joiner);
		return -1;
	}
	waitpid(joiner, NULL, 0);
	pid = husk_procfs_pid_of_pidfd(c->procfd, c->pidfd, err);
	if (pid < 0) {
		husk_pidfd_send(c->pidfd, SIGKILL);
	}
	return pid;
}

/* The bundle: its config loaded (unless the caller passed one) and checked,
 * the namespaces planned (NSFD: those joined by path, opened) and the
 * passed descriptors counted.  Nothing is made yet. */
static int load_bundle(const husk_create_opts_t *o, husk_created_t *c, int *bundlefd,
		       int nsfd[HUSK_NS_COUNT], husk_error_t *err)
{
	const char *bundle = o->bundle != NULL ? o->bundle : ".";
	char resolved[PATH_MAX];

	if (husk_statedir_check_id(o->id, err) < 0) {
		return -1;
	}
	if (realpath(bundle, resolved) == NULL) {
		return husk_error_errno(err, "bundle `%s`", bundle);
	}
	c->bundle = xstrdup(resolved);
	*bundlefd = open(c->bundle, HUSK_O_DIR);
	if (*bundlefd < 0) {
		return husk_error_errno(err, "open bundle `%s`", c->bundle);
	}
	if (c->cfg == NULL) {
		c->cfg = husk_config_load_at(*bundlefd, err);
	}
	if (c->cfg == NULL || husk_config_check_supported(c->cfg, err) < 0 ||
	    husk_lsm_plan(c->cfg->process, c->cfg->linux_->mount_label, &c->lsm, err) < 0 ||
	    check_lifecycle_support(c->cfg, o, err) < 0 || husk_netdev_check(c->cfg, err) < 0 ||
	    plan_namespaces(c->cfg, &c->clone_flags, nsfd, err) < 0 ||
	    plan_passed_fds(o, c->cfg, &c->passed_fds, err) < 0) {
		return -1;
	}
	husk_process_tolerate_caps(c->cfg->process);
	return 0;
}

/* Everything the host side makes before the clone, once the state dir
 * exists: the kept config, the procfs handle, the seccomp program, the
 * cgroup, the rootfs and binds cloned for a user namespace, exec.fifo
 * (*FIFOFD) and the sync pair (PAIR).  On failure the caller undoes it. */
static int prepare_host_side(const husk_create_opts_t *o, husk_created_t *c, int bundlefd,
			     const int nsfd[HUSK_NS_COUNT], int *fifofd, int pair[2],
			     husk_error_t *err)
{
	if (husk_hooks_keep_config(c->cfg, bundlefd, c->dirfd, err) < 0) {
		return -1;
	}
	c->procfd = husk_procfs_open(err);
	if (c->procfd < 0) {
		return -1;
	}
	/* linux.seccomp: compiled (or found in the cache under the state
	 * root) here, before clone, so the init only loads a ready program
	 * (seccomp/seccomp.h says when). */
	if (c->cfg->linux_->seccomp != NULL) {
		husk_seccomp_filter_free(c->seccomp);
		c->seccomp = husk_seccomp_compile(c->cfg->linux_->seccomp, c->rootfd, err);
		if (c->seccomp == NULL) {
			return -1;
		}
	}
	/* Watched after the cache has the profile's own program. */
	if (c->seccomp != NULL) {
		husk_seccomp_watch(c->seccomp, o->seccomp_watch);
	}
	/* The container's cgroup, made and limited before clone: the init is
	 * born in it on a unified hierarchy (CLONE_INTO_CGROUP) and moved into
	 * the v1 ones before it runs anything of the container's. */
	if (husk_create_make_cgroup(o, c, err) < 0) {
		return -1;
	}
	husk_stage("cgroup");
	/* A container with its own user namespace: only husk, in the host's
	 * user namespace, may idmap a host filesystem (rootfs/idmap.h), and
	 * its credentials, not the init's, open the rootfs and every bind's
	 * source, as runc's do (a bundle under a directory only root may enter
	 * is no error).  The clone carries the detached copies into the init.
	 * A rootless husk may not clone the host's mounts, nor has it more
	 * rights than the init: there the init opens them itself. */
	if ((c->clone_flags & CLONE_NEWUSER) || nsfd[HUSK_NS_USER] >= 0) {
		bool privileged = geteuid() == 0;

		if (husk_idmap_mounts_prepare(c->cfg, bundlefd, c->procfd, privileged, err) < 0) {
			return -1;
		}
		c->rootfs_mfd = privileged ? husk_rootfs_clone_host(c->cfg, bundlefd, err) : -1;
		if (privileged && c->rootfs_mfd < 0) {
			return -1;
		}
	}
	/* A rootfs the caller made, taken as it is. */
	if (o->rootfs_mfd != NULL && c->rootfs_mfd < 0) {
		c->rootfs_mfd = fcntl(*o->rootfs_mfd, F_DUPFD_CLOEXEC, 3);
		if (c->rootfs_mfd < 0) {
			return husk_error_errno(err, "take the rootfs made for the container");
		}
	}
	/* exec.fifo: the init reads it, blocking, until `start` writes.  A
	 * volatile container is started by this husk only, through a pair
	 * like the sync one (a send to an init that is gone fails, without
	 * SIGPIPE). */
	if (o->volatile_state) {
		int p[2];

		if (husk_sync_pair(p, err) < 0) {
			return husk_error_wrap(err, "the start socket");
		}
		*fifofd = p[0];
		c->start_fd = p[1];
	} else {
		if (mkfifoat(c->dirfd, HUSK_EXEC_FIFO, 0600) < 0) {
			return husk_error_errno(err, "make %s", HUSK_EXEC_FIFO);
		}
		*fifofd = openat(c->dirfd, HUSK_EXEC_FIFO, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
		if (*fifofd < 0) {
			return husk_error_errno(err, "open %s", HUSK_EXEC_FIFO);
		}
	}
	if (husk_sync_pair(pair, err) < 0) {
		return -1;
	}
	c->sync = pair[0];
	return 0;
}

/* The clone flags as the clone itself takes them: a time namespace is
 * entered ahead (TIMENS), a network namespace made ahead is joined, and a
 * cgroup namespace the init must make once it is in its v1 cgroups is left
 * to it (late_cgroupns). */
static uint64_t clone_flags_now(husk_created_t *c, int timens, const int nsfd[HUSK_NS_COUNT])
{
	uint64_t flags = c->clone_flags;

	if (timens >= 0) {
		flags &= ~(uint64_t) CLONE_NEWTIME;
	}
	if (nsfd[HUSK_NS_NETWORK] >= 0 && (flags & CLONE_NEWNET)) {
		/* Made ahead: the init joins it (join_namespaces) instead. */
		flags &= ~(uint64_t) CLONE_NEWNET;
	}
	/* A cgroup namespace is rooted where the init is when it is made: if
	 * the init is only moved into its (v1) cgroups after the clone, it
	 * makes the namespace itself once it is there. */
	if ((flags & CLONE_NEWCGROUP) && husk_cgroup_moves_after_clone(c->cgroup)) {
		flags &= ~(uint64_t) CLONE_NEWCGROUP;
		c->late_cgroupns = true;
	}
	return flags;
}

/* keep_netns: the init's network namespace, the one it joins or the one
 * its clone made.  Opened right after the clone, while the init may still
 * be opened by its owner: it is not dumpable once it has heard
 * USERMAP_DONE, and then only root of the host may open its namespaces.
 * -1 when there is none to keep (the caller says what it missed). */
static int keep_netns(const husk_created_t *c, const int nsfd[HUSK_NS_COUNT])
{
	char path[32];

	if (nsfd[HUSK_NS_NETWORK] >= 0) {
		return fcntl(nsfd[HUSK_NS_NETWORK], F_DUPFD_CLOEXEC, 3);
	}
	if (!(c->clone_flags & CLONE_NEWNET)) {
		return -1;
	}
	snprintf(path, sizeof(path), "%d/ns/net", (int) c->pid);
	return openat(c->procfd, path, O_RDONLY | O_CLOEXEC);
}

/* Make the init (init/init.h), in the namespaces planned.  NETNS, the
 * thread making a network namespace, is finished first: husk is
 * single-threaded again before it enters any namespace.  CHILD_SYNC and
 * FIFOFD are the init's; they are closed here, in husk, either way. */
static int clone_init(const husk_create_opts_t *o, husk_created_t *c, husk_netns_maker_t **netns,
		      int nsfd[HUSK_NS_COUNT], int *child_sync, int *fifofd, husk_error_t *err)
{
	_cleanup_close_ int timens = -1;
	int own_ns[2] = { -1, -1 };
	uint64_t flags;

	if (*netns != NULL) {
		nsfd[HUSK_NS_NETWORK] = husk_netns_maker_finish(TAKE_PTR(*netns));
	}
	timens = prepare_time_ns(c, err);
	if (timens < 0 && *err != NULL) {
		return -1;
	}
	if (enter_for_children(nsfd, own_ns, err) < 0) {
		goto leave;
	}
	flags = clone_flags_now(c, timens, nsfd);
	/* Opened before the clone: from its own pid namespace the init could
	 * not name husk. */
	if (o->die_with_parent && (c->parent_pidfd = husk_pidfd_open(getpid())) < 0) {
		husk_error_errno(err, "pidfd_open husk itself");
		goto leave;
	}
	if (nsfd[HUSK_NS_USER] >= 0) {
		c->pid = clone_in_user_ns(o, c, flags, *child_sync, *fifofd, nsfd, err);
	} else {
		c->pid = husk_clone3(flags, husk_cgroup_clone_fd(c->cgroup), &c->pidfd, err);
		if (c->pid == 0) {
			run_init(o, c, *child_sync, *fifofd, nsfd);
		}
	}
	if (c->pid > 0 && o->keep_netns) {
		c->netns = keep_netns(c, nsfd);
	}
leave:
	husk_ns_leave_for_children(own_ns);
	restore_time_ns(timens);
	husk_idmap_mounts_release();
	c->parent_pidfd = husk_safe_close(c->parent_pidfd);
	c->rootfs_mfd = husk_safe_close(c->rootfs_mfd);
	*child_sync = husk_safe_close(*child_sync);
	*fifofd = husk_safe_close(*fifofd);
	if (c->pid <= 0) {
		c->pid = 0;
		return -1;
	}
	return 0;
}

/* From the clone to CREATED and the record: the init in its cgroups, what
 * the parent sets up for it (the user map, the network devices; NETNS is
 * the network namespace made ahead or joined, or -1), the runtime hooks,
 * the console, the seccomp listener and the pidfd socket; then the state
 * on disk and the init told it may outlive husk. */
static int finish_create(const husk_create_opts_t *o, husk_created_t *c, int netns,
			 husk_error_t *err)
{
	bool watched_late = husk_seccomp_watched_after_created(
		c->seccomp, c->cfg->process->no_new_privileges, o->early_seccomp);

	if ((init_enters_cgroup(c)
		     ? husk_sync_expect(c->sync, HUSK_SYNC_READY, NULL, NULL, NULL, err)
		     : husk_cgroup_enter(c->cgroup, c->pid, err)) < 0 ||
	    setup_from_parent(c, err) < 0 || move_net_devices(c, netns, err) < 0 ||
	    run_runtime_hooks(c, o->id, err) < 0) {
		return -1;
	}
	husk_stage("cloned");
	/* The console's master, allocated in the container's devpts. */
	if (c->cfg->process->terminal &&
	    husk_sync_expect(c->sync, HUSK_SYNC_FD, NULL, NULL, &c->console_master, err) < 0) {
		return -1;
	}
	if (husk_seccomp_has_listener(c->seccomp) && !watched_late &&
	    (c->seccomp->watch != HUSK_SECCOMP_WATCH_OFF
		     ? husk_sync_expect(c->sync, HUSK_SYNC_FD, NULL, NULL, &c->seccomp_notify, err)
		     : send_seccomp_listener(c, o->id, err)) < 0) {
		return -1;
	}
	/* The init sets up now: the wait for it can take the seal's. */
	husk_seal_release();
	if (husk_sync_expect(c->sync, HUSK_SYNC_CREATED, NULL, NULL, NULL, err) < 0) {
		return -1;
	}
	if (o->console_socket != NULL) {
		if (husk_tty_send_master(o->console_socket, c->console_master, err) < 0) {
			return -1;
		}
		c->console_master = husk_safe_close(c->console_master);
	}
	/* runc names the init's pidfd "standard". */
	if (o->pidfd_socket != NULL &&
	    husk_sendfd("--pidfd-socket", o->pidfd_socket, c->pidfd, "standard", err) < 0) {
		return -1;
	}
	husk_stage("created");
	c->monitored = o->monitored;
	c->volatile_state = o->volatile_state;
	c->output_log = o->output_log;
	if (husk_create_record(c, o->id, err) < 0) {
		return -1;
	}
	if (!c->volatile_state) {
		husk_evlog_append(c->dirfd, o->id, "created", NULL);
	}
	if (o->pid_file != NULL && husk_write_pid_file(o->pid_file, c->pid, err) < 0) {
		return -1;
	}
	husk_stage("recorded");
	/* A watched filter loaded after CREATED: its listener, before READY. */
	if (watched_late &&
	    husk_sync_expect(c->sync, HUSK_SYNC_FD, NULL, NULL, &c->seccomp_notify, err) < 0) {
		return -1;
	}
	/* Recorded: the init may now outlive us, and says when it has
	 * dropped its parent-death signal (returning before that would kill
	 * it).  One that dies with its parent keeps it: its answer is read
	 * at start, and what the caller does until then overlaps the init's
	 * turn (husk_created_t.ready_pending). */
	if (husk_sync_send(c->sync, HUSK_SYNC_READY, NULL, 0, -1, err) < 0) {
		return -1;
	}
	if (o->die_with_parent) {
		c->ready_pending = true;
		return 0;
	}
	return husk_sync_expect(c->sync, HUSK_SYNC_READY, NULL, NULL, NULL, err);
}

int husk_create_run_stages(const husk_create_opts_t *o, husk_created_t *c, husk_error_t *err)
{
	_cleanup_close_ int bundlefd = -1;
	_cleanup_close_ int fifofd = -1;
	int nsfd[HUSK_NS_COUNT];
	int pair[2] = { -1, -1 };
	husk_netns_maker_t *netns = o->netns_maker;
	int r = -1;

	*c = HUSK_CREATED_INIT;
	for (int i = 0; i < HUSK_NS_COUNT; i++) {
		nsfd[i] = -1;
	}
	c->cfg = o->config;
	c->seccomp = o->seccomp_filter;
	if (load_bundle(o, c, &bundlefd, nsfd, err) < 0) {
		goto out;
	}
	/* A new network namespace the host's user namespace owns is made on
	 * a thread meanwhile (namespaces/netns.h). */
	if ((c->clone_flags & CLONE_NEWNET) && !(c->clone_flags & CLONE_NEWUSER) &&
	    nsfd[HUSK_NS_USER] < 0) {
		if (netns == NULL) {
			netns = husk_netns_maker_start();
		}
	} else {
		husk_safe_close(husk_netns_maker_finish(TAKE_PTR(netns)));
	}
	c->rootfd = husk_statedir_open_root(o->root, true, err);
	if (c->rootfd < 0) {
		goto out;
	}
	c->dirfd = husk_statedir_create(c->rootfd, o->id, err);
	if (c->dirfd < 0) {
		goto out;
	}
	husk_stage("statedir");
	/* From here on, a failure must undo what was made. */
	if (prepare_host_side(o, c, bundlefd, nsfd, &fifofd, pair, err) < 0 ||
	    clone_init(o, c, &netns, nsfd, &pair[1], &fifofd, err) < 0 ||
	    finish_create(o, c, nsfd[HUSK_NS_NETWORK], err) < 0) {
		husk_create_abort(c, o->id);
		goto out;
	}
	r = 0;
out:
	husk_safe_close(husk_netns_maker_finish(netns));
	husk_idmap_mounts_release();
	husk_safe_close(pair[1]);
	for (int i = 0; i < HUSK_NS_COUNT; i++) {
		husk_safe_close(nsfd[i]);
	}
	if (r < 0) {
		husk_created_release(c);
	}
	return r;
}
