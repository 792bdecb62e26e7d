/* Unit tests: the error chain, cleanup helpers and log lines. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/log.h"
#include "util/xalloc.h"

static int fail_with_enoent(husk_error_t *err)
{
	errno = ENOENT;
	return husk_error_errno(err, "open `%s`", "/nonexistent");
}

static int caller(husk_error_t *err)
{
	if (fail_with_enoent(err) < 0) {
		return husk_error_wrap(err, "load bundle `%s`", "b1");
	}
	return 0;
}

static void test_chain(void)
{
	_cleanup_error_ husk_error_t err = NULL;

	is_int(caller(&err), -1, "a failing call returns -1");
	ok(err != NULL, "the error is set");
	is_str(err->msg, "load bundle `b1`: open `/nonexistent`: no such file or directory",
	       "context is prefixed and errno is rendered as the Go runtimes do");
	is_int(husk_error_errno_of(err), ENOENT, "errno travels up unchanged");
	husk_error_free(&err);
	ok(err == NULL, "free clears the pointer");
	husk_error_free(&err);
	ok(1, "free of an empty error is a no-op");
	husk_error_make(&err, 0, "plain %d", 7);
	is_str(err->msg, "plain 7", "errno 0 adds no suffix");
	is_int(husk_error_wrap(NULL, "x"), -1, "wrap of no error returns -1");
}

static void test_strerror(void)
{
	char buf[64];

	is_str(husk_strerror(ESRCH, buf, sizeof(buf)), "no such process",
	       "ESRCH reads as runc prints it");
	is_str(husk_strerror(EPERM, buf, sizeof(buf)), "operation not permitted", "EPERM");
}

static void test_cleanup(void)
{
	int fds[2];
	int saved;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		ok(0, "pipe2");
		return;
	}
	{
		_cleanup_close_ int a = fds[0];
		_cleanup_close_ int b = fds[1];
		int kept = TAKE_FD(b);

		is_int(b, -1, "TAKE_FD leaves -1 behind");
		is_int(kept, fds[1], "TAKE_FD hands the descriptor out");
		fds[1] = kept;
		(void) a;
	}
	is_int(fcntl(fds[0], F_GETFD), -1, "_cleanup_close_ closed the descriptor at scope end");
	ok(fcntl(fds[1], F_GETFD) >= 0, "the taken descriptor stays open");
	errno = EXDEV;
	husk_safe_close(fds[1]);
	saved = errno;
	is_int(saved, EXDEV, "safe_close keeps errno");
	{
		_cleanup_free_ char *p = xstrdup("x");
		char *q = TAKE_PTR(p);

		ok(p == NULL && q != NULL, "TAKE_PTR moves a pointer");
		free(q);
	}
}

static void test_json_escape(void)
{
	char buf[128];

	husk_json_escape("a\"b\\c\nd\te\x01", buf, sizeof(buf));
	is_str(buf, "a\\\"b\\\\c\\nd\\te\\u0001", "JSON escapes quotes, backslashes and controls");
	husk_json_escape("abcdef", buf, 4);
	is_str(buf, "abc", "escape never overflows its buffer");
}

static void test_log_file(void)
{
	char path[] = "/tmp/husk-test-log-XXXXXX";
	int fd = mkstemp(path);
	_cleanup_error_ husk_error_t err = NULL;
	char buf[512] = { 0 };
	ssize_t n;

	close(fd);
	ok(husk_log_init(path, HUSK_LOG_JSON, HUSK_LOG_WARNING, &err) == 0, "log init");
	ok(fcntl(husk_log_fd(), F_GETFD) & FD_CLOEXEC, "the log descriptor is close-on-exec");
	husk_debug("not written at warning level");
	husk_error_make(&err, ENOENT, "state `%s`", "x\"y");
	husk_log_error(err);
	husk_log_close();
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	unlink(path);
	ok(n > 0 && strncmp(buf,
			    "{\"level\":\"error\",\"msg\":\"state `x\\\"y`: no such file or "
			    "directory\",\"time\":\"",
			    71) == 0,
	   "an error becomes one logrus-shaped JSON line");
	ok(strchr(buf, '\n') == buf + n - 1, "exactly one line, debug filtered out");
	husk_error_free(&err);
	is_int(husk_log_init("/nonexistent-dir/log", HUSK_LOG_JSON, HUSK_LOG_WARNING, &err), -1,
	       "an unwritable log file is an error");
	ok(err && strstr(err->msg, "/nonexistent-dir/log") != NULL, "naming the file");
}

int main(void)
{
	plan(24);
	test_chain();
	test_strerror();
	test_cleanup();
	test_json_escape();
	test_log_file();
	return done();
}
