/* husk runtime: exec, another process in a running container.
 *
 * The same path as the init's last steps: the process is cloned (into the
 * container's cgroup on v2, moved into the v1 ones before it goes on), joins
 * the init's namespaces (the user namespace first, as the spec orders it; pid
 * and time ones through husk itself, since they decide where a process is
 * born; rootless, husk may not join them, so the child does after the user
 * namespace and forks once more, CLONE_PARENT, into them), and then takes the process's rlimits,
 * user, capabilities, no_new_privs, cwd and seccomp filter exactly as the init does, through
 * init/process.c.  It stays non-dumpable until exec, so nothing in the
 * container can open its /proc/<pid>/exe or its memory before it is the
 * container's program.
 */
#include "runtime/husk.h"
#include "util/sendfd.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroups/cgroup.h"
#include "rootfs/rootfs.h"
#include "namespaces/enter.h"
#include "namespaces/usermap.h"
#include "init/clone.h"
#include "runtime/create.h"
#include "init/lsm.h"
#include "init/process.h"
#include "state/record.h"
#include "state/statedir.h"
#include "init/sync.h"
#include "init/tty.h"
#include "runtime/wait.h"
#include "seccomp/seccomp.h"
#include "util/cleanup.h"
#include "util/fds.h"
#include "util/file.h"
#include "util/log.h"
#include "util/open.h"
#include "util/proc.h"
#include "util/procfs.h"
#include "util/xalloc.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct {
	const char *name;
	int flag;
} ns_order[] = {
	/* user first: it owns the others, and joining it gives the caps to
	 * join them; pid and time are entered by husk for its child. */
	{ "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS },    { "net", CLONE_NEWNET },
	{ "ipc", CLONE_NEWIPC },   { "uts", CLONE_NEWUTS },   { "cgroup", CLONE_NEWCGROUP },
	{ "pid", CLONE_NEWPID },   { "time", CLONE_NEWTIME },
};
#define N_NS    (sizeof(ns_order) / sizeof(ns_order[0]))
#define NS_PID  6
#define NS_TIME 7

/* The init's namespaces that are not ours (joining one's own user
 * namespace is an error, and the others would be no-ops). */
static int open_namespaces(int procfd, pid_t init, int fds[N_NS], husk_error_t *err)
{
	pid_t self = husk_procfs_self_pid(procfd, err);

	if (self < 0) {
		return -1;
	}
	for (size_t i = 0; i < N_NS; i++) {
		char theirs[64], ours[64];
		struct stat a, b;

		snprintf(theirs, sizeof(theirs), "%d/ns/%s", init, ns_order[i].name);
		snprintf(ours, sizeof(ours), "%d/ns/%s", self, ns_order[i].name);
		if (fstatat(procfd, theirs, &a, 0) < 0) {
			if (errno == ENOENT) {
				continue; /* a kernel without that namespace type */
			}
			return husk_error_errno(err, "exec: the container's %s namespace",
						ns_order[i].name);
		}
		if (fstatat(procfd, ours, &b, 0) == 0 && a.st_ino == b.st_ino &&
		    a.st_dev == b.st_dev) {
			continue;
		}
		fds[i] = openat(procfd, theirs, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0 || ioctl(fds[i], NS_GET_NSTYPE) != ns_order[i].flag) {
			return husk_error_errno(err, "exec: open the container's %s namespace",
						ns_order[i].name);
		}
	}
	return 0;
}

/* The process's terminal: a pty of the container's own devpts, reached
 * from the root of the mount namespace just joined (setns puts our root
 * there).  The process gets its peer as controlling terminal and stdio;
 * husk gets the master. */
static int setup_console(const husk_process_t *p, int sock, husk_error_t *err)
{
	_cleanup_close_ int rootfd = open("/", HUSK_O_PATH_DIR);
	_cleanup_close_ int master = -1;

	if (rootfd < 0) {
		return husk_error_errno(err, "exec: open the container's root");
	}
	/* A session of its own, so the pty can become its controlling
	 * terminal. */
	if (setsid() < 0) {
		return husk_error_errno(err, "exec: setsid");
	}
	master = husk_rootfs_open_ptmx(rootfd, err);
	if (master < 0 || husk_tty_setup_stdio(master, p->console_size, err) < 0) {
		return husk_error_wrap(err, "exec: the console");
	}
	return husk_sync_send(sock, HUSK_SYNC_FD, NULL, 0, master, err);
}

static bool seccomp_before_caps(const husk_seccomp_filter_t *f, const husk_process_t *p)
{
	return f != NULL && husk_seccomp_stage(f, p->no_new_privileges) == HUSK_SECCOMP_BEFORE_CAPS;
}

/* The exec is done by two processes.  The joiner, cloned by husk, enters
 * the container's cgroups and namespaces; then it makes the process itself
 * with a vfork-style clone (it shares the joiner's memory, and the joiner
 * waits until it has exec'd or exited) and CLONE_PARENT, so the process is
 * husk's child.  The process sets itself up as the init does and execs with
 * no descriptor of husk's open, its status socket included
 * (CVE-2024-21626); the joiner, which kept the socket, then tells husk the
 * process's pid and whether the exec happened, and exits.
 *
 * Being born last, the process is also the one that enters a pid and time
 * namespace for a rootless husk: that takes CAP_SYS_ADMIN over their owner,
 * which the joiner has inside the container's user namespace and husk has
 * not; a husk that is root enters them for its children before the joiner
 * is cloned (init/clone.h). */

/* The vfork-style child's stack: its setup (the path layer, errors) runs
 * there, not on the joiner's. */
#define PROCESS_STACK (1u << 20)

/* What the joiner hands the process, and what comes back: the two share
 * memory until the process execs. */
struct process_args {
	const husk_process_t *p;
	const husk_seccomp_filter_t *seccomp;
	const husk_config_t *cfg; /* the container's: its Landlock policy (init/landlock.h) */
	int sock; /* the process sends the console's master over it, and nothing else */
	int preserve_fds;
	bool setgroups_denied;
	/* husk's verified procfs handle, and the LSM attributes written there */
	int procfd;
	const husk_lsm_plan_t *lsm;
	husk_error_t err; /* set when the process failed instead of exec'ing */
};

/* The process: from here until execve it is husk's code, running as the
 * container's process will. */
static int process_main(void *data)
{
	struct process_args *a = data;
	const husk_process_t *p = a->p;
	bool early = seccomp_before_caps(a->seccomp, p);
	const int keep[] = { a->sock, husk_log_fd() };
	_cleanup_free_ char *path = NULL;

	/* Until it has exec'd it dies with husk (the kernel clears this at
	 * the change of user below; it is not inherited either). */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
		husk_error_errno(&a->err, "exec: prctl(PR_SET_PDEATHSIG)");
		_exit(127);
	}
	if (p->terminal && setup_console(p, a->sock, &a->err) < 0) {
		_exit(127);
	}
	/* Its own session and process group without a terminal too, as the
	 * init (init/init.c) and runc's exec have. */
	if (!p->terminal && setsid() < 0) {
		husk_error_errno(&a->err, "exec: setsid");
		_exit(127);
	}
	/* The init's privilege order (init/process.h), but for the
	 * personality, which is the container's, not the process's.
	 * Everything but the socket and the log is closed before a filter of
	 * the container's can refuse close_range (util/fds.h). */
	path = husk_process_prepare(
		&(husk_process_prep_t){ .p = p,
					.setgroups_denied = a->setgroups_denied,
					.preserve_fds = a->preserve_fds,
					.keep = keep,
					.n_keep = sizeof(keep) / sizeof(keep[0]),
					.procfd = -1,
					.lsm = a->lsm,
					.lsm_procfd = a->procfd,
					.early_seccomp = early ? a->seccomp : NULL,
					.notify_sock = -1,
					.landlock = a->cfg },
		&a->err);
	if (path == NULL) {
		_exit(127);
	}
	for (int fd = 3; fd < 3 + a->preserve_fds; fd++) {
		fcntl(fd, F_SETFD, 0);
	}
	/* From here on the process outlives husk (-d). */
	if (prctl(PR_SET_PDEATHSIG, 0) < 0) {
		husk_error_errno(&a->err, "exec: prctl(PR_SET_PDEATHSIG)");
		_exit(127);
	}
	husk_process_exec(p, path, a->preserve_fds, early ? NULL : a->seccomp, early, &a->err);
	_exit(127);
}

/* Make the process and wait until it has exec'd or failed.  Returns a
 * pidfd of it (a child of husk's), or -1 when it could not be made: its pid
 * here would be the container's pid namespace's number, not husk's. */
static int clone_process(struct process_args *a, husk_error_t *err)
{
	void *stack = mmap(NULL, PROCESS_STACK, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	int pidfd = -1;

	if (stack == MAP_FAILED) {
		return husk_error_errno(err, "exec: a stack for the process");
	}
	if (clone(process_main, (char *) stack + PROCESS_STACK,
		  CLONE_VM | CLONE_VFORK | CLONE_PARENT | CLONE_PIDFD | SIGCHLD, a, &pidfd) < 0) {
		husk_error_errno(err, "exec: clone the process");
		pidfd = -1;
	}
	munmap(stack, PROCESS_STACK);
	return pidfd;
}

/* The joiner: into the container, then the process.  Failures go to husk. */
static void __attribute__((noreturn))
joiner(const husk_process_t *p, const husk_cgroup_t *cg, int sock, int fds[N_NS],
       const husk_seccomp_filter_t *seccomp, int preserve_fds, bool enter_pidns,
       bool setgroups_denied, const husk_lsm_plan_t *lsm, int procfd, const husk_config_t *cfg)
{
	_cleanup_error_ husk_error_t err = NULL;
	struct process_args a = { .p = p,
				  .seccomp = seccomp,
				  .cfg = cfg,
				  .sock = sock,
				  .procfd = procfd,
				  .lsm = lsm,
				  .preserve_fds = preserve_fds,
				  .setgroups_denied = setgroups_denied };
	sigset_t none;
	int pidfd;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Non-dumpable before any namespace of the container is joined: until
	 * exec, nothing in there may open our /proc/<pid>/exe (husk) or our
	 * memory.  The process shares this memory, and so the flag, until its
	 * exec. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
		husk_error_errno(&err, "exec: prctl");
		goto fail;
	}
	/* Into every cgroup of the container, by ourselves while still in
	 * husk's user namespace: far cheaper on v1 than a move by pid
	 * (cgroups/cgroup.h). */
	if (cg != NULL && husk_cgroup_enter_self(cg, &err) < 0) {
		goto fail;
	}
	for (size_t i = 0; i < N_NS; i++) {
		if (fds[i] >= 0 && i != NS_PID && i != NS_TIME &&
		    setns(fds[i], ns_order[i].flag) < 0) {
			husk_error_errno(&err, "exec: join the container's %s namespace",
					 ns_order[i].name);
			goto fail;
		}
	}
	/* No way back is needed: this process only makes the next. */
	if (enter_pidns && husk_ns_enter_for_children(fds[NS_PID], fds[NS_TIME], NULL, &err) < 0) {
		husk_error_wrap(&err, "exec");
		goto fail;
	}
	pidfd = clone_process(&a, &err);
	if (pidfd < 0) {
		goto fail;
	}
	if (husk_sync_send(sock, HUSK_SYNC_PID, NULL, 0, pidfd, &err) < 0) {
		_exit(127);
	}
	if (a.err != NULL) {
		husk_sync_send_error(sock, a.err);
		_exit(127);
	}
	husk_sync_send(sock, HUSK_SYNC_READY, NULL, 0, -1, &err);
	_exit(0);
fail:
	husk_sync_send_error(sock, err);
	_exit(127);
}

/* --cap: into the bounding, effective and permitted sets.  Ambient only
 * where the inheritable set has it already: --cap adds nothing
 * inheritable, and the kernel refuses an ambient cap that is not. */
static void add_caps(husk_process_t *p, char *const *caps)
{
	husk_caps_t *c;

	if (caps == NULL || caps[0] == NULL) {
		return;
	}
	if (p->capabilities == NULL) {
		p->capabilities = xmalloc0(sizeof(*p->capabilities));
	}
	c = p->capabilities;
	for (size_t i = 0; caps[i] != NULL; i++) {
		uint64_t bit = UINT64_C(1) << husk_cap_from_name(caps[i]);

		c->bounding |= bit;
		c->effective |= bit;
		c->permitted |= bit;
		c->has_bounding = c->has_effective = c->has_permitted = true;
		if (c->has_inheritable && (c->inheritable & bit) != 0) {
			c->ambient |= bit;
			c->has_ambient = true;
		}
	}
}

static void replace_str(char **s, const char *with)
{
	if (with != NULL) {
		free(*s);
		*s = xstrdup(with);
	}
}

/* The flags, on top of -p's process or the container's own. */
static void apply_flags(const husk_exec_opts_t *o, husk_process_t *p)
{
	for (size_t i = 0; o->env != NULL && o->env[i] != NULL; i++) {
		husk_strv_push(&p->env, xstrdup(o->env[i]));
	}
	replace_str(&p->cwd, o->cwd);
	if (p->user == NULL && (o->has_user || o->ngids > 0)) {
		p->user = xmalloc0(sizeof(*p->user));
	}
	if (o->has_user) {
		p->user->uid = o->uid;
		p->user->gid = o->gid;
	}
	if (o->ngids > 0) {
		husk_u32s_t *g = &p->user->additional_gids;

		g->v = xreallocarray(g->v, g->n + o->ngids, sizeof(*g->v));
		memcpy(g->v + g->n, o->gids, o->ngids * sizeof(*g->v));
		g->n += o->ngids;
	}
	add_caps(p, o->caps);
	replace_str(&p->apparmor_profile, o->apparmor);
	replace_str(&p->selinux_label, o->process_label);
	p->no_new_privileges |= o->no_new_privs;
	p->terminal |= o->tty;
}

/* The process to run: -p's, or the container's own with CMD ARGS. */
static husk_process_t *make_process(const husk_exec_opts_t *o, husk_config_t *cfg,
				    husk_error_t *err)
{
	husk_process_t *p;

	if (o->process_file != NULL) {
		_cleanup_free_ char *json = NULL;
		size_t len = 0;

		json = husk_read_file(o->process_file, 4 << 20, &len, err);
		if (json == NULL) {
			husk_error_wrap(err, "exec");
			return NULL;
		}
		p = husk_process_parse(json, len, o->process_file, err);
		if (p == NULL) {
			return NULL;
		}
	} else {
		p = TAKE_PTR(cfg->process);
		husk_strv_free(p->args);
		p->args = xcalloc(husk_strv_len(o->args) + 1, sizeof(char *));
		for (size_t i = 0; o->args[i] != NULL; i++) {
			p->args[i] = xstrdup(o->args[i]);
		}
		p->terminal = false;
	}
	apply_flags(o, p);
	return p;
}

/* runc's rules for a terminal and --console-socket, in its words. */
static int check_terminal(const husk_exec_opts_t *o, const husk_process_t *p, husk_error_t *err)
{
	if (o->detach && p->terminal && o->console_socket == NULL) {
		return husk_error_make(
			err, 0,
			"cannot allocate tty if husk will detach without setting console socket");
	}
	if ((!o->detach || !p->terminal) && o->console_socket != NULL) {
		return husk_error_make(
			err, 0,
			"cannot use console socket if husk will not detach or allocate tty");
	}
	return 0;
}

/* What one exec holds between its stages. */
struct exec_run {
	const husk_exec_opts_t *o;
	husk_state_t *st;
	int rootfd, dirfd, procfd;
	husk_config_t *cfg;
	husk_process_t *p;
	husk_seccomp_filter_t *seccomp;
	husk_cgroup_t *cg;
	int fds[N_NS];
	int sync;  /* our end of the socket pair */
	pid_t pid; /* the process, once cloned */
	int pidfd;
	int master;            /* its console's master, with a terminal */
	bool setgroups_denied; /* in the user namespace it joins */
	bool paused;           /* --ignore-paused, and it is */
	husk_lsm_plan_t lsm;   /* its AppArmor profile and SELinux label */
};

/* Everything before the clone: the container, its config and the process. */
static int prepare(struct exec_run *x, husk_error_t *err)
{
	const husk_exec_opts_t *o = x->o;
	_cleanup_close_ int bundlefd = -1, initfd = -1;
	enum husk_status status;

	x->st = husk_state_open(o->root, o->id, true, &x->rootfd, &x->dirfd, err);
	if (x->st == NULL) {
		return -1;
	}
	status = husk_state_status(x->dirfd, x->st, &initfd);
	if (status == HUSK_STATUS_STOPPED) {
		return husk_error_make(err, 0, "cannot exec in a stopped container");
	}
	if (status == HUSK_STATUS_PAUSED && !o->ignore_paused) {
		return husk_error_make(err, 0, "cannot exec in a paused container");
	}
	x->paused = status == HUSK_STATUS_PAUSED;
	bundlefd = open(x->st->bundle, HUSK_O_DIR);
	if (bundlefd < 0) {
		return husk_error_errno(err, "exec: open bundle `%s`", x->st->bundle);
	}
	x->cfg = husk_config_load_at(bundlefd, err);
	if (x->cfg == NULL) {
		return -1;
	}
	x->p = make_process(o, x->cfg, err);
	if (x->p == NULL || husk_lsm_plan(x->p, NULL, &x->lsm, err) < 0 ||
	    check_terminal(o, x->p, err) < 0) {
		return -1;
	}
	husk_process_tolerate_caps(x->p);
	if (x->cfg->linux_ != NULL && x->cfg->linux_->seccomp != NULL) {
		x->seccomp = husk_seccomp_compile(x->cfg->linux_->seccomp, x->rootfd, err);
		if (x->seccomp == NULL) {
			return -1;
		}
		if (husk_seccomp_has_listener(x->seccomp)) {
			return husk_error_make(
				err, 0,
				"exec: a seccomp listenerPath is not supported for exec yet");
		}
	}
	x->procfd = husk_procfs_open(err);
	if (x->procfd < 0 || open_namespaces(x->procfd, x->st->pid, x->fds, err) < 0) {
		return -1;
	}
	/* A user namespace that denies setgroups (a rootless one) keeps the
	 * process's groups as they are. */
	if (x->fds[0] >= 0 &&
	    husk_usermap_setgroups_denied(x->procfd, x->st->pid, &x->setgroups_denied, err) < 0) {
		return husk_error_wrap(err, "exec");
	}
	x->cg = husk_state_cgroup(x->st, err);
	if (x->cg == NULL && *err != NULL) {
		return -1;
	}
	if (o->cgroups != NULL && o->cgroups[0] != NULL) {
		if (x->cg == NULL) {
			return husk_error_make(err, 0,
					       "exec: --cgroup: the container has no cgroup");
		}
		if (husk_cgroup_use_sub(x->cg, o->cgroups, err) < 0) {
			return -1;
		}
	}
	return 0;
}

/* The joiner's report: the console's master (which the process sends), a
 * pidfd of the process, then READY once it has exec'd or the error that
 * stopped it.  The joiner is reaped; the process, ours by CLONE_PARENT, is
 * the one waited for. */
static int take_process(struct exec_run *x, husk_error_t *err)
{
	enum husk_sync_type got = HUSK_SYNC_FD;
	_cleanup_close_ int pidfd = -1;

	/* With a terminal the master comes first, unless the process failed
	 * before it had one. */
	if (x->p->terminal && husk_sync_expect_either(x->sync, HUSK_SYNC_FD, HUSK_SYNC_PID, &got,
						      NULL, NULL, &x->master, err) < 0) {
		return -1;
	}
	if (got == HUSK_SYNC_PID) {
		pidfd = TAKE_FD(x->master);
	} else if (husk_sync_expect(x->sync, HUSK_SYNC_PID, NULL, NULL, &pidfd, err) < 0) {
		return -1;
	}
	if (pidfd < 0) {
		return husk_error_make(err, EPROTO, "exec: sync: no pidfd for the process");
	}
	while (waitpid(x->pid, NULL, 0) < 0 && errno == EINTR) {
	}
	x->pidfd = husk_safe_close(x->pidfd);
	x->pid = husk_procfs_pid_of_pidfd(x->procfd, pidfd, err);
	x->pidfd = TAKE_FD(pidfd);
	if (x->pid < 0) {
		return husk_error_wrap(err, "exec");
	}
	return husk_sync_expect(x->sync, HUSK_SYNC_READY, NULL, NULL, NULL, err);
}

/* Clone the joiner, which makes the process (joiner(), above). */
static int spawn(struct exec_run *x, husk_error_t *err)
{
	int own[2] = { -1, -1 };
	int pair[2] = { -1, -1 };
	bool enter_pidns;
	int r = -1;

	if (husk_sync_pair(pair, err) < 0) {
		return -1;
	}
	x->sync = pair[0];
	/* Not root, joining the container's user namespace: only the joiner
	 * can enter its pid and time namespaces for the process. */
	enter_pidns =
		geteuid() != 0 && x->fds[0] >= 0 && (x->fds[NS_PID] >= 0 || x->fds[NS_TIME] >= 0);
	if (!enter_pidns &&
	    husk_ns_enter_for_children(x->fds[NS_PID], x->fds[NS_TIME], own, err) < 0) {
		husk_ns_leave_for_children(own);
		goto out;
	}
	x->pid = husk_clone3(0, x->cg != NULL ? husk_cgroup_clone_fd(x->cg) : -1, &x->pidfd, err);
	if (x->pid == 0) {
		husk_safe_close(pair[0]);
		joiner(x->p, x->cg, pair[1], x->fds, x->seccomp, x->o->preserve_fds, enter_pidns,
		       x->setgroups_denied, &x->lsm, x->procfd, x->cfg);
	}
	pair[1] = husk_safe_close(pair[1]);
	husk_ns_leave_for_children(own);
	if (x->pid >= 0 && take_process(x, err) == 0) {
		r = 0;
	}
out:
	husk_safe_close(pair[1]);
	return r;
}

/* The process runs: hand over its console, wait for it in the foreground. */
static int finish(struct exec_run *x, const sigset_t *set, int *exit_status, husk_error_t *err)
{
	const husk_exec_opts_t *o = x->o;
	husk_tty_saved_t saved = { .raw = false };
	int r;

	if (o->pid_file != NULL && husk_write_pid_file(o->pid_file, x->pid, err) < 0) {
		return -1;
	}
	/* runc names an exec'd process's pidfd "setns". */
	if (o->pidfd_socket != NULL &&
	    husk_sendfd("--pidfd-socket", o->pidfd_socket, x->pidfd, "setns", err) < 0) {
		return -1;
	}
	if (o->console_socket != NULL) {
		if (husk_tty_send_master(o->console_socket, x->master, err) < 0) {
			return -1;
		}
		x->master = husk_safe_close(x->master);
	}
	x->dirfd = husk_safe_close(x->dirfd); /* the state lock is not held while we wait */
	if (o->detach) {
		return 0;
	}
	if (x->master >= 0 && husk_tty_make_raw(STDIN_FILENO, &saved, err) < 0) {
		return -1;
	}
	r = husk_wait_forwarding(x->pid, x->pidfd, x->master, set, exit_status, err);
	husk_tty_restore(STDIN_FILENO, &saved);
	return r;
}

int husk_container_exec(const husk_exec_opts_t *o, int *exit_status, husk_error_t *err)
{
	struct exec_run x = { .o = o,
			      .rootfd = -1,
			      .dirfd = -1,
			      .procfd = -1,
			      .sync = -1,
			      .pid = -1,
			      .pidfd = -1,
			      .master = -1 };
	sigset_t set, old;
	int ret = -1;

	*exit_status = 0;
	for (size_t i = 0; i < N_NS; i++) {
		x.fds[i] = -1;
	}
	/* Before husk opens anything here: descriptors 3 .. 3+N-1 must be the
	 * caller's, or one of husk's (its private procfs, the state dir) would
	 * be handed to the container (create checks the same). */
	if (husk_fds_check_passed(o->preserve_fds, "--preserve-fds", err) < 0 ||
	    prepare(&x, err) < 0) {
		goto out;
	}
	/* --ignore-paused into a paused container: the process is frozen as
	 * soon as it enters the container's cgroup, until `resume`, which
	 * needs the lock: let it go now (the state is read already). */
	if (x.paused) {
		x.dirfd = husk_safe_close(x.dirfd);
	}
	/* Blocked before the clone, so no signal meant for the process is
	 * lost (or kills husk) before the wait; the child unblocks its own. */
	husk_wait_forwardable(&set);
	sigprocmask(SIG_BLOCK, &set, &old);
	if (spawn(&x, err) == 0 && finish(&x, &set, exit_status, err) == 0) {
		ret = 0;
	} else if (x.pidfd >= 0) {
		siginfo_t info;

		husk_pidfd_send(x.pidfd, SIGKILL);
		while (waitid(P_PIDFD, (id_t) x.pidfd, &info, WEXITED) < 0 && errno == EINTR) {
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
out:
	/* Husk's own message from a failed step reads "exec: ..." already;
	 * runc's words for the wrong state or terminal stay as they are. */
	if (*err != NULL && strncmp((*err)->msg, "exec", 4) != 0 &&
	    strncmp((*err)->msg, "cannot ", 7) != 0) {
		husk_error_wrap(err, "exec");
	}
	husk_safe_close(x.sync);
	husk_safe_close(x.pidfd);
	husk_safe_close(x.master);
	husk_safe_close(x.procfd);
	husk_safe_close(x.dirfd);
	husk_safe_close(x.rootfd);
	for (size_t i = 0; i < N_NS; i++) {
		husk_safe_close(x.fds[i]);
	}
	husk_cgroup_free(x.cg);
	husk_seccomp_filter_free(x.seccomp);
	husk_process_free(x.p);
	husk_config_free(x.cfg);
	husk_state_free(x.st);
	return ret;
}
