/* husk: scope-bound ownership.
 *
 * Every owned resource is declared with one of the attributes below and
 * initialised to the empty value (-1 or NULL).  Ownership leaves a scope only
 * through TAKE_FD() / TAKE_PTR(), which hand the value out and leave the empty
 * value behind, so the cleanup that runs at the end of the scope is a no-op.
 */
#ifndef HUSK_UTIL_CLEANUP_H
#define HUSK_UTIL_CLEANUP_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

/* Close FD if it is >= 0, keeping errno, never retrying on EINTR (Linux has
 * already released the descriptor when close() fails with EINTR).  Returns -1
 * so that `fd = husk_safe_close(fd)` leaves the empty value. */
int husk_safe_close(int fd);

void husk_closep(int *fd);
void husk_freep(void *p);
void husk_fclosep(FILE **f);
void husk_closedirp(DIR **d);
/* Free a NULL-terminated array of strings and the array itself. */
void husk_strv_free(char **v);
void husk_strv_freep(char ***v);

#define _cleanup_close_    __attribute__((cleanup(husk_closep)))
#define _cleanup_free_     __attribute__((cleanup(husk_freep)))
#define _cleanup_fclose_   __attribute__((cleanup(husk_fclosep)))
#define _cleanup_closedir_ __attribute__((cleanup(husk_closedirp)))
#define _cleanup_strv_     __attribute__((cleanup(husk_strv_freep)))

/* Move a descriptor out of a _cleanup_close_ variable. */
#define TAKE_FD(fd)                   \
	({                            \
		int _husk_fd_ = (fd); \
		(fd) = -1;            \
		_husk_fd_;            \
	})

/* Move a pointer out of a _cleanup_* variable. */
#define TAKE_PTR(ptr)                               \
	({                                          \
		__typeof__(ptr) _husk_ptr_ = (ptr); \
		(ptr) = NULL;                       \
		_husk_ptr_;                         \
	})

#endif
