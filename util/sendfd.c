/* husk: hand a descriptor to a unix socket (see sendfd.h). */
#include "util/sendfd.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "util/cleanup.h"

int husk_sendfd(const char *flag, const char *path, int fd, const char *name, husk_error_t *err)
{
	_cleanup_close_ int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct iovec iov = { .iov_base = (void *) name, .iov_len = strlen(name) };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cmsg;

	if (sock < 0) {
		return husk_error_errno(err, "%s: socket", flag);
	}
	if (strlen(path) >= sizeof(addr.sun_path)) {
		return husk_error_make(err, 0, "%s `%s`: path too long", flag, path);
	}
	strcpy(addr.sun_path, path);
	if (connect(sock, (struct sockaddr *) &addr, sizeof(addr)) < 0) {
		return husk_error_errno(err, "%s `%s`: connect", flag, path);
	}
	memset(u.buf, 0, sizeof(u.buf));
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0) {
		return husk_error_errno(err, "%s `%s`: send", flag, path);
	}
	return 0;
}
