/* bench/shim.c: drive an OCI runtime the way containerd's shim or conmon
 * does, and time it.
 *
 *   shim lifecycle RUNTIME ROOT BUNDLE ID
 *     as a child subreaper: `RUNTIME --root ROOT create --bundle BUNDLE
 *     --pid-file F ID`, `start ID`, reap the container's init (an orphan the
 *     runtime left to us), `delete ID`.  The container must exit 0.
 *   shim time CMD [ARG...]
 *     run CMD once.
 *
 * Prints "NANOSECONDS PEAK_RSS_KIB" on stdout: the wall time of the whole
 * sequence and the largest peak RSS of any runtime process it waited for (the
 * container's own process not included).  Exits 0 when every step succeeded.
 * The runtime's stdin and stdout are /dev/null; stderr is the shim's. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long peak_kib;

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Fork and exec ARGV with stdin and stdout on /dev/null; wait for it alone
 * and return its wait status, or -1. */
static int run(char *const argv[])
{
	struct rusage ru;
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		perror("shim: fork");
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0) {
			_exit(127);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "shim: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("shim: wait4");
			return -1;
		}
	}
	if (ru.ru_maxrss > peak_kib) {
		peak_kib = ru.ru_maxrss;
	}
	return status;
}

static int ok(int status, const char *what)
{
	if (status == 0) {
		return 1;
	}
	if (status > 0 && WIFSIGNALED(status)) {
		fprintf(stderr, "shim: %s: killed by signal %d\n", what, WTERMSIG(status));
	} else if (status > 0) {
		fprintf(stderr, "shim: %s: exit status %d\n", what, WEXITSTATUS(status));
	}
	return 0;
}

static pid_t read_pid(const char *path)
{
	FILE *f = fopen(path, "re");
	long pid = -1;

	if (f == NULL) {
		fprintf(stderr, "shim: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fscanf(f, "%ld", &pid) != 1) {
		pid = -1;
	}
	fclose(f);
	return (pid_t) pid;
}

/* Reap children until PID's status is known (others, such as a runtime's
 * helper, are reaped in passing). */
static int reap(pid_t pid, int *status)
{
	for (;;) {
		int st;
		pid_t got = waitpid(-1, &st, 0);

		if (got < 0 && errno == EINTR) {
			continue;
		}
		if (got < 0) {
			perror("shim: waiting for the container's init");
			return -1;
		}
		if (got == pid) {
			*status = st;
			return 0;
		}
	}
}

static int lifecycle(char *runtime, char *root, char *bundle, char *id)
{
	char pidfile[4096];
	int status = -1;
	pid_t init;

	snprintf(pidfile, sizeof(pidfile), "%s/%s.pid", bundle, id);
	char *create[] = { runtime, "--root",     root,    "create", "--bundle",
			   bundle,  "--pid-file", pidfile, id,       NULL };
	char *start[] = { runtime, "--root", root, "start", id, NULL };
	char *delete[] = { runtime, "--root", root, "delete", id, NULL };

	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		perror("shim: PR_SET_CHILD_SUBREAPER");
		return 0;
	}
	if (!ok(run(create), "create") || (init = read_pid(pidfile)) <= 0) {
		return 0;
	}
	if (!ok(run(start), "start")) {
		kill(init, SIGKILL);
		reap(init, &status);
		run(delete);
		return 0;
	}
	if (reap(init, &status) < 0 || !ok(status, "the container")) {
		run(delete);
		return 0;
	}
	return ok(run(delete), "delete");
}

int main(int argc, char *argv[])
{
	long long t0, t1;
	int good;

	if (argc >= 6 && strcmp(argv[1], "lifecycle") == 0) {
		t0 = now_ns();
		good = lifecycle(argv[2], argv[3], argv[4], argv[5]);
	} else if (argc >= 3 && strcmp(argv[1], "time") == 0) {
		t0 = now_ns();
		good = ok(run(argv + 2), argv[2]);
	} else {
		fprintf(stderr, "usage: shim lifecycle RUNTIME ROOT BUNDLE ID\n"
				"       shim time CMD [ARG...]\n");
		return 2;
	}
	t1 = now_ns();
	printf("%lld %ld\n", t1 - t0, peak_kib);
	return good ? 0 : 1;
}
