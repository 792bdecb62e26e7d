/* tests/seccomp-listener SOCKET STATE_FILE PID_FILE SYSCALL RETVAL: the
 * receiving end of linux.seccomp.listenerPath in tests.
 *
 * Binds SOCKET, then forks: the parent writes the child's pid to PID_FILE and
 * exits 0, so once this command returns the socket is ready and the caller
 * knows what to kill.  The child accepts one connection, writes the
 * container process state it carries to STATE_FILE, takes the notify fd
 * from SCM_RIGHTS and answers notifications: SYSCALL (a number) returns
 * RETVAL, any other continues as if unfiltered.  It prints one line per
 * notification (`notify NR`) and exits when the last filtered process is
 * gone (POLLHUP), or after 120 s whatever happens.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int die(const char *what)
{
	fprintf(stderr, "seccomp-listener: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int receive(int conn, const char *state_file)
{
	static char buf[1 << 16];
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof(u.b)
	};
	struct cmsghdr *c;
	size_t len;
	ssize_t n;
	int fd = -1;
	FILE *f;

	n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0)
		die("recvmsg");
	for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
	len = (size_t) n;
	while (len < sizeof(buf) - 1 && (n = read(conn, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t) n;
	f = fopen(state_file, "we");
	if (f == NULL || fwrite(buf, 1, len, f) != len || fclose(f) != 0)
		die(state_file);
	if (fd < 0) {
		fprintf(stderr, "seccomp-listener: no descriptor came with the state\n");
		exit(1);
	}
	return fd;
}

static void serve(int fd, long nr, long retval)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	for (;;) {
		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if (!(p.revents & POLLIN))
			return; /* POLLHUP: no filtered process is left */
		memset(&req, 0, sizeof(req));
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			die("SECCOMP_IOCTL_NOTIF_RECV");
		}
		printf("notify %d\n", req.data.nr);
		fflush(stdout);
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		if (req.data.nr == nr)
			resp.val = retval;
		else
			resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		/* ENOENT: the caller died meanwhile. */
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT)
			die("SECCOMP_IOCTL_NOTIF_SEND");
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int sock, conn, fd;
	pid_t pid;
	FILE *f;

	if (argc != 6) {
		fprintf(stderr, "usage: %s SOCKET STATE_FILE PID_FILE SYSCALL RETVAL\n", argv[0]);
		return 2;
	}
	if (strlen(argv[1]) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "seccomp-listener: socket path too long\n");
		return 2;
	}
	strcpy(addr.sun_path, argv[1]);
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || bind(sock, (struct sockaddr *) &addr, sizeof(addr)) < 0 ||
	    listen(sock, 1) < 0)
		die(argv[1]);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid > 0) {
		f = fopen(argv[3], "we");
		if (f == NULL || fprintf(f, "%d\n", (int) pid) < 0 || fclose(f) != 0)
			die(argv[3]);
		return 0;
	}
	alarm(120);
	conn = accept4(sock, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		die("accept");
	fd = receive(conn, argv[2]);
	close(conn);
	close(sock);
	serve(fd, atol(argv[4]), atol(argv[5]));
	return 0;
}
