/* tests/unit/test-seal.c: husk_seal_self() re-executes the running binary
 * (this test) from a reference nothing can write through: a read-only
 * detached mount where the mount API is allowed, a sealed memfd where it is
 * not (a new user namespace does not own the mount namespace).  The
 * re-executed test reports what husk_seal_state() says of itself and
 * whether /proc/self/exe opens for writing, through its exit status. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/seal.h"
#include "tests/unit/tap.h"
#include "util/cleanup.h"

#define SEALED_ARG "--report-seal"

/* After the re-exec: exit with state * 10 + 1 when a write open of our own
 * binary is refused by the protection (EROFS; a memfd copy refuses the
 * write itself, EPERM), + 0 when it is allowed or refused for another reason. */
static int report(void)
{
	_cleanup_error_ husk_error_t err = NULL;
	enum husk_seal s = husk_seal_state(&err);
	int fd = open("/proc/self/exe", O_WRONLY | O_CLOEXEC);
	int refused;

	if (fd >= 0) {
		refused = write(fd, "", 0) < 0 || pwrite(fd, "x", 1, 0) < 0;
		close(fd);
	} else {
		/* A running binary is busy (ETXTBSY) before it is read-only:
		 * for a mount, ask the fd's mount instead. */
		refused = errno == EROFS || (errno == ETXTBSY && s != HUSK_SEAL_NONE);
	}
	return (int) s * 10 + refused;
}

/* Fork; the child (in a new user namespace when USERNS) seals and
 * re-executes itself as `SELF --report-seal`.  Returns its exit status. */
static int sealed_child(const char *self, bool userns, char **msg)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		_cleanup_error_ husk_error_t err = NULL;
		char *argv[] = { (char *) self, (char *) SEALED_ARG, NULL };

		if (userns && unshare(CLONE_NEWUSER) < 0) {
			_exit(98);
		}
		husk_seal_self(argv, &err);
		/* Back here: it did not re-exec. */
		_exit(err != NULL ? 99 : 97);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
		*msg = "child did not exit";
		return -1;
	}
	return WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
	_cleanup_error_ husk_error_t err = NULL;
	char *msg = "";
	int r;

	if (argc == 2 && strcmp(argv[1], SEALED_ARG) == 0) {
		return report();
	}
	if (getuid() != 0) {
		skip_all("needs root (open_tree)");
	}
	plan(5);
	r = husk_seal_state(&err);
	if (r != HUSK_SEAL_NONE) {
		skip("the test binary is on a read-only file system");
	} else {
		ok(r == HUSK_SEAL_NONE, "the test binary, on a writable fs, is not sealed");
	}
	r = sealed_child(argv[0], false, &msg);
	is_int(r, HUSK_SEAL_READONLY * 10 + 1,
	       "as root: a read-only detached mount, writes refused %s", msg);
	r = sealed_child(argv[0], true, &msg);
	if (r == 98) {
		skip("no user namespaces");
	} else {
		is_int(r, HUSK_SEAL_MEMFD * 10 + 1,
		       "without the mount API: a sealed memfd, writes refused %s", msg);
	}
	/* A re-exec that did not seal must not loop. */
	setenv("_HUSK_SEALED", "1", 1);
	{
		char *args[] = { argv[0], (char *) SEALED_ARG, NULL };

		r = husk_seal_self(args, &err);
		ok(r < 0 && err != NULL && strstr(err->msg, "still writable") != NULL,
		   "a second re-exec is refused: %s", err != NULL ? err->msg : "(no error)");
	}
	ok(getenv("_HUSK_SEALED") == NULL, "the marker does not outlive start-up");
	return done();
}
