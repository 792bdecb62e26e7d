/* husk spec: descriptors.json, what a checkpointed init's stdio was.
 *
 * runc's file, in runc's shape: a JSON array of the targets of the init's
 * fds 0, 1 and 2 as /proc/<pid>/fd shows them ("pipe:[1234]", "/dev/null").
 * `checkpoint` writes it into the image directory; `restore` reads it to
 * hand CRIU the restoring caller's pipes in place of the old ones.
 */
#ifndef HUSK_SPEC_DESCRIPTORS_H
#define HUSK_SPEC_DESCRIPTORS_H

#include <stddef.h>

#include "util/error.h"

#define HUSK_DESCRIPTORS_FILE "descriptors.json"

/* The JSON array of V[0..N), newline-terminated. */
char *husk_descriptors_to_json(char *const *v, size_t n);

/* Parse JSON[0..LEN): a NULL-terminated array of new strings. */
char **husk_descriptors_parse(const char *json, size_t len, husk_error_t *err);

#endif
