/* husk: the kernel's audit log, read as it is written (util/audit.h). */
#include "util/audit.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/cleanup.h"

/* How long the kernel may take to answer AUDIT_GET. */
#define REPLY_MS 1000

static int open_audit(int flags, husk_error_t *err)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | flags, NETLINK_AUDIT);

	if (fd < 0) {
		husk_error_errno(err, "audit: netlink socket");
	}
	return fd;
}

/* Wait for and read AUDIT_GET's answer into S: 0, or -1 with *err set. */
static int read_status(int fd, struct audit_status *s, husk_error_t *err)
{
	union {
		struct nlmsghdr h;
		char buf[8192];
	} u;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, REPLY_MS) <= 0) {
			return husk_error_make(err, ETIMEDOUT, "audit: no answer to AUDIT_GET");
		}
		n = recv(fd, &u, sizeof(u), 0);
		if (n < 0) {
			return husk_error_errno(err, "audit: read AUDIT_GET's answer");
		}
		if (!NLMSG_OK(&u.h, (size_t) n)) {
			continue;
		}
		if (u.h.nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(&u.h);

			if (e->error != 0) {
				return husk_error_make(err, -e->error, "audit: AUDIT_GET");
			}
			continue; /* the ack comes first */
		}
		if (u.h.nlmsg_type == AUDIT_GET) {
			memcpy(s, NLMSG_DATA(&u.h), sizeof(*s));
			return 0;
		}
	}
}

int husk_audit_enabled(husk_error_t *err)
{
	_cleanup_close_ int fd = open_audit(0, err);
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct nlmsghdr req = { .nlmsg_len = NLMSG_LENGTH(0),
				.nlmsg_type = AUDIT_GET,
				.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
				.nlmsg_seq = 1 };
	struct audit_status s;

	if (fd < 0) {
		return -1;
	}
	if (sendto(fd, &req, req.nlmsg_len, 0, (struct sockaddr *) &kernel, sizeof(kernel)) < 0) {
		return husk_error_errno(err, "audit: send AUDIT_GET");
	}
	if (read_status(fd, &s, err) < 0) {
		return -1;
	}
	return s.enabled != 0;
}

int husk_audit_open_log(husk_error_t *err)
{
	_cleanup_close_ int fd = open_audit(SOCK_NONBLOCK, err);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
				  .nl_groups = 1u << (AUDIT_NLGRP_READLOG - 1) };

	if (fd < 0) {
		return -1;
	}
	if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
		return husk_error_errno(err, "audit: join the audit log's multicast group");
	}
	return TAKE_FD(fd);
}

int husk_audit_read(int fd, int *type, char *buf, size_t len)
{
	union {
		struct nlmsghdr h;
		char buf[9000]; /* MAX_AUDIT_MESSAGE_LENGTH and a header */
	} u;
	ssize_t n;

	for (;;) {
		size_t text;

		n = recv(fd, &u, sizeof(u), 0);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		/* The socket overflowed: records were lost, and the next
		 * read goes on with what is left. */
		if (n < 0 && errno == ENOBUFS) {
			return -1;
		}
		if (n <= 0 || !NLMSG_OK(&u.h, (size_t) n)) {
			return 0;
		}
		text = u.h.nlmsg_len - NLMSG_HDRLEN;
		if (text >= len) {
			text = len - 1;
		}
		memcpy(buf, NLMSG_DATA(&u.h), text);
		buf[text] = '\0';
		*type = u.h.nlmsg_type;
		return 1;
	}
}
