/* Unit tests: linux.seccomp compiled in the parent, cached, and loaded by a
 * child (seccomp/seccomp.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "init/sync.h"
#include "seccomp/seccomp.h"
#include "spec/config.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/xalloc.h"

/* Inline JSON is written with ' for ", then translated. */
static husk_config_t *parse_profile(const char *profile)
{
	_cleanup_error_ husk_error_t err = NULL;
	_cleanup_free_ char *json = xasprintf(
		"{'ociVersion':'1.3.0','root':{'path':'r'},'linux':{'seccomp':%s}}", profile);
	husk_config_t *cfg;

	for (char *p = json; *p != '\0'; p++) {
		if (*p == '\'') {
			*p = '"';
		}
	}
	cfg = husk_config_parse(json, strlen(json), &err);
	if (cfg == NULL) {
		diag("parse: %s", err->msg);
	}
	return cfg;
}

static husk_seccomp_filter_t *compile(const char *profile, int rootfd, char **msg)
{
	_cleanup_config_ husk_config_t *cfg = parse_profile(profile);
	_cleanup_error_ husk_error_t err = NULL;
	husk_seccomp_filter_t *f;

	if (cfg == NULL) {
		return NULL;
	}
	f = husk_seccomp_compile(cfg->linux_->seccomp, rootfd, &err);
	if (msg != NULL) {
		*msg = err != NULL ? xstrdup(err->msg) : NULL;
	} else if (f == NULL) {
		diag("compile: %s", err->msg);
	}
	return f;
}

static bool same_program(const husk_seccomp_filter_t *a, const husk_seccomp_filter_t *b)
{
	return a != NULL && b != NULL && a->len == b->len &&
	       memcmp(a->prog, b->prog, a->len * sizeof(struct sock_filter)) == 0;
}

/* Run personality(ARG) in a child under F: returns the child's wait status,
 * and the result of the call in *RET (-errno on failure). */
static int run_filtered(const husk_seccomp_filter_t *f, unsigned long arg, long *ret)
{
	int pipefd[2], status = 0;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		_cleanup_error_ husk_error_t err = NULL;
		long r;

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    husk_seccomp_load(f, NULL, &err) < 0) {
			_exit(100);
		}
		r = syscall(SYS_personality, arg);
		r = r < 0 ? -errno : r;
		if (write(pipefd[1], &r, sizeof(r)) != sizeof(r)) {
			_exit(101);
		}
		_exit(0);
	}
	close(pipefd[1]);
	*ret = 1L << 40;
	if (read(pipefd[0], ret, sizeof(*ret)) < 0) {
		*ret = 1L << 40;
	}
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	return status;
}

#define ALLOW_BUT(rule) "{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[" rule "]}"

static void test_actions(void)
{
	static const struct {
		const char *profile, *what;
		unsigned long arg;
		long ret;  /* when the child exits */
		int signo; /* when it is killed */
	} cases[] = {
		{ ALLOW_BUT("{'names':['personality'],'action':'SCMP_ACT_ERRNO','errnoRet':38}"),
		  "ERRNO returns errnoRet", 0xffffffff, -38, 0 },
		{ ALLOW_BUT("{'names':['personality'],'action':'SCMP_ACT_ERRNO'}"),
		  "ERRNO without errnoRet returns EPERM", 0xffffffff, -EPERM, 0 },
		{ ALLOW_BUT("{'names':['personality'],'action':'SCMP_ACT_TRAP'}"),
		  "TRAP sends SIGSYS", 0xffffffff, 0, SIGSYS },
		{ ALLOW_BUT("{'names':['personality'],'action':'SCMP_ACT_KILL_PROCESS'}"),
		  "KILL_PROCESS kills", 0xffffffff, 0, SIGSYS },
		{ ALLOW_BUT("{'names':['personality'],'action':'SCMP_ACT_LOG'}"),
		  "LOG lets it through", 0xffffffff, PER_LINUX, 0 },
		/* The allowed names include what a sanitizer's runtime calls on
		 * its own (sigaltstack, mmap, ...), so a SANITIZE build passes. */
		{ "{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':13,'syscalls':[{'names':["
		  "'write','exit_group','exit','prctl','seccomp','sigaltstack','mmap','munmap',"
		  "'mprotect','madvise','rt_sigprocmask','rt_sigaction','gettid','getpid','futex',"
		  "'sched_yield','read','close','openat','fstat','newfstatat','ioctl','prlimit64',"
		  "'brk','clock_gettime','getrandom'],'action':'SCMP_ACT_ALLOW'}]}",
		  "the default action with defaultErrnoRet", 0xffffffff, -13, 0 },
		{ ALLOW_BUT("{'names':['personality'],'action':'SCMP_ACT_ERRNO','errnoRet':22,"
			    "'args':[{'index':0,'value':8,'op':'SCMP_CMP_EQ'}]}"),
		  "EQ: another value passes", 0xffffffff, PER_LINUX, 0 },
		{ ALLOW_BUT("{'names':['personality'],'action':'SCMP_ACT_ERRNO','errnoRet':22,"
			    "'args':[{'index':0,'value':255,'valueTwo':8,'op':'SCMP_CMP_MASKED_EQ'}"
			    "]}"),
		  "MASKED_EQ: (arg & value) == valueTwo", 0x20008, -22, 0 },
		{ ALLOW_BUT("{'names':['personality'],'action':'SCMP_ACT_ERRNO','errnoRet':22,"
			    "'args':[{'index':0,'value':8,'op':'SCMP_CMP_EQ'},"
			    "{'index':0,'value':4294967295,'op':'SCMP_CMP_EQ'}]}"),
		  "two conditions on one argument: either matches", 0xffffffff, -22, 0 },
		{ ALLOW_BUT("{'names':['personality'],'action':'SCMP_ACT_ERRNO','errnoRet':22,"
			    "'args':[{'index':0,'value':8,'op':'SCMP_CMP_GT'}]}"),
		  "GT: a smaller value passes", 0, PER_LINUX, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		husk_seccomp_filter_t *f = compile(cases[i].profile, -1, NULL);
		long ret = 0;
		int st = f != NULL ? run_filtered(f, cases[i].arg, &ret) : -1;

		if (cases[i].signo != 0) {
			ok(st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == cases[i].signo, "%s",
			   cases[i].what);
		} else {
			ok(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 && ret == cases[i].ret,
			   "%s (got %ld)", cases[i].what, ret);
		}
		husk_seccomp_filter_free(f);
	}
}

static void test_unknown_names(void)
{
	husk_seccomp_filter_t *a = compile(ALLOW_BUT("{'names':['husk_no_such_syscall','"
						     "personality'],'action':'SCMP_ACT_KILL'}"),
					   -1, NULL);
	husk_seccomp_filter_t *b =
		compile(ALLOW_BUT("{'names':['personality'],'action':'SCMP_ACT_KILL'}"), -1, NULL);

	ok(same_program(a, b), "a name unknown to libseccomp is skipped, the rest compiled");
	husk_seccomp_filter_free(a);
	husk_seccomp_filter_free(b);
}

static void test_refused(void)
{
	static const struct {
		const char *profile, *msg;
	} cases[] = {
		{ "{'defaultAction':'SCMP_ACT_ALLOW','listenerPath':'/"
		  "l','syscalls':[{'names':['read',"
		  "'write'],'action':'SCMP_ACT_NOTIFY'}]}",
		  "config.json: linux.seccomp.syscalls[0].names[1]: SCMP_ACT_NOTIFY cannot be used "
		  "for `write`" },
		{ ALLOW_BUT("{'names':['mkdir'],'action':'SCMP_ACT_NOTIFY'}"),
		  "config.json: linux.seccomp.listenerPath: required with SCMP_ACT_NOTIFY" },
		{ "{'defaultAction':'SCMP_ACT_ALLOW','flags':['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_"
		  "RECV']}",
		  "config.json: linux.seccomp.flags[0]: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV "
		  "needs "
		  "an SCMP_ACT_NOTIFY rule and a listenerPath" },
		{ ALLOW_BUT("{'names':['mkdir'],'action':'SCMP_ACT_ERRNO','errnoRet':70000}"),
		  "config.json: linux.seccomp.syscalls[0].errnoRet: 70000 is not an errno" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_free_ char *msg = NULL;
		husk_seccomp_filter_t *f = compile(cases[i].profile, -1, &msg);

		is_str(f == NULL ? msg : "(compiled)", cases[i].msg, "refused: %s", cases[i].msg);
		husk_seccomp_filter_free(f);
	}
}

static void test_flags(void)
{
	husk_seccomp_filter_t *f =
		compile("{'defaultAction':'SCMP_ACT_ALLOW','listenerPath':'/l','flags':["
			"'SECCOMP_FILTER_FLAG_LOG','SECCOMP_FILTER_FLAG_SPEC_ALLOW','SECCOMP_"
			"FILTER_FLAG_TSYNC'],"
			"'syscalls':[{'names':['mkdir'],'action':'SCMP_ACT_NOTIFY'}]}",
			-1, NULL);

	/* LOG (2) | SPEC_ALLOW (4) | NEW_LISTENER (8); TSYNC means nothing to a
	 * single-threaded init. */
	ok(f != NULL && f->flags == (2U | 4U | 8U) && husk_seccomp_has_listener(f),
	   "flags: LOG and SPEC_ALLOW passed on, NEW_LISTENER added, TSYNC dropped");
	husk_seccomp_filter_free(f);
}

static char *cache_entry(const char *dir)
{
	_cleanup_free_ char *cmd = xasprintf("ls %s/.seccomp-cache", dir);
	_cleanup_fclose_ FILE *p = popen(cmd, "r");
	char line[256];

	if (p == NULL || fgets(line, sizeof(line), p) == NULL) {
		return NULL;
	}
	line[strcspn(line, "\n")] = '\0';
	return xasprintf("%s/.seccomp-cache/%s", dir, line);
}

static void test_cache(void)
{
	const char *profile = ALLOW_BUT("{'names':['personality'],'action':'SCMP_ACT_ERRNO'}");
	char dir[] = "/tmp/husk-seccomp-test.XXXXXX";
	_cleanup_close_ int rootfd = -1;
	_cleanup_free_ char *entry = NULL, *cmd = NULL;
	husk_seccomp_filter_t *plain, *miss, *hit, *damaged;
	FILE *f;

	if (mkdtemp(dir) == NULL) {
		ok(0, "cache: mkdtemp");
		return;
	}
	rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	plain = compile(profile, -1, NULL);
	miss = compile(profile, rootfd, NULL);
	hit = compile(profile, rootfd, NULL);
	ok(miss != NULL && !miss->from_cache && same_program(plain, miss),
	   "cache: the first compile is a miss");
	ok(hit != NULL && hit->from_cache && same_program(plain, hit),
	   "cache: the second finds the same program");
	entry = cache_entry(dir);
	f = entry != NULL ? fopen(entry, "r+e") : NULL;
	if (f != NULL) {
		/* One byte of the stored key: another profile's entry. */
		fseek(f, 40, SEEK_SET);
		fputc('#', f);
		fclose(f);
	}
	damaged = compile(profile, rootfd, NULL);
	ok(f != NULL && damaged != NULL && !damaged->from_cache && same_program(plain, damaged),
	   "cache: an entry holding another key is a miss, and is replaced");
	husk_seccomp_filter_free(damaged);
	damaged = compile(profile, rootfd, NULL);
	ok(damaged != NULL && damaged->from_cache, "cache: the replaced entry is found again");
	husk_seccomp_filter_free(plain);
	husk_seccomp_filter_free(miss);
	husk_seccomp_filter_free(hit);
	husk_seccomp_filter_free(damaged);
	cmd = xasprintf("rm -rf %s", dir);
	if (system(cmd) != 0) {
		diag("cannot remove %s", dir);
	}
}

/* Entries under a profile's JSON text (husk_seccomp_cached_text). */
static void test_cache_by_text(void)
{
	const char *json = "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}";
	const char *other = "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}";
	const char *logged =
		"{'defaultAction':'SCMP_ACT_ALLOW','flags':['SECCOMP_FILTER_FLAG_LOG']}";
	char dir[] = "/tmp/husk-seccomp-test.XXXXXX";
	_cleanup_close_ int rootfd = -1;
	_cleanup_free_ char *cmd = NULL;
	husk_seccomp_filter_t *plain, *hit, *flagged;

	if (mkdtemp(dir) == NULL) {
		ok(0, "cache by text: mkdtemp");
		return;
	}
	rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	plain = compile(ALLOW_BUT("{'names':['personality'],'action':'SCMP_ACT_ERRNO'}"), -1, NULL);
	ok(husk_seccomp_cached_text(json, rootfd) == NULL, "cache by text: nothing kept yet");
	husk_seccomp_note_text(json, rootfd, plain);
	hit = husk_seccomp_cached_text(json, rootfd);
	ok(hit != NULL && hit->flags == 0 && same_program(plain, hit),
	   "cache by text: the program kept under the text is found under it");
	ok(husk_seccomp_cached_text(other, rootfd) == NULL,
	   "cache by text: the same profile written otherwise is another key");
	flagged = compile(logged, -1, NULL);
	husk_seccomp_note_text(logged, rootfd, flagged);
	ok(flagged != NULL && flagged->flags != 0 &&
		   husk_seccomp_cached_text(logged, rootfd) == NULL,
	   "cache by text: a filter with flags is not kept (an entry holds no flags)");
	husk_seccomp_filter_free(plain);
	husk_seccomp_filter_free(hit);
	husk_seccomp_filter_free(flagged);
	cmd = xasprintf("rm -rf %s", dir);
	if (system(cmd) != 0) {
		diag("cannot remove %s", dir);
	}
}

/* personality(ARG) in a child under the watched filter F, whose listener
 * the child sends here over a sync socket and this process answers: the
 * call's result in *RET (-errno), and in *WHAT the name it was answered
 * for (NULL when no call was). */
static int run_watched(const husk_seccomp_filter_t *f, unsigned long arg, long *ret, char **what)
{
	_cleanup_error_ husk_error_t err = NULL;
	_cleanup_close_ int notify = -1;
	int sock[2], pipefd[2], status = 0;
	pid_t pid;

	*what = NULL;
	if (husk_sync_pair(sock, &err) < 0 || pipe2(pipefd, O_CLOEXEC) < 0) {
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		_cleanup_error_ husk_error_t e = NULL;
		int fd = -1;
		long r;

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    husk_seccomp_load(f, &fd, &e) < 0 ||
		    husk_sync_send(sock[1], HUSK_SYNC_FD, NULL, 0, fd, &e) < 0) {
			_exit(100);
		}
		close(fd);
		r = syscall(SYS_personality, arg);
		r = r < 0 ? -errno : r;
		if (write(pipefd[1], &r, sizeof(r)) != sizeof(r)) {
			_exit(101);
		}
		_exit(0);
	}
	close(sock[1]);
	close(pipefd[1]);
	if (husk_sync_expect(sock[0], HUSK_SYNC_FD, NULL, NULL, &notify, &err) == 0) {
		struct pollfd p[2] = { { .fd = notify, .events = POLLIN },
				       { .fd = pipefd[0], .events = POLLIN } };

		/* Either the call comes here, or its result goes to the pipe. */
		while (*what == NULL && poll(p, 2, 5000) > 0 && !(p[1].revents & POLLIN)) {
			if ((p[0].revents & POLLIN) &&
			    husk_seccomp_answer(notify, f, what, &err) < 0) {
				diag("answer: %s", err->msg);
				break;
			}
		}
	}
	*ret = 1L << 40;
	if (read(pipefd[0], ret, sizeof(*ret)) < 0) {
		*ret = 1L << 40;
	}
	close(pipefd[0]);
	close(sock[0]);
	waitpid(pid, &status, 0);
	return status;
}

/* A watched filter answers as its profile would have, and says for what. */
static void test_watch(void)
{
	static const struct {
		const char *profile, *what;
		int mode;
		unsigned long arg;
		long ret;
		bool notified;
	} cases[] = {
		{ ALLOW_BUT("{'names':['personality'],'action':'SCMP_ACT_ERRNO','errnoRet':38}"),
		  "watch: the profile's errnoRet, counted", HUSK_SECCOMP_WATCH_DENIALS, 0xffffffff,
		  -38, true },
		{ ALLOW_BUT("{'names':['personality'],'action':'SCMP_ACT_ERRNO'}"),
		  "watch: EPERM without errnoRet", HUSK_SECCOMP_WATCH_DENIALS, 0xffffffff, -EPERM,
		  true },
		{ ALLOW_BUT("{'names':['personality'],'action':'SCMP_ACT_ERRNO','errnoRet':22,"
			    "'args':[{'index':0,'value':255,'valueTwo':8,'op':'SCMP_CMP_MASKED_EQ'}"
			    "]}"),
		  "watch: a rule on an argument, matched", HUSK_SECCOMP_WATCH_DENIALS, 0x20008, -22,
		  true },
		{ ALLOW_BUT("{'names':['personality'],'action':'SCMP_ACT_ERRNO','errnoRet':22,"
			    "'args':[{'index':0,'value':8,'op':'SCMP_CMP_EQ'}]}"),
		  "watch: an allowed call is not notified", HUSK_SECCOMP_WATCH_DENIALS, 0xffffffff,
		  PER_LINUX, false },
		{ ALLOW_BUT("{'names':['personality'],'action':'SCMP_ACT_KILL_PROCESS'}"),
		  "watch, learning: a call the profile kills for runs, counted",
		  HUSK_SECCOMP_WATCH_LEARN, 0xffffffff, PER_LINUX, true },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		husk_seccomp_filter_t *f = compile(cases[i].profile, -1, NULL);
		_cleanup_free_ char *what = NULL;
		long ret = 0;
		int st = -1;

		if (f != NULL && husk_seccomp_watch(f, cases[i].mode) == 1) {
			st = run_watched(f, cases[i].arg, &ret, &what);
		}
		ok(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 && ret == cases[i].ret &&
			   (cases[i].notified ? what != NULL && strcmp(what, "personality") == 0
					      : what == NULL),
		   "%s (got %ld, %s)", cases[i].what, ret, what != NULL ? what : "not notified");
		husk_seccomp_filter_free(f);
	}
	{
		husk_seccomp_filter_t *f =
			compile("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read'],"
				"'action':'SCMP_ACT_ALLOW'}]}",
				-1, NULL);

		ok(f != NULL && husk_seccomp_watch(f, HUSK_SECCOMP_WATCH_DENIALS) == 0 &&
			   !husk_seccomp_has_listener(f) && f->unwatched != NULL,
		   "watch: not for a profile that refuses the init's sync messages");
		husk_seccomp_filter_free(f);
	}
}

/* husk_seccomp_allows: the program's own answer for a call and its
 * arguments, as the init asks it about close_range. */
static void test_allows(void)
{
	const uint64_t all[6] = { 3, 0xffffffffU, 0 };
	const uint64_t one[6] = { 3, 3, 0 };
	husk_seccomp_filter_t *f = compile("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':["
					   "{'names':['close_range'],'action':'SCMP_ACT_ALLOW',"
					   "'args':[{'index':1,'value':3,'op':'SCMP_CMP_EQ'}]}]}",
					   -1, NULL);

	ok(f != NULL && husk_seccomp_allows(f, __NR_close_range, one) &&
		   !husk_seccomp_allows(f, __NR_close_range, all) &&
		   !husk_seccomp_allows(f, __NR_close, one),
	   "allows: an argument's rule and the default action decide, as the kernel would");
	husk_seccomp_filter_free(f);
	f = compile(ALLOW_BUT("{'names':['close'],'action':'SCMP_ACT_LOG'}"), -1, NULL);
	ok(f != NULL && husk_seccomp_allows(f, __NR_close_range, all) &&
		   husk_seccomp_allows(f, __NR_close, one),
	   "allows: SCMP_ACT_ALLOW and SCMP_ACT_LOG let a call through");
	husk_seccomp_filter_free(f);
}

int main(void)
{
	plan(10 + 1 + 4 + 1 + 4 + 4 + 6 + 2);
	test_actions();
	test_unknown_names();
	test_refused();
	test_flags();
	test_cache();
	test_cache_by_text();
	test_watch();
	test_allows();
	return done();
}
