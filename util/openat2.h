/* husk: whether openat2(2) may be used, one answer for every resolver.
 *
 * util/pathfs.c and util/procfs.c both resolve with openat2 where they can
 * and walk one component at a time where they cannot.  "Cannot" has one
 * rule: the kernel lacks it (ENOSYS), a seccomp filter refuses it (EPERM
 * from older docker profiles and nested containers, ENOSYS from newer
 * ones), or the kernel does not know the struct's size (E2BIG).  And once
 * husk is about to load a seccomp filter of a container's own, it stops
 * using openat2 altogether (husk_openat2_forgo): a profile written before
 * openat2 existed may refuse it, or kill for it.
 */
#ifndef HUSK_UTIL_OPENAT2_H
#define HUSK_UTIL_OPENAT2_H

#include <stdbool.h>

/* Whether openat2 works here; probed once per process. */
bool husk_openat2_usable(void);

/* Whether an errno from an openat2 call says "use the walk instead". */
bool husk_openat2_refused(int e);

/* From now on husk_openat2_usable() says no, in this process and the
 * children it forks after. */
void husk_openat2_forgo(void);

#endif
