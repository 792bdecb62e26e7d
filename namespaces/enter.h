/* husk namespaces: entering a container's pid and time namespaces for the
 * children husk makes, and going back. */
#ifndef HUSK_NAMESPACES_ENTER_H
#define HUSK_NAMESPACES_ENTER_H

#include "util/error.h"

/* pid and time namespaces decide only where children are born, so husk
 * enters the container's (PIDNS, TIMENS; -1 for none) before a clone and
 * goes back after it with husk_ns_leave_for_children().  OWN (two fds, -1
 * first) keeps husk's own; on failure they are still to be left.  OWN NULL:
 * for a process that will not go back. */
int husk_ns_enter_for_children(int pidns, int timens, int own[2], husk_error_t *err);
void husk_ns_leave_for_children(int own[2]);

#endif
