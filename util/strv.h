/* husk: NULL-terminated string vectors (argv, env), and a growing argv.
 *
 * husk_strv_free() (util/cleanup.h) frees one; _cleanup_strv_ frees one at
 * the end of a scope.
 */
#ifndef HUSK_UTIL_STRV_H
#define HUSK_UTIL_STRV_H

#include <stddef.h>

/* How many strings V holds (0 for NULL). */
size_t husk_strv_len(char *const *v);

/* Append S, which the vector now owns, to the NULL-terminated *V (NULL: an
 * empty one). */
void husk_strv_push(char ***v, char *s);

/* A copy of V, strings and all (NULL for NULL). */
char **husk_strv_copy(char *const *v);

/* A growing, NULL-terminated argv of owned strings, for one program to run. */
typedef struct husk_argv_s {
	char **v;
	size_t n, cap;
} husk_argv_t;

void husk_argv_add(husk_argv_t *a, const char *s);
void husk_argv_addf(husk_argv_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void husk_argv_free(husk_argv_t *a);

#endif
