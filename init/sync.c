/* husk init: the parent/child sync channel. */
#include "init/sync.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/xalloc.h"

struct sync_header {
	uint32_t type;
	int32_t errno_;
	uint32_t len;
};

static const char *type_name(uint32_t type)
{
	switch (type) {
	case HUSK_SYNC_ERROR:
		return "error";
	case HUSK_SYNC_FD:
		return "fd";
	case HUSK_SYNC_READY:
		return "ready";
	case HUSK_SYNC_USERMAP_DONE:
		return "usermap-done";
	case HUSK_SYNC_CREATED:
		return "created";
	case HUSK_SYNC_PRE_PIVOT:
		return "pre-pivot";
	case HUSK_SYNC_PRE_PIVOT_DONE:
		return "pre-pivot-done";
	case HUSK_SYNC_PID:
		return "pid";
	default:
		return "unknown";
	}
}

int husk_sync_pair(int fds[2], husk_error_t *err)
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0) {
		return husk_error_errno(err, "create sync socketpair");
	}
	return 0;
}

static int send_raw(int sock, const struct sync_header *h, const void *data, int pass_fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov[2] = {
		{ .iov_base = (void *) h, .iov_len = sizeof(*h) },
		{ .iov_base = (void *) data, .iov_len = h->len },
	};
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = h->len > 0 ? 2 : 1 };
	ssize_t n;

	if (pass_fd >= 0) {
		struct cmsghdr *cmsg;

		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &pass_fd, sizeof(int));
	}
	do {
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -1 : 0;
}

int husk_sync_send(int sock, enum husk_sync_type type, const void *data, size_t len, int pass_fd,
		   husk_error_t *err)
{
	struct sync_header h = { .type = type, .len = (uint32_t) len };

	if (len > HUSK_SYNC_MAX_DATA) {
		return husk_error_make(err, 0, "sync: `%s` message of %zu bytes is too large",
				       type_name(type), len);
	}
	if (send_raw(sock, &h, data, pass_fd) < 0) {
		return husk_error_errno(err, "sync: send `%s`", type_name(type));
	}
	return 0;
}

int husk_sync_send_error(int sock, husk_error_t e)
{
	const char *msg = e != NULL ? e->msg : "unknown error";
	size_t len = strnlen(msg, HUSK_SYNC_MAX_DATA);
	struct sync_header h = {
		.type = HUSK_SYNC_ERROR,
		.errno_ = e != NULL ? e->errno_ : 0,
		.len = (uint32_t) len,
	};

	(void) send_raw(sock, &h, msg, -1);
	return -1;
}

/* Take the first passed descriptor, closing any extra ones a confused or
 * hostile peer attached. */
static int take_fds(struct msghdr *msg)
{
	int got = -1;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
		size_t n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
			continue;
		}
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (got < 0) {
				got = fd;
			} else {
				husk_safe_close(fd);
			}
		}
	}
	return got;
}

static int peer_error(const struct sync_header *h, const char *payload, husk_error_t *err)
{
	husk_error_make(err, 0, "%.*s", (int) h->len, payload);
	(*err)->errno_ = h->errno_;
	return -1;
}

int husk_sync_expect(int sock, enum husk_sync_type type, void *data, size_t *len, int *recv_fd,
		     husk_error_t *err)
{
	return husk_sync_expect_either(sock, type, type, NULL, data, len, recv_fd, err);
}

int husk_sync_expect_either(int sock, enum husk_sync_type type, enum husk_sync_type other,
			    enum husk_sync_type *got, void *data, size_t *len, int *recv_fd,
			    husk_error_t *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} control;
	struct sync_header h;
	_cleanup_free_ char *payload = xmalloc(HUSK_SYNC_MAX_DATA);
	struct iovec iov[2] = {
		{ .iov_base = &h, .iov_len = sizeof(h) },
		{ .iov_base = payload, .iov_len = HUSK_SYNC_MAX_DATA },
	};
	struct msghdr msg = { .msg_iov = iov,
			      .msg_iovlen = 2,
			      .msg_control = control.buf,
			      .msg_controllen = sizeof(control.buf) };
	_cleanup_close_ int fd = -1;
	ssize_t n;

	if (recv_fd != NULL) {
		*recv_fd = -1;
	}
	do {
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		return husk_error_errno(err, "sync: wait for `%s`", type_name(type));
	}
	fd = take_fds(&msg);
	if (n == 0) {
		return husk_error_make(err, 0,
				       "sync: the other side exited while husk waited for `%s`",
				       type_name(type));
	}
	if ((size_t) n < sizeof(h) || (size_t) n - sizeof(h) != h.len ||
	    (msg.msg_flags & MSG_TRUNC)) {
		return husk_error_make(err, 0, "sync: malformed message while waiting for `%s`",
				       type_name(type));
	}
	if (h.type == HUSK_SYNC_ERROR && type != HUSK_SYNC_ERROR) {
		return peer_error(&h, payload, err);
	}
	if (h.type != (uint32_t) type && h.type != (uint32_t) other) {
		return husk_error_make(err, 0, "sync: expected `%s`, got `%s`", type_name(type),
				       type_name(h.type));
	}
	if (got != NULL) {
		*got = (enum husk_sync_type) h.type;
	}
	if (data != NULL && len != NULL) {
		size_t copy = h.len < *len ? h.len : *len;

		memcpy(data, payload, copy);
		*len = copy;
	} else if (len != NULL) {
		*len = 0;
	}
	if (recv_fd != NULL) {
		*recv_fd = TAKE_FD(fd);
	}
	return 0;
}
