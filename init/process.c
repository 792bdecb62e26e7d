/* husk init: the container process's own attributes. */
#include "init/process.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init/landlock.h"
#include "init/mempolicy.h"
#include "init/sync.h"
#include "util/cleanup.h"
#include "util/fds.h"
#include "util/log.h"
#include "util/open.h"
#include "util/pathfs.h"
#include "util/procfs.h"
#include "util/xalloc.h"

/* runc's default when the config's env has no PATH. */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *env_get(char *const *env, const char *name)
{
	size_t n = strlen(name);

	for (; env != NULL && *env != NULL; env++) {
		if (strncmp(*env, name, n) == 0 && (*env)[n] == '=') {
			return *env + n + 1;
		}
	}
	return NULL;
}

/* Whether PATH, as execve will be given it (relative to the cwd CWD), names
 * a file inside the container's root ROOTFD that the process may run.  The
 * path layer resolves it there (util/pathfs.h): no symlink of the image
 * leaves the root and no magic link (/proc/self/fd/N, /proc/self/exe,
 * /proc/<pid>/root) is followed, and the file the kernel finds by the same
 * path must be that one, or the path goes somewhere the root does not
 * (CVE-2024-21626: a program reached through a descriptor husk held).
 * False with errno set: ENOENT (or ENOTDIR) when it is not there, EACCES
 * when it is no file we may run, ELOOP when it leads out of the root. */
static bool is_executable_file(int rootfd, const char *cwd, const char *path)
{
	_cleanup_error_ husk_error_t e = NULL;
	_cleanup_free_ char *full = path[0] == '/' ? xstrdup(path) : xasprintf("%s/%s", cwd, path);
	_cleanup_close_ int fd = husk_path_open_at(rootfd, full, O_PATH, 0, &e);
	struct stat in_root, by_path;

	if (fd < 0) {
		errno = husk_error_errno_of(e) != 0 ? husk_error_errno_of(e) : ENOENT;
		return false;
	}
	if (fstat(fd, &in_root) < 0 || stat(path, &by_path) < 0) {
		return false;
	}
	if (in_root.st_dev != by_path.st_dev || in_root.st_ino != by_path.st_ino) {
		errno = ELOOP;
		return false;
	}
	if (!S_ISREG(in_root.st_mode)) {
		errno = EACCES;
		return false;
	}
	return access(path, X_OK) == 0;
}

/* The error for a program that is not there or cannot be run, in runc's
 * words, and what husk adds for one that leads out of the root. */
static char *exec_error(const char *name, husk_error_t *err)
{
	if (errno == ELOOP) {
		husk_error_errno(err,
				 "exec: \"%s\": cannot be resolved inside the container (a "
				 "symlink loop, or a link through /proc/*/fd, /proc/*/exe or "
				 "/proc/*/root)",
				 name);
	} else {
		husk_error_errno(err, "exec: \"%s\"", name);
	}
	return NULL;
}

char *husk_process_find_exec(const husk_process_t *p, husk_error_t *err)
{
	const char *name = p->args != NULL ? p->args[0] : NULL;
	const char *path = env_get(p->env, "PATH");
	_cleanup_close_ int rootfd = -1;
	_cleanup_free_ char *copy = NULL;
	char cwd[PATH_MAX];
	char *save = NULL;

	if (name == NULL || name[0] == '\0') {
		husk_error_make(err, 0, "process.args must name the program to run");
		return NULL;
	}
	/* Our root is the container's: pivot_root (or chroot) made it so in
	 * the init, setns into its mount namespace in an exec. */
	rootfd = open("/", HUSK_O_PATH_DIR);
	if (rootfd < 0 || getcwd(cwd, sizeof(cwd)) == NULL) {
		husk_error_errno(err, "exec: \"%s\": the container's root or cwd", name);
		return NULL;
	}
	if (strchr(name, '/') != NULL) {
		return is_executable_file(rootfd, cwd, name) ? xstrdup(name)
							     : exec_error(name, err);
	}
	copy = xstrdup(path != NULL ? path : DEFAULT_PATH);
	for (char *dir = strtok_r(copy, ":", &save); dir != NULL;
	     dir = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *full = xasprintf("%s/%s", dir[0] ? dir : ".", name);

		if (is_executable_file(rootfd, cwd, full)) {
			return TAKE_PTR(full);
		}
		if (errno == ELOOP) {
			return exec_error(full, err);
		}
	}
	husk_error_make(err, 0, "exec: \"%s\": executable file not found in $PATH", name);
	return NULL;
}

int husk_process_exec_status(husk_error_t e)
{
	int n = husk_error_errno_of(e);

	if (e == NULL || strstr(e->msg, "exec: \"") == NULL) {
		return 0;
	}
	/* The PATH search's own error has no errno: nothing was found. */
	return n == 0 || n == ENOENT || n == ENOTDIR ? 127 : 126;
}

int husk_process_set_rlimits(const husk_process_t *p, husk_error_t *err)
{
	for (size_t i = 0; i < p->rlimits.n; i++) {
		const husk_rlimit_t *r = &p->rlimits.v[i];
		struct rlimit lim = { .rlim_cur = r->soft, .rlim_max = r->hard };

		if (setrlimit(r->type, &lim) < 0) {
			int saved = errno;

			if (saved == EPERM) {
				struct rlimit host;

				getrlimit(r->type, &host);
				return husk_error_make(err, saved,
						       "set %s to soft %llu hard %llu (the hard "
						       "limit here is %llu)",
						       husk_rlimit_name(r->type),
						       (unsigned long long) r->soft,
						       (unsigned long long) r->hard,
						       (unsigned long long) host.rlim_max);
			}
			return husk_error_make(err, saved, "set %s", husk_rlimit_name(r->type));
		}
	}
	return 0;
}

static int drop_bounding(uint64_t keep, husk_error_t *err)
{
	int last = (int) cap_max_bits() - 1;

	for (int cap = 0; cap <= last && cap < 64; cap++) {
		if (keep & (1ULL << cap)) {
			continue;
		}
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) {
			return husk_error_errno(err, "drop %s from the bounding set",
						husk_cap_name(cap));
		}
	}
	return 0;
}

static int set_ids(const husk_process_t *p, bool setgroups_denied, husk_error_t *err)
{
	const husk_user_t *u = p->user;
	uid_t uid = u != NULL ? u->uid : 0;
	gid_t gid = u != NULL ? u->gid : 0;
	size_t n = u != NULL ? u->additional_gids.n : 0, ngroups = 0;
	_cleanup_free_ gid_t *groups = n > 0 ? xcalloc(n, sizeof(gid_t)) : NULL;

	/* Each group once, as runc sets them: docker lists a group twice when
	 * --group-add names one the image's /etc/group already gives the user. */
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;

		while (j < ngroups && groups[j] != (gid_t) u->additional_gids.v[i]) {
			j++;
		}
		if (j == ngroups) {
			groups[ngroups++] = (gid_t) u->additional_gids.v[i];
		}
	}
	/* Supplementary groups first, while we may still change them; the
	 * host's groups must never reach the container. */
	if (!setgroups_denied || ngroups > 0) {
		if (setgroups(ngroups, groups) < 0) {
			return husk_error_errno(err, "setgroups");
		}
	}
	if (setresgid(gid, gid, gid) < 0) {
		return husk_error_errno(err, "setresgid %u", (unsigned) gid);
	}
	if (setresuid(uid, uid, uid) < 0) {
		return husk_error_errno(err, "setresuid %u", (unsigned) uid);
	}
	return 0;
}

static void add_set(cap_t c, cap_flag_t flag, uint64_t mask)
{
	int last = (int) cap_max_bits() - 1;

	for (int cap = 0; cap <= last && cap < 64; cap++) {
		if (mask & (1ULL << cap)) {
			cap_value_t v = cap;

			cap_set_flag(c, flag, 1, &v, CAP_SET);
		}
	}
}

static int set_caps(const husk_caps_t *caps, husk_error_t *err)
{
	cap_t c = cap_init();
	int r;

	if (c == NULL) {
		return husk_error_errno(err, "allocate capability state");
	}
	add_set(c, CAP_EFFECTIVE, caps->effective);
	add_set(c, CAP_PERMITTED, caps->permitted);
	/* Only what the config asks for goes into the inheritable set
	 * (CVE-2022-29162): cap_init() starts every set empty. */
	add_set(c, CAP_INHERITABLE, caps->inheritable);
	r = cap_set_proc(c);
	cap_free(c);
	if (r < 0) {
		return husk_error_errno(err, "set capabilities");
	}
	if (cap_reset_ambient() < 0 && errno != EINVAL) {
		return husk_error_errno(err, "clear the ambient capability set");
	}
	for (int cap = 0; cap < 64; cap++) {
		if ((caps->ambient & (1ULL << cap)) && cap_set_ambient(cap, CAP_SET) < 0) {
			return husk_error_errno(err, "raise ambient %s", husk_cap_name(cap));
		}
	}
	return 0;
}

void husk_process_tolerate_caps(husk_process_t *p)
{
	husk_caps_t *c = p->capabilities;
	unsigned last = cap_max_bits();
	uint64_t all, beyond, unraisable;

	if (c == NULL) {
		return;
	}
	all = c->bounding | c->effective | c->inheritable | c->permitted | c->ambient;
	beyond = last < 64 ? all & ~((UINT64_C(1) << last) - 1) : 0;
	for (int cap = (int) last; cap < 64 && beyond != 0; cap++) {
		if (beyond & (UINT64_C(1) << cap)) {
			husk_warn("process.capabilities: ignoring unknown or unavailable "
				  "capability %s: this kernel knows capabilities 0 to %u",
				  husk_cap_name(cap), last - 1);
		}
	}
	/* The kernel raises an ambient capability only if it is permitted and
	 * inheritable too; crun's own `spec` lists ambient ones with no
	 * inheritable set.  runc and crun warn and go on without it. */
	unraisable = c->ambient & ~(c->permitted & c->inheritable) & ~beyond;
	for (int cap = 0; cap < 64 && unraisable != 0; cap++) {
		if (unraisable & (UINT64_C(1) << cap)) {
			husk_warn("process.capabilities.ambient: can't raise ambient capability "
				  "%s: it is not in the %s set",
				  husk_cap_name(cap),
				  (c->permitted & (UINT64_C(1) << cap)) ? "inheritable"
									: "permitted");
		}
	}
	c->ambient &= ~unraisable;
}

int husk_process_set_user_and_caps(const husk_process_t *p, bool setgroups_denied,
				   husk_error_t *err)
{
	const husk_caps_t *caps = p->capabilities;

	/* The bounding set can only shrink, and only with CAP_SETPCAP: do it
	 * while we are still root. */
	if (caps != NULL && drop_bounding(caps->bounding, err) < 0) {
		return -1;
	}
	/* Keep the permitted set across the uid change; capset restores the
	 * effective set right after. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) {
		return husk_error_errno(err, "prctl(PR_SET_KEEPCAPS)");
	}
	if (set_ids(p, setgroups_denied, err) < 0) {
		return -1;
	}
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) {
		return husk_error_errno(err, "prctl(PR_SET_KEEPCAPS)");
	}
	if (caps != NULL && set_caps(caps, err) < 0) {
		return -1;
	}
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		return husk_error_errno(err, "prctl(PR_SET_NO_NEW_PRIVS)");
	}
	return 0;
}

int husk_process_chdir_early(const husk_process_t *p, husk_error_t *err)
{
	const char *cwd = p->cwd != NULL && p->cwd[0] != '\0' ? p->cwd : "/";

	if (chdir(cwd) < 0) {
		if (errno == EACCES || errno == EPERM) {
			return 0;
		}
		return husk_error_errno(err, "chdir to cwd (\"%s\") set in config.json", cwd);
	}
	return husk_process_chdir(p, true, err) < 0 ? -1 : 1;
}

int husk_process_chdir(const husk_process_t *p, bool there, husk_error_t *err)
{
	const char *cwd = p->cwd != NULL && p->cwd[0] != '\0' ? p->cwd : "/";
	char got[4096];

	if (!there && chdir(cwd) < 0) {
		return husk_error_errno(err, "chdir to cwd (\"%s\") set in config.json", cwd);
	}
	/* After pivot_root, a directory outside the new root reads back with
	 * "(unreachable)" or fails: either way it is not where we asked. */
	if (getcwd(got, sizeof(got)) == NULL || got[0] != '/') {
		return husk_error_make(err, errno ? errno : ENOENT,
				       "cwd \"%s\" is outside the container", cwd);
	}
	return 0;
}

/* ---- scheduler, I/O priority, personality, CPU affinity ---- */

/* The kernel's struct sched_attr (include/uapi/linux/sched/types.h), v0. */
struct husk_sched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
};

/* SCHED_* as the kernel numbers them (SCHED_ISO is reserved: the kernel
 * refuses it, and says so). */
static const uint32_t sched_policy_value[HUSK_SCHED_COUNT] = {
	[HUSK_SCHED_OTHER] = 0,    [HUSK_SCHED_FIFO] = 1, [HUSK_SCHED_RR] = 2,
	[HUSK_SCHED_BATCH] = 3,    [HUSK_SCHED_ISO] = 4,  [HUSK_SCHED_IDLE] = 5,
	[HUSK_SCHED_DEADLINE] = 6,
};

/* SCHED_FLAG_* in the order spec/names.c lists them: flag i is 1 << i. */
static const char *const sched_flag_names[] = {
	"SCHED_FLAG_RESET_ON_FORK",  "SCHED_FLAG_RECLAIM",     "SCHED_FLAG_DL_OVERRUN",
	"SCHED_FLAG_KEEP_POLICY",    "SCHED_FLAG_KEEP_PARAMS", "SCHED_FLAG_UTIL_CLAMP_MIN",
	"SCHED_FLAG_UTIL_CLAMP_MAX",
};

static uint64_t sched_flags(char **flags)
{
	uint64_t v = 0;

	for (size_t i = 0; flags != NULL && flags[i] != NULL; i++) {
		for (size_t b = 0; b < sizeof(sched_flag_names) / sizeof(sched_flag_names[0]);
		     b++) {
			if (strcmp(flags[i], sched_flag_names[b]) == 0) {
				v |= 1ULL << b;
			}
		}
	}
	return v;
}

int husk_process_set_scheduler(const husk_process_t *p, husk_error_t *err)
{
	const husk_sched_t *s = p->scheduler;
	struct husk_sched_attr attr;

	if (s == NULL) {
		return 0;
	}
	attr = (struct husk_sched_attr){
		.size = sizeof(attr),
		.sched_policy = sched_policy_value[s->policy],
		.sched_flags = sched_flags(s->flags),
		.sched_nice = s->has_nice ? s->nice : 0,
		.sched_priority = s->has_priority ? (uint32_t) s->priority : 0,
		.sched_runtime = s->has_runtime ? s->runtime : 0,
		.sched_deadline = s->has_deadline ? s->deadline : 0,
		.sched_period = s->has_period ? s->period : 0,
	};
	if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0) {
		return husk_error_errno(err,
					"process.scheduler: sched_setattr policy %u priority %u "
					"nice %d",
					attr.sched_policy, attr.sched_priority, attr.sched_nice);
	}
	return 0;
}

#define HUSK_IOPRIO_WHO_PROCESS 1
#define HUSK_IOPRIO_CLASS_SHIFT 13

int husk_process_set_ioprio(const husk_process_t *p, husk_error_t *err)
{
	/* IOPRIO_CLASS_RT 1, BE 2, IDLE 3 */
	static const int class_value[HUSK_IOPRIO_CLASS_COUNT] = {
		[HUSK_IOPRIO_CLASS_RT] = 1,
		[HUSK_IOPRIO_CLASS_BE] = 2,
		[HUSK_IOPRIO_CLASS_IDLE] = 3,
	};
	const husk_ioprio_t *io = p->io_priority;
	int prio;

	if (io == NULL) {
		return 0;
	}
	prio = (class_value[io->class_] << HUSK_IOPRIO_CLASS_SHIFT) |
	       (io->has_priority ? io->priority : 0);
	if (syscall(SYS_ioprio_set, HUSK_IOPRIO_WHO_PROCESS, 0, prio) < 0) {
		return husk_error_errno(err, "process.ioPriority: ioprio_set class %d priority %d",
					class_value[io->class_],
					io->has_priority ? io->priority : 0);
	}
	return 0;
}

int husk_process_set_personality(const husk_linux_t *l, husk_error_t *err)
{
	unsigned long domain;

	if (l == NULL || l->personality == NULL) {
		return 0;
	}
	/* No personality flag is defined by the spec yet: the parser refuses
	 * any, so the domain is the whole value. */
	domain = l->personality->domain == HUSK_PER_LINUX32 ? PER_LINUX32 : PER_LINUX;
	if (personality(domain) < 0) {
		return husk_error_errno(err, "linux.personality: personality(0x%lx)", domain);
	}
	return 0;
}

/* Parse a cpu list ("0-3,7", checked by validation) into a set sized for
 * its highest cpu. */
static cpu_set_t *parse_cpus(const char *list, size_t *size)
{
	unsigned long max = 0;
	cpu_set_t *set;
	const char *s;

	for (s = list; *s != '\0';) {
		char *end;
		unsigned long v = strtoul(s, &end, 10);

		max = v > max ? v : max;
		s = *end != '\0' ? end + 1 : end;
	}
	set = CPU_ALLOC(max + 1);
	if (set == NULL) {
		abort();
	}
	*size = CPU_ALLOC_SIZE(max + 1);
	CPU_ZERO_S(*size, set);
	for (s = list; *s != '\0';) {
		char *end;
		unsigned long a = strtoul(s, &end, 10);
		unsigned long b = a;

		if (*end == '-') {
			b = strtoul(end + 1, &end, 10);
		}
		for (unsigned long c = a; c <= b; c++) {
			CPU_SET_S(c, *size, set);
		}
		s = *end == ',' ? end + 1 : end;
	}
	return set;
}

int husk_process_set_affinity(const char *list, const char *what, husk_error_t *err)
{
	cpu_set_t *set;
	size_t size;
	int r;

	if (list == NULL || list[0] == '\0') {
		return 0; /* unset: the kernel decides */
	}
	set = parse_cpus(list, &size);
	r = sched_setaffinity(0, size, set);
	CPU_FREE(set);
	if (r < 0) {
		return husk_error_errno(err, "process.execCPUAffinity.%s: set affinity to `%s`",
					what, list);
	}
	return 0;
}

/* The home of UID in the container's /etc/passwd (our root is the
 * container's), or "/" when it has none there, or no file: runc's rule. */
static char *home_of(uid_t uid)
{
	_cleanup_error_ husk_error_t e = NULL;
	_cleanup_close_ int root = open("/", HUSK_O_PATH_DIR);
	_cleanup_close_ int fd = -1;
	_cleanup_fclose_ FILE *f = NULL;
	char line[4096];

	fd = root >= 0 ? husk_path_open_at(root, "etc/passwd", O_RDONLY, 0, &e) : -1;
	f = fd >= 0 ? fdopen(TAKE_FD(fd), "re") : NULL;
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		char *fields[7] = { NULL };
		char *save = line, *end;
		int n = 0;

		while (n < 7 && (fields[n] = strsep(&save, ":\n")) != NULL) {
			n++;
		}
		if (n >= 6 && fields[2][0] != '\0' && strtoul(fields[2], &end, 10) == uid &&
		    *end == '\0' && fields[5][0] != '\0') {
			return xstrdup(fields[5]);
		}
	}
	return xstrdup("/");
}

/* P's env, with HOME added when it has none or an empty one, as runc does
 * for run and exec alike. */
static char **env_with_home(const husk_process_t *p)
{
	const char *home = env_get(p->env, "HOME");
	size_t n = husk_strv_len(p->env), m = 0;
	_cleanup_free_ char *dir = NULL;
	char **env = xcalloc(n + 2, sizeof(char *));

	for (size_t i = 0; i < n; i++) {
		if (strcmp(p->env[i], "HOME=") != 0) {
			env[m++] = xstrdup(p->env[i]);
		}
	}
	if (home == NULL || home[0] == '\0') {
		dir = home_of(p->user != NULL ? p->user->uid : 0);
		env[m] = xasprintf("HOME=%s", dir);
	}
	return env;
}

char *husk_process_prepare(const husk_process_prep_t *s, husk_error_t *err)
{
	const husk_process_t *p = s->p;
	_cleanup_close_ int notify = -1;
	int cwd_done;

	if (husk_process_set_rlimits(p, err) < 0 || husk_process_set_scheduler(p, err) < 0 ||
	    husk_process_set_ioprio(p, err) < 0 ||
	    (s->linux_ != NULL && (husk_process_set_personality(s->linux_, err) < 0 ||
				   husk_mempolicy_apply(s->linux_, err) < 0))) {
		return NULL;
	}
	umask(p->user != NULL && p->user->has_umask ? (mode_t) p->user->umask : 0022);
	if (s->lsm != NULL && husk_lsm_apply(s->lsm_procfd, s->lsm, err) < 0) {
		return NULL;
	}
	cwd_done = husk_process_chdir_early(p, err);
	if (cwd_done < 0) {
		return NULL;
	}
	husk_procfs_forget();
	if (husk_fds_close_except(3 + s->preserve_fds, s->keep, s->n_keep, s->procfd, err) < 0) {
		return NULL;
	}
	/* Landlock here: every mount is in place; still root of the user
	 * namespace, so restricting needs no no_new_privs the config did not
	 * ask for, and the rules' paths open whoever the process becomes; and
	 * no filter of the container's yet to refuse its calls. */
	if (s->landlock != NULL && husk_landlock_confine(s->landlock, err) < 0) {
		return NULL;
	}
	if (s->early_seccomp != NULL) {
		if (husk_seccomp_load(s->early_seccomp, s->notify_sock >= 0 ? &notify : NULL, err) <
		    0) {
			return NULL;
		}
		if (notify >= 0 &&
		    husk_sync_send(s->notify_sock, HUSK_SYNC_FD, NULL, 0, notify, err) < 0) {
			husk_error_wrap(err, "send the seccomp notify fd");
			return NULL;
		}
	}
	if (husk_process_set_user_and_caps(p, s->setgroups_denied, err) < 0 ||
	    (!cwd_done && husk_process_chdir(p, false, err) < 0)) {
		return NULL;
	}
	return husk_process_find_exec(p, err);
}

int husk_process_exec(const husk_process_t *p, const char *path, int preserve_fds,
		      const husk_seccomp_filter_t *seccomp, bool under_filter, husk_error_t *err)
{
	int first = 3 + (preserve_fds > 0 ? preserve_fds : 0);
	_cleanup_free_ char *again = NULL;
	_cleanup_strv_ char **env = env_with_home(p);

	/* Found before CREATED (or READY), found again now: whatever changed
	 * in the image since must resolve inside the root too. */
	again = husk_process_find_exec(p, err);
	if (again == NULL) {
		return -1;
	}
	/* Closed, not marked: execve resolves PATH, the ELF interpreter and a
	 * script's interpreter while close-on-exec descriptors are still open
	 * (util/fds.h).  The log file goes too: a failure from here on is
	 * printed on stderr. */
	husk_log_close();
	husk_procfs_forget();
	husk_fds_close_from(first, under_filter);
	/* The final affinity last, so nothing husk does runs on it. */
	if (p->exec_cpu_affinity != NULL &&
	    husk_process_set_affinity(p->exec_cpu_affinity->final, "final", err) < 0) {
		return -1;
	}
	/* The seccomp filter, when it waited for this point, is the very last
	 * step: after it only execve runs, so no profile can break husk's own
	 * setup (seccomp/seccomp.h). */
	if (seccomp != NULL && husk_seccomp_load(seccomp, NULL, err) < 0) {
		return -1;
	}
	execve(path, p->args, env);
	return husk_error_errno(err, "exec \"%s\"", path);
}
