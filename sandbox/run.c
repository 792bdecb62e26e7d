/* husk sandbox: `husk sandbox -- CMD` (sandbox/sandbox.h): the job run,
 * waited for and reported on. */
#include "sandbox/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "init/process.h"
#include "namespaces/netns.h"
#include "runtime/wait.h"
#include "util/cleanup.h"
#include "util/io.h"
#include "util/log.h"
#include "util/proc.h"

/* How often pids.current is sampled where the kernel keeps no peak. */
#define PIDS_SAMPLE_MS 20
/* How long output is still relayed after the job is reaped: its pipes
 * reach EOF at once unless something outside the job holds them. */
#define DRAIN_MS       1000

/* ---- the job's stdout and stderr: pipes that husk relays ---- */

static int make_pipes(struct sandbox *sb, int w[2], husk_error_t *err)
{
	for (int i = 0; i < 2; i++) {
		int p[2];

		if (pipe2(p, O_CLOEXEC) < 0) {
			return husk_error_errno(err, "pipe for the job's output");
		}
		sb->out[i] = p[0];
		w[i] = p[1];
		/* Only husk's end: the job's writes block as a pipe's do. */
		if (fcntl(sb->out[i], F_SETFL, O_NONBLOCK) < 0) {
			return husk_error_errno(err, "make the job's output non-blocking");
		}
	}
	return 0;
}

/* Create's stages, with what the sandbox adds around them. */
static int create_job(struct sandbox *sb, husk_create_opts_t *co, husk_error_t *err)
{
	bool prebuilt = sb->filter != NULL;
	int r;

	co->seccomp_filter = TAKE_PTR(sb->filter);
	r = husk_create_run_stages(co, &sb->c, err);
	if (r < 0 && (sb->rootless || sb->root_job)) {
		husk_sandbox_explain_userns(err);
	}
	co->config = NULL; /* create's now, even when it failed */
	co->seccomp_filter = NULL;
	co->netns_maker = NULL;
	sb->created = r == 0;
	/* The built-in profile, compiled from the config this time: kept
	 * under its text, so that the next job needs no parse of it. */
	if (r == 0 && sb->o->seccomp == NULL && !prebuilt) {
		husk_seccomp_note_text(husk_sandbox_default_seccomp, sb->c.rootfd, sb->c.seccomp);
	}
	return r;
}

/* Create with the pipes as stdout and stderr: the init inherits husk's
 * stdio, so husk lends it its own fds 1 and 2 for the clone and takes them
 * back after. */
static int create_with_pipes(struct sandbox *sb, husk_create_opts_t *co, int w[2],
			     husk_error_t *err)
{
	int saved[2] = { -1, -1 };
	int r = -1;

	fflush(stdout);
	fflush(stderr);
	for (int i = 0; i < 2; i++) {
		saved[i] = fcntl(i + 1, F_DUPFD_CLOEXEC, 3);
		if (saved[i] < 0) {
			husk_error_errno(err, "keep husk's fd %d", i + 1);
			goto out;
		}
	}
	if (dup2(w[0], STDOUT_FILENO) < 0 || dup2(w[1], STDERR_FILENO) < 0) {
		husk_error_errno(err, "lend the job's output pipes");
		goto out;
	}
	r = create_job(sb, co, err);
out:
	husk_config_free(co->config);
	husk_safe_close(husk_netns_maker_finish(co->netns_maker));
	for (int i = 0; i < 2; i++) {
		if (saved[i] >= 0) {
			dup2(saved[i], i + 1);
			husk_safe_close(saved[i]);
		}
	}
	return r;
}

/* ---- -t: the job's terminal ---- */

/* Create with a pty as the job's stdio: the init makes it in the box's own
 * devpts and its master comes back to husk, which relays it as it relays
 * the pipes (out[0]), and husk's stdin to it.  Husk's terminal, if stdin
 * is one, goes raw, so what is typed (^C included) reaches the job's. */
static int create_tty(struct sandbox *sb, husk_create_opts_t *co, husk_error_t *err)
{
	if (create_job(sb, co, err) < 0) {
		return -1;
	}
	sb->out[0] = TAKE_FD(sb->c.console_master);
	if (sb->out[0] < 0 || fcntl(sb->out[0], F_SETFL, O_NONBLOCK) < 0) {
		return husk_error_errno(err, "sandbox: the job's terminal");
	}
	sb->term_fd = isatty(STDIN_FILENO)    ? STDIN_FILENO
		      : isatty(STDOUT_FILENO) ? STDOUT_FILENO
					      : -1;
	if (isatty(STDIN_FILENO) && husk_tty_make_raw(STDIN_FILENO, &sb->term_saved, err) < 0) {
		return -1;
	}
	return 0;
}

/* Husk's stdin to the job's terminal.  At its end, the terminal's end of
 * file (^D), once, as a shell reading a terminal expects. */
static void relay_stdin(struct sandbox *sb, short revents_in, short revents_master)
{
	if (sb->in_len == 0 && (revents_in & (POLLIN | POLLHUP))) {
		ssize_t n = read(STDIN_FILENO, sb->in, sizeof(sb->in));

		if (n > 0) {
			sb->in_len = (size_t) n;
		} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			sb->in_eof = true;
			sb->in[0] = 4;
			sb->in_len = 1;
		}
	}
	if (sb->in_len > 0 && (revents_master & POLLOUT)) {
		ssize_t n = write(sb->out[0], sb->in, sb->in_len);

		if (n > 0) {
			memmove(sb->in, sb->in + n, sb->in_len - (size_t) n);
			sb->in_len -= (size_t) n;
		} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
			sb->in_len = 0; /* the job's side is gone */
			sb->in_eof = true;
		}
	}
}

/* ---- waiting ---- */

static void kill_job(struct sandbox *sb, enum killed_for why)
{
	if (sb->reaped || sb->killed != KILLED_NOT) {
		return;
	}
	sb->killed = why;
	husk_pidfd_send(sb->c.pidfd, SIGKILL);
}

/* Write it all, unless the reader went away (then and after, nothing). */
static void write_all(int fd, const char *buf, size_t len, bool *gone)
{
	if (!*gone && husk_write_all(fd, buf, len) < 0) {
		*gone = true;
	}
}

/* Copy what stream I (0 stdout, 1 stderr) holds; past --output-limit, cut
 * and kill. */
static void relay(struct sandbox *sb, int i)
{
	uint64_t limit = sb->enforce[HUSK_LIMIT_OUTPUT] ? sb->o->limits[HUSK_LIMIT_OUTPUT].value
							: UINT64_MAX;
	char buf[65536];
	ssize_t n = read(sb->out[i], buf, sizeof(buf));
	size_t keep;

	if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		return;
	}
	if (n <= 0) {
		sb->out[i] = husk_safe_close(sb->out[i]);
		return;
	}
	keep = (size_t) n;
	if (sb->output + keep > limit) {
		keep = (size_t) (limit - sb->output);
		sb->truncated = true;
	}
	write_all(i + 1, buf, keep, &sb->sink_gone[i]);
	if (sb->sink_gone[i]) {
		/* Nobody reads it any more: neither do we, so the job's next
		 * write fails (EPIPE) as it would without husk between
		 * (`husk sandbox -- yes | head -1` ends). */
		sb->out[i] = husk_safe_close(sb->out[i]);
	}
	sb->output += keep;
	if (sb->truncated) {
		kill_job(sb, KILLED_OUTPUT);
	}
}

/* Reap whatever is ours; the init's status and rusage once it is among it. */
static void reap(struct sandbox *sb)
{
	for (;;) {
		struct rusage ru;
		int st;
		pid_t got = wait4(-1, &st, WNOHANG, &ru);

		if (got <= 0) {
			return;
		}
		if (got == sb->c.pid) {
			sb->reaped = true;
			/* The job's own end, as its init saw it; the init's when
			 * the init itself was killed. */
			sb->wstatus = sb->job != NULL && sb->job->set ? sb->job->wstatus : st;
			sb->ru = ru;
			clock_gettime(CLOCK_MONOTONIC, &sb->t1);
		}
	}
}

static void sample_pids(struct sandbox *sb)
{
	_cleanup_error_ husk_error_t e = NULL;
	uint64_t cur, peak;
	bool has_peak;

	if (sb->stats == NULL || husk_cgstats_pids(sb->stats, &cur, &peak, &has_peak, &e) < 0) {
		return;
	}
	sb->has_pids_peak = true;
	sb->kernel_peak = has_peak;
	sb->pids_peak = has_peak ? peak : (cur > sb->pids_peak ? cur : sb->pids_peak);
}

static int arm_timer(const struct sandbox *sb, husk_error_t *err)
{
	uint64_t ms = sb->o->limits[HUSK_LIMIT_TIME].value;
	struct itimerspec its = { .it_value = { .tv_sec = (time_t) (ms / 1000),
						.tv_nsec = (long) (ms % 1000) * 1000000 } };
	_cleanup_close_ int fd = -1;

	if (ms == 0) {
		return -1;
	}
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (fd < 0 || timerfd_settime(fd, 0, &its, NULL) < 0) {
		return husk_error_errno(err, "--time: timerfd");
	}
	return TAKE_FD(fd);
}

static bool is_termination(uint32_t signo)
{
	return signo == SIGINT || signo == SIGTERM || signo == SIGHUP || signo == SIGQUIT;
}

/* Signals are forwarded to the job's init, which forwards them to the job.
 * A second SIGINT, SIGTERM, SIGHUP or SIGQUIT kills the init, and with it
 * the whole job, as a second ^C would expect. */
static void on_signals(struct sandbox *sb, int sfd)
{
	struct signalfd_siginfo si;

	while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			reap(sb);
			continue;
		}
		if (sb->reaped) {
			continue;
		}
		/* The job's terminal takes husk's size; the kernel tells its
		 * foreground process group. */
		if (si.ssi_signo == SIGWINCH && sb->o->tty) {
			if (sb->term_fd >= 0 && sb->out[0] >= 0) {
				husk_tty_copy_size(sb->term_fd, sb->out[0]);
			}
			continue;
		}
		if (is_termination(si.ssi_signo) && sb->terminations++ > 0) {
			husk_pidfd_send(sb->c.pidfd, SIGKILL);
			continue;
		}
		husk_pidfd_send(sb->c.pidfd, (int) si.ssi_signo);
	}
}

static int64_t ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t) (now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

/* Until the init is reaped and its output drained: signals are forwarded,
 * output relayed, the deadline kept. */
static int wait_job(struct sandbox *sb, const sigset_t *set, husk_error_t *err)
{
	_cleanup_close_ int sfd = signalfd(-1, set, SFD_CLOEXEC | SFD_NONBLOCK);
	_cleanup_close_ int tfd = arm_timer(sb, err);
	bool sampling;
	struct timespec sampled;

	if (sfd < 0) {
		return husk_error_errno(err, "signalfd");
	}
	if (tfd < 0 && *err != NULL) {
		return -1;
	}
	/* Where the kernel keeps no pids.peak, sample pids.current. */
	sample_pids(sb);
	sampling = sb->stats != NULL && !sb->kernel_peak;
	clock_gettime(CLOCK_MONOTONIC, &sampled);
	while (!sb->reaped || sb->out[0] >= 0 || sb->out[1] >= 0) {
		bool tty = sb->o->tty && sb->out[0] >= 0;
		struct pollfd p[6 + HUSK_DENIAL_FDS] = {
			{ .fd = sfd, .events = POLLIN },
			{ .fd = sb->reaped ? -1 : sb->c.pidfd, .events = POLLIN },
			{ .fd = sb->reaped ? -1 : tfd, .events = POLLIN },
			{ .fd = sb->out[0],
			  .events = POLLIN | (tty && sb->in_len > 0 ? POLLOUT : 0) },
			{ .fd = sb->out[1], .events = POLLIN },
			{ .fd = tty && !sb->in_eof && sb->in_len == 0 ? STDIN_FILENO : -1,
			  .events = POLLIN },
		};
		int timeout = sb->reaped ? DRAIN_MS : sampling ? PIDS_SAMPLE_MS : -1;
		int n;

		husk_sandbox_denials_poll(sb, &p[6]);
		n = poll(p, sizeof(p) / sizeof(p[0]), timeout);

		if (n < 0 && errno != EINTR) {
			return husk_error_errno(err, "wait for the job");
		}
		if (n == 0 && sb->reaped) {
			break; /* something outside the job holds its output open */
		}
		if (sampling && !sb->reaped && ms_since(&sampled) >= PIDS_SAMPLE_MS) {
			sample_pids(sb);
			clock_gettime(CLOCK_MONOTONIC, &sampled);
		}
		if (n <= 0) {
			continue;
		}
		if (tty && (p[5].revents != 0 || (p[3].revents & POLLOUT))) {
			relay_stdin(sb, p[5].revents, p[3].revents);
		}
		husk_sandbox_denials_ready(sb, &p[6]);
		for (int i = 0; i < 2; i++) {
			if (p[3 + i].revents & ~POLLOUT) {
				relay(sb, i);
			}
		}
		if (p[2].revents & POLLIN) {
			kill_job(sb, KILLED_TIME);
		}
		if (p[1].revents != 0) {
			reap(sb);
		}
		if (p[0].revents & POLLIN) {
			on_signals(sb, sfd);
		}
	}
	return 0;
}

/* ---- the run ---- */

static int start_job(struct sandbox *sb, husk_error_t *err)
{
	husk_create_opts_t co = {
		.root = sb->o->root,
		.id = sb->id,
		.cgroup_manager = sb->cgroup ? sb->o->cgroup_manager : "disabled",
		.cgroup_controllers = sb->controllers,
		.volatile_state = true,
		/* The default profile allows what the init does after CREATED
		 * (tests/integration/sandbox.bats runs it); a --seccomp FILE
		 * may not. */
		.early_seccomp = sb->o->seccomp == NULL,
		.die_with_parent = true,
		.tty_relay = sb->o->tty, /* husk relays the pty itself (create_tty) */
		/* What the profile refuses is counted (sandbox/denials.c). */
		.seccomp_watch =
			sb->o->learn ? HUSK_SECCOMP_WATCH_LEARN : HUSK_SECCOMP_WATCH_DENIALS,
	};
	_cleanup_error_ husk_error_t e = NULL;
	int w[2] = { -1, -1 };
	int r;

	sb->job = husk_job_status_new();
	if (sb->job == NULL) {
		return husk_error_errno(err, "sandbox: a page for the job's status");
	}
	co.keep_netns = sb->net != NULL;
	co.job_status = sb->job;
	/* The job's network namespace is made meanwhile (namespaces/netns.h);
	 * create takes it over. */
	if (!sb->o->net_host && !sb->rootless && !sb->root_job) {
		co.netns_maker = husk_netns_maker_start();
	}
	co.config = husk_sandbox_build_config(sb, err);
	/* Not carried into the clone: create opens the state root itself. */
	sb->rootfd = husk_safe_close(sb->rootfd);
	if (co.config == NULL) {
		husk_safe_close(husk_netns_maker_finish(co.netns_maker));
		return -1;
	}
	co.bundle = sb->bundle;
	co.rootfs_mfd = sb->root_mfd >= 0 ? &sb->root_mfd : NULL;
	husk_sandbox_workspace_hook(sb, &co);
	if (sb->o->tty) {
		r = create_tty(sb, &co, err);
	} else if (make_pipes(sb, w, err) < 0) {
		husk_safe_close(husk_netns_maker_finish(co.netns_maker));
		husk_config_free(co.config);
		husk_safe_close(w[0]);
		husk_safe_close(w[1]);
		return -1;
	} else {
		r = create_with_pipes(sb, &co, w, err);
	}
	husk_safe_close(w[0]);
	husk_safe_close(w[1]);
	if (r < 0 || husk_sandbox_workspace_created(sb, err) < 0) {
		return -1;
	}
	/* After the clone, so that the init never holds the audit log. */
	husk_sandbox_denials_start(sb);
	husk_sandbox_denials_watch(sb);
	if (husk_cgroup_path(sb->c.cgroup) != NULL) {
		sb->stats = husk_cgstats_open(sb->c.cgroup, &e);
	}
	/* pasta or the proxy, ready before the job runs.  On failure, the
	 * state dir's lock goes first: the delete that follows takes it. */
	if (husk_sandbox_net_start(sb, err) < 0) {
		sb->c.dirfd = husk_safe_close(sb->c.dirfd);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &sb->t0);
	return husk_container_start_created(&sb->c, sb->id, err);
}

/* After the job: what its cgroup counted, and which counter said so.
 * Without a memory cgroup, the peak memory is the job's rusage: the largest
 * resident set of the job or of any process in it that was waited for
 * (not their sum, which only a memory cgroup counts); peak pids and OOM
 * kills are then unknown (null). */
static void collect(struct sandbox *sb, husk_sandbox_report_t *r)
{
	_cleanup_error_ husk_error_t e = NULL;
	bool v2 = husk_cgstats_unified(sb->stats);
	uint64_t peak;
	bool has_peak;

	/* Without a memory cgroup (none at all, or one made without the
	 * memory controller), the rusage; a cgroup's count replaces it. */
	r->has_memory_peak = true;
	r->memory_peak = (uint64_t) sb->ru.ru_maxrss * 1024;
	r->memory_peak_by = "rusage ru_maxrss (the largest process)";
	if (sb->stats == NULL) {
		return;
	}
	sample_pids(sb);
	r->has_pids_peak = sb->has_pids_peak;
	r->pids_peak = sb->pids_peak;
	if (r->has_pids_peak) {
		r->pids_peak_by = sb->kernel_peak
					  ? (v2 ? "cgroup v2 pids.peak" : "cgroup v1 pids.peak")
				  : v2 ? "cgroup v2 pids.current, sampled"
				       : "cgroup v1 pids.current, sampled";
	}
	/* Only the counters the report shows: every stat of the cgroup is a
	 * dozen more files to read. */
	if (husk_cgstats_memory_peak(sb->stats, &peak, &has_peak, &e) == 0 && has_peak) {
		r->memory_peak = peak;
		r->memory_peak_by =
			v2 ? "cgroup v2 memory.peak" : "cgroup v1 memory.max_usage_in_bytes";
	}
	husk_error_free(&e);
	r->has_oom_kills = husk_cgstats_oom_count(sb->stats, &r->oom_kills, &e) == 0;
	if (r->has_oom_kills) {
		r->oom_kills_by = v2 ? "cgroup v2 memory.events oom_kill"
				     : "cgroup v1 memory.oom_control oom_kill";
	}
}

static double secs(struct timeval tv)
{
	return (double) tv.tv_sec + (double) tv.tv_usec / 1e6;
}

/* How the job ended.  A kill husk sent counts only when it is what ended
 * the job (SIGKILL), not when the job exited on its own meanwhile. */
static void classify(const struct sandbox *sb, husk_sandbox_report_t *r)
{
	int sig = WIFSIGNALED(sb->wstatus) ? WTERMSIG(sb->wstatus) : 0;
	uint64_t cpu_limit = sb->o->limits[HUSK_LIMIT_CPU_TIME].value;

	r->signal = sig;
	r->wall = (double) (sb->t1.tv_sec - sb->t0.tv_sec) +
		  (double) (sb->t1.tv_nsec - sb->t0.tv_nsec) / 1e9;
	r->user = secs(sb->ru.ru_utime);
	r->system = secs(sb->ru.ru_stime);
	r->exit_code = sig != 0 ? 128 + sig : WEXITSTATUS(sb->wstatus);
	r->status = sig != 0 ? "signaled" : "exited";
	if (sig == SIGKILL && sb->killed == KILLED_TIME) {
		r->status = "timeout";
		r->exit_code = HUSK_SANDBOX_EXIT_LIMIT;
	} else if (sig == SIGKILL && sb->killed == KILLED_OUTPUT) {
		r->status = "output-limit";
		r->exit_code = HUSK_SANDBOX_EXIT_LIMIT;
	} else if (sig == SIGKILL && r->has_oom_kills && r->oom_kills > 0) {
		r->status = "oom";
	} else if (cpu_limit > 0 &&
		   (sig == SIGXCPU ||
		    (sig == SIGKILL && r->user + r->system >= (double) cpu_limit))) {
		r->status = "cpu-timeout";
		r->exit_code = HUSK_SANDBOX_EXIT_LIMIT;
	}
}

/* Kill and reap a job still there (a failure after create), delete the
 * container, remove the bundle. */
static void finish(struct sandbox *sb)
{
	_cleanup_error_ husk_error_t e = NULL;

	if (sb->created) {
		if (!sb->reaped) {
			husk_kill_and_reap(sb->c.pidfd, sb->c.pid);
		}
		if (husk_container_delete(sb->o->root, sb->id, true, &e) < 0) {
			husk_log_error(e);
		}
		husk_created_release(&sb->c);
	}
	husk_sandbox_net_stop(sb);
	husk_sandbox_remove_bundle(sb);
	husk_tty_restore(STDIN_FILENO, &sb->term_saved);
	sb->out[0] = husk_safe_close(sb->out[0]);
	sb->out[1] = husk_safe_close(sb->out[1]);
	husk_cgstats_free(sb->stats);
	sb->stats = NULL;
}

static void free_sandbox(struct sandbox *sb)
{
	sb->rootfd = husk_safe_close(sb->rootfd);
	sb->root_mfd = husk_safe_close(sb->root_mfd);
	husk_job_status_free(sb->job);
	husk_seccomp_filter_free(sb->filter);
	husk_sandbox_denials_free(sb);
	free(sb->landlock);
	for (int l = 0; l < HUSK_LIMIT_COUNT; l++) {
		free(sb->mechanism[l]);
	}
	husk_strv_free(sb->owned);
	husk_sandbox_net_free(sb);
}

/* --report: opened before anything runs, so a bad path is a setup error
 * that leaves nothing behind. */
static int open_report(const char *path, husk_error_t *err)
{
	int fd;

	if (path == NULL) {
		return -1;
	}
	if (strcmp(path, "-") == 0) {
		fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	} else {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
	}
	if (fd < 0) {
		return husk_error_errno(err, "--report `%s`", path);
	}
	return fd;
}

static void write_report(const struct sandbox *sb, int fd, husk_sandbox_report_t *r)
{
	husk_sandbox_limit_t limits[HUSK_LIMIT_COUNT];
	husk_sandbox_network_t network = { 0 };
	_cleanup_free_ char *json = NULL;
	bool gone = false;

	if (fd < 0) {
		return;
	}
	r->id = sb->id;
	r->output_bytes = sb->output;
	r->output_truncated = sb->truncated;
	r->limits = limits;
	for (int l = 0; l < HUSK_LIMIT_COUNT; l++) {
		if (sb->o->limits[l].value != 0 && sb->mechanism[l] != NULL) {
			limits[r->n_limits++] = (husk_sandbox_limit_t){
				.name = husk_sandbox_limit_names[l],
				.value = sb->o->limits[l].text,
				.mechanism = sb->mechanism[l],
			};
		}
	}
	husk_sandbox_net_report(sb, r, &network);
	json = husk_sandbox_report_json(r);
	r->network = NULL;
	write_all(fd, json, strlen(json), &gone);
	if (gone) {
		husk_warn("--report: write failed: %s", strerror(errno));
	}
}

char *husk_sandbox_dry_run(const husk_sandbox_opts_t *o, const husk_policy_t *policy,
			   husk_error_t *err)
{
	struct sandbox sb = {
		.o = o, .out = { -1, -1 }, .rootfd = -1, .term_fd = -1, .root_mfd = -1
	};
	husk_sandbox_limit_t limits[HUSK_LIMIT_COUNT];
	husk_sandbox_plan_t plan = { .limits = limits, .uid = o->uid, .gid = o->gid };
	_cleanup_strv_ char **env = NULL;
	char *json = NULL;

	/* What a run would refuse before it makes anything: the limits this
	 * host cannot enforce, the environment. */
	if (husk_sandbox_plan_limits(&sb, err) == 0 && husk_sandbox_net_plan(&sb, err) == 0 &&
	    (env = husk_sandbox_env(o, err)) != NULL) {
		for (int l = 0; l < HUSK_LIMIT_COUNT; l++) {
			if (o->limits[l].value != 0 && sb.mechanism[l] != NULL) {
				limits[plan.n_limits++] = (husk_sandbox_limit_t){
					.name = husk_sandbox_limit_names[l],
					.value = o->limits[l].text,
					.mechanism = sb.mechanism[l],
				};
			}
		}
		plan.userns = sb.rootless || sb.root_job;
		plan.host_uid = husk_sandbox_host_id(&sb, o->uid, geteuid());
		plan.host_gid = husk_sandbox_host_id(&sb, o->gid, getegid());
		plan.cgroup = sb.cgroup ? sb.cg_parent : NULL;
		json = husk_policy_json(policy, &plan);
	}
	free_sandbox(&sb);
	return json;
}

int husk_sandbox_run(const husk_sandbox_opts_t *o, int *exit_status, husk_error_t *err)
{
	struct sandbox sb = {
		.o = o, .out = { -1, -1 }, .rootfd = -1, .term_fd = -1, .root_mfd = -1
	};
	husk_sandbox_report_t rep = { .status = "setup-error" };
	_cleanup_close_ int report = open_report(o->report, err);
	sigset_t set, old;
	int r = -1;

	*exit_status = HUSK_SANDBOX_EXIT_SETUP;
	if (report < 0 && *err != NULL) {
		return -1;
	}
	sb.c = HUSK_CREATED_INIT;
	/* Blocked before the clone, so none meant for the job is lost (or
	 * kills husk) before the wait forwards it. */
	husk_wait_forwardable(&set);
	sigprocmask(SIG_BLOCK, &set, &old);
	if (husk_sandbox_make_id(&sb, err) == 0 && husk_sandbox_plan_limits(&sb, err) == 0 &&
	    husk_sandbox_plan_landlock(&sb, err) == 0 && husk_sandbox_net_plan(&sb, err) == 0 &&
	    start_job(&sb, err) == 0 && wait_job(&sb, &set, err) == 0) {
		collect(&sb, &rep);
		classify(&sb, &rep);
		husk_sandbox_workspace_report(&sb, &rep);
		*exit_status = rep.exit_code;
		r = 0;
	} else {
		int code = husk_process_exec_status(*err);

		*exit_status = code != 0 ? code : HUSK_SANDBOX_EXIT_SETUP;
		rep.exit_code = *exit_status;
		rep.error = (*err)->msg;
	}
	husk_sandbox_report_landlock(&sb, &rep);
	husk_sandbox_denials_finish(&sb, &rep);
	finish(&sb);
	sigprocmask(SIG_SETMASK, &old, NULL);
	/* After the job, whose layers husk still holds: --diff DIR. */
	if (r == 0 && husk_sandbox_workspace_diff(&sb, err) < 0) {
		*exit_status = rep.exit_code = HUSK_SANDBOX_EXIT_SETUP;
		rep.error = (*err)->msg;
		r = -1;
	}
	write_report(&sb, report, &rep);
	husk_sandbox_workspace_free(&sb, sb.reaped);
	husk_sandbox_report_clear(&rep);
	free_sandbox(&sb);
	return r;
}
