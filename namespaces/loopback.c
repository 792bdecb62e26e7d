/* husk namespaces: the loopback interface of a new network namespace. */
#include "namespaces/loopback.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "util/cleanup.h"

int husk_loopback_up(husk_error_t *err)
{
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = { .ifr_flags = 0 };

	if (fd < 0) {
		return husk_error_errno(err, "bring up `lo`: socket");
	}
	strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		return husk_error_errno(err, "bring up `lo`: read its flags");
	}
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) {
		return husk_error_errno(err, "bring up `lo`");
	}
	return 0;
}
