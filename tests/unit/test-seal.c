/* tests/unit/test-seal.c: husk_seal_self() makes the running binary (this
 * test) one that nothing can write through /proc/<pid>/exe: as root, in
 * place, a read-only detached mount of itself becomes its exe, with no
 * exec; without the mount API (a new user namespace does not own the mount
 * namespace) it re-executes from a sealed memfd.  The sealed test reports
 * what husk_seal_state() says of itself and whether /proc/self/exe opens
 * for writing, through its exit status; IN_PLACE is added when it did so
 * without an exec. */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init/seal.h"
#include "tests/unit/tap.h"
#include "util/cleanup.h"

#define SEALED_ARG "--report-seal"
#define IN_PLACE   100

/* Written before the seal, read after: the program's data survives it. */
static volatile int marker;

/* What /proc/self/stat says of the memory layout (fields 26-28 and 45-51:
 * code, stack, data, heap, arguments, environment), which an in-place seal
 * must leave as it was. */
static void layout(char *buf, size_t len)
{
	char stat[4096] = "";
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, stat, sizeof(stat) - 1);
	char *p = strrchr(stat, ')');
	size_t used = 0;

	if (fd >= 0) {
		close(fd);
	}
	buf[0] = '\0';
	for (int field = 2; n > 0 && p != NULL && field <= 51; field++) {
		char *end = strchr(p + 1, ' ');

		if ((field >= 26 && field <= 28) || field >= 45) {
			size_t w = (size_t) (end != NULL ? end - p : (long) strlen(p));

			if (used + w < len) {
				memcpy(buf + used, p, w);
				used += w;
				buf[used] = '\0';
			}
		}
		p = end;
	}
}

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

enum how { AS_ROOT, IN_USERNS, NO_SET_MM };

/* A filter that fails prctl(PR_SET_MM, ...) with EPERM, as a kernel
 * without checkpoint/restore or a confining LSM would. */
static int deny_set_mm(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_prctl, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PR_SET_MM, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
			       prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0
		       ? -1
		       : 0;
}

/* Fork; the child (in a new user namespace, or barred from PR_SET_MM, as
 * HOW says) seals, in place or by re-executing itself as
 * `SELF --report-seal`.  Returns its exit status. */
static int sealed_child(const char *self, enum how how, char **msg)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		_cleanup_error_ husk_error_t err = NULL;
		char *argv[] = { (char *) self, (char *) SEALED_ARG, NULL };

		if (how == IN_USERNS && unshare(CLONE_NEWUSER) < 0) {
			_exit(98);
		}
		if (how == NO_SET_MM && deny_set_mm() < 0) {
			_exit(95);
		}
		char *heap = strdup("heap");
		char before[1024], after[1024];

		marker = 42;
		layout(before, sizeof(before));
		if (husk_seal_self(argv, &err) == 0) {
			/* Sealed in place: the same image goes on, in the same
			 * layout. */
			layout(after, sizeof(after));
			if (marker != 42 || strcmp(heap, "heap") != 0 || before[0] == '\0' ||
			    strcmp(before, after) != 0) {
				_exit(96);
			}
			_exit(IN_PLACE + report());
		}
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
	plan(6);
	r = husk_seal_state(&err);
	if (r != HUSK_SEAL_NONE) {
		skip("the test binary is on a read-only file system");
	} else {
		ok(r == HUSK_SEAL_NONE, "the test binary, on a writable fs, is not sealed");
	}
	r = sealed_child(argv[0], AS_ROOT, &msg);
	is_int(r, IN_PLACE + HUSK_SEAL_READONLY * 10 + 1,
	       "as root: a read-only detached mount made the exe in place, data kept, "
	       "writes refused %s",
	       msg);
	r = sealed_child(argv[0], NO_SET_MM, &msg);
	is_int(r, HUSK_SEAL_READONLY * 10 + 1,
	       "PR_SET_MM refused: re-executed from the read-only mount, writes refused %s", msg);
	r = sealed_child(argv[0], IN_USERNS, &msg);
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
