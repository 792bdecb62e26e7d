/* husk criu: running CRIU (see criu.h for why its command line). */
#include "criu/criu.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/husk.h"
#include "seccomp/features.h"
#include "spec/features.h"
#include "util/cleanup.h"
#include "util/file.h"
#include "util/landlock.h"
#include "util/open.h"
#include "util/support.h"
#include "util/xalloc.h"

/* In the child: report ERRNO_ and MSG on FD and exit. */
static _Noreturn void child_fail(int fd, int errno_, const char *msg)
{
	char buf[1024];
	int n = snprintf(buf, sizeof(buf), "%d:%s", errno_, msg);

	if (n > 0 && write(fd, buf, (size_t) n < sizeof(buf) ? (size_t) n : sizeof(buf) - 1) < 0) {
		/* Nothing left to tell it with; the exit status says enough. */
	}
	_exit(127);
}

/* The child between fork and exec: stdout to OUT when >= 0, the fds to
 * keep without close-on-exec, PREPARE, then exec. */
static _Noreturn void child_exec(const char *path, char *const argv[], husk_criu_prepare_fn prepare,
				 void *arg, const int *keep, size_t nkeep, int out, int report)
{
	sigset_t none;

	/* `restore` in the foreground blocks the signals it forwards before
	 * CRIU runs; CRIU gets a clean mask (the tasks it restores get theirs
	 * from the images). */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (out >= 0 && dup2(out, STDOUT_FILENO) < 0) {
		child_fail(report, errno, "redirect stdout");
	}
	for (size_t i = 0; i < nkeep; i++) {
		int flags = fcntl(keep[i], F_GETFD);

		if (flags < 0 || fcntl(keep[i], F_SETFD, flags & ~FD_CLOEXEC) < 0) {
			child_fail(report, errno, "keep a descriptor for criu");
		}
	}
	if (prepare != NULL) {
		husk_error_t e = NULL;

		if (prepare(arg, &e) < 0) {
			child_fail(report, 0, e != NULL ? e->msg : "prepare criu");
		}
	}
	execvp(path, argv);
	child_fail(report, errno, "exec");
}

/* Fork and exec PATH; *PID is the child.  An error before exec (PREPARE's,
 * or exec's own) comes back through a close-on-exec pipe, so a missing
 * binary is told apart from a CRIU that ran and failed. */
static int spawn(const char *path, char *const argv[], husk_criu_prepare_fn prepare, void *arg,
		 const int *keep, size_t nkeep, int out, pid_t *pid, husk_error_t *err)
{
	_cleanup_close_ int rd = -1;
	_cleanup_close_ int wr = -1;
	int p[2];
	char buf[1024];
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) < 0) {
		return husk_error_errno(err, "pipe");
	}
	rd = p[0];
	wr = p[1];
	*pid = fork();
	if (*pid < 0) {
		return husk_error_errno(err, "fork criu");
	}
	if (*pid == 0) {
		child_exec(path, argv, prepare, arg, keep, nkeep, out, wr);
	}
	wr = husk_safe_close(wr);
	do {
		n = read(rd, buf, sizeof(buf) - 1);
	} while (n < 0 && errno == EINTR);
	if (n <= 0) {
		return 0; /* exec'd */
	}
	buf[n] = '\0';
	while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR) {
	}
	*pid = -1;
	{
		int e = atoi(buf);
		const char *msg = strchr(buf, ':') != NULL ? strchr(buf, ':') + 1 : buf;

		if (strcmp(msg, "exec") == 0 && e == ENOENT) {
			return husk_error_make(err, 0,
					       "criu `%s` not found: checkpoint and restore need "
					       "CRIU %d.%d or newer (Debian's criu package)",
					       path, HUSK_CRIU_MIN_VERSION / 10000,
					       HUSK_CRIU_MIN_VERSION / 100 % 100);
		}
		if (strcmp(msg, "exec") == 0) {
			return husk_error_make(err, e, "run criu `%s`", path);
		}
		return husk_error_make(err, e, "%s", msg);
	}
}

static int wait_exit(pid_t pid, int *status, husk_error_t *err)
{
	int ws;

	while (waitpid(pid, &ws, 0) < 0) {
		if (errno != EINTR) {
			return husk_error_errno(err, "wait for criu");
		}
	}
	*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	return 0;
}

/* "Version: 3.17.1" (and, for a git build, a "GitID:" line after it). */
static int parse_version(const char *out, husk_criu_t *c)
{
	const char *v = strstr(out, "Version: ");
	unsigned major = 0, minor = 0, sub = 0;
	int n;

	if (v == NULL || sscanf(v + 9, "%u.%u%n", &major, &minor, &n) < 2 || major > 99 ||
	    minor > 99) {
		return -1;
	}
	if (v[9 + n] == '.' && sscanf(v + 9 + n + 1, "%u", &sub) == 1 && sub > 99) {
		return -1;
	}
	c->version = (int) (major * 10000 + minor * 100 + sub);
	snprintf(c->text, sizeof(c->text), "%u.%u.%u", major, minor, sub);
	return 0;
}

int husk_criu_find(const char *path, husk_criu_t *c, husk_error_t *err)
{
	char *argv[] = { (char *) (path != NULL ? path : "criu"), (char *) "--version", NULL };
	_cleanup_close_ int rd = -1;
	_cleanup_close_ int wr = -1;
	char out[512];
	size_t len = 0;
	pid_t pid;
	int p[2], status;

	*c = (husk_criu_t){ .path = argv[0] };
	if (pipe2(p, O_CLOEXEC) < 0) {
		return husk_error_errno(err, "pipe");
	}
	rd = p[0];
	wr = p[1];
	if (spawn(c->path, argv, NULL, NULL, NULL, 0, wr, &pid, err) < 0) {
		return -1;
	}
	wr = husk_safe_close(wr);
	for (;;) {
		ssize_t n = read(rd, out + len, sizeof(out) - 1 - len);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0 || (len += (size_t) n) == sizeof(out) - 1) {
			break;
		}
	}
	out[len] = '\0';
	if (wait_exit(pid, &status, err) < 0) {
		return -1;
	}
	if (status != 0 || parse_version(out, c) < 0) {
		return husk_error_make(err, 0,
				       "criu `%s`: `--version` exited %d and printed no version: "
				       "is it CRIU?",
				       c->path, status);
	}
	if (c->version < HUSK_CRIU_MIN_VERSION) {
		return husk_error_make(
			err, 0, "criu `%s` is version %s, too old: husk needs %d.%d or newer",
			c->path, c->text, HUSK_CRIU_MIN_VERSION / 10000,
			HUSK_CRIU_MIN_VERSION / 100 % 100);
	}
	return 0;
}

/* The message of an "(00.001) Error (criu/x.c:1): MESSAGE" line, or NULL
 * for another line and for "exited, status=N" (a helper's exit, which says
 * nothing of why). */
static const char *error_message(const char *line)
{
	const char *e = strstr(line, "Error (");
	const char *msg;

	if (e == NULL || (msg = strstr(e, "): ")) == NULL) {
		return NULL;
	}
	msg += 3;
	return strncmp(msg, "exited, status=", 15) == 0 ? NULL : msg;
}

/* What went wrong, from CRIU's LOG: its first error, which is the cause,
 * and its last, which says what failed ("Dumping FAILED."); NULL without
 * one. */
static char *log_errors(const char *log)
{
	_cleanup_error_ husk_error_t e = NULL;
	_cleanup_free_ char *text = NULL;
	const char *first = NULL, *last = NULL;
	size_t len;

	if (log == NULL || (text = husk_read_file(log, 64u << 20, &len, &e)) == NULL) {
		return NULL;
	}
	for (char *line = text, *next; line != NULL && *line != '\0'; line = next) {
		const char *msg;

		next = strchr(line, '\n');
		if (next != NULL) {
			*next++ = '\0';
		}
		if ((msg = error_message(line)) != NULL) {
			first = first != NULL ? first : msg;
			last = msg;
		}
	}
	if (first == NULL) {
		return NULL;
	}
	return first == last ? xstrdup(first) : xasprintf("%s ... %s", first, last);
}

int husk_criu_run(const husk_criu_t *c, char *const argv[], husk_criu_prepare_fn prepare, void *arg,
		  const int *keep_fds, size_t nkeep, const char *verb, const char *log,
		  husk_error_t *err)
{
	_cleanup_free_ char *line = NULL;
	pid_t pid;
	int status;

	if (spawn(c->path, argv, prepare, arg, keep_fds, nkeep, -1, &pid, err) < 0 ||
	    wait_exit(pid, &status, err) < 0) {
		return -1;
	}
	if (status == 0) {
		return 0;
	}
	line = log_errors(log);
	if (line != NULL) {
		return husk_error_make(err, 0, "criu %s failed (exit status %d): %s (log: %s)",
				       verb, status, line, log);
	}
	return husk_error_make(err, 0, "criu %s failed (exit status %d)%s%s%s", verb, status,
			       log != NULL ? " (log: " : "", log != NULL ? log : "",
			       log != NULL ? ")" : "");
}

/* In the `criu check` child: its chatter is not ours to print. */
static int silence(void *arg, husk_error_t *err)
{
	_cleanup_close_ int null = open("/dev/null", HUSK_O_RDWR);

	if (null < 0 || dup2(null, STDOUT_FILENO) < 0 || dup2(null, STDERR_FILENO) < 0) {
		return husk_error_errno(err, "redirect criu's output to /dev/null");
	}
	return 0;
}

/* Whether `criu check` passes: CRIU can work on this kernel. */
static bool criu_check(const husk_criu_t *c)
{
	_cleanup_error_ husk_error_t e = NULL;
	char *argv[] = { (char *) c->path, (char *) "check", NULL };
	pid_t pid;
	int status;

	return spawn(c->path, argv, silence, NULL, NULL, 0, -1, &pid, &e) == 0 &&
	       wait_exit(pid, &status, &e) == 0 && status == 0;
}

int husk_features_show(const char *criu, husk_error_t *err)
{
	_cleanup_error_ husk_error_t e = NULL;
	husk_features_facts_t facts = { .criu_version = NULL };
	husk_criu_t c;

	const char *why;

	husk_seccomp_features(&facts.seccomp);
	facts.apparmor = husk_support_apparmor();
	facts.selinux = husk_support_selinux();
	facts.landlock_abi = husk_landlock_abi(&why);
	/* Checkpoint is there when a CRIU new enough is found and `criu
	 * check` passes on this kernel (it fails in milliseconds where it
	 * cannot work, and caches what it learns where it can). */
	if (husk_criu_find(criu, &c, &e) == 0) {
		facts.criu_version = c.text;
		facts.checkpoint = criu_check(&c);
	}
	return husk_features_print(&facts, err);
}

bool husk_criu_is_bind(const husk_mount_t *m)
{
	if (m->type != NULL && strcmp(m->type, "bind") == 0) {
		return true;
	}
	for (size_t i = 0; m->options != NULL && m->options[i] != NULL; i++) {
		if (strcmp(m->options[i], "bind") == 0 || strcmp(m->options[i], "rbind") == 0) {
			return true;
		}
	}
	return false;
}

char *husk_criu_dir(const char *path, bool make, const char *what, husk_error_t *err)
{
	char resolved[PATH_MAX];

	if (make && mkdir(path, 0700) < 0 && errno != EEXIST) {
		husk_error_errno(err, "make the %s `%s`", what, path);
		return NULL;
	}
	if (realpath(path, resolved) == NULL) {
		husk_error_errno(err, "%s `%s`", what, path);
		return NULL;
	}
	return xstrdup(resolved);
}

void husk_criu_common_args(husk_argv_t *a, const char *verb, const husk_criu_opts_t *o,
			   const char *images, const char *work, const char *log)
{
	husk_argv_add(a, "criu");
	husk_argv_add(a, verb);
	husk_argv_add(a, "--images-dir");
	husk_argv_add(a, images);
	husk_argv_add(a, "--work-dir");
	husk_argv_add(a, work);
	husk_argv_add(a, "--log-file");
	husk_argv_add(a, log);
	husk_argv_add(a, "-v4");
	husk_argv_addf(a, "--manage-cgroups=%s",
		       o->manage_cgroups_mode != NULL ? o->manage_cgroups_mode : "soft");
	if (o->tcp_established) {
		husk_argv_add(a, "--tcp-established");
	}
	if (o->ext_unix_sk) {
		husk_argv_add(a, "--ext-unix-sk");
	}
	if (o->shell_job) {
		husk_argv_add(a, "--shell-job");
	}
	if (o->file_locks) {
		husk_argv_add(a, "--file-locks");
	}
	if (o->lazy_pages) {
		husk_argv_add(a, "--lazy-pages");
	}
	if (o->auto_dedup) {
		husk_argv_add(a, "--auto-dedup");
	}
	if (o->empty_netns) {
		husk_argv_add(a, "--empty-ns");
		husk_argv_add(a, "net");
	}
}
