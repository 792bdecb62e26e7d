/* husk: reading a whole small file named on the command line. */
#ifndef HUSK_UTIL_FILE_H
#define HUSK_UTIL_FILE_H

#include <stddef.h>

#include "util/error.h"

/* Read PATH ("-" for stdin) whole, at most MAX bytes, NUL-terminated; *LEN
 * is set.  A host path given by the caller, never a path in a rootfs. */
char *husk_read_file(const char *path, size_t max, size_t *len, husk_error_t *err);

#endif
