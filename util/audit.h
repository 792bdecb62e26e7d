/* husk: the kernel's audit log, read as it is written.
 *
 * The kernel sends every audit record to auditd, if one runs, and to the
 * sockets bound to the multicast group AUDIT_NLGRP_READLOG of its audit
 * netlink family, which any process holding CAP_AUDIT_READ in the initial
 * user namespace may join without disturbing auditd.  Records are made at
 * all only while auditing is on (auditctl -e 1, or audit=1 at boot).
 */
#ifndef HUSK_UTIL_AUDIT_H
#define HUSK_UTIL_AUDIT_H

#include <stddef.h>

#include "util/error.h"

/* Record types (linux/audit.h; Debian 12's lacks Landlock's). */
#define HUSK_AUDIT_LANDLOCK_ACCESS 1423
#define HUSK_AUDIT_LANDLOCK_DOMAIN 1424

/* Whether auditing is on: 1, 0, or -1 when the kernel would not say
 * (asking needs CAP_AUDIT_CONTROL). */
int husk_audit_enabled(husk_error_t *err);

/* A non-blocking, close-on-exec socket that receives the audit log. */
int husk_audit_open_log(husk_error_t *err);

/* The next record waiting on FD: its type, and its text in BUF (cut to
 * LEN - 1 bytes, NUL-terminated).  Returns 1, 0 when none is waiting, or
 * -1 when records were lost (the socket's buffer overflowed) since the last
 * read: read on for the rest. */
int husk_audit_read(int fd, int *type, char *buf, size_t len);

#endif
