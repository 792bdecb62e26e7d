/* husk: strict decimal numbers (util/num.h). */
#include "util/num.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

int husk_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (s == NULL || *s == '\0') {
		errno = EINVAL;
		return -1;
	}
	for (; *s != '\0'; s++) {
		unsigned d = (unsigned) (*s - '0');

		if (d > 9) {
			errno = EINVAL;
			return -1;
		}
		if (v > max / 10 || (v == max / 10 && d > max % 10)) {
			errno = ERANGE;
			return -1;
		}
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int husk_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	bool neg = s != NULL && s[0] == '-';
	/* INT64_MIN's magnitude, one past INT64_MAX, fits an unsigned. */
	uint64_t limit = neg ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;
	uint64_t mag;
	int64_t v;

	if (husk_parse_u64(neg ? s + 1 : s, limit, &mag) < 0) {
		return -1;
	}
	v = !neg ? (int64_t) mag : mag == 0 ? 0 : -(int64_t) (mag - 1) - 1;
	if (v < min || v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}
