/* husk: log lines for users and for engines.
 *
 * Without --log, messages go to stderr as plain text.  With --log FILE they
 * are appended to FILE as text (`time="..." level=error msg="..."`) or, with
 * --log-format json, as logrus-shaped JSON lines
 * (`{"level":"error","msg":"...","time":"2026-11-23T14:17:31Z"}`): containerd
 * shows its users the last "error" line of that file.
 */
#ifndef HUSK_UTIL_LOG_H
#define HUSK_UTIL_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "util/error.h"

enum husk_log_level {
	HUSK_LOG_ERROR,
	HUSK_LOG_WARNING,
	HUSK_LOG_INFO,
	HUSK_LOG_DEBUG,
};

enum husk_log_format {
	HUSK_LOG_TEXT,
	HUSK_LOG_JSON,
};

/* Open PATH for appending (NULL: stderr only) and choose the format and the
 * most verbose level that is written. */
int husk_log_init(const char *path, enum husk_log_format format, enum husk_log_level max,
		  husk_error_t *err);
/* Parse "text" or "json". */
int husk_log_format_parse(const char *s, enum husk_log_format *out, husk_error_t *err);
/* The log descriptor (-1 for stderr), so a child can keep logging after fork. */
int husk_log_fd(void);
void husk_log_close(void);

void husk_log(enum husk_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define husk_debug(...) husk_log(HUSK_LOG_DEBUG, __VA_ARGS__)
#define husk_info(...)  husk_log(HUSK_LOG_INFO, __VA_ARGS__)
#define husk_warn(...)  husk_log(HUSK_LOG_WARNING, __VA_ARGS__)

/* Report a failure once: an error line in the log (if any) and the message on
 * stderr, as runc does. */
void husk_log_error(husk_error_t err);

/* Write S to BUF as the inside of a JSON string (no quotes).  Returns the
 * length written; BUF is always NUL-terminated.  Logging is the one place
 * outside spec/ that emits JSON, and it only ever emits strings. */
size_t husk_json_escape(const char *s, char *buf, size_t len);

/* TS as an RFC 3339 UTC stamp, "2026-11-24T01:53:44Z", with nanoseconds
 * ("...44.123456789Z") when NANOS.  Computed here: glibc's gmtime_r() runs
 * tzset() on its first call, which reads /etc/localtime (on a VM's 9p root,
 * milliseconds) for a stamp that needs no time zone. */
void husk_utc_stamp(const struct timespec *ts, bool nanos, char *buf, size_t len);

/* Now, in RFC 3339 in UTC with nanoseconds, as runc's Go time.Time marshals
 * it (state.json's `created`, events' times). */
char *husk_now_rfc3339(void);

#endif
