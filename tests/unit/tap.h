/* husk unit tests: a tiny TAP producer.
 *
 *   plan(N); ok(cond, "name %d", i); is_int(got, want, "name"); is_str(...);
 *   skip_all("reason") exits 77; return done();
 */
#ifndef HUSK_TESTS_TAP_H
#define HUSK_TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_run_, tap_failed_, tap_planned_;

static inline void plan(int n)
{
	tap_planned_ = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

static inline int __attribute__((format(printf, 2, 3))) ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_run_++;
	if (!cond) {
		tap_failed_++;
	}
	printf("%sok %d - ", cond ? "" : "not ", tap_run_);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return cond;
}

static inline void __attribute__((format(printf, 1, 2))) diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static inline void __attribute__((format(printf, 1, 2))) skip(const char *fmt, ...)
{
	va_list ap;

	tap_run_++;
	printf("ok %d # skip ", tap_run_);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static inline void __attribute__((noreturn)) skip_all(const char *why)
{
	printf("1..0 # skip %s\n", why);
	fflush(stdout);
	exit(77);
}

#define is_int(got, want, ...)                                                             \
	({                                                                                 \
		long long g_ = (long long) (got), w_ = (long long) (want);                 \
		int r_ = ok(g_ == w_, __VA_ARGS__);                                        \
		if (!r_)                                                                   \
			diag("  got %lld, want %lld (%s:%d)", g_, w_, __FILE__, __LINE__); \
		r_;                                                                        \
	})

#define is_str(got, want, ...)                                                             \
	({                                                                                 \
		const char *g_ = (got), *w_ = (want);                                      \
		int r_ = ok(g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0, __VA_ARGS__); \
		if (!r_)                                                                   \
			diag("  got \"%s\", want \"%s\" (%s:%d)", g_ ? g_ : "(null)",      \
			     w_ ? w_ : "(null)", __FILE__, __LINE__);                      \
		r_;                                                                        \
	})

static inline int done(void)
{
	if (tap_planned_ != tap_run_) {
		printf("# planned %d tests but ran %d\n", tap_planned_, tap_run_);
		return 1;
	}
	return tap_failed_ ? 1 : 0;
}

#endif
