/* husk: the error chain. */
#include "util/error.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

const char *husk_strerror(int errno_, char *buf, unsigned long len)
{
	const char *s = strerror_r(errno_, buf, len);

	if (s != buf) {
		snprintf(buf, len, "%s", s);
	}
	if (buf[0] != '\0') {
		buf[0] = (char) tolower((unsigned char) buf[0]);
	}
	return buf;
}

static char *format_message(int errno_, const char *fmt, va_list ap)
{
	char *text = NULL;
	char ebuf[128];

	if (vasprintf(&text, fmt, ap) < 0) {
		abort();
	}
	if (errno_ != 0) {
		char *joined = xasprintf("%s: %s", text, husk_strerror(errno_, ebuf, sizeof(ebuf)));

		free(text);
		text = joined;
	}
	return text;
}

int husk_error_make(husk_error_t *err, int errno_, const char *fmt, ...)
{
	va_list ap;
	husk_error_t e;

	if (err == NULL) {
		return -1;
	}
	husk_error_free(err);
	e = xmalloc0(sizeof(*e));
	e->errno_ = errno_;
	va_start(ap, fmt);
	e->msg = format_message(errno_, fmt, ap);
	va_end(ap);
	*err = e;
	return -1;
}

int husk_error_wrap(husk_error_t *err, const char *fmt, ...)
{
	va_list ap;
	char *prefix = NULL;
	char *joined;

	if (err == NULL || *err == NULL) {
		return -1;
	}
	va_start(ap, fmt);
	if (vasprintf(&prefix, fmt, ap) < 0) {
		abort();
	}
	va_end(ap);
	joined = xasprintf("%s: %s", prefix, (*err)->msg);
	free(prefix);
	free((*err)->msg);
	(*err)->msg = joined;
	return -1;
}

int husk_error_errno_of(husk_error_t err)
{
	return err == NULL ? 0 : err->errno_;
}

void husk_error_free(husk_error_t *err)
{
	if (err == NULL || *err == NULL) {
		return;
	}
	free((*err)->msg);
	free(*err);
	*err = NULL;
}

int husk_error_move(husk_error_t *err, husk_error_t *from)
{
	if (err == NULL) {
		husk_error_free(from);
		return -1;
	}
	husk_error_free(err);
	*err = *from;
	*from = NULL;
	return -1;
}
