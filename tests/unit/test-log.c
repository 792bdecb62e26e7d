/* tests/unit/test-log.c: husk_utc_stamp() gives the date and time gmtime_r()
 * gives, without reading /etc/localtime. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/unit/tap.h"
#include "util/log.h"

/* What gmtime_r makes of T, in the stamp's format. */
static void expected(time_t t, long nsec, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, nsec);
}

int main(void)
{
	/* The epoch, leap days (2000 is one, 2100 is not), the ends of years
	 * and centuries, 2038 and far past it. */
	static const time_t fixed[] = {
		0,          59,         86399,      86400,      951782399,   951782400,
		951868800,  978307199,  1709164800, 1709251199, 2147483647,  2147483648,
		4107542399, 4107542400, 4102444799, 4102444800, 32503680000,
	};
	struct timespec ts = { 0 };
	char got[64], want[64];
	int bad = 0;
	unsigned seed = 12345;

	plan(4);
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		ts.tv_sec = fixed[i];
		ts.tv_nsec = 5;
		husk_utc_stamp(&ts, true, got, sizeof(got));
		expected(fixed[i], 5, want, sizeof(want));
		if (strcmp(got, want) != 0) {
			diag("%lld: %s, gmtime_r says %s", (long long) fixed[i], got, want);
			bad++;
		}
	}
	ok(bad == 0, "dates that end days, years and centuries match gmtime_r");
	bad = 0;
	for (int i = 0; i < 200000; i++) {
		seed = seed * 1103515245U + 12345U;
		ts.tv_sec = (time_t) ((unsigned long long) seed * 1103515245ULL % 8000000000ULL);
		ts.tv_nsec = 123456789;
		husk_utc_stamp(&ts, true, got, sizeof(got));
		expected(ts.tv_sec, 123456789, want, sizeof(want));
		if (strcmp(got, want) != 0 && bad++ < 3) {
			diag("%lld: %s, gmtime_r says %s", (long long) ts.tv_sec, got, want);
		}
	}
	ok(bad == 0, "200000 times up to the year 2223 match gmtime_r");
	ts.tv_sec = 1795311224;
	husk_utc_stamp(&ts, false, got, sizeof(got));
	is_str(got, "2026-11-22T01:33:44Z", "without nanoseconds");
	husk_utc_stamp(&ts, true, got, 8);
	is_str(got, "2026-11", "a short buffer gets a truncated stamp");
	return done();
}
