/* tests/recvtty SOCKET [INPUT]: the receiving end of --console-socket, as an
 * engine's shim is.  Listens on the unix socket SOCKET, takes the one pty
 * master a runtime sends over it (SCM_RIGHTS), writes INPUT to it if given,
 * then copies everything the container writes to its console to stdout
 * until the console hangs up.  Prints the message that came with the fd on
 * stderr.  Exit status: 0, or 1 with a message. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int fail(const char *what)
{
	fprintf(stderr, "recvtty: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char name[256], buf[4096];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = name, .iov_len = sizeof(name) - 1 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cmsg;
	int lsock, conn, master;
	ssize_t n;

	if (argc < 2 || argc > 3 || strlen(argv[1]) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "usage: recvtty SOCKET [INPUT]\n");
		return 2;
	}
	strcpy(addr.sun_path, argv[1]);
	lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lsock < 0 || bind(lsock, (struct sockaddr *) &addr, sizeof(addr)) < 0 ||
	    listen(lsock, 1) < 0)
		return fail("listen");
	conn = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		return fail("accept");
	n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return fail("recvmsg");
	name[n] = '\0';
	cmsg = CMSG_FIRSTHDR(&msg);
	if (cmsg == NULL || cmsg->cmsg_type != SCM_RIGHTS) {
		fprintf(stderr, "recvtty: no descriptor came\n");
		return 1;
	}
	memcpy(&master, CMSG_DATA(cmsg), sizeof(int));
	fprintf(stderr, "recvtty: got %s\n", name);
	close(conn);
	close(lsock);
	if (argc == 3 && write(master, argv[2], strlen(argv[2])) < 0)
		return fail("write the input");
	while ((n = read(master, buf, sizeof(buf))) > 0) {
		if (fwrite(buf, 1, (size_t) n, stdout) != (size_t) n)
			return fail("write");
		fflush(stdout);
	}
	/* EIO: the container closed its last console descriptor. */
	return n < 0 && errno != EIO ? fail("read the console") : 0;
}
