/* husk runtime: `events`, with runc's words for a container that is not
 * there or not running. */
#include "runtime/husk.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "cgroups/stats.h"
#include "state/evlog.h"
#include "state/record.h"
#include "state/statedir.h"
#include "spec/events.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/open.h"
#include "util/xalloc.h"

static void cgstats_freep(husk_cgstats_t **s)
{
	husk_cgstats_free(*s);
}
#define _cleanup_cgstats_ __attribute__((cleanup(cgstats_freep)))

static int emit(char *line, husk_error_t *err)
{
	int r = printf("%s\n", line);

	free(line);
	if (r < 0 || fflush(stdout) != 0) {
		return husk_error_errno(err, "events: write to stdout");
	}
	return 0;
}

/* A container's lifecycle event log (state/evlog.h), read as it grows. */
struct follow {
	bool skip_oom; /* the stream reports OOM kills itself, in runc's shape */
	int fd;        /* events.jsonl, or -1 */
	int monitor;   /* a pidfd on its monitor, or -1 */
	char buf[8192];
	size_t used;
	bool exited; /* an "exited" line went by */
};

/* Print the whole lines appended since the last call. */
static int follow_lines(struct follow *f, husk_error_t *err)
{
	for (;;) {
		ssize_t n;
		char *nl;

		if (f->fd < 0) {
			return 0;
		}
		n = read(f->fd, f->buf + f->used, sizeof(f->buf) - 1 - f->used);
		if (n <= 0) {
			return 0;
		}
		f->used += (size_t) n;
		f->buf[f->used] = '\0';
		while ((nl = strchr(f->buf, '\n')) != NULL) {
			*nl = '\0';
			f->exited |= strstr(f->buf, "\"type\":\"exited\"") != NULL;
			if (f->skip_oom && strstr(f->buf, "\"type\":\"oom\"") != NULL) {
				/* already reported, as runc reports it */
			} else if (printf("%s\n", f->buf) < 0 || fflush(stdout) != 0) {
				return husk_error_errno(err, "events: write to stdout");
			}
			f->used -= (size_t) (nl + 1 - f->buf);
			memmove(f->buf, nl + 1, f->used + 1);
		}
		if (f->used == sizeof(f->buf) - 1) {
			f->used = 0; /* a line longer than any husk writes: dropped */
		}
	}
}

/* The init is gone: the monitor's "exited" line (it records the exit
 * first), or one without an exit code when nobody recorded it. */
static int follow_end(struct follow *f, const char *id, husk_error_t *err)
{
	struct pollfd p = { .fd = f->monitor, .events = POLLIN };

	if (f->monitor >= 0) {
		poll(&p, 1, 2000);
	}
	if (follow_lines(f, err) < 0) {
		return -1;
	}
	if (!f->exited) {
		_cleanup_free_ char *now = husk_now_rfc3339();

		return emit(husk_events_lifecycle_json("exited", id, now, NULL), err);
	}
	return 0;
}

static void follow_close(struct follow *f)
{
	husk_safe_close(f->fd);
	husk_safe_close(f->monitor);
}

/* The container's cgroup stat files and a pidfd on its init, with runc's
 * errors when it does not exist or has stopped.  The state dir is not kept
 * locked: a stream may last as long as the container, and `delete` must
 * not wait for it. */
static husk_cgstats_t *open_container(const char *root, const char *id, int *pidfd,
				      struct follow *f, husk_error_t *err)
{
	_cleanup_close_ int dirfd = -1;
	_cleanup_state_ husk_state_t *st = NULL;
	husk_cgroup_t *cg;
	husk_cgstats_t *s;

	st = husk_state_open(root, id, true, NULL, &dirfd, err);
	if (st == NULL) {
		return NULL;
	}
	if (husk_state_status(dirfd, st, pidfd) == HUSK_STATUS_STOPPED) {
		husk_error_make(err, 0, "container with id %s is not running", id);
		return NULL;
	}
	f->fd = openat(dirfd, HUSK_EVENTS_FILE, HUSK_O_RDONLY);
	f->monitor = husk_state_monitor_pidfd(st);
	cg = husk_state_cgroup(st, err);
	if (cg == NULL) {
		if (*err == NULL) {
			husk_error_make(err, 0, "events: `%s` has no cgroup", id);
		}
		return NULL;
	}
	s = husk_cgstats_open(cg, err);
	husk_cgroup_free(cg);
	return s;
}

static int emit_stats(const husk_cgstats_t *s, const char *id, husk_error_t *err)
{
	husk_stats_t st;

	if (husk_cgstats_read(s, &st, err) < 0) {
		return -1;
	}
	{
		char *line = husk_events_stats_json(id, &st);

		husk_stats_clear(&st);
		return emit(line, err);
	}
}

/* An oom line when the kernel's count of OOM kills has grown past *SEEN:
 * 1 when it has, 0 when not, -1. */
static int check_oom(const husk_cgstats_t *s, const char *id, uint64_t *seen, husk_error_t *err)
{
	_cleanup_error_ husk_error_t e = NULL;
	uint64_t n;

	/* The cgroup may be going away with the container: not an error. */
	if (husk_cgstats_oom_count(s, &n, &e) < 0 || n <= *seen) {
		return 0;
	}
	*seen = n;
	return emit(husk_events_oom_json(id), err) < 0 ? -1 : 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

/* Milliseconds from now until DEADLINE, rounded up. */
static int ms_until(uint64_t deadline)
{
	uint64_t now = now_ns();
	uint64_t ms = deadline > now ? (deadline - now + 999999) / 1000000 : 0;

	return ms > 1000000 ? 1000000 : (int) ms;
}

/* How long, after a notification, the OOM kill count is watched for the
 * kill: a v1 eventfd fires when the cgroup runs out of memory, before the
 * OOM killer has chosen and counted its victim. */
#define OOM_SETTLE_NS  (2 * 1000000000ull)
#define OOM_RECHECK_MS 50

/* How often the lifecycle log is looked at while nothing else wakes us. */
#define FOLLOW_MS 100

static int stream(husk_cgstats_t *s, const char *id, int pidfd, uint64_t interval, struct follow *f,
		  husk_error_t *err)
{
	_cleanup_error_ husk_error_t e = NULL;
	struct pollfd p[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = -1, .events = POLLIN } };
	uint64_t seen = 0, next = now_ns() + interval, settle = 0;

	p[1].fd = husk_cgstats_oom_fd(s, &e);
	if (p[1].fd < 0) {
		/* Still counted at every tick, only later. */
		husk_warn("events `%s`: OOM kills are reported at each interval only: %s", id,
			  e->msg);
		husk_error_free(&e);
	}
	husk_cgstats_oom_count(s, &seen, &e);
	for (;;) {
		int timeout = ms_until(next);
		bool exited;
		int r;

		if (settle != 0 && timeout > OOM_RECHECK_MS) {
			timeout = OOM_RECHECK_MS;
		}
		if (f->fd >= 0 && timeout > FOLLOW_MS) {
			timeout = FOLLOW_MS;
		}
		if (follow_lines(f, err) < 0) {
			return -1;
		}
		r = poll(p, 2, timeout);
		if (r < 0 && errno != EINTR) {
			return husk_error_errno(err, "events: poll");
		}
		if (r > 0 && (p[1].revents & POLLIN)) {
			husk_cgstats_oom_drain(s);
			settle = now_ns() + OOM_SETTLE_NS;
		}
		exited = r > 0 && p[0].revents != 0;
		switch (check_oom(s, id, &seen, err)) {
		case -1:
			return -1;
		case 1:
			settle = 0;
			break;
		default:
			if (settle != 0 && now_ns() >= settle) {
				settle = 0;
			}
		}
		if (exited) {
			/* The stream ends with the container. */
			return follow_end(f, id, err);
		}
		if (now_ns() >= next) {
			next += interval;
			if (emit_stats(s, id, err) < 0) {
				return -1;
			}
		}
	}
}

/* --all: the lifecycle events of every container under ROOT, as they come,
 * each container's from its start; until interrupted. */
static int stream_all(const char *root, husk_error_t *err)
{
	struct entry {
		char *id;
		struct follow f;
	} *v = NULL;
	size_t n = 0;

	for (;;) {
		_cleanup_error_ husk_error_t e = NULL;
		_cleanup_close_ int rootfd = husk_statedir_open_root(root, false, &e);
		_cleanup_strv_ char **ids = NULL;
		size_t count = 0;

		if (rootfd >= 0) {
			ids = husk_statedir_list(rootfd, &count, &e);
		}
		for (size_t i = 0; ids != NULL && i < count; i++) {
			size_t k = 0;

			while (k < n && strcmp(v[k].id, ids[i]) != 0) {
				k++;
			}
			if (k == n) {
				_cleanup_close_ int dirfd = openat(rootfd, ids[i], HUSK_O_DIR);

				v = xreallocarray(v, n + 1, sizeof(*v));
				v[n] = (struct entry){ .id = xstrdup(ids[i]),
						       .f = { .fd = -1, .monitor = -1 } };
				if (dirfd >= 0) {
					v[n].f.fd = openat(dirfd, HUSK_EVENTS_FILE, HUSK_O_RDONLY);
				}
				n++;
			}
			if (follow_lines(&v[k].f, err) < 0) {
				return -1;
			}
		}
		poll(NULL, 0, FOLLOW_MS);
	}
}

int husk_container_events(const husk_events_opts_t *o, husk_error_t *err)
{
	_cleanup_close_ int pidfd = -1;
	struct follow f = { .skip_oom = true, .fd = -1, .monitor = -1 };
	_cleanup_cgstats_ husk_cgstats_t *s = NULL;
	int r;

	if (o->all) {
		return stream_all(o->root, err);
	}
	s = open_container(o->root, o->id, &pidfd, &f, err);
	if (s == NULL) {
		follow_close(&f);
		return -1;
	}
	if (o->stats_once) {
		r = emit_stats(s, o->id, err);
	} else if (o->interval_ns == 0) {
		r = husk_error_make(err, 0, "duration interval must be greater than 0");
	} else {
		r = stream(s, o->id, pidfd, o->interval_ns, &f, err);
	}
	follow_close(&f);
	return r;
}
