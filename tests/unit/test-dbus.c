/* Unit tests: husk's D-Bus client (cgroups/dbus.h) against bytes captured
 * from a real bus.
 *
 * tests/unit/dbus/ holds sessions recorded byte for byte in the systemd VM
 * lane (tests/unit/dbus/capture.sh: systemd 252 as PID 1, dbus-daemon):
 *   busctl-*   busctl, whose sd-bus is an independent marshaller, making the
 *              calls husk makes with the same values: husk must make the
 *              same bytes;
 *   husk-*     husk itself making, finding taken, updating and deleting a
 *              scope: the replies, errors and signals are systemd's and
 *              dbus-daemon's own, and husk must read them;
 * and a fake bus replays a captured session to husk's connection code.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroups/dbus.h"
#include "cgroups/systemd-internal.h"
#include "spec/config.h"
#include "tap.h"
#include "util/cleanup.h"
#include "util/file.h"
#include "util/xalloc.h"

#define DATA     "tests/unit/dbus/"
#define MAX_MSGS 16

static const char *const sessions[] = {
	"busctl-resources", "busctl-annotations", "busctl-version", "busctl-no-such-unit",
	"husk-run",         "husk-run-taken",     "husk-update",    "husk-delete",
};

/* A captured stream, cut into its messages. */
struct stream {
	char *bytes;
	size_t len;
	size_t auth; /* bytes of the authentication before the first message */
	const uint8_t *msg[MAX_MSGS];
	size_t size[MAX_MSGS];
	size_t n;
	bool whole; /* the messages took every byte after the authentication */
};

/* Skip the SASL lines: the client's NUL first, then "AUTH ...\r\n" and the
 * like, whose first letter is a capital; a message starts with 'l' or 'B'
 * and a type byte. */
static size_t auth_length(const char *b, size_t len)
{
	size_t i = len > 0 && b[0] == '\0' ? 1 : 0;

	while (i < len && b[i] >= 'A' && b[i] <= 'Z' &&
	       !(b[i] == 'B' && i + 1 < len && b[i + 1] < 8)) {
		const char *end = memmem(b + i, len - i, "\r\n", 2);

		if (end == NULL) {
			return len;
		}
		i = (size_t) (end - b) + 2;
	}
	return i;
}

static void stream_load(struct stream *s, const char *name, const char *dir)
{
	_cleanup_error_ husk_error_t e = NULL;
	_cleanup_free_ char *path = xasprintf(DATA "%s.%s", name, dir);
	size_t pos;

	*s = (struct stream){ 0 };
	s->bytes = husk_read_file(path, 1 << 20, &s->len, &e);
	if (s->bytes == NULL) {
		diag("%s", e->msg);
		return;
	}
	pos = s->auth = auth_length(s->bytes, s->len);
	while (pos < s->len && s->n < MAX_MSGS) {
		_cleanup_error_ husk_error_t e2 = NULL;
		ssize_t size = husk_dbus_msg_size((uint8_t *) s->bytes + pos, s->len - pos, &e2);

		if (size <= 0 || (size_t) size > s->len - pos) {
			break;
		}
		s->msg[s->n] = (uint8_t *) s->bytes + pos;
		s->size[s->n++] = (size_t) size;
		pos += (size_t) size;
	}
	s->whole = pos == s->len;
}

static husk_dbus_msg_t *parsed(const struct stream *s, size_t i)
{
	_cleanup_error_ husk_error_t e = NULL;
	husk_dbus_msg_t *m = i < s->n ? husk_dbus_msg_parse(s->msg[i], s->size[i], &e) : NULL;

	if (m == NULL) {
		diag("message %zu: %s", i, e != NULL ? e->msg : "missing");
	}
	return m;
}

/* The first message of S whose member is MEMBER, parsed. */
static husk_dbus_msg_t *find(const struct stream *s, const char *member, size_t *at)
{
	for (size_t i = 0; i < s->n; i++) {
		husk_dbus_msg_t *m = parsed(s, i);

		if (m != NULL && husk_dbus_msg_member(m) != NULL &&
		    strcmp(husk_dbus_msg_member(m), member) == 0) {
			*at = i;
			return m;
		}
		husk_dbus_msg_free(m);
	}
	return NULL;
}

/* Whether M, with SERIAL, is byte for byte the message of S named MEMBER. */
static bool same_bytes(husk_dbus_msg_t *m, const struct stream *s, const char *member)
{
	_cleanup_dbus_msg_ husk_dbus_msg_t *want = NULL;
	const uint8_t *got;
	size_t at = 0, len;

	want = find(s, member, &at);
	if (want == NULL) {
		diag("no %s in the capture", member);
		return false;
	}
	got = husk_dbus_msg_bytes(m, husk_dbus_msg_serial(want), &len);
	if (len != s->size[at] || memcmp(got, s->msg[at], len) != 0) {
		for (size_t i = 0; i < len && i < s->size[at]; i++) {
			if (got[i] != s->msg[at][i]) {
				diag("%s: first difference at byte %zu: 0x%02x, sd-bus 0x%02x",
				     member, i, got[i], s->msg[at][i]);
				break;
			}
		}
		diag("%s: %zu bytes, sd-bus %zu", member, len, s->size[at]);
		return false;
	}
	return true;
}

static void test_streams(void)
{
	static const char *const dirs[] = { "client", "server" };

	for (size_t i = 0; i < sizeof(sessions) / sizeof(*sessions); i++) {
		for (size_t d = 0; d < 2; d++) {
			struct stream s;
			size_t good = 0;

			stream_load(&s, sessions[i], dirs[d]);
			for (size_t k = 0; k < s.n; k++) {
				husk_dbus_msg_t *m = parsed(&s, k);

				good += m != NULL;
				husk_dbus_msg_free(m);
			}
			ok(s.bytes != NULL && s.n > 0 && s.whole && good == s.n,
			   "%s.%s: %zu messages, every byte read", sessions[i], dirs[d], s.n);
			free(s.bytes);
		}
	}
}

/* husk's Hello against busctl's. */
static void test_hello(const struct stream *s)
{
	_cleanup_dbus_msg_ husk_dbus_msg_t *m = husk_dbus_call_new(
		"org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello");

	ok(same_bytes(m, s, "Hello"), "Hello: husk's bytes are sd-bus's");
}

static husk_resources_t *resources(const char *json)
{
	_cleanup_error_ husk_error_t e = NULL;
	husk_resources_t *r = husk_resources_parse(json, strlen(json), "test", &e);

	if (r == NULL) {
		diag("%s", e->msg);
	}
	return r;
}

static void test_resources(void)
{
	static const char json[] =
		"{\"memory\": {\"limit\": 67108864, \"reservation\": 33554432, \"swap\": 67108864},"
		" \"pids\": {\"limit\": 32},"
		" \"cpu\": {\"shares\": 512, \"quota\": 50000, \"period\": 100000, \"cpus\": \"0\","
		" \"mems\": \"0\"},"
		" \"blockIO\": {\"weight\": 500}, \"unified\": {\"memory.high\": \"52428800\"}}";
	_cleanup_error_ husk_error_t e = NULL;
	_cleanup_dbus_msg_ husk_dbus_msg_t *m = husk_sd_call_new("SetUnitProperties");
	husk_resources_t *r = resources(json);
	struct stream s;

	stream_load(&s, "busctl-resources", "client");
	test_hello(&s);
	husk_dbus_msg_set_flags(m, HUSK_DBUS_INTERACT);
	husk_dbus_put_s(m, "husk-capture.scope");
	husk_dbus_put_b(m, true);
	husk_dbus_open(m, 'a', "(sv)");
	ok(r != NULL && husk_sd_put_resources(m, r, 252, false, &e) == 0,
	   "resources as properties");
	husk_dbus_close(m);
	ok(same_bytes(m, &s, "SetUnitProperties"),
	   "SetUnitProperties of a(sv) with t and ay: husk's bytes are sd-bus's");
	husk_resources_free(r);
	free(s.bytes);
}

static void test_annotations(void)
{
	static husk_kv_t kv[] = {
		{ "org.systemd.property.TimeoutStopSec", "uint64 7" },
		{ "org.systemd.property.CollectMode", "'inactive-or-failed'" },
		{ "org.systemd.property.Wants", "['a.service', \"b.service\"]" },
		{ "org.systemd.property.SendSIGHUP", "true" },
		{ "org.systemd.property.Nice", "-5" },
		{ "org.systemd.property.CPUWeight", "@u 7" },
		{ "io.kubernetes.cri.container-type", "container" },
	};
	husk_kvs_t kvs = { .v = kv, .n = sizeof(kv) / sizeof(*kv) };
	_cleanup_error_ husk_error_t e = NULL;
	_cleanup_dbus_msg_ husk_dbus_msg_t *m = husk_sd_call_new("SetUnitProperties");
	struct stream s;

	stream_load(&s, "busctl-annotations", "client");
	husk_dbus_msg_set_flags(m, HUSK_DBUS_INTERACT);
	husk_dbus_put_s(m, "husk-capture.scope");
	husk_dbus_put_b(m, true);
	husk_dbus_open(m, 'a', "(sv)");
	ok(husk_sd_put_annotations(m, &kvs, &e) == 0, "annotations as properties");
	husk_dbus_close(m);
	ok(same_bytes(m, &s, "SetUnitProperties"),
	   "annotations (t from ...Sec, s, as, b, i, u): husk's bytes are sd-bus's");
	free(s.bytes);
}

static void test_version(void)
{
	_cleanup_dbus_msg_ husk_dbus_msg_t *m =
		husk_dbus_call_new("org.freedesktop.systemd1", "/org/freedesktop/systemd1",
				   "org.freedesktop.DBus.Properties", "Get");
	_cleanup_dbus_msg_ husk_dbus_msg_t *reply = NULL;
	_cleanup_error_ husk_error_t e = NULL;
	struct stream c, s;
	const char *v = NULL;
	bool good;

	stream_load(&c, "busctl-version", "client");
	stream_load(&s, "busctl-version", "server");
	husk_dbus_put_s(m, "org.freedesktop.systemd1.Manager");
	husk_dbus_put_s(m, "Version");
	ok(same_bytes(m, &c, "Get"), "Properties.Get: husk's bytes are sd-bus's");
	/* The reply: after Hello's and the NameAcquired signal. */
	reply = parsed(&s, 2);
	good = reply != NULL && husk_dbus_msg_type(reply) == HUSK_DBUS_RETURN &&
	       husk_dbus_get_variant(reply, 's', &v, &e) == 0 && strncmp(v, "252.", 4) == 0;
	ok(good, "the Version reply is a variant of s: %s", v != NULL ? v : "?");
	free(c.bytes);
	free(s.bytes);
}

static void test_errors(void)
{
	_cleanup_dbus_msg_ husk_dbus_msg_t *m = NULL;
	_cleanup_error_ husk_error_t e = NULL;
	struct stream s;

	stream_load(&s, "busctl-no-such-unit", "server");
	m = parsed(&s, 2);
	ok(m != NULL && husk_dbus_msg_type(m) == HUSK_DBUS_ERROR &&
		   strcmp(husk_dbus_msg_error_name(m), "org.freedesktop.systemd1.NoSuchUnit") ==
			   0 &&
		   husk_dbus_msg_to_error(m, "StopUnit", &e) < 0 &&
		   strcmp(e->msg, "StopUnit: org.freedesktop.systemd1.NoSuchUnit: Unit "
				  "husk-no-such.scope not loaded.") == 0,
	   "an ERROR reply: its name and its message");
	free(s.bytes);
	husk_dbus_msg_free(TAKE_PTR(m));
	stream_load(&s, "husk-run-taken", "server");
	for (size_t i = 0, n = 0; i < s.n; i++) {
		husk_dbus_msg_t *x = parsed(&s, i);

		n += x != NULL && husk_dbus_msg_error_name(x) != NULL &&
		     strcmp(husk_dbus_msg_error_name(x), "org.freedesktop.systemd1.UnitExists") ==
			     0;
		husk_dbus_msg_free(x);
		if (i + 1 == s.n) {
			is_int(n, 2, "a taken unit: UnitExists, once more after ResetFailedUnit");
		}
	}
	free(s.bytes);
}

/* The scope's start: the job in the reply, and JobRemoved for it, done. */
static void test_job(void)
{
	_cleanup_dbus_msg_ husk_dbus_msg_t *reply = NULL;
	_cleanup_dbus_msg_ husk_dbus_msg_t *sig = NULL;
	_cleanup_error_ husk_error_t e = NULL;
	const char *job = NULL, *path = "", *unit = "", *result = "";
	uint32_t id = 0;
	struct stream s;
	bool good;

	stream_load(&s, "husk-run", "server");
	reply = parsed(&s, 2);
	sig = parsed(&s, 3);
	good = reply != NULL && husk_dbus_msg_reply_serial(reply) == 3 &&
	       husk_dbus_get(reply, 'o', &job, &e) == 0 &&
	       strncmp(job, "/org/freedesktop/systemd1/job/", 30) == 0;
	ok(good, "StartTransientUnit's reply: the job %s", job != NULL ? job : "?");
	good = sig != NULL && husk_dbus_msg_type(sig) == HUSK_DBUS_SIGNAL &&
	       strcmp(husk_dbus_msg_member(sig), "JobRemoved") == 0 &&
	       strcmp(husk_dbus_msg_signature(sig), "uoss") == 0 &&
	       husk_dbus_get(sig, 'u', &id, &e) == 0 && husk_dbus_get(sig, 'o', &path, &e) == 0 &&
	       husk_dbus_get(sig, 's', &unit, &e) == 0 &&
	       husk_dbus_get(sig, 's', &result, &e) == 0 && job != NULL && strcmp(path, job) == 0 &&
	       strcmp(unit, "husk-capture-c1.scope") == 0 && strcmp(result, "done") == 0;
	ok(good, "JobRemoved(%u, %s, %s, %s)", id, path, unit, result);
	ok(sig != NULL && husk_dbus_get(sig, 's', &result, &e) < 0 && e != NULL,
	   "reading past the body's signature is an error");
	free(s.bytes);
}

/* husk's own calls, as the bus got them. */
static void test_own_calls(void)
{
	_cleanup_dbus_msg_ husk_dbus_msg_t *start = NULL;
	_cleanup_dbus_msg_ husk_dbus_msg_t *match = NULL;
	struct stream s;
	size_t at;

	stream_load(&s, "husk-run", "client");
	start = find(&s, "StartTransientUnit", &at);
	match = find(&s, "AddMatch", &at);
	ok(start != NULL && strcmp(husk_dbus_msg_signature(start), "ssa(sv)a(sa(sv))") == 0 &&
		   strcmp(husk_dbus_msg_interface(start), "org.freedesktop.systemd1.Manager") == 0,
	   "husk's StartTransientUnit: ssa(sv)a(sa(sv))");
	ok(match != NULL && s.msg[at][2] == HUSK_DBUS_NO_REPLY,
	   "husk's AddMatch asks for no reply");
	free(s.bytes);
}

/* Every message cut short, and some with a header field's length made huge:
 * an error every time, and no read out of bounds (the SANITIZE=address
 * build checks). */
static void test_malformed(void)
{
	size_t refused = 0, tried = 0, survived = 0;

	for (size_t i = 0; i < sizeof(sessions) / sizeof(*sessions); i++) {
		struct stream s;

		stream_load(&s, sessions[i], "server");
		for (size_t k = 0; k < s.n; k++) {
			uint8_t *copy = xmalloc(s.size[k]);

			for (size_t len = 0; len < s.size[k]; len++) {
				_cleanup_error_ husk_error_t e = NULL;
				husk_dbus_msg_t *m;

				memcpy(copy, s.msg[k], len);
				m = husk_dbus_msg_parse(copy, len, &e);
				tried++;
				refused += m == NULL && e != NULL;
				husk_dbus_msg_free(m);
			}
			/* Byte 20 on: the first field's value, its length. */
			for (size_t at = 16; at < s.size[k] && at < 64; at++) {
				_cleanup_error_ husk_error_t e = NULL;
				husk_dbus_msg_t *m;

				memcpy(copy, s.msg[k], s.size[k]);
				copy[at] = 0xff;
				m = husk_dbus_msg_parse(copy, s.size[k], &e);
				survived++;
				husk_dbus_msg_free(m);
			}
			free(copy);
		}
		free(s.bytes);
	}
	ok(tried > 1000 && refused == tried, "%zu truncated messages, each refused", tried);
	ok(survived > 500, "%zu damaged headers parsed or refused without harm", survived);
}

/* ---- the connection, against a bus that replays a capture ---- */

/* Accept one connection at SOCK, read the client's authentication up to
 * BEGIN, answer OK, then send SERVER's messages as captured. */
static void fake_bus(int sock, const struct stream *server)
{
	int fd = accept4(sock, NULL, NULL, SOCK_CLOEXEC);
	char buf[4096];
	size_t got = 0;
	static const char ok_line[] = "OK 6cb5687cb80ab3cf62a6b4cd6b16405c\r\n";

	while (fd >= 0 && got < sizeof(buf) && memmem(buf, got, "BEGIN\r\n", 7) == NULL) {
		ssize_t n = read(fd, buf + got, sizeof(buf) - got);

		if (n <= 0) {
			_exit(1);
		}
		got += (size_t) n;
	}
	if (fd < 0 || write(fd, ok_line, strlen(ok_line)) < 0 ||
	    write(fd, server->bytes + server->auth, server->len - server->auth) < 0) {
		_exit(1);
	}
	/* Until the client is done. */
	while (read(fd, buf, sizeof(buf)) > 0) {
	}
	_exit(0);
}

static void test_connection(void)
{
	_cleanup_dbus_msg_ husk_dbus_msg_t *call = husk_sd_call_new("StartTransientUnit");
	_cleanup_dbus_msg_ husk_dbus_msg_t *failed = NULL;
	_cleanup_free_ char *result = NULL;
	_cleanup_error_ husk_error_t e = NULL;
	char dir[] = "/tmp/husk-test-dbus.XXXXXX";
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	husk_dbus_t *b = NULL;
	struct stream s;
	pid_t pid;
	int sock;

	stream_load(&s, "husk-run", "server");
	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/bus", dir);
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || bind(sock, (struct sockaddr *) &sa, sizeof(sa)) < 0 ||
	    listen(sock, 1) < 0) {
		ok(0, "a socket for the fake bus: %s", strerror(errno));
		return;
	}
	pid = fork();
	if (pid == 0) {
		fake_bus(sock, &s);
	}
	b = husk_dbus_connect(sa.sun_path, true, &e);
	/* As husk makes a scope: Hello (sent by connect), AddMatch, then the
	 * start, whose reply and JobRemoved the capture holds. */
	husk_dbus_put_s(call, "husk-capture-c1.scope");
	ok(b != NULL && husk_sd_watch_jobs(b, &e) == 0 &&
		   husk_sd_run_job(b, call, "husk-capture-c1.scope", &result, &failed, &e) == 0 &&
		   failed == NULL && result != NULL && strcmp(result, "done") == 0,
	   "a job run against a replayed bus: its JobRemoved, done");
	if (e != NULL) {
		diag("%s", e->msg);
	}
	husk_dbus_free(b);
	waitpid(pid, NULL, 0);
	unlink(sa.sun_path);
	rmdir(dir);
	close(sock);
	free(s.bytes);
}

int main(void)
{
	plan(16 + 3 + 2 + 2 + 2 + 3 + 2 + 2 + 1);
	test_streams();
	test_resources();
	test_annotations();
	test_version();
	test_errors();
	test_job();
	test_own_calls();
	test_malformed();
	test_connection();
	return done();
}
