/* husk sandbox: the rules of --allow-host, and the request heads the
 * proxy reads (sandbox/internal.h).
 *
 * Both are parsers of hostile input: a rule comes from the command line,
 * a head from the job.  Each is bounded and strict, and a host is one
 * thing only: a name, lower case, without its trailing dot, whose last
 * label starts with a letter, or an IP literal (a dotted quad, or IPv6 in
 * brackets; an IPv4-mapped one is the IPv4 address).  No form that a
 * resolver would read as an address ("127.1", "0x7f.1", "2130706433")
 * passes as a name, and no name matches an address rule.
 */
#include "sandbox/internal.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "spec/json.h"
#include "util/xalloc.h"

#define HEAD_MAX    HUSK_HEAD_MAX
#define MAX_HEADERS 100

/* ---- hosts and rules ---- */

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

bool husk_addr_eq(const husk_addr_t *a, const husk_addr_t *b)
{
	return a->family == b->family && memcmp(a->a, b->a, addr_len(a->family)) == 0;
}

void husk_addr_unmap(husk_addr_t *a)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (a->family == AF_INET6 && memcmp(a->a, mapped, sizeof(mapped)) == 0) {
		memmove(a->a, a->a + 12, 4);
		memset(a->a + 4, 0, 12);
		a->family = AF_INET;
	}
}

void husk_addr_text(const husk_addr_t *a, char *buf, size_t len)
{
	if (inet_ntop(a->family, a->a, buf, (socklen_t) len) == NULL) {
		snprintf(buf, len, "?");
	}
}

static const char *parse_ipv6(const char *s, size_t len, husk_host_t *h)
{
	char buf[INET6_ADDRSTRLEN];

	/* "[" ADDR "]", no zone: a zone names an interface of the host. */
	if (len < 3 || s[len - 1] != ']' || len - 2 >= sizeof(buf)) {
		return "not an IPv6 address in brackets";
	}
	memcpy(buf, s + 1, len - 2);
	buf[len - 2] = '\0';
	if (inet_pton(AF_INET6, buf, h->ip.a) != 1) {
		return "not an IPv6 address in brackets";
	}
	h->ip.family = AF_INET6;
	h->is_ip = true;
	husk_addr_unmap(&h->ip);
	husk_addr_text(&h->ip, h->name, sizeof(h->name));
	return NULL;
}

/* A name's characters, lower-cased into BUF: letters, digits, '-' inside
 * a label, labels of 1 to 63 between dots. */
static const char *lower_name(const char *s, size_t len, char *buf)
{
	size_t label = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char) s[i];

		if (c >= 'A' && c <= 'Z') {
			c = (unsigned char) (c - 'A' + 'a');
		}
		if (c >= 0x80) {
			return "not ASCII: an internationalised name goes in its punycode form "
			       "(xn--...)";
		}
		if (c == '.') {
			if (label == 0) {
				return "an empty label";
			}
			if (buf[i - 1] == '-') {
				return "a label ends with '-'";
			}
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || is_digit(c) || c == '-') {
			if (label == 0 && c == '-') {
				return "a label starts with '-'";
			}
			if (++label > 63) {
				return "a label longer than 63 characters";
			}
		} else {
			return "not a host name (letters, digits, '-' and '.'; a wildcard only as "
			       "`*.NAME`)";
		}
		buf[i] = (char) c;
	}
	if (label == 0) {
		return "an empty label";
	}
	if (buf[len - 1] == '-') {
		return "a label ends with '-'";
	}
	buf[len] = '\0';
	return NULL;
}

const char *husk_host_parse(const char *s, size_t len, husk_host_t *h)
{
	char buf[HUSK_HOST_MAX + 1];
	const char *why, *last;

	memset(h, 0, sizeof(*h));
	if (len > 0 && s[0] == '[') {
		return parse_ipv6(s, len, h);
	}
	/* "example.com." is example.com: the root's dot. */
	if (len > 0 && s[len - 1] == '.') {
		len--;
	}
	if (len == 0) {
		return "no host";
	}
	if (len > HUSK_HOST_MAX) {
		return "longer than 253 characters";
	}
	why = lower_name(s, len, buf);
	if (why != NULL) {
		return why;
	}
	/* Every top-level domain starts with a letter.  A last label that
	 * does not is an address, and only a dotted quad is taken as one:
	 * getaddrinfo would read "127.1", "0x7f.0.0.1" or "2130706433" as
	 * 127.0.0.1 without asking any DNS. */
	last = strrchr(buf, '.');
	last = last != NULL ? last + 1 : buf;
	if (*last < 'a' || *last > 'z') {
		if (inet_pton(AF_INET, buf, h->ip.a) != 1) {
			return "a number where a name's last label goes, and not a dotted-quad "
			       "IPv4 address";
		}
		h->ip.family = AF_INET;
		h->is_ip = true;
	}
	memcpy(h->name, buf, len + 1);
	return NULL;
}

/* A port: 1 to 65535, decimal digits only. */
static int parse_port(const char *s, size_t len)
{
	int port = 0;

	if (len == 0 || len > 5) {
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		if (!is_digit(s[i])) {
			return -1;
		}
		port = port * 10 + (s[i] - '0');
	}
	return port >= 1 && port <= 65535 ? port : -1;
}

static int bad_rule(const char *text, const char *why, husk_error_t *err)
{
	return husk_error_make(err, 0, "sandbox: --allow-host `%s`: %s", text, why);
}

int husk_allow_parse(const char *text, husk_allow_t *r, husk_error_t *err)
{
	const char *host = text, *port = NULL, *why;
	size_t hlen;

	memset(r, 0, sizeof(*r));
	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (close == NULL || (close[1] != '\0' && close[1] != ':')) {
			return bad_rule(text, "expected [IPv6]:PORT", err);
		}
		hlen = (size_t) (close + 1 - text);
		port = close[1] == ':' ? close + 2 : NULL;
	} else {
		const char *colon = strchr(text, ':');

		if (colon != NULL && strchr(colon + 1, ':') != NULL) {
			return bad_rule(text, "an IPv6 address goes in brackets: [ADDRESS]:PORT",
					err);
		}
		hlen = colon != NULL ? (size_t) (colon - text) : strlen(text);
		port = colon != NULL ? colon + 1 : NULL;
	}
	r->kind = HUSK_ALLOW_NAME;
	if (hlen >= 2 && host[0] == '*' && host[1] == '.') {
		r->kind = HUSK_ALLOW_SUFFIX;
		host += 2;
		hlen -= 2;
	}
	why = husk_host_parse(host, hlen, &r->host);
	if (why != NULL) {
		return bad_rule(text, why, err);
	}
	if (r->host.is_ip) {
		if (r->kind == HUSK_ALLOW_SUFFIX) {
			return bad_rule(text, "a wildcard goes with a name, not an address", err);
		}
		r->kind = HUSK_ALLOW_IP;
	}
	if (port == NULL) {
		r->port = HUSK_ALLOW_WEB;
	} else if (strcmp(port, "*") == 0) {
		r->port = HUSK_ALLOW_ANY;
	} else if ((r->port = parse_port(port, strlen(port))) < 0) {
		return bad_rule(text, "the port is not a number from 1 to 65535 (or *)", err);
	}
	return 0;
}

static bool port_allowed(int rule, int port)
{
	return rule == HUSK_ALLOW_ANY || rule == port ||
	       (rule == HUSK_ALLOW_WEB && (port == 80 || port == 443));
}

bool husk_allow_match(const husk_allow_t *rules, size_t n, const husk_host_t *h, int port)
{
	size_t len = strlen(h->name);

	for (size_t i = 0; i < n; i++) {
		const husk_allow_t *r = &rules[i];
		size_t sl = strlen(r->host.name);

		if (!port_allowed(r->port, port)) {
			continue;
		}
		/* An address matches only a rule that names it; a name only a
		 * name or a wildcard. */
		if (h->is_ip) {
			if (r->kind == HUSK_ALLOW_IP && husk_addr_eq(&r->host.ip, &h->ip)) {
				return true;
			}
		} else if (r->kind == HUSK_ALLOW_NAME) {
			if (strcmp(r->host.name, h->name) == 0) {
				return true;
			}
		} else if (r->kind == HUSK_ALLOW_SUFFIX) {
			/* Below the name, at a label's start: a.evil.com
			 * matches *.evil.com, notevil.com does not. */
			if (len > sl + 1 && h->name[len - sl - 1] == '.' &&
			    strcmp(h->name + len - sl, r->host.name) == 0) {
				return true;
			}
		}
	}
	return false;
}

static const char *ipv4_forbidden(const uint8_t *b)
{
	if (b[0] == 127) {
		return "loopback";
	}
	if (b[0] == 0) {
		return "unspecified";
	}
	if (b[0] == 169 && b[1] == 254) {
		return "link-local";
	}
	if (b[0] >= 224 && b[0] <= 239) {
		return "multicast";
	}
	/* A name the job may reach is not a way into the host's own network:
	 * whoever answers for an allowed name (a *.domain rule) could point it
	 * here.  An address listed as itself is still reached. */
	if (b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168)) {
		return "private";
	}
	if (b[0] == 100 && (b[1] & 0xc0) == 64) {
		return "shared (carrier-grade NAT)";
	}
	return b[0] >= 240 ? "reserved" : NULL;
}

const char *husk_addr_forbidden(const husk_addr_t *addr)
{
	static const uint8_t zero[16];
	static const uint8_t nat64[12] = { 0, 0x64, 0xff, 0x9b };
	husk_addr_t a = *addr;

	husk_addr_unmap(&a);
	if (a.family == AF_INET) {
		return ipv4_forbidden(a.a);
	}
	if (memcmp(a.a, zero, 15) == 0 && a.a[15] <= 1) {
		return a.a[15] == 1 ? "loopback" : "unspecified";
	}
	if (a.a[0] == 0xfe && (a.a[1] & 0xc0) == 0x80) {
		return "link-local";
	}
	if (a.a[0] == 0xff) {
		return "multicast";
	}
	if ((a.a[0] & 0xfe) == 0xfc) {
		return "private";
	}
	if (a.a[0] == 0xfe && (a.a[1] & 0xc0) == 0xc0) {
		return "site-local";
	}
	/* ::a.b.c.d (deprecated), and NAT64's prefix: an IPv4 address inside,
	 * which a translator on this host would reach. */
	if (memcmp(a.a, zero, 12) == 0) {
		return "reserved";
	}
	if (memcmp(a.a, nat64, sizeof(nat64)) == 0) {
		return ipv4_forbidden(a.a + 12);
	}
	return NULL;
}

/* ---- the request head ---- */

static int bad_request(husk_request_t *q, int status, const char *why)
{
	q->status = status;
	q->why = why;
	return -1;
}

/* Only what HTTP allows in a head: visible ASCII, space, tab, and CR only
 * before LF, LF only after CR. */
static bool head_bytes_ok(const char *b, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char) b[i];

		if (c == '\r') {
			if (i + 1 >= len || b[i + 1] != '\n') {
				return false;
			}
		} else if (c == '\n') {
			if (i == 0 || b[i - 1] != '\r') {
				return false;
			}
		} else if ((c < 0x20 && c != '\t') || c >= 0x7f) {
			return false;
		}
	}
	return true;
}

/* HOST[:PORT] or [IPV6][:PORT] of LEN bytes at S. */
static int parse_authority(const char *s, size_t len, int default_port, husk_request_t *q)
{
	const char *colon = NULL, *why;
	size_t hlen = len;

	if (len == 0 || len > sizeof(q->host_text) + 6) {
		return bad_request(q, 400, "no host, or one too long");
	}
	if (s[0] == '[') {
		const char *close = memchr(s, ']', len);

		if (close == NULL) {
			return bad_request(q, 400, "an IPv6 address without its ']'");
		}
		hlen = (size_t) (close + 1 - s);
		if (hlen < len) {
			if (s[hlen] != ':') {
				return bad_request(q, 400, "junk after an IPv6 address");
			}
			colon = s + hlen;
		}
	} else {
		colon = memrchr(s, ':', len);
		hlen = colon != NULL ? (size_t) (colon - s) : len;
	}
	if (hlen >= sizeof(q->host_text)) {
		return bad_request(q, 400, "a host too long");
	}
	memcpy(q->host_text, s, hlen);
	q->host_text[hlen] = '\0';
	why = husk_host_parse(s, hlen, &q->host);
	if (why != NULL) {
		return bad_request(q, 400, why);
	}
	if (colon == NULL) {
		if (default_port == 0) {
			return bad_request(q, 400, "CONNECT needs HOST:PORT");
		}
		q->port = default_port;
		return 0;
	}
	q->port = parse_port(colon + 1, len - hlen - 1);
	return q->port < 0 ? bad_request(q, 400, "a port that is not a number from 1 to 65535") : 0;
}

/* What the rewritten head is built in: bounded appends. */
typedef struct out_s {
	char *b;
	size_t len, cap;
} out_t;

/* Within CAP, a byte kept for the NUL. */
static void out_put(out_t *o, const char *s, size_t len)
{
	if (o->len + len < o->cap) {
		memcpy(o->b + o->len, s, len);
		o->len += len;
	}
}

static void out_str(out_t *o, const char *s)
{
	out_put(o, s, strlen(s));
}

static bool token_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
	       (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool name_is(const char *name, size_t len, const char *want)
{
	return strlen(want) == len && strncasecmp(name, want, len) == 0;
}

/* Headers a proxy does not pass on, or that husk sets itself. */
static bool dropped_header(const char *name, size_t len)
{
	static const char *const drop[] = { "host",       "connection", "proxy-connection",
					    "keep-alive", "upgrade",    "proxy-authorization",
					    "te",         "trailer" };

	for (size_t i = 0; i < HUSK_N(drop); i++) {
		if (name_is(name, len, drop[i])) {
			return true;
		}
	}
	return false;
}

static int content_length(const char *v, size_t len, husk_request_t *q, bool *seen)
{
	uint64_t n = 0;

	if (*seen) {
		return bad_request(q, 400, "two Content-Length headers");
	}
	*seen = true;
	if (len == 0 || len > 15) {
		return bad_request(q, 400, "a Content-Length that is not a number");
	}
	for (size_t i = 0; i < len; i++) {
		if (!is_digit(v[i])) {
			return bad_request(q, 400, "a Content-Length that is not a number");
		}
		n = n * 10 + (uint64_t) (v[i] - '0');
	}
	q->content_length = n;
	return 0;
}

/* The header lines from S to END (each ending in CRLF): checked; for a
 * plain request, the ones passed on appended to O. */
static int parse_headers(const char *s, const char *end, husk_request_t *q, out_t *o)
{
	bool seen_length = false;
	unsigned count = 0;

	while (s < end) {
		const char *eol = memmem(s, (size_t) (end - s), "\r\n", 2);
		const char *colon = memchr(s, ':', (size_t) (eol - s));
		const char *v;
		size_t vlen;

		if (++count > MAX_HEADERS) {
			return bad_request(q, 431, "more than 100 header lines");
		}
		if (colon == NULL || colon == s) {
			return bad_request(q, 400, "a header line without a name");
		}
		for (const char *c = s; c < colon; c++) {
			if (!token_char((unsigned char) *c)) {
				return bad_request(q, 400, "a header name that is not a token");
			}
		}
		for (v = colon + 1; v < eol && (*v == ' ' || *v == '\t'); v++) {
		}
		for (vlen = (size_t) (eol - v);
		     vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'); vlen--) {
		}
		if (!q->connect) {
			size_t nlen = (size_t) (colon - s);

			if (name_is(s, nlen, "transfer-encoding")) {
				return bad_request(q, 501,
						   "Transfer-Encoding in a plain HTTP request (use "
						   "https, through CONNECT)");
			}
			if (name_is(s, nlen, "content-length") &&
			    content_length(v, vlen, q, &seen_length) < 0) {
				return -1;
			}
			if (!dropped_header(s, nlen)) {
				out_put(o, s, (size_t) (eol + 2 - s));
			}
		}
		s = eol + 2;
	}
	return 0;
}

/* A plain request's target: an absolute http:// URL, whose host decides
 * the upstream and whose path goes on in origin-form. */
static int parse_plain_target(const char *t, size_t len, husk_request_t *q, const char **path,
			      size_t *path_len)
{
	const char *auth, *end;

	if (len >= 8 && strncasecmp(t, "https://", 8) == 0) {
		return bad_request(q, 400, "an https:// URL goes through CONNECT");
	}
	if (len < 7 || strncasecmp(t, "http://", 7) != 0) {
		return bad_request(q, 400, "not an absolute http:// URL (this is a proxy)");
	}
	auth = t + 7;
	for (end = auth; end < t + len && *end != '/' && *end != '?' && *end != '#'; end++) {
		if (*end == '@') {
			return bad_request(q, 400, "a user name in the URL");
		}
	}
	if (parse_authority(auth, (size_t) (end - auth), 80, q) < 0) {
		return -1;
	}
	/* Without its fragment, which is the client's own. */
	*path = end;
	*path_len = (size_t) (t + len - end);
	for (size_t i = 0; i < *path_len; i++) {
		if ((*path)[i] == '#') {
			*path_len = i;
		}
	}
	return 0;
}

/* The head passed upstream: origin-form, the URL's host as Host (a Host
 * of the job's own could name another site behind the same address), one
 * request per connection. */
static void build_plain(husk_request_t *q, const char *version, const char *path, size_t path_len,
			out_t *o)
{
	char port[16];

	out_str(o, q->method);
	out_str(o, " ");
	if (path_len == 0 || path[0] != '/') {
		out_str(o, "/");
	}
	out_put(o, path, path_len);
	out_str(o, " ");
	out_str(o, version);
	out_str(o, "\r\nHost: ");
	if (q->host.is_ip && q->host.ip.family == AF_INET6) {
		out_str(o, "[");
		out_str(o, q->host.name);
		out_str(o, "]");
	} else {
		out_str(o, q->host.name);
	}
	if (q->port != 80) {
		snprintf(port, sizeof(port), ":%d", q->port);
		out_str(o, port);
	}
	out_str(o, "\r\n");
}

static int parse_request_line(const char *s, const char *eol, husk_request_t *q,
			      const char **target, size_t *tlen, const char **version)
{
	const char *sp1, *sp2;
	size_t mlen;

	sp1 = memchr(s, ' ', (size_t) (eol - s));
	if (sp1 == NULL || sp1 == s || (mlen = (size_t) (sp1 - s)) >= sizeof(q->method)) {
		return bad_request(q, 400, "no request line");
	}
	for (size_t i = 0; i < mlen; i++) {
		if (s[i] < 'A' || s[i] > 'Z') {
			return bad_request(q, 400, "a method that is not in capitals");
		}
	}
	memcpy(q->method, s, mlen);
	q->method[mlen] = '\0';
	sp2 = memchr(sp1 + 1, ' ', (size_t) (eol - sp1 - 1));
	if (sp2 == NULL || sp2 == sp1 + 1 || memchr(sp1 + 1, '\t', (size_t) (sp2 - sp1 - 1))) {
		return bad_request(q, 400, "no request target");
	}
	*version = sp2 + 1;
	if ((size_t) (eol - *version) != 8 ||
	    (strncmp(*version, "HTTP/1.1", 8) != 0 && strncmp(*version, "HTTP/1.0", 8) != 0)) {
		return bad_request(q, 400, "not HTTP/1.0 or HTTP/1.1");
	}
	*target = sp1 + 1;
	*tlen = (size_t) (sp2 - sp1 - 1);
	q->connect = strcmp(q->method, "CONNECT") == 0;
	return 0;
}

int husk_request_parse(const char *buf, size_t len, husk_request_t *q)
{
	const char *end, *eol, *target, *version, *path = NULL;
	size_t tlen, path_len = 0;
	char ver[9];
	out_t o = { 0 };

	memset(q, 0, sizeof(*q));
	end = memmem(buf, len < HEAD_MAX ? len : HEAD_MAX, "\r\n\r\n", 4);
	if (end == NULL) {
		if (len >= HEAD_MAX) {
			return bad_request(q, 431, "a request head over 8 KiB");
		}
		return head_bytes_ok(buf, len > 0 && buf[len - 1] == '\r' ? len - 1 : len)
			       ? 0
			       : bad_request(q, 400, "bytes HTTP does not allow in a request head");
	}
	q->head_len = (size_t) (end - buf) + 4;
	if (!head_bytes_ok(buf, q->head_len)) {
		return bad_request(q, 400, "bytes HTTP does not allow in a request head");
	}
	eol = memmem(buf, q->head_len, "\r\n", 2);
	if (parse_request_line(buf, eol, q, &target, &tlen, &version) < 0) {
		return -1;
	}
	if (q->connect ? parse_authority(target, tlen, 0, q) < 0
		       : parse_plain_target(target, tlen, q, &path, &path_len) < 0) {
		return -1;
	}
	if (!q->connect) {
		o.cap = 2 * q->head_len + 512;
		o.b = xmalloc(o.cap);
		memcpy(ver, version, 8);
		ver[8] = '\0';
		build_plain(q, ver, path, path_len, &o);
	}
	if (parse_headers(eol + 2, end + 2, q, &o) < 0) {
		free(o.b);
		return -1;
	}
	if (!q->connect) {
		out_str(&o, "Connection: close\r\n\r\n");
		o.b[o.len] = '\0';
		q->fwd = o.b;
		q->fwd_len = o.len;
	}
	return 1;
}
