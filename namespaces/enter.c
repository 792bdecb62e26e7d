/* husk namespaces: pid and time namespaces for children (namespaces/enter.h). */
#include "namespaces/enter.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util/cleanup.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

int husk_ns_enter_for_children(int pidns, int timens, int own[2], husk_error_t *err)
{
	const struct {
		int fd;
		int flag;
		const char *name, *self;
	} ns[2] = {
		{ pidns, CLONE_NEWPID, "pid", "/proc/thread-self/ns/pid" },
		{ timens, CLONE_NEWTIME, "time", "/proc/thread-self/ns/time" },
	};

	for (int i = 0; i < 2; i++) {
		if (ns[i].fd < 0) {
			continue;
		}
		if (ioctl(ns[i].fd, NS_GET_NSTYPE) != ns[i].flag) {
			return husk_error_make(err, 0, "the %s path is not a %s namespace",
					       ns[i].name, ns[i].name);
		}
		if (own != NULL && (own[i] = open(ns[i].self, O_RDONLY | O_CLOEXEC)) < 0) {
			return husk_error_errno(err, "open husk's own %s namespace", ns[i].name);
		}
		if (setns(ns[i].fd, ns[i].flag) < 0) {
			return husk_error_errno(err, "enter the container's %s namespace",
						ns[i].name);
		}
	}
	return 0;
}

void husk_ns_leave_for_children(int own[2])
{
	if (own[0] >= 0) {
		setns(own[0], CLONE_NEWPID);
	}
	if (own[1] >= 0) {
		setns(own[1], CLONE_NEWTIME);
	}
	husk_safe_close(own[0]);
	husk_safe_close(own[1]);
	own[0] = own[1] = -1;
}
