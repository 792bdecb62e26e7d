/* husk runtime: the monitor, a small daemon that is a container's parent. */
#include "runtime/monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroups/stats.h"
#include "runtime/create.h"
#include "state/evlog.h"
#include "init/stage.h"
#include "state/record.h"
#include "init/sync.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/open.h"
#include "util/xalloc.h"

/* What the monitor keeps of a created container. */
struct watch {
	const char *id;
	pid_t pid;
	int dirfd;    /* the state dir, not locked */
	int out;      /* read end of the container's stdout and stderr, or -1 */
	int log;      /* where they go */
	uint64_t max; /* bytes of them kept */
	uint64_t written;
	bool truncated;
	husk_cgstats_t *stats; /* for OOM kills, or NULL without a memory cgroup */
	uint64_t oom_at_start;
};

static void copy_output(struct watch *w)
{
	char buf[16384];
	ssize_t n = read(w->out, buf, sizeof(buf));

	if (n <= 0) {
		if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
			w->out = husk_safe_close(w->out); /* every writer is gone */
		}
		return;
	}
	if (w->written < w->max) {
		size_t keep = (uint64_t) n < w->max - w->written ? (size_t) n
								 : (size_t) (w->max - w->written);

		(void) !write(w->log, buf, keep);
		w->written += keep;
		n -= (ssize_t) keep;
	}
	/* Past the cap the container goes on writing, and is read so it never
	 * blocks; the log says once where it was cut. */
	if (n > 0 && !w->truncated) {
		char note[96];
		int len = snprintf(note, sizeof(note),
				   "\n[husk: output truncated after %llu bytes]\n",
				   (unsigned long long) w->max);

		(void) !write(w->log, note, (size_t) len);
		w->truncated = true;
	}
}

/* How the init ended, as exit.json and the "exited" event record it. */
static void record_exit(struct watch *w, int wstatus)
{
	_cleanup_error_ husk_error_t e = NULL;
	_cleanup_free_ char *now = husk_now_rfc3339();
	husk_exit_t x = { .exited_at = now };
	uint64_t oom = 0;

	if (WIFSIGNALED(wstatus)) {
		x.signal = WTERMSIG(wstatus);
		x.code = 128 + x.signal;
	} else {
		x.code = WEXITSTATUS(wstatus);
	}
	/* The OOM killer's SIGKILL, not anyone's: the cgroup's count rose. */
	x.oom_killed = x.signal == SIGKILL && w->stats != NULL &&
		       husk_cgstats_oom_count(w->stats, &oom, &e) == 0 && oom > w->oom_at_start;
	if (husk_exit_write_at(w->dirfd, &x, &e) == 0) {
		husk_evlog_append(w->dirfd, w->id, "exited", &x);
	}
}

/* Until the init is reaped: its output into the log, OOM kills into the
 * event log. */
static void watch_loop(struct watch *w, int sfd)
{
	int oomfd = -1;

	if (w->stats != NULL) {
		_cleanup_error_ husk_error_t e = NULL;

		if (husk_cgstats_oom_count(w->stats, &w->oom_at_start, &e) < 0) {
			w->oom_at_start = 0;
		}
		oomfd = husk_cgstats_oom_fd(w->stats, &e);
	}
	for (;;) {
		struct pollfd p[3] = {
			{ .fd = sfd, .events = POLLIN },
			{ .fd = w->out, .events = POLLIN },
			{ .fd = oomfd, .events = POLLIN },
		};
		struct signalfd_siginfo si;
		int wstatus;

		if (poll(p, 3, -1) < 0 && errno != EINTR) {
			return;
		}
		if (p[1].revents != 0) {
			copy_output(w);
		}
		if (p[2].revents != 0) {
			husk_cgstats_oom_drain(w->stats);
			husk_evlog_append(w->dirfd, w->id, "oom", NULL);
		}
		if ((p[0].revents & POLLIN) && read(sfd, &si, sizeof(si)) > 0 &&
		    waitpid(w->pid, &wstatus, WNOHANG) == w->pid) {
			/* What is already in the pipe belongs to the log; a
			 * process that outlived the init (no pid namespace) and
			 * keeps it open is not waited for. */
			if (w->out >= 0) {
				fcntl(w->out, F_SETFL, O_NONBLOCK);
				while (w->out >= 0 && poll(&p[1], 1, 0) > 0) {
					copy_output(w);
				}
			}
			record_exit(w, wstatus);
			return;
		}
	}
}

/* stdin from /dev/null, stdout and stderr into OUT_W: what the init
 * inherits.  Afterwards fds 0-2 are /dev/null again. */
static int redirect_stdio(int devnull, int out_w)
{
	return dup3(devnull, STDIN_FILENO, 0) < 0 || dup3(out_w, STDOUT_FILENO, 0) < 0 ||
			       dup3(out_w, STDERR_FILENO, 0) < 0
		       ? -1
		       : 0;
}

/* The monitor: create, report, watch, exit.  Never returns. */
static void __attribute__((noreturn))
monitor_main(const husk_create_opts_t *o, const husk_monitor_opts_t *m, int report, int out[2],
	     int log)
{
	_cleanup_error_ husk_error_t err = NULL;
	_cleanup_close_ int devnull = open("/dev/null", HUSK_O_RDWR);
	husk_create_opts_t opts = *o;
	struct watch w = { .id = o->id, .out = out[0], .log = log, .dirfd = -1 };
	husk_created_t c;
	sigset_t set;
	int sfd;

	/* Its own session: a terminal's hangup or ^C is not for it. */
	setsid();
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (devnull < 0 || sfd < 0 || redirect_stdio(devnull, out[1]) < 0) {
		husk_error_errno(&err, "monitor: set up");
		goto fail;
	}
	out[1] = husk_safe_close(out[1]);
	opts.monitored = true;
	/* Dumpable while it creates: the init is born with our dumpability,
	 * and the /proc files of a non-dumpable one belong to root, which a
	 * caller that is not root then cannot write its id maps through.
	 * Nothing runs in the container before the CREATED below. */
	if (husk_create_run_stages(&opts, &c, &err) < 0) {
		goto fail;
	}
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		husk_error_errno(&err, "monitor: prctl(PR_SET_DUMPABLE)");
		goto fail;
	}
	/* Our copies of the container's stdout go: only it holds the pipe.
	 * Nor do we keep the caller's directory busy. */
	dup3(devnull, STDOUT_FILENO, 0);
	dup3(devnull, STDERR_FILENO, 0);
	(void) !chdir("/");
	if (w.log < 0) {
		w.log = openat(c.dirfd, HUSK_OUTPUT_LOG, HUSK_O_APPEND, 0600);
	}
	w.dirfd = openat(c.rootfd, o->id, HUSK_O_DIR); /* without the state lock */
	w.pid = c.pid;
	w.max = m->output_max > 0 ? m->output_max : HUSK_OUTPUT_MAX_DEFAULT;
	if (husk_cgroup_path(c.cgroup) != NULL) {
		_cleanup_error_ husk_error_t e = NULL;

		w.stats = husk_cgstats_open(c.cgroup, &e);
	}
	husk_created_release(&c);
	husk_stage("monitor-created");
	if (husk_sync_send(report, HUSK_SYNC_CREATED, NULL, 0, -1, &err) < 0) {
		_exit(1);
	}
	husk_safe_close(report);
	watch_loop(&w, sfd);
	_exit(0);
fail:
	husk_sync_send_error(report, err);
	_exit(1);
}

/* The log for the container's output when the caller names one. */
static int open_output(const husk_monitor_opts_t *m, husk_error_t *err)
{
	int fd;

	if (m->output_file == NULL) {
		return -1;
	}
	fd = open(m->output_file, HUSK_O_APPEND, 0600);
	if (fd < 0) {
		return husk_error_errno(err, "--output-file `%s`", m->output_file);
	}
	return fd;
}

/* Where the log is, as state.json records it: an absolute path. */
static char *output_path(const husk_create_opts_t *o, const husk_monitor_opts_t *m)
{
	const char *file = m->output_file;
	char cwd[4096];

	if (file != NULL && file[0] == '/') {
		return xstrdup(file);
	}
	if (getcwd(cwd, sizeof(cwd)) == NULL) {
		return NULL;
	}
	if (file != NULL) {
		return xasprintf("%s/%s", cwd, file);
	}
	return o->root[0] == '/' ? xasprintf("%s/%s/%s", o->root, o->id, HUSK_OUTPUT_LOG)
				 : xasprintf("%s/%s/%s/%s", cwd, o->root, o->id, HUSK_OUTPUT_LOG);
}

int husk_monitor_create(const husk_create_opts_t *o, const husk_monitor_opts_t *m,
			husk_error_t *err)
{
	_cleanup_free_ char *path = output_path(o, m);
	_cleanup_close_ int log = -1;
	husk_create_opts_t opts = *o;
	int sync[2] = { -1, -1 }, out[2] = { -1, -1 };
	int r = -1, wstatus;
	pid_t pid;

	log = open_output(m, err);
	if ((log < 0 && *err != NULL) || husk_sync_pair(sync, err) < 0) {
		return -1;
	}
	if (pipe2(out, O_CLOEXEC) < 0) {
		husk_error_errno(err, "monitor: pipe");
		goto out;
	}
	opts.output_log = path;
	pid = fork();
	if (pid < 0) {
		husk_error_errno(err, "monitor: fork");
		goto out;
	}
	if (pid == 0) {
		husk_safe_close(sync[0]);
		monitor_main(&opts, m, sync[1], out, TAKE_FD(log));
	}
	sync[1] = husk_safe_close(sync[1]);
	out[0] = husk_safe_close(out[0]);
	out[1] = husk_safe_close(out[1]);
	r = husk_sync_expect(sync[0], HUSK_SYNC_CREATED, NULL, NULL, NULL, err);
	if (r < 0) {
		/* It failed and is exiting: reap it here. */
		waitpid(pid, &wstatus, 0);
	}
out:
	husk_safe_close(sync[0]);
	husk_safe_close(sync[1]);
	husk_safe_close(out[0]);
	husk_safe_close(out[1]);
	return r;
}
