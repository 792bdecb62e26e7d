/* husk seccomp: the notify fd to its listener (runtime-spec, "seccomp
 * notify"): one AF_UNIX SOCK_STREAM connection to listenerPath carrying the
 * container process state as JSON, with the fd as SCM_RIGHTS; the fd's
 * name, "seccompFd", is at the same index in `fds` as the fd in the
 * SCM_RIGHTS array. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "seccomp/seccomp.h"
#include "spec/state.h"
#include "util/cleanup.h"

/* The first message carries the fd; what a short send left goes after. */
static int send_with_fd(int sock, const char *buf, size_t len, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *) buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cmsg;
	ssize_t n;

	memset(u.buf, 0, sizeof(u.buf));
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	do {
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	while (n >= 0 && (size_t) n < len) {
		ssize_t m = send(sock, buf + n, len - (size_t) n, MSG_NOSIGNAL);

		if (m < 0 && errno != EINTR) {
			return -1;
		}
		n += m > 0 ? m : 0;
	}
	return n < 0 ? -1 : 0;
}

int husk_seccomp_send_listener(const husk_seccomp_t *s, int notify_fd, const husk_state_t *st,
			       husk_error_t *err)
{
	_cleanup_close_ int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	_cleanup_free_ char *json = NULL;
	size_t len;

	if (sock < 0) {
		return husk_error_errno(err, "linux.seccomp.listenerPath: socket");
	}
	if (strlen(s->listener_path) >= sizeof(addr.sun_path)) {
		return husk_error_make(err, 0, "linux.seccomp.listenerPath `%s`: path too long",
				       s->listener_path);
	}
	strcpy(addr.sun_path, s->listener_path);
	if (connect(sock, (struct sockaddr *) &addr, sizeof(addr)) < 0) {
		return husk_error_errno(err, "linux.seccomp.listenerPath `%s`: connect",
					s->listener_path);
	}
	json = husk_seccomp_state_json(s->listener_metadata, st, &len);
	if (send_with_fd(sock, json, len, notify_fd) < 0) {
		return husk_error_errno(err, "linux.seccomp.listenerPath `%s`: send the notify fd",
					s->listener_path);
	}
	return 0;
}
