/* husk cgroups: a D-Bus connection over a unix socket (cgroups/dbus.h). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cgroups/dbus.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

#define SYSTEM_BUS      "/run/dbus/system_bus_socket"
#define SYSTEMD_PRIVATE "/run/systemd/private"
#define AUTH_TIMEOUT_MS 10000
#define MAX_KEPT        256

struct husk_dbus_s {
	int fd;
	bool bus;
	uint32_t serial;
	uint8_t *in; /* received, not yet a whole message */
	size_t len, cap;
	husk_dbus_msg_t *kept[MAX_KEPT]; /* signals, oldest first */
	size_t nkept;
};

void husk_dbus_free(husk_dbus_t *b)
{
	if (b == NULL) {
		return;
	}
	husk_safe_close(b->fd);
	free(b->in);
	for (size_t i = 0; i < b->nkept; i++) {
		husk_dbus_msg_free(b->kept[i]);
	}
	free(b);
}

static void dbus_freep(husk_dbus_t **b)
{
	husk_dbus_free(*b);
}
#define _cleanup_dbus_ __attribute__((cleanup(dbus_freep)))

bool husk_dbus_is_bus(const husk_dbus_t *b)
{
	return b->bus;
}

/* Milliseconds left until DEADLINE (CLOCK_MONOTONIC, in ms), at least 0. */
static int left_ms(int64_t deadline)
{
	struct timespec ts;
	int64_t now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	return deadline > now ? (int) (deadline - now) : 0;
}

static int64_t deadline_in(int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + ms;
}

static int send_all(int fd, const void *p, size_t n, husk_error_t *err)
{
	const uint8_t *c = p;

	while (n > 0) {
		/* MSG_NOSIGNAL: a bus that went away is an error, not SIGPIPE. */
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w < 0) {
			return husk_error_errno(err, "D-Bus: send");
		}
		c += w;
		n -= (size_t) w;
	}
	return 0;
}

/* More bytes from the socket, waiting until DEADLINE. */
static int receive(husk_dbus_t *b, int64_t deadline, const char *waiting, husk_error_t *err)
{
	struct pollfd p = { .fd = b->fd, .events = POLLIN };
	ssize_t n;
	int r;

	r = poll(&p, 1, left_ms(deadline));
	if (r < 0 && errno != EINTR) {
		return husk_error_errno(err, "D-Bus: poll");
	}
	if (r == 0) {
		return husk_error_make(err, ETIMEDOUT, "D-Bus: no %s in time", waiting);
	}
	if (b->cap - b->len < 4096) {
		b->cap = b->cap * 2 + 8192;
		b->in = xrealloc(b->in, b->cap);
	}
	n = recv(b->fd, b->in + b->len, b->cap - b->len, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		return 0;
	}
	if (n < 0) {
		return husk_error_errno(err, "D-Bus: receive");
	}
	if (n == 0) {
		return husk_error_make(err, ECONNRESET, "D-Bus: the bus closed the connection");
	}
	b->len += (size_t) n;
	return 0;
}

/* The next whole message, waiting until DEADLINE. */
static husk_dbus_msg_t *next_message(husk_dbus_t *b, int64_t deadline, const char *waiting,
				     husk_error_t *err)
{
	for (;;) {
		ssize_t size = husk_dbus_msg_size(b->in, b->len, err);
		husk_dbus_msg_t *m;

		if (size < 0) {
			return NULL;
		}
		if (size > 0 && (size_t) size <= b->len) {
			m = husk_dbus_msg_parse(b->in, (size_t) size, err);
			memmove(b->in, b->in + size, b->len - (size_t) size);
			b->len -= (size_t) size;
			return m;
		}
		if (receive(b, deadline, waiting, err) < 0) {
			return NULL;
		}
	}
}

/* ---- authentication ---- */

/* One "\r\n"-ended line of the server's, without the "\r\n". */
static char *auth_line(husk_dbus_t *b, husk_error_t *err)
{
	int64_t deadline = deadline_in(AUTH_TIMEOUT_MS);

	for (;;) {
		uint8_t *end = b->len >= 2 ? memmem(b->in, b->len, "\r\n", 2) : NULL;
		char *line;

		if (end != NULL) {
			line = xstrndup((char *) b->in, (size_t) (end - b->in));
			b->len -= (size_t) (end + 2 - b->in);
			memmove(b->in, end + 2, b->len);
			return line;
		}
		if (b->len > 512) {
			husk_error_make(err, EPROTO, "D-Bus: no end to the server's line");
			return NULL;
		}
		if (receive(b, deadline, "answer to the authentication", err) < 0) {
			return NULL;
		}
	}
}

/* SASL EXTERNAL with the caller's uid, and BEGIN in the same write: a
 * server that reads BEGIN together with a message may leave the message
 * unread (systemd 252 on /run/systemd/private did), so the first message
 * goes only after the server's OK. */
static int authenticate(husk_dbus_t *b, husk_error_t *err)
{
	char uid[16], hex[40] = "", out[96];
	_cleanup_free_ char *line = NULL;
	int n;

	snprintf(uid, sizeof(uid), "%u", (unsigned) geteuid());
	for (size_t i = 0; uid[i] != '\0'; i++) {
		snprintf(hex + 2 * i, 3, "%02x", (unsigned char) uid[i]);
	}
	n = snprintf(out, sizeof(out), "%cAUTH EXTERNAL %s\r\nBEGIN\r\n", '\0', hex);
	if (send_all(b->fd, out, (size_t) n, err) < 0) {
		return -1;
	}
	line = auth_line(b, err);
	if (line == NULL) {
		return -1;
	}
	if (strncmp(line, "OK ", 3) != 0) {
		return husk_error_make(err, EACCES, "D-Bus: authentication refused: `%s`", line);
	}
	return 0;
}

husk_dbus_t *husk_dbus_connect(const char *path, bool bus, husk_error_t *err)
{
	_cleanup_dbus_ husk_dbus_t *b = xcalloc(1, sizeof(*b));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = strlen(path);

	b->bus = bus;
	b->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (b->fd < 0) {
		husk_error_errno(err, "D-Bus: socket");
		return NULL;
	}
	if (len >= sizeof(sa.sun_path)) {
		husk_error_make(err, ENAMETOOLONG, "D-Bus: socket path `%s` too long", path);
		return NULL;
	}
	/* '@' stands for the abstract namespace's leading NUL. */
	memcpy(sa.sun_path, path, len);
	sa.sun_path[0] = path[0] == '@' ? '\0' : path[0];
	if (connect(b->fd, (struct sockaddr *) &sa,
		    (socklen_t) (offsetof(struct sockaddr_un, sun_path) + len)) < 0) {
		husk_error_errno(err, "D-Bus: connect to `%s`", path);
		return NULL;
	}
	if (authenticate(b, err) < 0) {
		return NULL;
	}
	/* A bus wants Hello first; its reply (the unique name) can come
	 * with the next call's. */
	if (bus) {
		_cleanup_dbus_msg_ husk_dbus_msg_t *hello =
			husk_dbus_call_new("org.freedesktop.DBus", "/org/freedesktop/DBus",
					   "org.freedesktop.DBus", "Hello");

		if (husk_dbus_send(b, hello, NULL, err) < 0) {
			return NULL;
		}
	}
	return TAKE_PTR(b);
}

/* V with its %XX escapes undone; '@' first for the abstract namespace. */
static char *unescape(const char *v, bool abstract)
{
	char *out = xmalloc(strlen(v) + 2), *o = out;
	unsigned x;

	if (abstract) {
		*o++ = '@';
	}
	for (; *v != '\0'; v++) {
		if (v[0] == '%' && sscanf(v + 1, "%2x", &x) == 1 && v[1] != '\0' && v[2] != '\0') {
			*o++ = (char) x;
			v += 2;
		} else {
			*o++ = *v;
		}
	}
	*o = '\0';
	return out;
}

/* The path of the first unix:path= (or abstract=) in a bus address list
 * ("unix:path=/run/dbus/system_bus_socket;tcp:..."); NULL when there is
 * none. */
static char *address_path(const char *addr)
{
	_cleanup_free_ char *copy = xstrdup(addr);

	for (char *s1 = NULL, *e = strtok_r(copy, ";", &s1); e != NULL;
	     e = strtok_r(NULL, ";", &s1)) {
		if (strncmp(e, "unix:", 5) != 0) {
			continue;
		}
		for (char *s2 = NULL, *kv = strtok_r(e + 5, ",", &s2); kv != NULL;
		     kv = strtok_r(NULL, ",", &s2)) {
			if (strncmp(kv, "path=", 5) == 0) {
				return unescape(kv + 5, false);
			}
			if (strncmp(kv, "abstract=", 9) == 0) {
				return unescape(kv + 9, true);
			}
		}
	}
	return NULL;
}

husk_dbus_t *husk_dbus_connect_system(husk_error_t *err)
{
	const char *env = getenv("DBUS_SYSTEM_BUS_ADDRESS");
	_cleanup_free_ char *path = env != NULL ? address_path(env) : NULL;
	_cleanup_error_ husk_error_t e = NULL;
	husk_dbus_t *b = husk_dbus_connect(path != NULL ? path : SYSTEM_BUS, true, &e);
	int n = husk_error_errno_of(e);

	/* No bus, but systemd: as root, systemd's own socket is the same
	 * API (go-systemd falls back to it for runc too). */
	if (b == NULL && geteuid() == 0 && (n == ENOENT || n == ECONNREFUSED)) {
		husk_error_free(&e);
		b = husk_dbus_connect(SYSTEMD_PRIVATE, false, &e);
	}
	if (b == NULL) {
		husk_error_move(err, &e);
	}
	return b;
}

/* ---- messages ---- */

int husk_dbus_send(husk_dbus_t *b, husk_dbus_msg_t *m, uint32_t *serial, husk_error_t *err)
{
	size_t len;
	const uint8_t *bytes;

	b->serial++;
	bytes = husk_dbus_msg_bytes(m, b->serial, &len);
	if (serial != NULL) {
		*serial = b->serial;
	}
	return send_all(b->fd, bytes, len, err);
}

static void keep(husk_dbus_t *b, husk_dbus_msg_t *m)
{
	if (b->nkept == MAX_KEPT) {
		husk_dbus_msg_free(b->kept[0]);
		memmove(b->kept, b->kept + 1, (MAX_KEPT - 1) * sizeof(*b->kept));
		b->nkept--;
	}
	b->kept[b->nkept++] = m;
}

husk_dbus_msg_t *husk_dbus_call(husk_dbus_t *b, husk_dbus_msg_t *m, int timeout_ms,
				husk_error_t *err)
{
	int64_t deadline = deadline_in(timeout_ms);
	uint32_t serial;

	if (husk_dbus_send(b, m, &serial, err) < 0) {
		return NULL;
	}
	for (;;) {
		husk_dbus_msg_t *r = next_message(b, deadline, "reply", err);
		enum husk_dbus_type t;

		if (r == NULL) {
			return NULL;
		}
		t = husk_dbus_msg_type(r);
		if ((t == HUSK_DBUS_RETURN || t == HUSK_DBUS_ERROR) &&
		    husk_dbus_msg_reply_serial(r) == serial) {
			return r;
		}
		if (t == HUSK_DBUS_SIGNAL) {
			keep(b, r);
		} else {
			husk_dbus_msg_free(r);
		}
	}
}

husk_dbus_msg_t *husk_dbus_next_signal(husk_dbus_t *b, int timeout_ms, husk_error_t *err)
{
	int64_t deadline = deadline_in(timeout_ms);

	if (b->nkept > 0) {
		husk_dbus_msg_t *m = b->kept[0];

		memmove(b->kept, b->kept + 1, (b->nkept - 1) * sizeof(*b->kept));
		b->nkept--;
		return m;
	}
	for (;;) {
		husk_dbus_msg_t *r = next_message(b, deadline, "signal", err);

		if (r == NULL || husk_dbus_msg_type(r) == HUSK_DBUS_SIGNAL) {
			return r;
		}
		husk_dbus_msg_free(r);
	}
}
