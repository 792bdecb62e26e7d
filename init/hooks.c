/* husk init: OCI hooks.
 *
 * A hook is a host program husk trusts as much as itself, but it must not
 * see any of husk's descriptors: it is cloned with a pidfd, gets the state
 * JSON on stdin from a sealed memfd (a pipe would need a writer loop and
 * could raise SIGPIPE in husk when the hook does not read), writes into a
 * pipe husk collects from, and every other descriptor is closed before it
 * execs.  Its timeout is enforced by polling the pidfd; past it the hook is
 * killed through the pidfd, so a recycled pid is never signalled.
 */
#include "init/hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "init/clone.h"
#include "util/cleanup.h"
#include "util/fds.h"
#include "util/proc.h"
#include "util/log.h"
#include "util/open.h"
#include "util/xalloc.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* How much of a hook's output is kept to quote in an error. */
#define HOOK_OUTPUT_MAX 1024

/* The largest config.json kept in a state dir (spec/config.c refuses more). */
#define KEPT_CONFIG_MAX (4U << 20)

extern char **environ;

static const char *const kind_names[HUSK_HOOK_KINDS] = {
	[HUSK_HOOK_PRESTART] = "prestart",
	[HUSK_HOOK_CREATE_RUNTIME] = "createRuntime",
	[HUSK_HOOK_CREATE_CONTAINER] = "createContainer",
	[HUSK_HOOK_START_CONTAINER] = "startContainer",
	[HUSK_HOOK_POSTSTART] = "poststart",
	[HUSK_HOOK_POSTSTOP] = "poststop",
};

/* "createRuntime" for HUSK_HOOK_CREATE_RUNTIME. */
static const char *hook_kind_name(enum husk_hook_kind kind)
{
	return kind < HUSK_HOOK_KINDS ? kind_names[kind] : "unknown";
}

static const husk_hook_list_t *list_of(const husk_config_t *cfg, enum husk_hook_kind kind)
{
	const husk_hooks_t *h = cfg != NULL ? cfg->hooks : NULL;

	if (h == NULL) {
		return NULL;
	}
	switch (kind) {
	case HUSK_HOOK_PRESTART:
		return &h->prestart;
	case HUSK_HOOK_CREATE_RUNTIME:
		return &h->create_runtime;
	case HUSK_HOOK_CREATE_CONTAINER:
		return &h->create_container;
	case HUSK_HOOK_START_CONTAINER:
		return &h->start_container;
	case HUSK_HOOK_POSTSTART:
		return &h->poststart;
	case HUSK_HOOK_POSTSTOP:
		return &h->poststop;
	default:
		return NULL;
	}
}

bool husk_hooks_has(const husk_config_t *cfg, enum husk_hook_kind kind)
{
	const husk_hook_list_t *l = list_of(cfg, kind);

	return l != NULL && l->n > 0;
}

bool husk_hooks_need_pre_pivot(const husk_config_t *cfg)
{
	return husk_hooks_has(cfg, HUSK_HOOK_PRESTART) ||
	       husk_hooks_has(cfg, HUSK_HOOK_CREATE_RUNTIME) ||
	       husk_hooks_has(cfg, HUSK_HOOK_CREATE_CONTAINER) ||
	       husk_hooks_has(cfg, HUSK_HOOK_START_CONTAINER);
}

void husk_hooks_state(husk_state_t *st, const husk_config_t *cfg, const char *id,
		      const char *bundle, const char *status, pid_t pid, char **rootfs)
{
	const char *root = cfg->root != NULL ? cfg->root->path : NULL;

	if (root == NULL || root[0] == '/') {
		*rootfs = root != NULL ? xstrdup(root) : NULL;
	} else {
		*rootfs = xasprintf("%s/%s", bundle, root);
	}
	*st = (husk_state_t){
		.id = (char *) id,
		.status = (char *) status,
		.pid = pid,
		.bundle = (char *) bundle,
		.rootfs = *rootfs,
		.annotations = cfg->annotations,
	};
}

/* The state JSON in a sealed memfd, positioned at its start. */
static int state_memfd(const husk_state_t *st, husk_error_t *err)
{
	_cleanup_free_ char *json = husk_state_to_json(st);
	_cleanup_close_ int fd = memfd_create("husk-hook-state", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	size_t len = strlen(json);
	size_t off = 0;

	if (fd < 0) {
		return husk_error_errno(err, "memfd_create for the hook's state");
	}
	while (off < len) {
		ssize_t w = write(fd, json + off, len - off);

		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			return husk_error_errno(err, "write the hook's state");
		}
		off += (size_t) w;
	}
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0 ||
	    lseek(fd, 0, SEEK_SET) < 0) {
		return husk_error_errno(err, "seal the hook's state");
	}
	return TAKE_FD(fd);
}

/* The hook's side of the clone: stdio in place, nothing else open, default
 * signals, then exec.  Only system calls here: this is a copy of husk that
 * glibc does not know about. */
static void __attribute__((noreturn))
exec_hook(const husk_hook_t *h, int infd, int outfd, pid_t parent)
{
	char *argv0[] = { h->path, NULL };
	sigset_t none;
	int in = fcntl(infd, F_DUPFD, 3);
	int out = fcntl(outfd, F_DUPFD, 3);

	if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0) {
		_exit(126);
	}
	/* A hook never outlives the husk that waits for it: a create killed
	 * mid-way must leave no process behind. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent) {
		_exit(126);
	}
	/* close_range, or close(2) where a container's seccomp filter
	 * (startContainer hooks run under it) refuses that. */
	husk_fds_close_from(3, false);
	for (int s = 1; s < NSIG; s++) {
		signal(s, SIG_DFL);
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* As runc does: args[0] is argv0, no args runs the path alone, and no
	 * env passes the runtime's own environment. */
	execve(h->path, h->args != NULL && h->args[0] != NULL ? h->args : argv0,
	       h->env != NULL ? h->env : environ);
	{
		const char *e = strerrorname_np(errno);

		(void) !write(2, "cannot exec: ", 13);
		(void) !write(2, e != NULL ? e : "?", e != NULL ? strlen(e) : 1);
	}
	_exit(127);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct hook_run {
	int pidfd;
	pid_t pid;
	int outfd; /* read end of the output pipe, non-blocking; -1 once at EOF */
	char out[HOOK_OUTPUT_MAX + 1];
	size_t outlen;
	bool timed_out;
	siginfo_t si;
};

static void collect(struct hook_run *r)
{
	char buf[4096];

	for (;;) {
		ssize_t n = read(r->outfd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n == 0) {
			r->outfd = husk_safe_close(r->outfd);
		}
		if (n <= 0) {
			return;
		}
		if (r->outlen < HOOK_OUTPUT_MAX) {
			size_t keep = (size_t) n < HOOK_OUTPUT_MAX - r->outlen
					      ? (size_t) n
					      : HOOK_OUTPUT_MAX - r->outlen;

			memcpy(r->out + r->outlen, buf, keep);
			r->outlen += keep;
		}
	}
}

/* Collect output until the hook exits or its deadline passes (then kill
 * it), and reap it. */
static int wait_hook(struct hook_run *r, const husk_hook_t *h, husk_error_t *err)
{
	int64_t deadline = h->has_timeout ? now_ms() + h->timeout * 1000 : -1;

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = r->pidfd, .events = POLLIN },
			{ .fd = r->outfd, .events = POLLIN },
		};
		int64_t left = deadline < 0 ? -1 : deadline - now_ms();
		int n;

		if (deadline >= 0 && left <= 0) {
			husk_pidfd_kill(r->pidfd, r->pid, SIGKILL);
			r->timed_out = true;
			break;
		}
		n = poll(p, 2, left < 0 ? -1 : (int) (left > 60000 ? 60000 : left));
		if (n < 0 && errno != EINTR) {
			husk_pidfd_kill(r->pidfd, r->pid, SIGKILL);
			husk_error_errno(err, "wait for the hook");
			break;
		}
		if (n > 0 && (p[1].revents & (POLLIN | POLLHUP))) {
			collect(r);
		}
		if (n > 0 && (p[0].revents & POLLIN)) {
			break;
		}
	}
	while (waitid((idtype_t) P_PIDFD, (id_t) r->pidfd, &r->si, WEXITED) < 0) {
		if (errno != EINTR) {
			return husk_error_errno(err, "reap the hook");
		}
	}
	/* What it wrote before it exited, without waiting on a descendant
	 * that still holds the pipe. */
	if (r->outfd >= 0) {
		collect(r);
	}
	return *err != NULL ? -1 : 0;
}

/* The hook's output, on one line, to quote in an error. */
static const char *output_of(struct hook_run *r)
{
	while (r->outlen > 0 && (r->out[r->outlen - 1] == '\n' || r->out[r->outlen - 1] == ' ')) {
		r->outlen--;
	}
	r->out[r->outlen] = '\0';
	for (char *c = r->out; *c != '\0'; c++) {
		if (*c == '\n' || *c == '\t') {
			*c = ' ';
		}
	}
	return r->out;
}

static int hook_failed(struct hook_run *r, const husk_hook_t *h, husk_error_t *err)
{
	const char *out = output_of(r);
	const char *sep = out[0] != '\0' ? ": " : "";

	if (r->timed_out) {
		return husk_error_make(err, ETIMEDOUT, "killed after its timeout of %lld s%s%s",
				       (long long) h->timeout, sep, out);
	}
	if (r->si.si_code == CLD_EXITED) {
		return husk_error_make(err, 0, "exited with status %d%s%s", r->si.si_status, sep,
				       out);
	}
	return husk_error_make(err, 0, "killed by signal %d%s%s", r->si.si_status, sep, out);
}

static int run_one(const husk_hook_t *h, const husk_state_t *st, husk_error_t *err)
{
	_cleanup_close_ int infd = state_memfd(st, err);
	_cleanup_close_ int pidfd = -1;
	int pipefd[2] = { -1, -1 };
	struct hook_run r = { .pidfd = -1, .outfd = -1 };
	pid_t pid;
	int ret;

	if (infd < 0) {
		return -1;
	}
	pid_t parent;

	/* Only husk's end is non-blocking: the hook's stdout stays ordinary. */
	if (pipe2(pipefd, O_CLOEXEC) < 0 || fcntl(pipefd[0], F_SETFL, O_NONBLOCK) < 0) {
		husk_error_errno(err, "pipe for the hook's output");
		husk_safe_close(pipefd[0]);
		husk_safe_close(pipefd[1]);
		return -1;
	}
	parent = getpid();
	pid = husk_clone3(0, -1, &pidfd, err);
	if (pid == 0) {
		exec_hook(h, infd, pipefd[1], parent);
	}
	husk_safe_close(pipefd[1]);
	if (pid < 0) {
		husk_safe_close(pipefd[0]);
		return -1;
	}
	r.pidfd = pidfd;
	r.pid = pid;
	r.outfd = pipefd[0];
	ret = wait_hook(&r, h, err);
	husk_safe_close(r.outfd);
	if (ret < 0) {
		return -1;
	}
	if (r.timed_out || r.si.si_code != CLD_EXITED || r.si.si_status != 0) {
		return hook_failed(&r, h, err);
	}
	if (r.outlen > 0) {
		husk_debug("hook `%s` said: %s", h->path, output_of(&r));
	}
	return 0;
}

int husk_hooks_run(const husk_config_t *cfg, enum husk_hook_kind kind, const husk_state_t *st,
		   husk_error_t *err)
{
	const husk_hook_list_t *l = list_of(cfg, kind);

	for (size_t i = 0; l != NULL && i < l->n; i++) {
		if (run_one(&l->v[i], st, err) < 0) {
			return husk_error_wrap(err, "%s hook %zu `%s`", hook_kind_name(kind), i,
					       l->v[i].path);
		}
	}
	return 0;
}

void husk_hooks_run_warn(const husk_config_t *cfg, enum husk_hook_kind kind, const husk_state_t *st)
{
	const husk_hook_list_t *l = list_of(cfg, kind);

	for (size_t i = 0; l != NULL && i < l->n; i++) {
		_cleanup_error_ husk_error_t e = NULL;

		if (run_one(&l->v[i], st, &e) < 0) {
			husk_warn("%s hook %zu `%s`: %s", hook_kind_name(kind), i, l->v[i].path,
				  e->msg);
		}
	}
}

static int copy_fd(int from, int to, husk_error_t *err)
{
	char buf[8192];
	size_t total = 0;

	for (;;) {
		ssize_t n = read(from, buf, sizeof(buf));

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			return husk_error_errno(err, "read `config.json`");
		}
		if (n == 0) {
			return 0;
		}
		total += (size_t) n;
		if (total > KEPT_CONFIG_MAX) {
			return husk_error_make(err, EFBIG, "`config.json` is too large to keep");
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(to, buf + off, (size_t) (n - off));

			if (w < 0 && errno == EINTR) {
				continue;
			}
			if (w <= 0) {
				return husk_error_errno(err, "keep `config.json` in the state dir");
			}
			off += w;
		}
	}
}

int husk_hooks_keep_config(const husk_config_t *cfg, int bundlefd, int dirfd, husk_error_t *err)
{
	_cleanup_close_ int from = -1;
	_cleanup_close_ int to = -1;
	struct stat sb;

	if (!husk_hooks_has(cfg, HUSK_HOOK_POSTSTART) && !husk_hooks_has(cfg, HUSK_HOOK_POSTSTOP)) {
		return 0;
	}
	from = openat(bundlefd, "config.json", HUSK_O_RDONLY | O_NONBLOCK);
	if (from < 0 || fstat(from, &sb) < 0) {
		return husk_error_errno(err, "open `config.json` to keep its hooks");
	}
	if (!S_ISREG(sb.st_mode)) {
		return husk_error_make(err, 0, "config.json: not a regular file");
	}
	to = openat(dirfd, "config.json", HUSK_O_CREAT_EXCL, 0600);
	if (to < 0) {
		return husk_error_errno(err, "keep `config.json` in the state dir");
	}
	return copy_fd(from, to, err);
}

husk_config_t *husk_hooks_kept_config(int dirfd, husk_error_t *err)
{
	struct stat sb;

	if (fstatat(dirfd, "config.json", &sb, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT) {
			husk_error_errno(err, "stat the kept `config.json`");
		}
		return NULL;
	}
	return husk_config_load_at(dirfd, err);
}
