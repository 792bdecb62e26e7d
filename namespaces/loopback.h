/* husk namespaces: the loopback interface of a new network namespace. */
#ifndef HUSK_NAMESPACES_LOOPBACK_H
#define HUSK_NAMESPACES_LOOPBACK_H

#include "util/error.h"

/* Bring `lo` up in the caller's network namespace (the kernel makes it
 * down).  Needs CAP_NET_ADMIN over that namespace. */
int husk_loopback_up(husk_error_t *err);

#endif
