/* husk cgroups: D-Bus messages as bytes, both ways (cgroups/dbus.h).
 *
 * The layout (the D-Bus specification, "Message Format"): a 12-byte fixed
 * header (byte order 'l' or 'B', type, flags, version 1, body length,
 * serial), the header fields as an array of (BYTE code, VARIANT value),
 * padding to 8, then the body.  Every value is aligned to its own size
 * (1, 2, 4 or 8; a struct or dict entry to 8) counted from the start of
 * the message; an array's length counts its elements' bytes only, not the
 * padding between the length and the first element.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroups/dbus.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

#define MAX_DEPTH 32

/* Header field codes. */
enum {
	F_PATH = 1,
	F_INTERFACE = 2,
	F_MEMBER = 3,
	F_ERROR_NAME = 4,
	F_REPLY_SERIAL = 5,
	F_DESTINATION = 6,
	F_SENDER = 7,
	F_SIGNATURE = 8,
	F_UNIX_FDS = 9,
};

/* A growing byte buffer whose offsets are the message's. */
struct buf {
	uint8_t *v;
	size_t len, cap;
};

struct husk_dbus_msg_s {
	uint8_t type, flags;
	/* Built: the header fields, the body so far and its signature, the
	 * open containers, and the bytes made last. */
	char *dest, *path, *iface, *member;
	char sig[256];
	struct buf body;
	struct {
		char kind;
		size_t len_at; /* an array's length field */
		size_t start;  /* its first element */
	} open[MAX_DEPTH];
	size_t depth;
	struct buf wire;
	/* Parsed: the bytes, the fields pointing into them, a read cursor
	 * in the body and in its signature. */
	bool swap;
	uint32_t serial, reply_serial;
	const char *h[F_SIGNATURE + 1];
	size_t body_off, body_len, pos;
	const char *next;
};

/* ---- building ---- */

static void buf_put(struct buf *b, const void *p, size_t n)
{
	if (n == 0) {
		return; /* P may be NULL: an empty body */
	}
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->v = xrealloc(b->v, b->cap);
	}
	memcpy(b->v + b->len, p, n);
	b->len += n;
}

static void buf_align(struct buf *b, size_t a)
{
	static const uint8_t zero[8];

	buf_put(b, zero, (a - b->len % a) % a);
}

static void buf_u32_at(struct buf *b, size_t at, uint32_t v)
{
	memcpy(b->v + at, &v, 4);
}

/* Little-endian values: husk writes on little-endian hosts only (x86-64,
 * arm64), and says so with 'l' in every header. */
static void buf_fixed(struct buf *b, const void *p, size_t n)
{
	buf_align(b, n);
	buf_put(b, p, n);
}

static void buf_string(struct buf *b, const char *s)
{
	uint32_t n = (uint32_t) strlen(s);

	buf_fixed(b, &n, 4);
	buf_put(b, s, (size_t) n + 1);
}

static void buf_sig(struct buf *b, const char *s)
{
	uint8_t n = (uint8_t) strlen(s);

	buf_put(b, &n, 1);
	buf_put(b, s, (size_t) n + 1);
}

husk_dbus_msg_t *husk_dbus_call_new(const char *dest, const char *path, const char *iface,
				    const char *member)
{
	husk_dbus_msg_t *m = xcalloc(1, sizeof(*m));

	m->type = HUSK_DBUS_CALL;
	m->dest = dest != NULL ? xstrdup(dest) : NULL;
	m->path = xstrdup(path);
	m->iface = iface != NULL ? xstrdup(iface) : NULL;
	m->member = xstrdup(member);
	return m;
}

void husk_dbus_msg_free(husk_dbus_msg_t *m)
{
	if (m == NULL) {
		return;
	}
	free(m->dest);
	free(m->path);
	free(m->iface);
	free(m->member);
	free(m->body.v);
	free(m->wire.v);
	free(m);
}

void husk_dbus_msg_freep(husk_dbus_msg_t **m)
{
	husk_dbus_msg_free(*m);
}

void husk_dbus_msg_set_flags(husk_dbus_msg_t *m, uint8_t flags)
{
	m->flags = flags;
}

/* At the top level a value's type goes into the body's signature; inside
 * a container, the container's signature said it already. */
static void add_sig(husk_dbus_msg_t *m, const char *type)
{
	size_t len = strlen(m->sig);

	if (m->depth == 0 && len + strlen(type) < sizeof(m->sig)) {
		memcpy(m->sig + len, type, strlen(type) + 1);
	}
}

static void put_fixed(husk_dbus_msg_t *m, const char *type, const void *p, size_t n)
{
	add_sig(m, type);
	buf_fixed(&m->body, p, n);
}

void husk_dbus_put_y(husk_dbus_msg_t *m, uint8_t v)
{
	put_fixed(m, "y", &v, 1);
}

void husk_dbus_put_b(husk_dbus_msg_t *m, bool v)
{
	uint32_t u = v ? 1 : 0;

	put_fixed(m, "b", &u, 4);
}

void husk_dbus_put_i(husk_dbus_msg_t *m, int32_t v)
{
	put_fixed(m, "i", &v, 4);
}

void husk_dbus_put_u(husk_dbus_msg_t *m, uint32_t v)
{
	put_fixed(m, "u", &v, 4);
}

void husk_dbus_put_x(husk_dbus_msg_t *m, int64_t v)
{
	put_fixed(m, "x", &v, 8);
}

void husk_dbus_put_t(husk_dbus_msg_t *m, uint64_t v)
{
	put_fixed(m, "t", &v, 8);
}

void husk_dbus_put_d(husk_dbus_msg_t *m, double v)
{
	put_fixed(m, "d", &v, 8);
}

void husk_dbus_put_s(husk_dbus_msg_t *m, const char *s)
{
	add_sig(m, "s");
	buf_string(&m->body, s);
}

void husk_dbus_put_o(husk_dbus_msg_t *m, const char *path)
{
	add_sig(m, "o");
	buf_string(&m->body, path);
}

void husk_dbus_put_g(husk_dbus_msg_t *m, const char *sig)
{
	add_sig(m, "g");
	buf_sig(&m->body, sig);
}

/* The alignment of the values a signature starts with. */
static size_t align_of(char type)
{
	switch (type) {
	case 'y':
	case 'g':
	case 'v':
		return 1;
	case 'n':
	case 'q':
		return 2;
	case 'x':
	case 't':
	case 'd':
	case '(':
	case '{':
		return 8;
	default:
		return 4; /* b i u h s o a */
	}
}

void husk_dbus_open(husk_dbus_msg_t *m, char kind, const char *contents)
{
	uint32_t zero = 0;
	char type[260];

	if (m->depth == MAX_DEPTH) {
		abort(); /* husk's own calls nest three deep at most */
	}
	if (kind == 'a') {
		snprintf(type, sizeof(type), "a%s", contents);
	} else if (kind == 'v') {
		snprintf(type, sizeof(type), "v");
	} else {
		snprintf(type, sizeof(type), "%c%s%c", kind, contents, kind == '(' ? ')' : '}');
	}
	add_sig(m, type);
	m->open[m->depth].kind = kind;
	switch (kind) {
	case 'a':
		buf_fixed(&m->body, &zero, 4);
		m->open[m->depth].len_at = m->body.len - 4;
		buf_align(&m->body, align_of(contents[0]));
		m->open[m->depth].start = m->body.len;
		break;
	case 'v':
		buf_sig(&m->body, contents);
		break;
	default:
		buf_align(&m->body, 8);
		break;
	}
	m->depth++;
}

void husk_dbus_close(husk_dbus_msg_t *m)
{
	m->depth--;
	if (m->open[m->depth].kind == 'a') {
		buf_u32_at(&m->body, m->open[m->depth].len_at,
			   (uint32_t) (m->body.len - m->open[m->depth].start));
	}
}

static void field_s(struct buf *w, uint8_t code, const char *sig, const char *v)
{
	buf_align(w, 8);
	buf_put(w, &code, 1);
	buf_sig(w, sig);
	if (sig[0] == 'g') {
		buf_sig(w, v);
	} else {
		buf_string(w, v);
	}
}

/* sd-bus's order of the header fields, so that the same call makes the
 * same bytes (tests/unit/test-dbus.c holds husk to busctl's). */
const uint8_t *husk_dbus_msg_bytes(husk_dbus_msg_t *m, uint32_t serial, size_t *len)
{
	uint8_t fixed[4] = { 'l', m->type, m->flags, 1 };
	uint32_t body_len = (uint32_t) m->body.len, zero = 0;
	struct buf *w = &m->wire;

	w->len = 0;
	buf_put(w, fixed, 4);
	buf_put(w, &body_len, 4);
	buf_put(w, &serial, 4);
	buf_put(w, &zero, 4);
	field_s(w, F_PATH, "o", m->path);
	field_s(w, F_MEMBER, "s", m->member);
	if (m->iface != NULL) {
		field_s(w, F_INTERFACE, "s", m->iface);
	}
	if (m->dest != NULL) {
		field_s(w, F_DESTINATION, "s", m->dest);
	}
	if (m->sig[0] != '\0') {
		field_s(w, F_SIGNATURE, "g", m->sig);
	}
	buf_u32_at(w, 12, (uint32_t) (w->len - 16));
	buf_align(w, 8);
	buf_put(w, m->body.v, m->body.len);
	*len = w->len;
	return w->v;
}

/* ---- reading ---- */

/* A read cursor over bytes whose offsets are the message's. */
struct rd {
	const uint8_t *v;
	size_t len, pos;
	bool swap;
};

static int rd_align(struct rd *r, size_t a, husk_error_t *err)
{
	size_t to = r->pos + (a - r->pos % a) % a;

	if (to > r->len) {
		return husk_error_make(err, EBADMSG, "D-Bus: a message ends in padding");
	}
	r->pos = to;
	return 0;
}

static int rd_fixed(struct rd *r, void *out, size_t n, husk_error_t *err)
{
	uint8_t tmp[8];

	if (rd_align(r, n, err) < 0) {
		return -1;
	}
	if (r->len - r->pos < n) {
		return husk_error_make(err, EBADMSG, "D-Bus: a message ends inside a value");
	}
	for (size_t i = 0; i < n; i++) {
		tmp[i] = r->v[r->pos + (r->swap ? n - 1 - i : i)];
	}
	memcpy(out, tmp, n);
	r->pos += n;
	return 0;
}

/* A string of LEN bytes at the cursor, which must end in its NUL and hold
 * no other. */
static int rd_chars(struct rd *r, uint32_t len, const char **out, husk_error_t *err)
{
	if (r->len - r->pos <= len || r->v[r->pos + len] != '\0' ||
	    memchr(r->v + r->pos, '\0', len) != NULL) {
		return husk_error_make(err, EBADMSG, "D-Bus: a bad string in a message");
	}
	*out = (const char *) r->v + r->pos;
	r->pos += (size_t) len + 1;
	return 0;
}

static int rd_string(struct rd *r, const char **out, husk_error_t *err)
{
	uint32_t len;

	return rd_fixed(r, &len, 4, err) < 0 ? -1 : rd_chars(r, len, out, err);
}

static int rd_sig(struct rd *r, const char **out, husk_error_t *err)
{
	if (r->pos >= r->len) {
		return husk_error_make(err, EBADMSG, "D-Bus: a message ends before a signature");
	}
	r->pos++;
	return rd_chars(r, r->v[r->pos - 1], out, err);
}

/* One value of the basic TYPE into OUT (see husk_dbus_get). */
static int rd_basic(struct rd *r, char type, void *out, husk_error_t *err)
{
	uint32_t b;

	switch (type) {
	case 'y':
		return rd_fixed(r, out, 1, err);
	case 'b':
		if (rd_fixed(r, &b, 4, err) < 0) {
			return -1;
		}
		if (b > 1) {
			return husk_error_make(err, EBADMSG, "D-Bus: a boolean of %u", b);
		}
		*(bool *) out = b == 1;
		return 0;
	case 'n':
	case 'q':
		return rd_fixed(r, out, 2, err);
	case 'i':
	case 'u':
		return rd_fixed(r, out, 4, err);
	case 'x':
	case 't':
	case 'd':
		return rd_fixed(r, out, 8, err);
	case 's':
	case 'o':
		return rd_string(r, out, err);
	case 'g':
		return rd_sig(r, out, err);
	default:
		return husk_error_make(err, EBADMSG, "D-Bus: type `%c` where a basic type belongs",
				       type);
	}
}

ssize_t husk_dbus_msg_size(const uint8_t *buf, size_t len, husk_error_t *err)
{
	struct rd r = { .v = buf, .len = len, .pos = 4, .swap = buf[0] == 'B' };
	uint32_t body, fields;
	uint64_t total;

	if (len < 16) {
		return 0;
	}
	if ((buf[0] != 'l' && buf[0] != 'B') || buf[3] != 1) {
		return husk_error_make(err, EBADMSG,
				       "D-Bus: not a message (byte order `%c`, "
				       "version %u)",
				       buf[0], buf[3]);
	}
	rd_fixed(&r, &body, 4, err);
	r.pos = 12;
	rd_fixed(&r, &fields, 4, err);
	total = 16 + (((uint64_t) fields + 7) & ~(uint64_t) 7) + body;
	if (total > HUSK_DBUS_MAX_MESSAGE) {
		return husk_error_make(err, EMSGSIZE, "D-Bus: a message of %llu bytes",
				       (unsigned long long) total);
	}
	return (ssize_t) total;
}

/* The type each header field the specification defines must have. */
static char field_type(uint8_t code)
{
	static const char types[] = {
		[F_PATH] = 'o',       [F_INTERFACE] = 's',    [F_MEMBER] = 's',
		[F_ERROR_NAME] = 's', [F_REPLY_SERIAL] = 'u', [F_DESTINATION] = 's',
		[F_SENDER] = 's',     [F_SIGNATURE] = 'g',    [F_UNIX_FDS] = 'u'
	};

	return code < sizeof(types) ? types[code] : '\0';
}

/* One header field: (BYTE code, VARIANT value).  Fields of codes the
 * specification may add later are skipped, if of a basic type. */
static int rd_field(husk_dbus_msg_t *m, struct rd *r, husk_error_t *err)
{
	union {
		const char *s;
		uint64_t u64;
		uint32_t u32;
	} v;
	const char *sig;
	uint8_t code;

	if (rd_align(r, 8, err) < 0 || rd_fixed(r, &code, 1, err) < 0 || rd_sig(r, &sig, err) < 0) {
		return -1;
	}
	if (strlen(sig) != 1 || (field_type(code) != '\0' && field_type(code) != sig[0])) {
		return husk_error_make(err, EBADMSG, "D-Bus: header field %u of type `%s`", code,
				       sig);
	}
	if (rd_basic(r, sig[0], &v, err) < 0) {
		return -1;
	}
	if (code == F_REPLY_SERIAL) {
		m->reply_serial = v.u32;
	} else if (code <= F_SIGNATURE && code != 0) {
		m->h[code] = v.s;
	}
	return 0;
}

static int rd_header(husk_dbus_msg_t *m, struct rd *r, husk_error_t *err)
{
	uint32_t body, fields;
	size_t end;

	m->type = r->v[1];
	m->flags = r->v[2];
	r->pos = 4;
	if (rd_fixed(r, &body, 4, err) < 0 || rd_fixed(r, &m->serial, 4, err) < 0 ||
	    rd_fixed(r, &fields, 4, err) < 0) {
		return -1;
	}
	m->body_len = body;
	end = 16 + (size_t) fields;
	if (end > r->len) {
		return husk_error_make(err, EBADMSG, "D-Bus: header fields past the end");
	}
	r->len = end;
	while (r->pos < end) {
		if (rd_field(m, r, err) < 0) {
			return -1;
		}
	}
	return 0;
}

husk_dbus_msg_t *husk_dbus_msg_parse(const uint8_t *buf, size_t len, husk_error_t *err)
{
	ssize_t size = husk_dbus_msg_size(buf, len, err);
	husk_dbus_msg_t *m;
	struct rd r;

	if (size <= 0 || (size_t) size != len) {
		if (size >= 0) {
			husk_error_make(err, EBADMSG, "D-Bus: a message of %zu bytes, %zd expected",
					len, size);
		}
		return NULL;
	}
	m = xcalloc(1, sizeof(*m));
	m->wire.v = xmalloc(len);
	memcpy(m->wire.v, buf, len);
	m->wire.len = len;
	r = (struct rd){ .v = m->wire.v, .len = len, .swap = buf[0] == 'B' };
	m->swap = r.swap;
	if (rd_header(m, &r, err) < 0) {
		husk_dbus_msg_free(m);
		return NULL;
	}
	m->body_off = len - m->body_len;
	m->pos = m->body_off;
	if (m->h[F_SIGNATURE] == NULL) {
		m->h[F_SIGNATURE] = "";
	}
	m->next = m->h[F_SIGNATURE];
	return m;
}

enum husk_dbus_type husk_dbus_msg_type(const husk_dbus_msg_t *m)
{
	return (enum husk_dbus_type) m->type;
}

uint32_t husk_dbus_msg_serial(const husk_dbus_msg_t *m)
{
	return m->serial;
}

uint32_t husk_dbus_msg_reply_serial(const husk_dbus_msg_t *m)
{
	return m->reply_serial;
}

const char *husk_dbus_msg_path(const husk_dbus_msg_t *m)
{
	return m->h[F_PATH];
}

const char *husk_dbus_msg_interface(const husk_dbus_msg_t *m)
{
	return m->h[F_INTERFACE];
}

const char *husk_dbus_msg_member(const husk_dbus_msg_t *m)
{
	return m->h[F_MEMBER];
}

const char *husk_dbus_msg_error_name(const husk_dbus_msg_t *m)
{
	return m->h[F_ERROR_NAME];
}

const char *husk_dbus_msg_sender(const husk_dbus_msg_t *m)
{
	return m->h[F_SENDER];
}

const char *husk_dbus_msg_signature(const husk_dbus_msg_t *m)
{
	return m->h[F_SIGNATURE];
}

static struct rd body_reader(const husk_dbus_msg_t *m)
{
	return (struct rd){ .v = m->wire.v, .len = m->wire.len, .pos = m->pos, .swap = m->swap };
}

int husk_dbus_get(husk_dbus_msg_t *m, char type, void *out, husk_error_t *err)
{
	struct rd r = body_reader(m);

	if (m->next == NULL || *m->next != type) {
		return husk_error_make(err, EBADMSG, "D-Bus: `%c` expected, the body has `%s`",
				       type, m->next != NULL ? m->next : "");
	}
	if (rd_basic(&r, type, out, err) < 0) {
		return -1;
	}
	m->pos = r.pos;
	m->next++;
	return 0;
}

int husk_dbus_get_variant(husk_dbus_msg_t *m, char type, void *out, husk_error_t *err)
{
	struct rd r = body_reader(m);
	const char *sig;

	if (m->next == NULL || *m->next != 'v') {
		return husk_error_make(err, EBADMSG, "D-Bus: a variant expected, the body has `%s`",
				       m->next != NULL ? m->next : "");
	}
	if (rd_sig(&r, &sig, err) < 0) {
		return -1;
	}
	if (sig[0] != type || sig[1] != '\0') {
		return husk_error_make(err, EBADMSG, "D-Bus: a variant of `%s`, `%c` expected", sig,
				       type);
	}
	if (rd_basic(&r, type, out, err) < 0) {
		return -1;
	}
	m->pos = r.pos;
	m->next++;
	return 0;
}

int husk_dbus_msg_to_error(const husk_dbus_msg_t *m, const char *what, husk_error_t *err)
{
	_cleanup_error_ husk_error_t e = NULL;
	husk_dbus_msg_t copy = *m;
	const char *text = NULL;
	const char *name = m->h[F_ERROR_NAME] != NULL ? m->h[F_ERROR_NAME] : "an error";

	/* The first string of the body, where there is one, says what. */
	if (husk_dbus_get(&copy, 's', &text, &e) < 0) {
		return husk_error_make(err, 0, "%s: %s", what, name);
	}
	return husk_error_make(err, 0, "%s: %s: %s", what, name, text);
}
