/* husk: the error chain.
 *
 * Every fallible function takes `husk_error_t *err` as its last argument and
 * returns a negative value (or NULL) after filling *err.  errno is captured
 * where the failure happened; callers add context on the way up with
 * husk_error_wrap() and return the same value; main prints the chain once.
 */
#ifndef HUSK_UTIL_ERROR_H
#define HUSK_UTIL_ERROR_H

#include <stdarg.h>

typedef struct husk_error_s {
	int errno_; /* the errno at the point of failure, 0 if none */
	char *msg;  /* "context: ...: cause", already joined */
} * husk_error_t;

/* Fill *err with a message built from FMT and, when ERRNO_ is not 0, a
 * ": <strerror>" suffix.  Returns -1 so a caller can `return husk_error_make(...)`.
 * If *err is already set (a bug: two failures in one call) the old one is
 * freed and the new one wins. */
int husk_error_make(husk_error_t *err, int errno_, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like husk_error_make(), with errno taken from the current errno. */
#define husk_error_errno(err, ...) husk_error_make((err), errno, __VA_ARGS__)

/* Prefix "FMT: " to the message in *err.  Returns -1. */
int husk_error_wrap(husk_error_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The errno recorded in ERR, or 0. */
int husk_error_errno_of(husk_error_t err);

/* Free *err and set it to NULL.  A no-op when *err is NULL. */
void husk_error_free(husk_error_t *err);
/* Hand the error in *FROM to ERR (dropping it when ERR is NULL); returns -1. */
int husk_error_move(husk_error_t *err, husk_error_t *from);

/* A lower-case strerror(), as the Go runtimes print it, so engines that match
 * on runc's words ("no such process") keep matching. */
const char *husk_strerror(int errno_, char *buf, unsigned long len);

#define _cleanup_error_ __attribute__((cleanup(husk_error_free)))

#endif
