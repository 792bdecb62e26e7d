/* husk sandbox: the egress proxy of --allow-host (sandbox/internal.h;
 * its rules and its parser of request heads are sandbox/allow.c).
 *
 * The job has only loopback; on it, in the job's network namespace, a
 * listening socket that husk made and holds.  The proxy serves it from a
 * thread of husk's, in the host's network namespace: it reads one request
 * (HTTP CONNECT, or a plain request for an http:// URL), matches the host
 * NAME asked for against the rules, resolves the name itself and connects
 * to an address it may reach, then relays bytes both ways.  The job never
 * resolves a name or picks an address: what it reaches is what husk
 * resolved and checked, once (no DNS rebinding between check and use).
 *
 * Everything from the job is hostile: the request head is bounded, parsed
 * strictly, and one request decides one connection's upstream for good;
 * the connections, their buffers and every wait are bounded, and nothing
 * here blocks: names are resolved on short-lived threads of their own, so
 * a slow resolver or a slow client holds a connection's slot, never the
 * proxy, and never husk's own wait for the job (sandbox/run.c), which runs
 * on another thread.
 */
#include "sandbox/internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "spec/json.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

#define MAX_CONNS      64 /* at once; more are answered 503 */
#define MAX_LOOKUPS    8  /* name lookups at once; more wait their turn */
#define HEAD_MAX       HUSK_HEAD_MAX
#define RELAY_BUF      32768 /* each way; holds a rewritten head and its body's start */
#define MAX_ADDRS      8     /* a name's addresses tried */
#define MAX_HOST_ADDRS 64    /* the host's own, refused to names */
#define MAX_RECORDS    256   /* connections in the report; the rest counted */
#define MAX_DENIALS    64    /* distinct refusals in the report; the rest as one */
#define HEAD_MS        10000
#define RESOLVE_MS     10000
#define CONNECT_MS     10000
#define REPLY_MS       5000
#define IDLE_MS        300000
#define REPORT_HOST    80 /* characters of a host the job named, in the report */

/* ---- name lookups, on threads of their own ---- */

/* Where lookups send their results; it outlives the proxy until the last
 * lookup is done, so that no thread ever writes to a descriptor number
 * that has been closed and reused. */
struct resolver {
	pthread_mutex_t lock;
	int refs;
	int fd[2]; /* fd[1]: the lookups' end; fd[0]: the proxy's */
};

struct lookup {
	struct resolver *res;
	size_t slot; /* the connection's, and its generation */
	unsigned gen;
	char name[HUSK_HOST_MAX + 1];
	int gai; /* getaddrinfo's result */
	size_t n;
	husk_addr_t addrs[MAX_ADDRS];
};

static struct resolver *resolver_new(void)
{
	struct resolver *r = xmalloc0(sizeof(*r));

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, r->fd) < 0) {
		free(r);
		return NULL;
	}
	pthread_mutex_init(&r->lock, NULL);
	r->refs = 1;
	return r;
}

static struct lookup *resolver_take(struct resolver *r)
{
	struct lookup *lk;

	return recv(r->fd[0], &lk, sizeof(lk), MSG_DONTWAIT) == (ssize_t) sizeof(lk) ? lk : NULL;
}

static void resolver_unref(struct resolver *r)
{
	struct lookup *lk;
	bool last;

	pthread_mutex_lock(&r->lock);
	last = --r->refs == 0;
	pthread_mutex_unlock(&r->lock);
	if (!last) {
		return;
	}
	while ((lk = resolver_take(r)) != NULL) {
		free(lk);
	}
	close(r->fd[0]);
	close(r->fd[1]);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

static void *lookup_run(void *arg)
{
	struct lookup *lk = arg;
	struct resolver *res = lk->res;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;

	lk->gai = getaddrinfo(lk->name, NULL, &hints, &ai);
	for (struct addrinfo *x = lk->gai == 0 ? ai : NULL; x != NULL && lk->n < MAX_ADDRS;
	     x = x->ai_next) {
		husk_addr_t a = { .family = x->ai_family };
		bool dup = false;

		if (x->ai_family == AF_INET) {
			memcpy(a.a, &((struct sockaddr_in *) (void *) x->ai_addr)->sin_addr, 4);
		} else if (x->ai_family == AF_INET6) {
			memcpy(a.a, &((struct sockaddr_in6 *) (void *) x->ai_addr)->sin6_addr, 16);
		} else {
			continue;
		}
		for (size_t i = 0; i < lk->n; i++) {
			dup |= husk_addr_eq(&lk->addrs[i], &a);
		}
		if (!dup) {
			lk->addrs[lk->n++] = a;
		}
	}
	if (ai != NULL) {
		freeaddrinfo(ai);
	}
	if (send(res->fd[1], &lk, sizeof(lk), MSG_NOSIGNAL | MSG_DONTWAIT) !=
	    (ssize_t) sizeof(lk)) {
		free(lk);
	}
	resolver_unref(res);
	return NULL;
}

/* ---- connections ---- */

enum conn_state {
	C_FREE,
	C_HEAD,    /* reading the request head */
	C_RESOLVE, /* a lookup of its name running, or waiting to */
	C_CONNECT, /* connecting upstream */
	C_REPLY,   /* writing a refusal, then closing */
	C_RELAY,   /* both ways */
};

/* Bytes B[OFF, OFF+LEN) to pass on; EOF once the source said so, SHUT once
 * the other side was told. */
struct pbuf {
	char *b;
	size_t off, len;
	bool eof, shut;
};

struct conn {
	enum conn_state st;
	unsigned gen;
	int cfd, ufd; /* the job's side, upstream */
	int64_t deadline;
	char *head;
	size_t head_len;
	husk_request_t req;
	bool queued; /* C_RESOLVE: no lookup running yet */
	husk_addr_t addrs[MAX_ADDRS];
	size_t n_addrs, next;
	int last_errno;
	struct pbuf up, down; /* job to upstream, upstream to job */
	uint64_t body_left;   /* plain: body bytes still to pass up */
	husk_sandbox_conn_t *rec;
};

struct tally {
	char *what;
	uint64_t count;
};

struct husk_proxy_s {
	pthread_t thread;
	bool started;
	int listener, stopfd;
	const husk_allow_t *rules;
	size_t n_rules;
	struct conn conns[MAX_CONNS];
	size_t active, lookups;
	struct resolver *res;
	bool host_loaded;
	husk_addr_t host_addrs[MAX_HOST_ADDRS];
	size_t n_host;
	husk_sandbox_conn_t recs[MAX_RECORDS];
	size_t n_recs;
	uint64_t omitted;
	struct tally denials[MAX_DENIALS];
	size_t n_denials;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What the job named, fit for the report: printable ASCII, cut short. */
static char *clean(const char *s)
{
	size_t len = strnlen(s, REPORT_HOST);
	char *out = xmalloc(len + 1);

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char) s[i];

		out[i] = c > 0x20 && c < 0x7f ? (char) c : '?';
	}
	out[len] = '\0';
	return out;
}

static husk_sandbox_conn_t *record(husk_proxy_t *p, const husk_request_t *q)
{
	husk_sandbox_conn_t *r;

	if (p->n_recs >= MAX_RECORDS) {
		p->omitted++;
		return NULL;
	}
	r = &p->recs[p->n_recs++];
	r->host = clean(q->host_text);
	r->port = q->port > 0 ? q->port : 0;
	r->method = clean(q->method);
	return r;
}

static void tally(husk_proxy_t *p, const char *what)
{
	size_t i;

	for (i = 0; i < p->n_denials; i++) {
		if (strcmp(p->denials[i].what, what) == 0) {
			break;
		}
	}
	if (i == p->n_denials) {
		if (i == MAX_DENIALS - 1) {
			what = "(more hosts)";
			for (i = 0; i < p->n_denials && strcmp(p->denials[i].what, what) != 0;
			     i++) {
			}
		}
		if (i == p->n_denials) {
			p->denials[p->n_denials++].what = xstrdup(what);
		}
	}
	p->denials[i].count++;
}

static void pbuf_free(struct pbuf *b)
{
	free(b->b);
	*b = (struct pbuf){ 0 };
}

static void conn_close(husk_proxy_t *p, struct conn *c)
{
	if (c->rec != NULL && c->rec->verdict == NULL) {
		c->rec->verdict = "failed";
		c->rec->reason = xstrdup("undecided when the job ended");
	}
	husk_safe_close(c->cfd);
	husk_safe_close(c->ufd);
	free(c->head);
	free(c->req.fwd);
	pbuf_free(&c->up);
	pbuf_free(&c->down);
	*c = (struct conn){ .st = C_FREE, .gen = c->gen + 1, .cfd = -1, .ufd = -1 };
	p->active--;
}

static const char *status_text(int status)
{
	switch (status) {
	case 400:
		return "Bad Request";
	case 403:
		return "Forbidden";
	case 408:
		return "Request Timeout";
	case 431:
		return "Request Header Fields Too Large";
	case 501:
		return "Not Implemented";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	default:
		return "Gateway Timeout";
	}
}

/* Answer STATUS with WHY and close once it is written. */
static void reply(struct conn *c, int status, const char *why)
{
	char body[512];
	int blen = snprintf(body, sizeof(body), "husk sandbox: %s\n", why);

	if (blen < 0 || (size_t) blen >= sizeof(body)) {
		blen = (int) sizeof(body) - 1;
	}
	husk_safe_close(c->ufd);
	c->ufd = -1;
	pbuf_free(&c->down);
	c->down.b = xmalloc(sizeof(body) + 256);
	c->down.len = (size_t) snprintf(c->down.b, sizeof(body) + 256,
					"HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\n"
					"Content-Length: %d\r\nConnection: close\r\n\r\n%.*s",
					status, status_text(status), blen, blen, body);
	c->st = C_REPLY;
	c->deadline = now_ms() + REPLY_MS;
}

/* Refused: a denial.  WHAT names it among the denials. */
static void refuse(husk_proxy_t *p, struct conn *c, int status, const char *why, const char *what)
{
	if (c->rec != NULL) {
		c->rec->verdict = "refused";
		c->rec->reason = xstrdup(why);
	}
	tally(p, what);
	reply(c, status, why);
}

/* Allowed, but not reached: no denial. */
static void fail(struct conn *c, int status, const char *why)
{
	if (c->rec != NULL) {
		c->rec->verdict = "failed";
		c->rec->reason = xstrdup(why);
	}
	reply(c, status, why);
}

/* HOST:PORT as the denials name it. */
static void target_text(const husk_request_t *q, char *buf, size_t len)
{
	bool v6 = q->host.is_ip && q->host.ip.family == AF_INET6;

	snprintf(buf, len, "%s%s%s:%d", v6 ? "[" : "", q->host.name, v6 ? "]" : "", q->port);
}

static void refuse_target(husk_proxy_t *p, struct conn *c, const char *why)
{
	char target[HUSK_HOST_MAX + 16];
	_cleanup_free_ char *msg = NULL;

	target_text(&c->req, target, sizeof(target));
	msg = xasprintf("%s refused: %s", target, why);
	refuse(p, c, 403, msg, target);
}

static void connected(struct conn *c)
{
	size_t extra = c->head_len - c->req.head_len;
	char text[INET6_ADDRSTRLEN];

	c->up.b = xmalloc(RELAY_BUF);
	c->down.b = xmalloc(RELAY_BUF);
	if (c->req.connect) {
		static const char ok[] = "HTTP/1.1 200 Connection established\r\n\r\n";

		memcpy(c->down.b, ok, sizeof(ok) - 1);
		c->down.len = sizeof(ok) - 1;
	} else {
		memcpy(c->up.b, c->req.fwd, c->req.fwd_len);
		c->up.len = c->req.fwd_len;
		/* Of what came after the head, only the body; a second
		 * request behind it is not passed on. */
		if (extra > c->req.content_length) {
			extra = (size_t) c->req.content_length;
		}
		c->body_left = c->req.content_length - extra;
	}
	memcpy(c->up.b + c->up.len, c->head + c->req.head_len, extra);
	c->up.len += extra;
	if (c->rec != NULL) {
		c->rec->verdict = "allowed";
		c->rec->sent += extra;
		husk_addr_text(&c->addrs[c->next], text, sizeof(text));
		c->rec->address = xstrdup(text);
	}
	free(c->head);
	c->head = NULL;
	c->st = C_RELAY;
	c->deadline = now_ms() + IDLE_MS;
}

/* Connect to the next address; past the last, fail. */
static void try_connect(struct conn *c)
{
	for (; c->next < c->n_addrs; c->next++) {
		const husk_addr_t *a = &c->addrs[c->next];
		struct sockaddr_storage ss = { 0 };
		socklen_t sl;

		if (a->family == AF_INET) {
			struct sockaddr_in *s4 = (struct sockaddr_in *) &ss;

			*s4 = (struct sockaddr_in){ .sin_family = AF_INET,
						    .sin_port = htons((uint16_t) c->req.port) };
			memcpy(&s4->sin_addr, a->a, 4);
			sl = sizeof(*s4);
		} else {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *) &ss;

			*s6 = (struct sockaddr_in6){ .sin6_family = AF_INET6,
						     .sin6_port = htons((uint16_t) c->req.port) };
			memcpy(&s6->sin6_addr, a->a, 16);
			sl = sizeof(*s6);
		}
		c->ufd = socket(a->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (c->ufd >= 0 && connect(c->ufd, (struct sockaddr *) &ss, sl) == 0) {
			connected(c);
			return;
		}
		if (c->ufd >= 0 && errno == EINPROGRESS) {
			c->st = C_CONNECT;
			return;
		}
		c->last_errno = errno;
		c->ufd = husk_safe_close(c->ufd);
	}
	{
		char target[HUSK_HOST_MAX + 16], why[HUSK_HOST_MAX + 96];

		target_text(&c->req, target, sizeof(target));
		snprintf(why, sizeof(why), "cannot connect to %s: %s", target,
			 strerror(c->last_errno));
		fail(c, 502, why);
	}
}

static void on_connect(struct conn *c)
{
	int e = 0;
	socklen_t len = sizeof(e);

	if (getsockopt(c->ufd, SOL_SOCKET, SO_ERROR, &e, &len) < 0) {
		e = errno;
	}
	if (e == 0) {
		connected(c);
		return;
	}
	c->last_errno = e;
	c->ufd = husk_safe_close(c->ufd);
	c->next++;
	try_connect(c);
}

static void load_host_addrs(husk_proxy_t *p)
{
	struct ifaddrs *ifa = NULL;

	p->host_loaded = true;
	if (getifaddrs(&ifa) < 0) {
		return;
	}
	for (struct ifaddrs *x = ifa; x != NULL && p->n_host < MAX_HOST_ADDRS; x = x->ifa_next) {
		husk_addr_t *a = &p->host_addrs[p->n_host];

		if (x->ifa_addr == NULL) {
			continue;
		}
		if (x->ifa_addr->sa_family == AF_INET) {
			a->family = AF_INET;
			memcpy(a->a, &((struct sockaddr_in *) (void *) x->ifa_addr)->sin_addr, 4);
			p->n_host++;
		} else if (x->ifa_addr->sa_family == AF_INET6) {
			a->family = AF_INET6;
			memcpy(a->a, &((struct sockaddr_in6 *) (void *) x->ifa_addr)->sin6_addr,
			       16);
			p->n_host++;
		}
	}
	freeifaddrs(ifa);
}

static const char *name_addr_forbidden(husk_proxy_t *p, const husk_addr_t *a)
{
	const char *why = husk_addr_forbidden(a);
	husk_addr_t u = *a;

	if (why != NULL) {
		return why;
	}
	if (!p->host_loaded) {
		load_host_addrs(p);
	}
	husk_addr_unmap(&u);
	for (size_t i = 0; i < p->n_host; i++) {
		if (husk_addr_eq(&p->host_addrs[i], &u)) {
			return "an address of this host";
		}
	}
	return NULL;
}

/* A name's addresses: those it may reach, in the resolver's order. */
static void on_lookup(husk_proxy_t *p, struct conn *c, const struct lookup *lk)
{
	const char *why = NULL;
	char text[INET6_ADDRSTRLEN] = "";

	if (lk->gai != 0) {
		char msg[HUSK_HOST_MAX + 96];

		snprintf(msg, sizeof(msg), "cannot resolve %s: %s", lk->name,
			 gai_strerror(lk->gai));
		fail(c, 502, msg);
		return;
	}
	c->n_addrs = 0;
	for (size_t i = 0; i < lk->n; i++) {
		const char *w = name_addr_forbidden(p, &lk->addrs[i]);

		if (w == NULL) {
			c->addrs[c->n_addrs++] = lk->addrs[i];
		} else if (why == NULL) {
			why = w;
			husk_addr_text(&lk->addrs[i], text, sizeof(text));
		}
	}
	if (c->n_addrs == 0) {
		_cleanup_free_ char *msg = xasprintf(
			"%s resolves only to addresses a sandbox may not reach (%s %s); list the "
			"address itself to allow it",
			lk->name, why != NULL ? why : "none", text);

		refuse_target(p, c, msg);
		return;
	}
	c->next = 0;
	try_connect(c);
}

static void lookup_start(husk_proxy_t *p, struct conn *c)
{
	struct lookup *lk;
	pthread_attr_t attr;
	pthread_t t;
	int r;

	if (p->lookups >= MAX_LOOKUPS) {
		c->queued = true;
		return;
	}
	c->queued = false;
	lk = xmalloc0(sizeof(*lk));
	lk->res = p->res;
	lk->slot = (size_t) (c - p->conns);
	lk->gen = c->gen;
	snprintf(lk->name, sizeof(lk->name), "%s", c->req.host.name);
	pthread_mutex_lock(&p->res->lock);
	p->res->refs++;
	pthread_mutex_unlock(&p->res->lock);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	r = pthread_create(&t, &attr, lookup_run, lk);
	pthread_attr_destroy(&attr);
	if (r != 0) {
		free(lk);
		resolver_unref(p->res);
		fail(c, 502, "no thread to resolve the name on");
		return;
	}
	p->lookups++;
}

static void lookups_done(husk_proxy_t *p)
{
	struct lookup *lk;

	while ((lk = resolver_take(p->res)) != NULL) {
		struct conn *c = lk->slot < MAX_CONNS ? &p->conns[lk->slot] : NULL;

		p->lookups--;
		if (c != NULL && c->gen == lk->gen && c->st == C_RESOLVE) {
			on_lookup(p, c, lk);
		}
		free(lk);
	}
}

/* The head complete: the verdict. */
static void on_request(husk_proxy_t *p, struct conn *c)
{
	c->rec = record(p, &c->req);
	if (!husk_allow_match(p->rules, p->n_rules, &c->req.host, c->req.port)) {
		refuse_target(p, c, "not in --allow-host");
		return;
	}
	if (c->req.host.is_ip) {
		c->addrs[0] = c->req.host.ip;
		c->n_addrs = 1;
		c->next = 0;
		try_connect(c);
		return;
	}
	c->st = C_RESOLVE;
	c->deadline = now_ms() + RESOLVE_MS;
	lookup_start(p, c);
}

static void read_head(husk_proxy_t *p, struct conn *c)
{
	ssize_t n = recv(c->cfd, c->head + c->head_len, HEAD_MAX - c->head_len, 0);
	size_t from;
	int r;

	if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		return;
	}
	if (n <= 0) {
		/* Gone before a request: no connection to speak of. */
		conn_close(p, c);
		return;
	}
	/* Parsed once it is whole (or too long): the search for its end
	 * goes over the new bytes only, so a job that sends a byte at a
	 * time costs no more than one that sends it all. */
	from = c->head_len > 3 ? c->head_len - 3 : 0;
	c->head_len += (size_t) n;
	if (c->head_len < HEAD_MAX &&
	    memmem(c->head + from, c->head_len - from, "\r\n\r\n", 4) == NULL) {
		return;
	}
	r = husk_request_parse(c->head, c->head_len, &c->req);
	if (r < 0) {
		c->rec = record(p, &c->req);
		refuse(p, c, c->req.status, c->req.why, "(malformed request)");
	} else if (r > 0) {
		on_request(p, c);
	}
}

/* ---- relaying ---- */

/* A plain request's body is all passed on: what else the job sends is
 * dropped, read only to see it close. */
static void relay_sink(husk_proxy_t *p, struct conn *c)
{
	char sink[512];
	ssize_t n = recv(c->cfd, sink, sizeof(sink), 0);

	if (n == 0) {
		c->up.eof = true;
	} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
		conn_close(p, c);
	}
}

static void relay_in(husk_proxy_t *p, struct conn *c, bool up)
{
	struct pbuf *b = up ? &c->up : &c->down;
	int fd = up ? c->cfd : c->ufd;
	size_t room;
	ssize_t n;

	if (b->off > 0 && b->off + b->len == RELAY_BUF) {
		memmove(b->b, b->b + b->off, b->len);
		b->off = 0;
	}
	room = RELAY_BUF - b->off - b->len;
	if (up && !c->req.connect && c->body_left < room) {
		room = (size_t) c->body_left;
		if (room == 0) {
			relay_sink(p, c);
			return;
		}
	}
	if (room == 0) {
		return; /* full: a hangup is seen once it drains */
	}
	n = recv(fd, b->b + b->off + b->len, room, 0);
	if (n > 0) {
		b->len += (size_t) n;
		if (up && !c->req.connect) {
			c->body_left -= (uint64_t) n;
		}
		if (c->rec != NULL) {
			*(up ? &c->rec->sent : &c->rec->received) += (uint64_t) n;
		}
		c->deadline = now_ms() + IDLE_MS;
	} else if (n == 0) {
		b->eof = true;
	} else if (errno != EAGAIN && errno != EINTR) {
		conn_close(p, c);
	}
}

static void relay_out(husk_proxy_t *p, struct conn *c, bool up)
{
	struct pbuf *b = up ? &c->up : &c->down;
	int fd = up ? c->ufd : c->cfd;
	ssize_t n;

	if (b->len > 0) {
		n = send(fd, b->b + b->off, b->len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			conn_close(p, c);
			return;
		}
		if (n > 0) {
			b->off += (size_t) n;
			b->len -= (size_t) n;
			if (b->len == 0) {
				b->off = 0;
			}
			c->deadline = now_ms() + IDLE_MS;
		}
	}
	if (b->len == 0 && b->eof && !b->shut) {
		shutdown(fd, SHUT_WR);
		b->shut = true;
	}
}

/* Done once the upstream's answer is all passed on and the job's side
 * has nothing more to send (a plain request: its body is passed). */
static bool relay_done(const struct conn *c)
{
	bool up_done = c->up.shut || (!c->req.connect && c->body_left == 0 && c->up.len == 0);

	return c->down.shut && up_done;
}

/* ---- the loop ---- */

/* What to poll each of C's descriptors for. */
static void conn_events(const struct conn *c, short *cev, short *uev)
{
	*cev = *uev = 0;
	switch (c->st) {
	case C_HEAD:
		*cev = POLLIN;
		break;
	case C_CONNECT:
		*uev = POLLOUT;
		break;
	case C_REPLY:
		*cev = POLLOUT;
		break;
	case C_RELAY:
		if (!c->up.eof && c->up.off + c->up.len < RELAY_BUF) {
			*cev |= POLLIN;
		}
		if (c->down.len > 0) {
			*cev |= POLLOUT;
		}
		if (!c->down.eof && c->down.off + c->down.len < RELAY_BUF) {
			*uev |= POLLIN;
		}
		if (c->up.len > 0) {
			*uev |= POLLOUT;
		}
		break;
	default:
		break;
	}
}

static void on_client(husk_proxy_t *p, struct conn *c, short rev)
{
	if (c->st == C_HEAD) {
		read_head(p, c);
	} else if (c->st == C_REPLY) {
		relay_out(p, c, false);
		if (c->st == C_REPLY && (c->down.len == 0 || (rev & (POLLERR | POLLHUP)))) {
			conn_close(p, c);
		}
	} else if (c->st == C_RELAY) {
		if (rev & POLLERR) {
			conn_close(p, c);
			return;
		}
		if (rev & (POLLIN | POLLHUP)) {
			relay_in(p, c, true);
		}
		if (c->st == C_RELAY && (rev & POLLOUT)) {
			relay_out(p, c, false);
		}
	}
}

static void on_upstream(husk_proxy_t *p, struct conn *c, short rev)
{
	if (c->st == C_CONNECT) {
		on_connect(c);
	} else if (c->st == C_RELAY) {
		if (rev & POLLERR) {
			conn_close(p, c);
			return;
		}
		if (rev & (POLLIN | POLLHUP)) {
			relay_in(p, c, false);
		}
		if (c->st == C_RELAY && (rev & POLLOUT)) {
			relay_out(p, c, true);
		}
	}
}

/* Buffers drained into their other side, and the end noticed. */
static void conn_settle(husk_proxy_t *p, struct conn *c)
{
	if (c->st != C_RELAY) {
		return;
	}
	if (c->up.eof && c->up.len == 0 && !c->up.shut) {
		relay_out(p, c, true);
	}
	if (c->st == C_RELAY && c->down.eof && c->down.len == 0 && !c->down.shut) {
		relay_out(p, c, false);
	}
	if (c->st == C_RELAY && relay_done(c)) {
		conn_close(p, c);
	}
}

static void expire(husk_proxy_t *p, struct conn *c, int64_t now)
{
	char msg[HUSK_HOST_MAX + 64];

	if (c->st == C_FREE || now < c->deadline) {
		return;
	}
	switch (c->st) {
	case C_HEAD:
		c->rec = record(p, &c->req);
		refuse(p, c, 408, "no complete request within 10 s", "(no request within 10 s)");
		break;
	case C_RESOLVE:
		snprintf(msg, sizeof(msg), "no answer resolving %s within 10 s", c->req.host.name);
		fail(c, 504, msg);
		break;
	case C_CONNECT:
		snprintf(msg, sizeof(msg), "no connection to %s within 10 s", c->req.host.name);
		fail(c, 504, msg);
		break;
	default:
		conn_close(p, c);
		break;
	}
}

static void overloaded(husk_proxy_t *p, int fd)
{
	static const char busy[] =
		"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
		"Content-Length: 54\r\nConnection: close\r\n\r\n"
		"husk sandbox: more than 64 connections at once, try later\n";
	husk_request_t none = { 0 };
	husk_sandbox_conn_t *r = record(p, &none);

	if (r != NULL) {
		r->verdict = "refused";
		r->reason = xstrdup("more than 64 connections at once");
	}
	tally(p, "(more than 64 connections at once)");
	if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		/* The job went away already: nothing to tell it. */
	}
	close(fd);
}

static void accept_new(husk_proxy_t *p)
{
	for (int i = 0; i < 16; i++) {
		int fd = accept4(p->listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct conn *c = NULL;

		if (fd < 0) {
			return;
		}
		for (size_t k = 0; k < MAX_CONNS && c == NULL; k++) {
			c = p->conns[k].st == C_FREE ? &p->conns[k] : NULL;
		}
		if (c == NULL) {
			overloaded(p, fd);
			continue;
		}
		c->st = C_HEAD;
		c->cfd = fd;
		c->ufd = -1;
		c->head = xmalloc(HEAD_MAX);
		c->deadline = now_ms() + HEAD_MS;
		p->active++;
	}
}

static int poll_timeout(const husk_proxy_t *p, int64_t now)
{
	int64_t next = -1;

	for (size_t i = 0; i < MAX_CONNS; i++) {
		const struct conn *c = &p->conns[i];

		if (c->st != C_FREE && (next < 0 || c->deadline < next)) {
			next = c->deadline;
		}
	}
	if (next < 0) {
		return -1;
	}
	return next <= now ? 0 : (int) (next - now > 60000 ? 60000 : next - now);
}

/* Which connection a polled descriptor is, and which of its two. */
struct polled {
	size_t slot;
	unsigned gen;
	bool up;
};

static void *proxy_run(void *arg)
{
	husk_proxy_t *p = arg;

	for (;;) {
		struct pollfd pf[3 + 2 * MAX_CONNS];
		struct polled who[2 * MAX_CONNS];
		size_t n = 3, w = 0;
		int64_t now = now_ms();

		pf[0] = (struct pollfd){ .fd = p->stopfd, .events = POLLIN };
		pf[1] = (struct pollfd){ .fd = p->listener, .events = POLLIN };
		pf[2] = (struct pollfd){ .fd = p->res->fd[0], .events = POLLIN };
		for (size_t i = 0; i < MAX_CONNS; i++) {
			short cev, uev;

			conn_events(&p->conns[i], &cev, &uev);
			if (cev != 0) {
				pf[n++] = (struct pollfd){ .fd = p->conns[i].cfd, .events = cev };
				who[w++] = (struct polled){ i, p->conns[i].gen, false };
			}
			if (uev != 0) {
				pf[n++] = (struct pollfd){ .fd = p->conns[i].ufd, .events = uev };
				who[w++] = (struct polled){ i, p->conns[i].gen, true };
			}
		}
		if (poll(pf, n, poll_timeout(p, now)) < 0 && errno != EINTR) {
			break;
		}
		if (pf[0].revents != 0) {
			break;
		}
		if (pf[2].revents != 0) {
			lookups_done(p);
		}
		for (size_t i = 0; i < w; i++) {
			struct conn *c = &p->conns[who[i].slot];

			/* Closed, or closed and reused, earlier in this round. */
			if (pf[3 + i].revents == 0 || c->gen != who[i].gen) {
				continue;
			}
			if (who[i].up) {
				on_upstream(p, c, pf[3 + i].revents);
			} else {
				on_client(p, c, pf[3 + i].revents);
			}
		}
		now = now_ms();
		for (size_t i = 0; i < MAX_CONNS; i++) {
			conn_settle(p, &p->conns[i]);
			expire(p, &p->conns[i], now);
			if (p->conns[i].st == C_RESOLVE && p->conns[i].queued) {
				lookup_start(p, &p->conns[i]);
			}
		}
		if (pf[1].revents != 0) {
			accept_new(p);
		}
	}
	for (size_t i = 0; i < MAX_CONNS; i++) {
		if (p->conns[i].st != C_FREE) {
			conn_close(p, &p->conns[i]);
		}
	}
	return NULL;
}

husk_proxy_t *husk_proxy_start(int listener, const husk_allow_t *rules, size_t n, husk_error_t *err)
{
	husk_proxy_t *p = xmalloc0(sizeof(*p));
	sigset_t all, old;
	int r;

	p->listener = listener;
	p->rules = rules;
	p->n_rules = n;
	for (size_t i = 0; i < MAX_CONNS; i++) {
		p->conns[i].cfd = p->conns[i].ufd = -1;
	}
	p->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	p->res = resolver_new();
	if (p->stopfd < 0 || p->res == NULL) {
		husk_error_errno(err, "sandbox: the proxy's eventfd and socket pair");
		husk_proxy_free(p);
		return NULL;
	}
	/* No signal for the proxy nor its lookups: husk's own handling stays
	 * on the main thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&p->thread, NULL, proxy_run, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		husk_error_make(err, r, "sandbox: a thread for the proxy");
		husk_proxy_free(p);
		return NULL;
	}
	p->started = true;
	return p;
}

void husk_proxy_stop(husk_proxy_t *p)
{
	uint64_t one = 1;

	if (p == NULL || !p->started) {
		return;
	}
	if (write(p->stopfd, &one, sizeof(one)) != sizeof(one)) {
		/* An eventfd write of 1 fails only on overflow: it is set. */
	}
	pthread_join(p->thread, NULL);
	p->started = false;
	p->listener = husk_safe_close(p->listener);
}

void husk_proxy_report(const husk_proxy_t *p, husk_sandbox_report_t *r, husk_sandbox_network_t *n)
{
	n->conns = p->recs;
	n->n_conns = p->n_recs;
	n->conns_omitted = p->omitted;
	for (size_t i = 0; i < p->n_denials; i++) {
		husk_sandbox_report_denial(r, "net", p->denials[i].what, p->denials[i].count);
	}
}

void husk_proxy_free(husk_proxy_t *p)
{
	if (p == NULL) {
		return;
	}
	husk_proxy_stop(p);
	husk_safe_close(p->listener);
	husk_safe_close(p->stopfd);
	if (p->res != NULL) {
		resolver_unref(p->res);
	}
	for (size_t i = 0; i < p->n_recs; i++) {
		free(p->recs[i].host);
		free(p->recs[i].method);
		free(p->recs[i].reason);
		free(p->recs[i].address);
	}
	for (size_t i = 0; i < p->n_denials; i++) {
		free(p->denials[i].what);
	}
	free(p);
}
