/* husk: the named open() flag sets.
 *
 * Every descriptor husk opens is close-on-exec, so none can leak into a
 * container (CVE-2024-21626); none follows a final symlink unless the name
 * says so.  Use these instead of spelling flags at call sites, so the safe
 * choice is the easy one.
 */
#ifndef HUSK_UTIL_OPEN_H
#define HUSK_UTIL_OPEN_H

#include <fcntl.h>

/* A handle for *at() calls, fstat and /proc/self/fd/N; no I/O. */
#define HUSK_O_PATH       (O_PATH | O_CLOEXEC | O_NOFOLLOW)
/* A directory to read or to use as a dirfd. */
#define HUSK_O_DIR        (O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
/* A directory handle without read permission needed. */
#define HUSK_O_PATH_DIR   (O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
#define HUSK_O_RDONLY     (O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY)
#define HUSK_O_WRONLY     (O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY)
#define HUSK_O_RDWR       (O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY)
/* Create a new file; fail if anything is already there. */
#define HUSK_O_CREAT_EXCL (O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY)
/* Append-only log files. */
#define HUSK_O_APPEND     (O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY)

#endif
