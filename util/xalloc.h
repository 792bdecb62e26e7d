/* husk: allocators that never return NULL.
 *
 * Out of memory aborts instead of threading ENOMEM through every caller: a
 * runtime that cannot allocate a few bytes cannot set up a container either.
 */
#ifndef HUSK_UTIL_XALLOC_H
#define HUSK_UTIL_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xmalloc0(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Grow an array of NMEMB elements of SIZE bytes, checking the product. */
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
