/* Unit tests: the policy of the annotation husk.landlock (spec/landlock.h)
 * and Landlock's system calls (util/landlock.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "spec/landlock.h"
#include "util/cleanup.h"
#include "util/landlock.h"

static void test_parse(void)
{
	static const struct {
		const char *value;
		int mode;
		const char *error; /* the end of the message, or NULL */
	} cases[] = {
		{ "auto", HUSK_LANDLOCK_AUTO, NULL },
		{ "strict", HUSK_LANDLOCK_STRICT, NULL },
		{ "off", HUSK_LANDLOCK_OFF, NULL },
		{ "", HUSK_LANDLOCK_OFF, NULL },
		{ "{}", HUSK_LANDLOCK_AUTO, NULL },
		{ "{\"mode\":\"strict\",\"tcpBind\":[],\"tcpConnect\":[443,80]}",
		  HUSK_LANDLOCK_STRICT, NULL },
		{ "Auto", 0,
		  "expected \"auto\", \"strict\", \"off\" or a JSON object, got \"Auto\"" },
		{ "{\"mode\":\"strong\"}", 0,
		  "mode: expected \"auto\", \"strict\" or \"off\", got \"strong\"" },
		{ "{\"tcpBind\":[0]}", 0, "tcpBind[0]: expected a TCP port, 1 to 65535" },
		{ "{\"tcpConnect\":[65536]}", 0, "tcpConnect[0]: expected a TCP port, 1 to 65535" },
		{ "{\"tcpConnect\":80}", 0,
		  "tcpConnect: expected an array of ports, got number 80" },
		{ "{\"scope\":false}", 0,
		  "scope: unknown key: expected mode, tcpBind, tcpConnect or scoped" },
		{ "{\"mode\":", 0, "invalid JSON" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_error_ husk_error_t err = NULL;
		husk_landlock_policy_t p;
		int r = husk_landlock_policy_parse(cases[i].value, "a", &p, &err);

		if (cases[i].error == NULL) {
			ok(r == 0 && p.mode == cases[i].mode, "parse `%s`", cases[i].value);
		} else {
			ok(r < 0 && err != NULL && strstr(err->msg, cases[i].error) != NULL,
			   "refuse `%s`: %s", cases[i].value,
			   err != NULL ? err->msg : "(accepted)");
		}
	}
}

/* What the sandbox writes is read back the same. */
static void test_text(void)
{
	_cleanup_error_ husk_error_t err = NULL;
	husk_landlock_policy_t p = { .mode = HUSK_LANDLOCK_STRICT,
				     .tcp_connect = { .set = true, .n = 2, .v = { 443, 80 } },
				     .tcp_bind = { .set = true, .n = 0 } };
	husk_landlock_policy_t back;
	_cleanup_free_ char *text = husk_landlock_policy_text(&p);
	_cleanup_free_ char *plain =
		husk_landlock_policy_text(&(husk_landlock_policy_t){ .mode = HUSK_LANDLOCK_AUTO });

	ok(husk_landlock_policy_parse(text, "a", &back, &err) == 0 &&
		   back.mode == HUSK_LANDLOCK_STRICT && back.tcp_bind.set && back.tcp_bind.n == 0 &&
		   back.tcp_connect.n == 2 && back.tcp_connect.v[1] == 80 && !back.unscoped,
	   "text: a policy with ports reads back the same (%s)", text);
	ok(strcmp(plain, "auto") == 0, "text: a policy of a mode alone is the mode's name");
}

/* A child that allows reading beneath /usr only cannot open /etc/hostname
 * any more, and still reads beneath /usr. */
static void test_confine(void)
{
	const char *why;
	int abi = husk_landlock_abi(&why);
	int st = -1;
	pid_t pid;

	if (abi == 0) {
		skip("the kernel has no Landlock: %s", why);
		skip("the kernel has no Landlock: %s", why);
		return;
	}
	ok(abi >= 1 && abi <= HUSK_LANDLOCK_ABI_MAX && why == NULL, "abi: %d", abi);
	pid = fork();
	if (pid == 0) {
		_cleanup_error_ husk_error_t err = NULL;
		husk_landlock_t ll;
		int usr = open("/usr", O_PATH | O_CLOEXEC);

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    husk_landlock_create(&ll, abi, husk_landlock_fs_rights(abi), 0, 0, &err) < 0 ||
		    husk_landlock_allow_path(&ll, usr, HUSK_LL_FS_READ, "/usr", &err) < 0 ||
		    husk_landlock_enforce(&ll, 0, &err) < 0) {
			_exit(100);
		}
		if (ll.fd != -1) {
			_exit(101);
		}
		if (open("/etc/hostname", O_RDONLY | O_CLOEXEC) >= 0 || errno != EACCES) {
			_exit(102);
		}
		_exit(open("/usr", O_RDONLY | O_DIRECTORY | O_CLOEXEC) >= 0 ? 0 : 103);
	}
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	   "confine: outside the rule refused, beneath it allowed, the ruleset closed (exit %d)",
	   WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

int main(void)
{
	plan(13 + 2 + 2);
	test_parse();
	test_text();
	test_confine();
	return done();
}
