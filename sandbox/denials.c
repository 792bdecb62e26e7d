/* husk sandbox: what the job was refused, for the report's "denials"
 * (sandbox/internal.h).
 *
 * seccomp: the job's filter is watched (seccomp/seccomp.h): each call its
 * profile refuses waits for husk, which counts it by name and answers with
 * the profile's errno, or with --learn lets it run.  Rootless too.
 *
 * landlock: the kernel audits a Landlock domain's refusals from ABI 7 on,
 * while auditing is on.  As root, husk reads the audit log as it is written
 * (util/audit.h) and counts the records of the job's domain, the one the
 * job's init made (its pid is in the domain's record).  Where it cannot,
 * the report's "denials_unobserved" says why.
 */
#include "sandbox/internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/audit.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/xalloc.h"

/* The audit records kept at most, and how long the log is read after the
 * job for the records of it still on their way. */
#define MAX_RECORDS    1024
#define AUDIT_QUIET_MS 50
#define AUDIT_WAIT_MS  1000
#define RECORD_MAX     8192

/* Landlock refusals of one domain and one kind, so far. */
struct ll_count {
	uint64_t domain;
	char *what;
	uint64_t count;
};

/* A Landlock domain the log spoke of: who made it, and when freed, how many
 * refusals the kernel counted in all. */
struct ll_domain {
	uint64_t id;
	long pid;
	bool freed;
	uint64_t denials;
};

struct husk_denials_s {
	int notify; /* the watched seccomp filter's listener, or -1 */
	const husk_seccomp_filter_t *filter;
	husk_sandbox_denial_t *calls; /* seccomp: by name */
	size_t n_calls;
	int audit; /* the audit log, or -1 */
	struct ll_count *ll;
	size_t n_ll;
	struct ll_domain *domains;
	size_t n_domains;
	uint64_t ll_other; /* records past MAX_RECORDS */
	bool audit_lost;
	const char *ll_unseen; /* why Landlock's refusals cannot be seen (static) */
	const char *sc_unseen; /* why seccomp's are not counted (static) */
	char *sc_error;        /* an answer that failed */
};

static struct husk_denials_s *denials(struct sandbox *sb)
{
	if (sb->denials == NULL) {
		sb->denials = xmalloc0(sizeof(*sb->denials));
		sb->denials->notify = -1;
		sb->denials->audit = -1;
	}
	return sb->denials;
}

/* ---- Landlock, from the audit log ---- */

/* Why the job's Landlock refusals cannot be read from the audit log, or
 * NULL when they can. */
static const char *audit_unusable(const struct sandbox *sb)
{
	_cleanup_error_ husk_error_t e = NULL;
	int on;

	if (sb->landlock_abi < 7) {
		return "Landlock audits its refusals from ABI 7 (Linux 6.15) on";
	}
	if (geteuid() != 0) {
		return "reading the kernel's audit log needs root (CAP_AUDIT_READ)";
	}
	on = husk_audit_enabled(&e);
	if (on < 0) {
		return "the kernel would not say whether auditing is on";
	}
	if (on == 0) {
		return "the kernel's auditing is off (auditctl -e 1 turns it on)";
	}
	return NULL;
}

void husk_sandbox_denials_start(struct sandbox *sb)
{
	_cleanup_error_ husk_error_t e = NULL;
	struct husk_denials_s *d = denials(sb);

	if (sb->landlock_abi == 0) {
		return; /* not confined: nothing of Landlock's to see */
	}
	d->ll_unseen = audit_unusable(sb);
	if (d->ll_unseen != NULL) {
		return;
	}
	d->audit = husk_audit_open_log(&e);
	if (d->audit < 0) {
		husk_debug("sandbox: %s", e->msg);
		d->ll_unseen = "husk could not join the audit log's multicast group";
	}
}

/* The value of KEY= in an audit record's TEXT, up to the next space (a
 * quoted value whole), in BUF; false when it has none. */
static bool field(const char *text, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key);
	const char *p = text;

	while ((p = strstr(p, key)) != NULL) {
		if ((p == text || p[-1] == ' ') && p[klen] == '=') {
			const char *v = p + klen + 1;
			size_t n = v[0] == '"' ? strcspn(v + 1, "\"") + 2 : strcspn(v, " ");

			if (n >= len) {
				n = len - 1;
			}
			memcpy(buf, v, n);
			buf[n] = '\0';
			return true;
		}
		p += klen;
	}
	return false;
}

static struct ll_domain *domain_of(struct husk_denials_s *d, uint64_t id)
{
	for (size_t i = 0; i < d->n_domains; i++) {
		if (d->domains[i].id == id) {
			return &d->domains[i];
		}
	}
	if (d->n_domains == MAX_RECORDS) {
		return NULL;
	}
	d->domains = xreallocarray(d->domains, d->n_domains + 1, sizeof(*d->domains));
	d->domains[d->n_domains] = (struct ll_domain){ .id = id, .pid = -1 };
	return &d->domains[d->n_domains++];
}

/* "domain=ID status=allocated ... pid=PID" or "status=deallocated
 * denials=N". */
static void on_domain(struct husk_denials_s *d, uint64_t id, const char *text)
{
	struct ll_domain *dom = domain_of(d, id);
	char status[32], num[32];

	if (dom == NULL || !field(text, "status", status, sizeof(status))) {
		return;
	}
	if (strcmp(status, "allocated") == 0 && field(text, "pid", num, sizeof(num))) {
		dom->pid = strtol(num, NULL, 10);
	} else if (strcmp(status, "deallocated") == 0 && field(text, "denials", num, sizeof(num))) {
		dom->freed = true;
		dom->denials = strtoull(num, NULL, 10);
	}
}

/* "domain=ID blockers=fs.read_file path="/x" dev="vda" ino=12": what was
 * refused and on what, without the device and inode. */
static void on_access(struct husk_denials_s *d, uint64_t id, const char *text)
{
	const char *b = strstr(text, " blockers=");
	_cleanup_free_ char *what = NULL;
	const char *end;

	if (b == NULL) {
		return;
	}
	b += strlen(" blockers=");
	end = strstr(b, " dev=");
	what = xstrndup(b, end != NULL ? (size_t) (end - b) : strlen(b));
	for (size_t i = 0; i < d->n_ll; i++) {
		if (d->ll[i].domain == id && strcmp(d->ll[i].what, what) == 0) {
			d->ll[i].count++;
			return;
		}
	}
	if (d->n_ll == MAX_RECORDS) {
		d->ll_other++;
		return;
	}
	d->ll = xreallocarray(d->ll, d->n_ll + 1, sizeof(*d->ll));
	d->ll[d->n_ll++] = (struct ll_count){ .domain = id, .what = TAKE_PTR(what), .count = 1 };
}

static void on_record(struct husk_denials_s *d, int type, const char *text)
{
	char id[32];

	if ((type != HUSK_AUDIT_LANDLOCK_ACCESS && type != HUSK_AUDIT_LANDLOCK_DOMAIN) ||
	    !field(text, "domain", id, sizeof(id))) {
		return;
	}
	if (type == HUSK_AUDIT_LANDLOCK_DOMAIN) {
		on_domain(d, strtoull(id, NULL, 16), text);
	} else {
		on_access(d, strtoull(id, NULL, 16), text);
	}
}

void husk_sandbox_denials_audit_record(struct sandbox *sb, int type, const char *text)
{
	on_record(denials(sb), type, text);
}

/* Every record waiting on the audit log. */
static void read_audit(struct husk_denials_s *d)
{
	char text[RECORD_MAX];
	int type, r;

	while ((r = husk_audit_read(d->audit, &type, text, sizeof(text))) != 0) {
		if (r < 0) {
			d->audit_lost = true;
			continue;
		}
		on_record(d, type, text);
	}
}

static const struct ll_domain *job_domain(const struct husk_denials_s *d, long pid)
{
	for (size_t i = 0; i < d->n_domains; i++) {
		if (d->domains[i].pid == pid) {
			return &d->domains[i];
		}
	}
	return NULL;
}

/* After the job: the records still on their way.  The kernel logs a
 * domain when it first refuses something and again when it is freed, with
 * the number of refusals, after every other record of it: so for a domain
 * seen, until it is freed; else until the log has been quiet a while. */
static void drain_audit(struct husk_denials_s *d, long pid)
{
	struct timespec t0, now;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		const struct ll_domain *dom = job_domain(d, pid);
		struct pollfd p = { .fd = d->audit, .events = POLLIN };
		long ms;

		if (dom != NULL && dom->freed) {
			return;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
		if (ms >= AUDIT_WAIT_MS) {
			return;
		}
		if (poll(&p, 1, dom != NULL ? (int) (AUDIT_WAIT_MS - ms) : AUDIT_QUIET_MS) <= 0) {
			if (dom == NULL) {
				return;
			}
			continue;
		}
		read_audit(d);
	}
}

static void report_landlock(const struct husk_denials_s *d, long pid, husk_sandbox_report_t *r)
{
	const struct ll_domain *dom = job_domain(d, pid);
	uint64_t seen = 0;

	if (dom == NULL) {
		return; /* nothing refused */
	}
	for (size_t i = 0; i < d->n_ll; i++) {
		if (d->ll[i].domain == dom->id) {
			husk_sandbox_report_denial(r, "landlock", d->ll[i].what, d->ll[i].count);
			seen += d->ll[i].count;
		}
	}
	/* What the kernel counted and the log lost (its backlog is short). */
	if (dom->freed && dom->denials > seen) {
		husk_sandbox_report_denial(r, "landlock", "(refusals whose records were lost)",
					   dom->denials - seen);
	}
}

/* ---- seccomp, from the watched filter ---- */

void husk_sandbox_denials_watch(struct sandbox *sb)
{
	struct husk_denials_s *d = denials(sb);

	if (sb->c.seccomp == NULL) {
		return;
	}
	if (sb->c.seccomp_notify < 0) {
		d->sc_unseen = sb->c.seccomp->unwatched;
		return;
	}
	d->notify = TAKE_FD(sb->c.seccomp_notify);
	d->filter = sb->c.seccomp;
}

/* The refused calls waiting, answered.  A job can make them faster than
 * husk answers: a few per wakeup, so the output and the deadline are
 * looked after meanwhile. */
static void answer(struct husk_denials_s *d)
{
	for (int i = 0; i < 64; i++) {
		_cleanup_error_ husk_error_t e = NULL;
		_cleanup_free_ char *what = NULL;
		struct pollfd p = { .fd = d->notify, .events = POLLIN };
		int r;

		if (i > 0 && (poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN))) {
			return;
		}
		r = husk_seccomp_answer(d->notify, d->filter, &what, &e);
		if (r < 0) {
			/* The job's calls would wait for ever: they get ENOSYS
			 * once the listener is closed. */
			if (d->sc_error == NULL) {
				d->sc_error = xstrdup(e->msg);
			}
			d->notify = husk_safe_close(d->notify);
			return;
		}
		if (r > 0) {
			bool found = false;

			for (size_t j = 0; j < d->n_calls && !found; j++) {
				if (strcmp(d->calls[j].what, what) == 0) {
					d->calls[j].count++;
					found = true;
				}
			}
			if (!found) {
				d->calls =
					xreallocarray(d->calls, d->n_calls + 1, sizeof(*d->calls));
				d->calls[d->n_calls++] = (husk_sandbox_denial_t){
					.kind = NULL, .what = TAKE_PTR(what), .count = 1
				};
			}
		}
	}
}

/* ---- the wait's side ---- */

void husk_sandbox_denials_poll(const struct sandbox *sb, struct pollfd p[HUSK_DENIAL_FDS])
{
	const struct husk_denials_s *d = sb->denials;

	p[0] = (struct pollfd){ .fd = d != NULL ? d->notify : -1, .events = POLLIN };
	/* Not once the job is reaped: the rest is read at the end, and the
	 * host's other records would keep the wait for its output awake. */
	p[1] = (struct pollfd){ .fd = d != NULL && !sb->reaped ? d->audit : -1, .events = POLLIN };
}

void husk_sandbox_denials_ready(struct sandbox *sb, const struct pollfd p[HUSK_DENIAL_FDS])
{
	struct husk_denials_s *d = sb->denials;

	if (d == NULL) {
		return;
	}
	if (p[0].revents & POLLIN) {
		answer(d);
	} else if (p[0].revents != 0) {
		/* Every process under the filter is gone (POLLHUP). */
		d->notify = husk_safe_close(d->notify);
	}
	if (p[1].revents != 0) {
		read_audit(d);
	}
}

void husk_sandbox_denials_finish(struct sandbox *sb, husk_sandbox_report_t *r)
{
	struct husk_denials_s *d = sb->denials;

	if (d == NULL) {
		return;
	}
	for (size_t i = 0; i < d->n_calls; i++) {
		husk_sandbox_report_denial(r, "seccomp", d->calls[i].what, d->calls[i].count);
	}
	if (d->sc_unseen != NULL) {
		husk_sandbox_report_unobserved(r, "seccomp", d->sc_unseen);
	}
	if (d->sc_error != NULL) {
		husk_sandbox_report_unobserved(r, "seccomp", d->sc_error);
	}
	if (d->audit >= 0 && sb->created) {
		drain_audit(d, (long) sb->c.pid);
	}
	if (sb->created) {
		report_landlock(d, (long) sb->c.pid, r);
		if (d->ll_other > 0 || d->audit_lost) {
			husk_sandbox_report_unobserved(r, "landlock",
						       "some of the audit log's records were lost");
		}
	}
	if (d->ll_unseen != NULL) {
		husk_sandbox_report_unobserved(r, "landlock", d->ll_unseen);
	}
}

void husk_sandbox_denials_free(struct sandbox *sb)
{
	struct husk_denials_s *d = sb->denials;

	if (d == NULL) {
		return;
	}
	husk_safe_close(d->notify);
	husk_safe_close(d->audit);
	for (size_t i = 0; i < d->n_calls; i++) {
		free(d->calls[i].what);
	}
	free(d->calls);
	for (size_t i = 0; i < d->n_ll; i++) {
		free(d->ll[i].what);
	}
	free(d->ll);
	free(d->domains);
	free(d->sc_error);
	free(d);
	sb->denials = NULL;
}
