/* Unit tests: the rules of `husk sandbox --allow-host` and the request heads
 * its proxy reads (sandbox/allow.c), with hostile input. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/internal.h"
#include "spec/json.h"
#include "tap.h"
#include "util/cleanup.h"

static const struct {
	const char *in, *name; /* NULL name: refused */
	int ip;                /* 0, 4 or 6 */
} hosts[] = {
	{ "example.com", "example.com", 0 },
	{ "EXAMPLE.Com.", "example.com", 0 },
	{ "xn--bcher-kva.example", "xn--bcher-kva.example", 0 },
	{ "a-b.c0", "a-b.c0", 0 },
	{ "localhost", "localhost", 0 },
	{ "1.2.3.4", "1.2.3.4", 4 },
	{ "10.0.0.1.", "10.0.0.1", 4 },
	{ "[::1]", "::1", 6 },
	{ "[0:0:0:0:0:0:0:1]", "::1", 6 },
	{ "[::ffff:127.0.0.1]", "127.0.0.1", 4 },
	{ "", NULL, 0 },
	{ ".", NULL, 0 },
	{ "example.com..", NULL, 0 },
	{ "a..b", NULL, 0 },
	{ "-a.com", NULL, 0 },
	{ "a-.com", NULL, 0 },
	{ "a_b.com", NULL, 0 },
	{ "exa mple.com", NULL, 0 },
	{ "b\xc3\xbc"
	  "cher.de",
	  NULL, 0 },
	{ "127.1", NULL, 0 },
	{ "0x7f.0.0.1", NULL, 0 },
	{ "0x7f000001", NULL, 0 },
	{ "2130706433", NULL, 0 },
	{ "1.2.3.256", NULL, 0 },
	{ "01.2.3.4", NULL, 0 },
	{ "a.123", NULL, 0 },
	{ "a.b.c.0x1", NULL, 0 },
	{ "[::1", NULL, 0 },
	{ "[fe80::1%eth0]", NULL, 0 },
	{ "[1.2.3.4]", NULL, 0 },
	{ "a\tb.com", NULL, 0 },
	{ "*.example.com", NULL, 0 },
};

static void test_hosts(void)
{
	char label64[80], long_name[300];

	for (size_t i = 0; i < HUSK_N(hosts); i++) {
		husk_host_t h;
		const char *why = husk_host_parse(hosts[i].in, strlen(hosts[i].in), &h);

		if (hosts[i].name == NULL) {
			ok(why != NULL, "host `%s` is refused (%s)", hosts[i].in, why ? why : "-");
			continue;
		}
		ok(why == NULL && strcmp(h.name, hosts[i].name) == 0 &&
			   (hosts[i].ip == 0
				    ? !h.is_ip
				    : h.is_ip && h.ip.family ==
							 (hosts[i].ip == 4 ? AF_INET : AF_INET6)),
		   "host `%s` is %s `%s`", hosts[i].in, hosts[i].ip ? "the address" : "the name",
		   hosts[i].name);
	}
	memset(label64, 'a', 64);
	strcpy(label64 + 64, ".com");
	ok(husk_host_parse(label64, strlen(label64), &(husk_host_t){ 0 }) != NULL,
	   "a label of 64 characters is refused");
	for (size_t i = 0; i < 254; i += 2) {
		long_name[i] = 'a';
		long_name[i + 1] = '.';
	}
	strcpy(long_name + 252, "ab");
	ok(husk_host_parse(long_name, strlen(long_name), &(husk_host_t){ 0 }) != NULL,
	   "a name of 254 characters is refused");
	long_name[253] = '\0';
	ok(husk_host_parse(long_name, strlen(long_name), &(husk_host_t){ 0 }) == NULL,
	   "a name of 253 characters is taken");
}

static const struct {
	const char *in;
	int kind; /* -1: refused */
	int port;
} rules[] = {
	{ "example.com", HUSK_ALLOW_NAME, HUSK_ALLOW_WEB },
	{ "example.com:8080", HUSK_ALLOW_NAME, 8080 },
	{ "*.example.com:443", HUSK_ALLOW_SUFFIX, 443 },
	{ "example.com:*", HUSK_ALLOW_NAME, HUSK_ALLOW_ANY },
	{ "127.0.0.1:3000", HUSK_ALLOW_IP, 3000 },
	{ "[::1]:80", HUSK_ALLOW_IP, 80 },
	{ "[2001:db8::1]", HUSK_ALLOW_IP, HUSK_ALLOW_WEB },
	{ "example.com:65535", HUSK_ALLOW_NAME, 65535 },
	{ ":80", -1, 0 },
	{ "example.com:0", -1, 0 },
	{ "example.com:65536", -1, 0 },
	{ "example.com:123456", -1, 0 },
	{ "example.com:-1", -1, 0 },
	{ "example.com:+80", -1, 0 },
	{ "example.com:80x", -1, 0 },
	{ "example.com:", -1, 0 },
	{ "*", -1, 0 },
	{ "*.", -1, 0 },
	{ "*.1.2.3.4", -1, 0 },
	{ "::1", -1, 0 },
	{ "[::1]x", -1, 0 },
	{ "a.*.com", -1, 0 },
	{ "**.a.com", -1, 0 },
	{ "127.1:80", -1, 0 },
};

static void test_rules(void)
{
	for (size_t i = 0; i < HUSK_N(rules); i++) {
		_cleanup_error_ husk_error_t e = NULL;
		husk_allow_t r;
		int rc = husk_allow_parse(rules[i].in, &r, &e);

		if (rules[i].kind < 0) {
			ok(rc < 0 && e != NULL && strstr(e->msg, "--allow-host") != NULL,
			   "rule `%s` is refused: %s", rules[i].in, e != NULL ? e->msg : "-");
		} else {
			ok(rc == 0 && (int) r.kind == rules[i].kind && r.port == rules[i].port,
			   "rule `%s` is kind %d, port %d", rules[i].in, rules[i].kind,
			   rules[i].port);
		}
	}
}

static const char *const match_rules[] = { "example.com", "*.evil.org:8443", "127.0.0.1:3000",
					   "[::1]:4000", "any.net:*" };

static const struct {
	const char *host;
	int port;
	bool allowed;
} matches[] = {
	{ "example.com", 443, true },
	{ "EXAMPLE.COM.", 80, true },
	{ "example.com", 8080, false },
	{ "www.example.com", 443, false },
	{ "a.evil.org", 8443, true },
	{ "a.b.evil.org", 8443, true },
	{ "evil.org", 8443, false },
	{ "notevil.org", 8443, false },
	{ "xevil.org", 8443, false },
	{ "a.evil.org", 443, false },
	{ "127.0.0.1", 3000, true },
	{ "[::ffff:127.0.0.1]", 3000, true },
	{ "127.0.0.2", 3000, false },
	{ "localhost", 3000, false },
	{ "[::1]", 4000, true },
	{ "[0::1]", 4000, true },
	{ "[::1]", 3000, false },
	{ "any.net", 1, true },
	{ "any.net", 65535, true },
	{ "x.any.net", 80, false },
	{ "example.com.evil.org", 443, false },
};

static void test_match(void)
{
	husk_allow_t r[HUSK_N(match_rules)];

	for (size_t i = 0; i < HUSK_N(match_rules); i++) {
		_cleanup_error_ husk_error_t e = NULL;

		if (husk_allow_parse(match_rules[i], &r[i], &e) < 0) {
			abort();
		}
	}
	for (size_t i = 0; i < HUSK_N(matches); i++) {
		husk_host_t h;

		if (husk_host_parse(matches[i].host, strlen(matches[i].host), &h) != NULL) {
			abort();
		}
		ok(husk_allow_match(r, HUSK_N(r), &h, matches[i].port) == matches[i].allowed,
		   "%s:%d is %s", matches[i].host, matches[i].port,
		   matches[i].allowed ? "allowed" : "refused");
	}
}

static const struct {
	const char *addr;
	const char *why; /* NULL: reachable */
} addrs[] = {
	{ "127.0.0.1", "loopback" },   { "127.255.255.254", "loopback" },
	{ "0.0.0.0", "unspecified" },  { "169.254.169.254", "link-local" },
	{ "224.0.0.1", "multicast" },  { "255.255.255.255", "reserved" },
	{ "::1", "loopback" },         { "::", "unspecified" },
	{ "fe80::1", "link-local" },   { "febf::1", "link-local" },
	{ "ff02::1", "multicast" },    { "::ffff:127.0.0.1", "loopback" },
	{ "::127.0.0.1", "reserved" }, { "64:ff9b::7f00:1", "loopback" },
	{ "93.184.216.34", NULL },     { "10.0.0.1", "private" },
	{ "172.16.0.1", "private" },   { "172.31.255.1", "private" },
	{ "172.32.0.1", NULL },        { "192.168.1.1", "private" },
	{ "192.169.0.1", NULL },       { "100.64.0.1", "shared (carrier-grade NAT)" },
	{ "100.128.0.1", NULL },       { "fd00::1", "private" },
	{ "fc00::1", "private" },      { "2606:2800::1", NULL },
	{ "fec0::1", "site-local" },   { "64:ff9b::5db8:d822", NULL },
};

static void test_addrs(void)
{
	for (size_t i = 0; i < HUSK_N(addrs); i++) {
		husk_addr_t a = { .family = strchr(addrs[i].addr, ':') ? AF_INET6 : AF_INET };
		const char *why;

		if (inet_pton(a.family, addrs[i].addr, a.a) != 1) {
			abort();
		}
		why = husk_addr_forbidden(&a);
		ok(addrs[i].why == NULL ? why == NULL
					: why != NULL && strcmp(why, addrs[i].why) == 0,
		   "%s is %s", addrs[i].addr, addrs[i].why != NULL ? addrs[i].why : "reachable");
	}
}

static int parse(const char *head, husk_request_t *q)
{
	return husk_request_parse(head, strlen(head), q);
}

static void test_connect(void)
{
	husk_request_t q;
	const char *h = "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\nTLS";

	ok(parse(h, &q) == 1 && q.connect && strcmp(q.host.name, "example.com") == 0 &&
		   q.port == 443 && q.head_len == strlen(h) - 3 && q.fwd == NULL,
	   "CONNECT host:port, the tunnel's first bytes after the head");
	is_int(parse("CONNECT example.com:443 HTTP/1.1\r\n", &q), 0, "half a head: more needed");
	is_int(parse("CONNECT example.com:443 HTTP/1.1\r\n\r", &q), 0, "all but its last byte");
	ok(parse("CONNECT EXAMPLE.COM.:443 HTTP/1.1\r\n\r\n", &q) == 1 &&
		   strcmp(q.host.name, "example.com") == 0 &&
		   strcmp(q.host_text, "EXAMPLE.COM.") == 0,
	   "CONNECT: the name in its canonical form, the text as asked");
	ok(parse("CONNECT [::1]:80 HTTP/1.1\r\n\r\n", &q) == 1 && q.host.is_ip && q.port == 80,
	   "CONNECT [IPv6]:port");
	ok(parse("CONNECT example.com HTTP/1.1\r\n\r\n", &q) < 0 && q.status == 400,
	   "CONNECT without a port: 400");
	ok(parse("CONNECT a.com:443@evil.com:80 HTTP/1.1\r\n\r\n", &q) < 0 && q.status == 400,
	   "CONNECT with a user part: 400");
	ok(parse("CONNECT 0x7f000001:80 HTTP/1.1\r\n\r\n", &q) < 0, "CONNECT 0x7f000001: 400");
	ok(parse("CONNECT 127.1:80 HTTP/1.1\r\n\r\n", &q) < 0, "CONNECT 127.1: 400");
	ok(parse("CONNECT example.com:65536 HTTP/1.1\r\n\r\n", &q) < 0, "a port past 65535: 400");
	ok(parse("CONNECT example.com:0443 HTTP/1.1\r\n\r\n", &q) == 1 && q.port == 443,
	   "a port with a leading zero is the port");
}

static void test_plain(void)
{
	husk_request_t q;
	const char *h = "GET http://Example.com/x?y#frag HTTP/1.1\r\nHost: evil.com\r\n"
			"Connection: keep-alive\r\nProxy-Authorization: x\r\nAccept: */*\r\n\r\n";

	ok(parse(h, &q) == 1 && !q.connect && q.port == 80 && q.fwd != NULL,
	   "GET http://host/path: a plain request");
	is_str(q.fwd != NULL ? q.fwd : "",
	       "GET /x?y HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\nConnection: close\r\n\r\n",
	       "passed on in origin-form, the URL's Host, one request, no proxy headers");
	is_int(q.fwd_len, q.fwd != NULL ? strlen(q.fwd) : 0, "its length");
	free(q.fwd);
	ok(parse("GET http://example.com:8080 HTTP/1.0\r\n\r\n", &q) == 1 &&
		   strcmp(q.fwd, "GET / HTTP/1.0\r\nHost: example.com:8080\r\nConnection: "
				 "close\r\n\r\n") == 0,
	   "no path: /, the port in Host");
	free(q.fwd);
	ok(parse("GET http://[::1]:8080/ HTTP/1.1\r\n\r\n", &q) == 1 &&
		   strstr(q.fwd, "\r\nHost: [::1]:8080\r\n") != NULL,
	   "an IPv6 host in brackets");
	free(q.fwd);
	h = "POST http://example.com/ HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET "
	    "http://evil.com/ HTTP/1.1\r\n\r\n";
	ok(parse(h, &q) == 1 && q.content_length == 5 &&
		   q.head_len == (size_t) (strstr(h, "hello") - h),
	   "a body's length, and the head ends where it does");
	free(q.fwd);
	ok(parse("GET http://user@evil.com/ HTTP/1.1\r\n\r\n", &q) < 0, "a user in the URL: 400");
	ok(parse("GET https://example.com/ HTTP/1.1\r\n\r\n", &q) < 0 && strstr(q.why, "CONNECT"),
	   "https:// is for CONNECT");
	ok(parse("GET /x HTTP/1.1\r\nHost: example.com\r\n\r\n", &q) < 0, "origin-form: 400");
	ok(parse("POST http://example.com/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", &q) <
			   0 &&
		   q.status == 501,
	   "Transfer-Encoding: 501");
	ok(parse("POST http://example.com/ HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: "
		 "5\r\n\r\n",
		 &q) < 0,
	   "two Content-Length: 400");
	ok(parse("POST http://example.com/ HTTP/1.1\r\nContent-Length: -5\r\n\r\n", &q) < 0,
	   "a negative Content-Length: 400");
}

static void test_bad_heads(void)
{
	static const char *const bad[] = {
		"GET http://example.com/ HTTP/1.1\r\nX: a\nY: b\r\n\r\n",
		"GET http://example.com/ HTTP/1.1\r\n folded\r\n\r\n",
		"GET http://example.com/ HTTP/1.1\r\nBad Name: x\r\n\r\n",
		"get http://example.com/ HTTP/1.1\r\n\r\n",
		"GET http://example.com/ HTTP/2.0\r\n\r\n",
		"GET  http://example.com/ HTTP/1.1\r\n\r\n",
		"GET http://example.com/ HTTP/1.1 \r\n\r\n",
		"GET http://exa\tmple.com/ HTTP/1.1\r\n\r\n",
		"\r\n\r\n",
		"CONNECTX example.com:443 HTTP/1.1\r\n\r\n",
		"GET http://example.com/\x7f HTTP/1.1\r\n\r\n",
	};
	char big[HUSK_HEAD_MAX + 16], many[4096];
	husk_request_t q;
	char nul[] = "GET http://example.com/ HTTP/1.1\r\nX: a\0b\r\n\r\n";
	size_t len = 0;

	for (size_t i = 0; i < HUSK_N(bad); i++) {
		ok(parse(bad[i], &q) < 0 && q.status == 400, "bad head %zu: 400 (%s)", i,
		   q.why != NULL ? q.why : "-");
	}
	ok(husk_request_parse(nul, sizeof(nul) - 1, &q) < 0, "a NUL in a head: 400");
	ok(husk_request_parse("GET\n", 4, &q) < 0, "a bare LF is refused before the end");
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET http://x.com/", 17);
	ok(husk_request_parse(big, HUSK_HEAD_MAX, &q) < 0 && q.status == 431,
	   "8 KiB with no end: 431");
	len = (size_t) snprintf(many, sizeof(many), "GET http://example.com/ HTTP/1.1\r\n");
	for (int i = 0; i < 101; i++) {
		len += (size_t) snprintf(many + len, sizeof(many) - len, "X: %d\r\n", i);
	}
	len += (size_t) snprintf(many + len, sizeof(many) - len, "\r\n");
	ok(husk_request_parse(many, len, &q) < 0 && q.status == 431, "101 header lines: 431");
}

/* Random heads: whatever comes, an answer in bounds and nothing read or
 * written past them (the sanitizer build checks the latter). */
static void test_random(void)
{
	static const char *const parts[] = { "CONNECT ",
					     "GET ",
					     "http://",
					     "a.com",
					     ":",
					     "443",
					     " ",
					     "HTTP/1.1",
					     "\r\n",
					     "\r\n\r\n",
					     "[::1]",
					     "\n",
					     "Content-Length: 3\r\n",
					     "@",
					     "%",
					     "\x80",
					     "0x7f.1",
					     "." };
	unsigned seed = 24;
	bool fine = true;

	for (int round = 0; round < 20000; round++) {
		char buf[256];
		size_t len = 0;
		husk_request_t q;
		husk_host_t h;
		int r;

		for (int k = rand_r(&seed) % 12; k >= 0; k--) {
			const char *p = parts[(size_t) rand_r(&seed) % HUSK_N(parts)];

			if (len + strlen(p) < sizeof(buf)) {
				memcpy(buf + len, p, strlen(p));
				len += strlen(p);
			}
		}
		r = husk_request_parse(buf, len, &q);
		fine &= r >= -1 && r <= 1;
		fine &= r != 1 || (q.head_len <= len && (q.connect || q.fwd_len < 2 * len + 512));
		fine &= r != -1 || (q.status >= 400 && q.why != NULL);
		free(q.fwd);
		if (husk_host_parse(buf, len, &h) == NULL) {
			fine &= strlen(h.name) <= HUSK_HOST_MAX;
		}
	}
	ok(fine, "20000 random heads and hosts: answers in bounds");
}

int main(void)
{
	plan((int) (HUSK_N(hosts) + 3 + HUSK_N(rules) + HUSK_N(matches) + HUSK_N(addrs) + 11 + 12 +
		    15 + 1));
	test_hosts();
	test_rules();
	test_match();
	test_addrs();
	test_connect();
	test_plain();
	test_bad_heads();
	test_random();
	return done();
}
