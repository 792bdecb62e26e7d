/* husk: log lines for users and for engines. */
#include "util/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/open.h"
#include "util/xalloc.h"

static int log_fd = -1;
static enum husk_log_format log_format = HUSK_LOG_TEXT;
static enum husk_log_level log_max = HUSK_LOG_WARNING;

static const char *const level_names[] = {
	[HUSK_LOG_ERROR] = "error",
	[HUSK_LOG_WARNING] = "warning",
	[HUSK_LOG_INFO] = "info",
	[HUSK_LOG_DEBUG] = "debug",
};

int husk_log_format_parse(const char *s, enum husk_log_format *out, husk_error_t *err)
{
	if (strcmp(s, "text") == 0) {
		*out = HUSK_LOG_TEXT;
	} else if (strcmp(s, "json") == 0) {
		*out = HUSK_LOG_JSON;
	} else {
		return husk_error_make(err, 0, "invalid log format `%s`: expected `text` or `json`",
				       s);
	}
	return 0;
}

int husk_log_init(const char *path, enum husk_log_format format, enum husk_log_level max,
		  husk_error_t *err)
{
	log_format = format;
	log_max = max;
	if (path != NULL && path[0] != '\0') {
		/* O_NOFOLLOW is not used here: engines hand us paths such as
		 * /run/containerd/.../log.json that may legitimately be links. */
		int fd = open(path, (HUSK_O_APPEND & ~O_NOFOLLOW), 0600);

		if (fd < 0) {
			return husk_error_errno(err, "open log file `%s`", path);
		}
		husk_log_close();
		log_fd = fd;
	}
	return 0;
}

int husk_log_fd(void)
{
	return log_fd;
}

void husk_log_close(void)
{
	log_fd = husk_safe_close(log_fd);
}

size_t husk_json_escape(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	if (len == 0) {
		return 0;
	}
	for (const unsigned char *p = (const unsigned char *) s; *p != '\0'; p++) {
		char esc[8];
		size_t n;

		switch (*p) {
		case '"':
			memcpy(esc, "\\\"", 3);
			break;
		case '\\':
			memcpy(esc, "\\\\", 3);
			break;
		case '\n':
			memcpy(esc, "\\n", 3);
			break;
		case '\r':
			memcpy(esc, "\\r", 3);
			break;
		case '\t':
			memcpy(esc, "\\t", 3);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				snprintf(esc, sizeof(esc), "\\u%04x", *p);
			} else {
				esc[0] = (char) *p;
				esc[1] = '\0';
			}
		}
		n = strlen(esc);
		if (o + n >= len) {
			break;
		}
		memcpy(buf + o, esc, n);
		o += n;
	}
	buf[o] = '\0';
	return o;
}

void husk_utc_stamp(const struct timespec *ts, bool nanos, char *buf, size_t len)
{
	int64_t secs = (int64_t) ts->tv_sec;
	int64_t days = secs / 86400 - (secs % 86400 < 0);
	int64_t sod = secs - days * 86400;
	/* The civil date of a day count (Howard Hinnant's days-to-civil): eras
	 * of 400 years from 0000-03-01, so that the leap day ends a year. */
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t day = doy - (153 * mp + 2) / 5 + 1;
	int64_t month = mp < 10 ? mp + 3 : mp - 9;
	int64_t year = yoe + era * 400 + (month <= 2);

	if (nanos) {
		snprintf(buf, len, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%09ldZ",
			 (long long) year, (long long) month, (long long) day,
			 (long long) (sod / 3600), (long long) (sod / 60 % 60),
			 (long long) (sod % 60), (long) ts->tv_nsec);
	} else {
		snprintf(buf, len, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ", (long long) year,
			 (long long) month, (long long) day, (long long) (sod / 3600),
			 (long long) (sod / 60 % 60), (long long) (sod % 60));
	}
}

static void format_time(char *buf, size_t len)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	husk_utc_stamp(&ts, false, buf, len);
}

/* One write() per line, so concurrent writers (a parent and its child share
 * the file) never interleave within a line. */
static void write_line(int fd, const char *line, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, line, n);

		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			return;
		}
		line += w;
		n -= (size_t) w;
	}
}

static void log_to_file(enum husk_log_level level, const char *msg)
{
	size_t cap = strlen(msg) * 6 + 1;
	_cleanup_free_ char *escaped = xmalloc(cap);
	_cleanup_free_ char *line = NULL;
	char when[64];

	format_time(when, sizeof(when));
	husk_json_escape(msg, escaped, cap);
	if (log_format == HUSK_LOG_JSON) {
		line = xasprintf("{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s\"}\n",
				 level_names[level], escaped, when);
	} else {
		line = xasprintf("time=\"%s\" level=%s msg=\"%s\"\n", when, level_names[level],
				 escaped);
	}
	write_line(log_fd, line, strlen(line));
}

static void vlog(enum husk_log_level level, const char *fmt, va_list ap)
{
	int saved = errno;
	_cleanup_free_ char *msg = NULL;

	if (level > log_max) {
		return;
	}
	if (vasprintf(&msg, fmt, ap) < 0) {
		abort();
	}
	if (log_fd >= 0) {
		log_to_file(level, msg);
	} else {
		_cleanup_free_ char *line = xasprintf("husk: %s: %s\n", level_names[level], msg);

		write_line(STDERR_FILENO, line, strlen(line));
	}
	errno = saved;
}

void husk_log(enum husk_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

void husk_log_error(husk_error_t err)
{
	const char *msg = err != NULL ? err->msg : "unknown error";
	_cleanup_free_ char *line = xasprintf("husk: %s\n", msg);

	if (log_fd >= 0) {
		log_to_file(HUSK_LOG_ERROR, msg);
	}
	write_line(STDERR_FILENO, line, strlen(line));
}

char *husk_now_rfc3339(void)
{
	struct timespec ts;
	char buf[64];

	clock_gettime(CLOCK_REALTIME, &ts);
	husk_utc_stamp(&ts, true, buf, sizeof(buf));
	return xstrdup(buf);
}
