/* husk: strict decimal numbers, for flags, files of the kernel's and
 * environment variables.
 *
 * Strict: the whole string is the number, digits only (a leading '-' only
 * where signed), no space, no sign on an unsigned one, no overflow, within
 * the bounds given.  strtol's leniencies ("12abc", " 7", "+3", "") are
 * errors here.
 */
#ifndef HUSK_UTIL_NUM_H
#define HUSK_UTIL_NUM_H

#include <stdint.h>

/* S as an unsigned decimal no larger than MAX: 0, or -1 with errno EINVAL
 * (not a number) or ERANGE (past MAX). */
int husk_parse_u64(const char *s, uint64_t max, uint64_t *out);

/* S as a decimal, '-' allowed first, within [MIN, MAX]: 0, or -1 with errno
 * EINVAL or ERANGE. */
int husk_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);

#endif
