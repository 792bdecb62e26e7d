/* husk cgroups: a small D-Bus client, enough to drive systemd's manager.
 *
 * husk ships as one static binary, and neither of the usual libraries fits
 * one: Debian has no libsystemd.a, and libdbus-1.a brings 600 KB and link
 * warnings.  This is the part of the D-Bus specification the systemd
 * cgroup driver uses, and no more:
 *   wire       messages in either byte order, written little-endian;
 *              the basic types y b n q i u x t d s o g, arrays, structs,
 *              dict entries and variants (dbus-wire.c);
 *   transport  a unix stream socket to the system bus (or, as root and
 *              with no bus, to systemd's own /run/systemd/private), the
 *              EXTERNAL authentication, method calls with their replies,
 *              and the signals that arrive meanwhile (dbus-conn.c).
 * Malformed input (a length past the end, a string without its NUL, a
 * signature that does not match) is an error, never a read out of bounds.
 */
#ifndef HUSK_CGROUPS_DBUS_H
#define HUSK_CGROUPS_DBUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

enum husk_dbus_type {
	HUSK_DBUS_CALL = 1,
	HUSK_DBUS_RETURN = 2,
	HUSK_DBUS_ERROR = 3,
	HUSK_DBUS_SIGNAL = 4,
};

/* Header flags. */
#define HUSK_DBUS_NO_REPLY 0x1u /* NO_REPLY_EXPECTED */
#define HUSK_DBUS_INTERACT 0x4u /* ALLOW_INTERACTIVE_AUTHORIZATION */

/* The wire's limit on a whole message. */
#define HUSK_DBUS_MAX_MESSAGE (128u << 20)

typedef struct husk_dbus_msg_s husk_dbus_msg_t;

/* ---- building a method call ---- */

/* A call of IFACE.MEMBER on PATH at DEST (IFACE may be NULL). */
husk_dbus_msg_t *husk_dbus_call_new(const char *dest, const char *path, const char *iface,
				    const char *member);
void husk_dbus_msg_free(husk_dbus_msg_t *m);
void husk_dbus_msg_freep(husk_dbus_msg_t **m);
#define _cleanup_dbus_msg_ __attribute__((cleanup(husk_dbus_msg_freep)))
void husk_dbus_msg_set_flags(husk_dbus_msg_t *m, uint8_t flags);

/* Append one value of a basic type to the body, where the signature says a
 * value goes: at the top level its type is added to the body's signature;
 * inside a container the container's own signature already said it. */
void husk_dbus_put_y(husk_dbus_msg_t *m, uint8_t v);
void husk_dbus_put_b(husk_dbus_msg_t *m, bool v);
void husk_dbus_put_i(husk_dbus_msg_t *m, int32_t v);
void husk_dbus_put_u(husk_dbus_msg_t *m, uint32_t v);
void husk_dbus_put_x(husk_dbus_msg_t *m, int64_t v);
void husk_dbus_put_t(husk_dbus_msg_t *m, uint64_t v);
void husk_dbus_put_d(husk_dbus_msg_t *m, double v);
void husk_dbus_put_s(husk_dbus_msg_t *m, const char *s);
void husk_dbus_put_o(husk_dbus_msg_t *m, const char *path);
void husk_dbus_put_g(husk_dbus_msg_t *m, const char *sig);
/* Open a container: KIND 'a' (CONTENTS: the element's signature), 'v'
 * (the value's), '(' or '{' (the members', without the brackets).  Each
 * open has its husk_dbus_close. */
void husk_dbus_open(husk_dbus_msg_t *m, char kind, const char *contents);
void husk_dbus_close(husk_dbus_msg_t *m);

/* The message as bytes, with SERIAL: *LEN bytes owned by M, valid until M
 * changes. */
const uint8_t *husk_dbus_msg_bytes(husk_dbus_msg_t *m, uint32_t serial, size_t *len);

/* ---- reading a message ---- */

/* How many bytes the message starting at BUF takes, once its first 16
 * have arrived: 0 when fewer than 16 are there, -1 (with ERR) when they
 * cannot start a message. */
ssize_t husk_dbus_msg_size(const uint8_t *buf, size_t len, husk_error_t *err);
/* Parse one whole message (a copy of its LEN bytes is kept). */
husk_dbus_msg_t *husk_dbus_msg_parse(const uint8_t *buf, size_t len, husk_error_t *err);

enum husk_dbus_type husk_dbus_msg_type(const husk_dbus_msg_t *m);
uint32_t husk_dbus_msg_serial(const husk_dbus_msg_t *m);
/* 0 when the message replies to nothing. */
uint32_t husk_dbus_msg_reply_serial(const husk_dbus_msg_t *m);
/* Header fields; NULL when absent ("" for the signature). */
const char *husk_dbus_msg_path(const husk_dbus_msg_t *m);
const char *husk_dbus_msg_interface(const husk_dbus_msg_t *m);
const char *husk_dbus_msg_member(const husk_dbus_msg_t *m);
const char *husk_dbus_msg_error_name(const husk_dbus_msg_t *m);
const char *husk_dbus_msg_sender(const husk_dbus_msg_t *m);
const char *husk_dbus_msg_signature(const husk_dbus_msg_t *m);

/* Read the body's next value, which must be of TYPE: 'y' 'b' 'u' 'i' 't'
 * 'x' into the integer OUT points at (uint8_t, bool, uint32_t, int32_t,
 * uint64_t, int64_t); 's' 'o' 'g' into a const char * that points into
 * the message. */
int husk_dbus_get(husk_dbus_msg_t *m, char type, void *out, husk_error_t *err);
/* The same for a variant holding one value of the basic type TYPE. */
int husk_dbus_get_variant(husk_dbus_msg_t *m, char type, void *out, husk_error_t *err);

/* An ERROR message as a husk error: "WHAT: NAME: its message". */
int husk_dbus_msg_to_error(const husk_dbus_msg_t *m, const char *what, husk_error_t *err);

/* ---- a connection ---- */

typedef struct husk_dbus_s husk_dbus_t;

/* Connect to the system bus ($DBUS_SYSTEM_BUS_ADDRESS, else
 * /run/dbus/system_bus_socket) and authenticate; as root, with no bus,
 * to /run/systemd/private, which is systemd itself. */
husk_dbus_t *husk_dbus_connect_system(husk_error_t *err);
/* The same at the unix socket PATH; BUS: a message bus (Hello first), not
 * a peer. */
husk_dbus_t *husk_dbus_connect(const char *path, bool bus, husk_error_t *err);
void husk_dbus_free(husk_dbus_t *b);

/* Whether B is a message bus, where a signal reaches only those that ask
 * for it (AddMatch). */
bool husk_dbus_is_bus(const husk_dbus_t *b);

/* Send M with the next serial, and not wait; *SERIAL (may be NULL) gets
 * the serial. */
int husk_dbus_send(husk_dbus_t *b, husk_dbus_msg_t *m, uint32_t *serial, husk_error_t *err);
/* Send M and wait up to TIMEOUT_MS for its reply: a RETURN or an ERROR
 * message, which the caller frees.  Signals that arrive meanwhile are kept
 * for husk_dbus_next_signal(); other messages are dropped. */
husk_dbus_msg_t *husk_dbus_call(husk_dbus_t *b, husk_dbus_msg_t *m, int timeout_ms,
				husk_error_t *err);
/* The next signal, kept or arriving within TIMEOUT_MS; NULL with ERR
 * (ETIMEDOUT when none came). */
husk_dbus_msg_t *husk_dbus_next_signal(husk_dbus_t *b, int timeout_ms, husk_error_t *err);

#endif
