/* husk: allocators that never return NULL. */
#include "util/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void __attribute__((noreturn)) oom(void)
{
	static const char msg[] = "husk: out of memory\n";

	/* No stdio: it may itself need memory. */
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* nothing more can be done */
	}
	abort();
}

static void *check(void *p)
{
	if (p == NULL) {
		oom();
	}
	return p;
}

void *xmalloc(size_t size)
{
	return check(malloc(size ? size : 1));
}

void *xmalloc0(size_t size)
{
	return check(calloc(1, size ? size : 1));
}

void *xcalloc(size_t nmemb, size_t size)
{
	return check(calloc(nmemb ? nmemb : 1, size ? size : 1));
}

void *xrealloc(void *ptr, size_t size)
{
	return check(realloc(ptr, size ? size : 1));
}

void *xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	return check(reallocarray(ptr, nmemb ? nmemb : 1, size ? size : 1));
}

char *xstrdup(const char *s)
{
	return check(strdup(s));
}

char *xstrndup(const char *s, size_t n)
{
	return check(strndup(s, n));
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *out = NULL;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&out, fmt, ap);
	va_end(ap);
	if (r < 0) {
		oom();
	}
	return out;
}
