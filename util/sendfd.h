/* husk: hand a descriptor to a unix socket named on the command line.
 *
 * runc's --console-socket and --pidfd-socket: connect to the stream socket
 * at PATH and send one message, NAME as its bytes and FD as SCM_RIGHTS, the
 * way containerd's shim and conmon receive them.
 */
#ifndef HUSK_UTIL_SENDFD_H
#define HUSK_UTIL_SENDFD_H

#include "util/error.h"

/* FLAG names the option in errors ("--pidfd-socket"). */
int husk_sendfd(const char *flag, const char *path, int fd, const char *name, husk_error_t *err);

#endif
