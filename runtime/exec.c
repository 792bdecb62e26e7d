/* husk runtime: exec, another process in a running container.
 *
 * The same path as the init's last steps: the process is cloned (into the
 * container's cgroup on v2, moved into the v1 ones before it goes on), joins
 * the init's namespaces (the user namespace first, as the spec orders it; pid
 * and time ones through husk itself, since they decide where a process is
 * born), and then takes the process's rlimits, user, capabilities,
 * no_new_privs, cwd and seccomp filter exactly as the init does, through
 * runtime/process.c.  It stays non-dumpable until exec, so nothing in the
 * container can open its /proc/<pid>/exe or its memory before it is the
 * container's program.
 */
#include "runtime/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroups/cgroup.h"
#include "runtime/clone.h"
#include "runtime/create.h"
#include "runtime/process.h"
#include "runtime/state.h"
#include "runtime/statedir.h"
#include "runtime/sync.h"
#include "seccomp/seccomp.h"
#include "util/cleanup.h"
#include "util/file.h"
#include "util/log.h"
#include "util/open.h"
#include "util/procfs.h"
#include "util/xalloc.h"

static const struct {
	const char *name;
	int flag;
} ns_order[] = {
	/* user first: it owns the others, and joining it gives the caps to
	 * join them; pid and time are entered by husk for its child. */
	{ "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS },
	{ "net", CLONE_NEWNET },   { "ipc", CLONE_NEWIPC },
	{ "uts", CLONE_NEWUTS },   { "cgroup", CLONE_NEWCGROUP },
	{ "pid", CLONE_NEWPID },   { "time", 0x00000080 /* CLONE_NEWTIME */ },
};
#define N_NS (sizeof(ns_order) / sizeof(ns_order[0]))

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

/* The child: join, become the process, exec.  Failures go to the parent. */
static void __attribute__((noreturn)) child(const husk_process_t *p, int sock, int fds[N_NS],
					    const husk_seccomp_filter_t *seccomp, int preserve_fds)
{
	_cleanup_error_ husk_error_t err = NULL;
	_cleanup_free_ char *path = NULL;
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
		husk_error_errno(&err, "exec: prctl");
		goto fail;
	}
	/* Wait until the parent has put us in every cgroup of the container. */
	if (husk_sync_expect(sock, HUSK_SYNC_READY, NULL, NULL, NULL, &err) < 0) {
		goto fail;
	}
	for (size_t i = 0; i < N_NS; i++) {
		if (fds[i] >= 0 && ns_order[i].flag != CLONE_NEWPID && ns_order[i].flag != 0x80 &&
		    setns(fds[i], ns_order[i].flag) < 0) {
			husk_error_errno(&err, "exec: join the container's %s namespace",
					 ns_order[i].name);
			goto fail;
		}
	}
	if (husk_process_set_rlimits(p, &err) < 0) {
		goto fail;
	}
	umask(p->user != NULL && p->user->has_umask ? (mode_t) p->user->umask : 0022);
	if (seccomp != NULL &&
	    husk_seccomp_stage(seccomp, p->no_new_privileges) == HUSK_SECCOMP_BEFORE_CAPS &&
	    husk_seccomp_load(seccomp, NULL, &err) < 0) {
		goto fail;
	}
	if (husk_process_set_user_and_caps(p, false, &err) < 0 || husk_process_chdir(p, &err) < 0) {
		goto fail;
	}
	path = husk_process_find_exec(p, &err);
	if (path == NULL) {
		goto fail;
	}
	for (int fd = 3; fd < 3 + preserve_fds; fd++) {
		fcntl(fd, F_SETFD, 0);
	}
	if (husk_sync_send(sock, HUSK_SYNC_READY, NULL, 0, -1, &err) < 0) {
		_exit(127);
	}
	husk_process_exec(p, path, preserve_fds,
			  seccomp != NULL && husk_seccomp_stage(seccomp, p->no_new_privileges) ==
						     HUSK_SECCOMP_BEFORE_CAPS
				  ? NULL
				  : seccomp,
			  &err);
fail:
	husk_sync_send_error(sock, err);
	_exit(127);
}

/* The process to run: -p's, or the container's own with the flags on top. */
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
		return husk_process_parse(json, len, o->process_file, err);
	}
	p = TAKE_PTR(cfg->process);
	husk_strv_free(p->args);
	p->args = xcalloc(husk_strv_len(o->args) + 1, sizeof(char *));
	for (size_t i = 0; o->args[i] != NULL; i++) {
		p->args[i] = xstrdup(o->args[i]);
	}
	for (size_t i = 0; o->env != NULL && o->env[i] != NULL; i++) {
		size_t n = husk_strv_len(p->env);

		p->env = xreallocarray(p->env, n + 2, sizeof(char *));
		p->env[n] = xstrdup(o->env[i]);
		p->env[n + 1] = NULL;
	}
	if (o->cwd != NULL) {
		free(p->cwd);
		p->cwd = xstrdup(o->cwd);
	}
	if (o->has_user) {
		if (p->user == NULL) {
			p->user = xmalloc0(sizeof(*p->user));
		}
		p->user->uid = o->uid;
		p->user->gid = o->gid;
	}
	p->no_new_privileges |= o->no_new_privs;
	p->terminal = false;
	return p;
}

int husk_container_exec(const husk_exec_opts_t *o, int *exit_status, husk_error_t *err)
{
	_cleanup_close_ int rootfd = -1, dirfd = -1, bundlefd = -1, procfd = -1, pidfd = -1;
	_cleanup_close_ int initfd = -1, own_pid = -1, own_time = -1;
	_cleanup_state_ husk_state_t *st = NULL;
	_cleanup_config_ husk_config_t *cfg = NULL;
	husk_process_t *p = NULL;
	husk_seccomp_filter_t *seccomp = NULL;
	husk_cgroup_t *cg = NULL;
	int fds[N_NS], pair[2] = { -1, -1 }, ret = -1;
	enum husk_status status;
	sigset_t set, old;
	pid_t pid = -1;

	*exit_status = 0;
	for (size_t i = 0; i < N_NS; i++) {
		fds[i] = -1;
	}
	st = husk_state_open(o->root, o->id, true, &rootfd, &dirfd, err);
	if (st == NULL) {
		return -1;
	}
	status = husk_state_status(dirfd, st, &initfd);
	if (status == HUSK_STATUS_STOPPED) {
		return husk_error_make(err, 0, "cannot exec in a stopped container");
	}
	if (status == HUSK_STATUS_PAUSED && !o->ignore_paused) {
		return husk_error_make(err, 0, "cannot exec in a paused container");
	}
	if (o->tty) {
		return husk_error_make(err, 0, "exec: -t is not supported by husk yet");
	}
	bundlefd = open(st->bundle, HUSK_O_DIR);
	if (bundlefd < 0) {
		return husk_error_errno(err, "exec: open bundle `%s`", st->bundle);
	}
	cfg = husk_config_load_at(bundlefd, err);
	if (cfg == NULL) {
		return -1;
	}
	p = make_process(o, cfg, err);
	if (p == NULL) {
		return -1;
	}
	if (cfg->linux_ != NULL && cfg->linux_->seccomp != NULL) {
		seccomp = husk_seccomp_compile(cfg->linux_->seccomp, rootfd, err);
		if (seccomp == NULL) {
			goto out;
		}
		if (husk_seccomp_has_listener(seccomp)) {
			husk_error_make(
				err, 0,
				"exec: a seccomp listenerPath is not supported for exec yet");
			goto out;
		}
	}
	procfd = husk_procfs_open(err);
	if (procfd < 0 || open_namespaces(procfd, st->pid, fds, err) < 0) {
		goto out;
	}
	cg = husk_state_cgroup(st, err);
	if (cg == NULL && *err != NULL) {
		goto out;
	}
	if (husk_sync_pair(pair, err) < 0) {
		goto out;
	}
	/* pid and time namespaces: entered by husk for the child, left after. */
	if (fds[6] >= 0) {
		own_pid = open("/proc/thread-self/ns/pid", O_RDONLY | O_CLOEXEC);
		if (own_pid < 0 || setns(fds[6], CLONE_NEWPID) < 0) {
			husk_error_errno(err, "exec: enter the container's pid namespace");
			goto out;
		}
	}
	if (fds[7] >= 0) {
		own_time = open("/proc/thread-self/ns/time", O_RDONLY | O_CLOEXEC);
		if (own_time < 0 || setns(fds[7], 0x00000080) < 0) {
			husk_error_errno(err, "exec: enter the container's time namespace");
			goto out;
		}
	}
	sigfillset(&set);
	sigdelset(&set, SIGSEGV);
	sigdelset(&set, SIGBUS);
	sigdelset(&set, SIGFPE);
	sigdelset(&set, SIGILL);
	sigprocmask(SIG_BLOCK, &set, &old);
	pid = husk_clone3(0, cg != NULL ? husk_cgroup_clone_fd(cg) : -1, &pidfd, err);
	if (pid == 0) {
		husk_safe_close(pair[0]);
		child(p, pair[1], fds, seccomp, o->preserve_fds);
	}
	if (own_pid >= 0) {
		setns(own_pid, CLONE_NEWPID);
	}
	if (own_time >= 0) {
		setns(own_time, 0x00000080);
	}
	pair[1] = husk_safe_close(pair[1]);
	if (pid < 0) {
		goto unblock;
	}
	if ((cg != NULL && husk_cgroup_enter(cg, pid, err) < 0) ||
	    husk_sync_send(pair[0], HUSK_SYNC_READY, NULL, 0, -1, err) < 0 ||
	    husk_sync_expect(pair[0], HUSK_SYNC_READY, NULL, NULL, NULL, err) < 0) {
		goto kill;
	}
	/* After READY only the exec is left: the socket closes when it
	 * succeeds, or carries the error when it does not. */
	if (husk_sync_expect(pair[0], HUSK_SYNC_READY, NULL, NULL, NULL, err) < 0 &&
	    husk_error_errno_of(*err) != 0) {
		goto kill;
	}
	husk_error_free(err);
	if (o->pid_file != NULL && husk_write_pid_file(o->pid_file, pid, err) < 0) {
		goto kill;
	}
	dirfd = husk_safe_close(dirfd); /* the state lock is not held while we wait */
	if (o->detach) {
		ret = 0;
		goto unblock;
	}
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&set, &si), wstatus;

		if (sig < 0) {
			continue;
		}
		if (sig != SIGCHLD) {
			syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
			continue;
		}
		if (waitpid(pid, &wstatus, WNOHANG) == pid) {
			*exit_status = WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus)
							    : WEXITSTATUS(wstatus);
			ret = 0;
			goto unblock;
		}
	}
kill:
	syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	waitpid(pid, NULL, 0);
unblock:
	sigprocmask(SIG_SETMASK, &old, NULL);
out:
	/* Husk's own message from a failed step reads "exec: ..." already. */
	if (*err != NULL && strncmp((*err)->msg, "exec", 4) != 0) {
		husk_error_wrap(err, "exec");
	}
	husk_safe_close(pair[0]);
	husk_safe_close(pair[1]);
	for (size_t i = 0; i < N_NS; i++) {
		husk_safe_close(fds[i]);
	}
	husk_cgroup_free(cg);
	husk_seccomp_filter_free(seccomp);
	husk_process_free(p);
	return ret;
}
