/* Unit tests: the parent/child sync channel. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init/sync.h"
#include "tap.h"
#include "util/cleanup.h"
#include "util/error.h"

static void child(int sock)
{
	_cleanup_error_ husk_error_t err = NULL;
	int fds[2];

	if (pipe2(fds, O_CLOEXEC) < 0 || write(fds[1], "via-fd", 6) != 6) {
		_exit(2);
	}
	husk_sync_send(sock, HUSK_SYNC_READY, "hello", 5, -1, &err);
	husk_sync_send(sock, HUSK_SYNC_FD, NULL, 0, fds[0], &err);
	errno = EACCES;
	husk_error_errno(&err, "mount `/proc` onto `%s`", "/rootfs/proc");
	husk_sync_send_error(sock, err);
	_exit(0);
}

int main(void)
{
	_cleanup_error_ husk_error_t err = NULL;
	int pair[2];
	char buf[64];
	size_t len = sizeof(buf);
	int fd = -1;
	pid_t pid;
	int status;

	plan(14);
	ok(husk_sync_pair(pair, &err) == 0, "socketpair");
	ok(fcntl(pair[0], F_GETFD) & FD_CLOEXEC, "the pair is close-on-exec");
	pid = fork();
	if (pid == 0) {
		close(pair[0]);
		child(pair[1]);
	}
	close(pair[1]);

	ok(husk_sync_expect(pair[0], HUSK_SYNC_READY, buf, &len, NULL, &err) == 0, "ready arrives");
	ok(len == 5 && memcmp(buf, "hello", 5) == 0, "with its payload");
	ok(husk_sync_expect(pair[0], HUSK_SYNC_FD, NULL, NULL, &fd, &err) == 0,
	   "fd message arrives");
	ok(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC), "the passed descriptor is close-on-exec");
	ok(read(fd, buf, 6) == 6 && memcmp(buf, "via-fd", 6) == 0, "and is the child's pipe");
	close(fd);

	is_int(husk_sync_expect(pair[0], HUSK_SYNC_READY, NULL, NULL, NULL, &err), -1,
	       "a child error fails the expectation");
	is_str(err ? err->msg : NULL, "mount `/proc` onto `/rootfs/proc`: permission denied",
	       "the child's message arrives whole");
	is_int(husk_error_errno_of(err), EACCES, "with the child's errno");
	husk_error_free(&err);

	waitpid(pid, &status, 0);
	is_int(husk_sync_expect(pair[0], HUSK_SYNC_READY, NULL, NULL, NULL, &err), -1,
	       "EOF is an error");
	ok(err && strstr(err->msg, "exited") != NULL, "saying the other side exited");
	husk_error_free(&err);

	{
		static char big[HUSK_SYNC_MAX_DATA + 1];

		is_int(husk_sync_send(pair[0], HUSK_SYNC_READY, big, sizeof(big), -1, &err), -1,
		       "an oversized message is refused");
	}
	husk_error_free(&err);
	is_int(WEXITSTATUS(status), 0, "child exited cleanly");
	close(pair[0]);
	return done();
}
