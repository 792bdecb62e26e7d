/* husk: NULL-terminated string vectors (util/strv.h). */
#include "util/strv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/cleanup.h"
#include "util/xalloc.h"

size_t husk_strv_len(char *const *v)
{
	size_t n = 0;

	while (v != NULL && v[n] != NULL) {
		n++;
	}
	return n;
}

void husk_strv_push(char ***v, char *s)
{
	size_t n = husk_strv_len(*v);

	*v = xreallocarray(*v, n + 2, sizeof(char *));
	(*v)[n] = s;
	(*v)[n + 1] = NULL;
}

char **husk_strv_copy(char *const *v)
{
	char **copy = NULL;

	if (v == NULL) {
		return NULL;
	}
	copy = xmalloc0(sizeof(*copy));
	for (size_t i = 0; v[i] != NULL; i++) {
		husk_strv_push(&copy, xstrdup(v[i]));
	}
	return copy;
}

void husk_argv_add(husk_argv_t *a, const char *s)
{
	if (a->n + 2 > a->cap) {
		a->cap = a->cap == 0 ? 32 : a->cap * 2;
		a->v = xreallocarray(a->v, a->cap, sizeof(*a->v));
	}
	a->v[a->n++] = xstrdup(s);
	a->v[a->n] = NULL;
}

void husk_argv_addf(husk_argv_t *a, const char *fmt, ...)
{
	_cleanup_free_ char *s = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		abort();
	}
	va_end(ap);
	husk_argv_add(a, s);
}

void husk_argv_free(husk_argv_t *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i]);
	}
	free(a->v);
	*a = (husk_argv_t){ 0 };
}
