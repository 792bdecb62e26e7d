/* husk runtime: the container process's own attributes. */
#include "runtime/process.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"
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

static bool is_executable_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

char *husk_process_find_exec(const husk_process_t *p, husk_error_t *err)
{
	const char *name = p->args != NULL ? p->args[0] : NULL;
	const char *path = env_get(p->env, "PATH");
	_cleanup_free_ char *copy = NULL;
	char *save = NULL;

	if (name == NULL || name[0] == '\0') {
		husk_error_make(err, 0, "process.args must name the program to run");
		return NULL;
	}
	if (strchr(name, '/') != NULL) {
		if (!is_executable_file(name)) {
			husk_error_errno(err, "exec: \"%s\"", name);
			return NULL;
		}
		return xstrdup(name);
	}
	copy = xstrdup(path != NULL ? path : DEFAULT_PATH);
	for (char *dir = strtok_r(copy, ":", &save); dir != NULL; dir = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *full = xasprintf("%s/%s", dir[0] ? dir : ".", name);

		if (is_executable_file(full)) {
			return TAKE_PTR(full);
		}
	}
	husk_error_make(err, 0, "exec: \"%s\": executable file not found in $PATH", name);
	return NULL;
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
				return husk_error_make(
					err, saved,
					"set %s to soft %llu hard %llu (the hard limit here is %llu)",
					husk_rlimit_name(r->type), (unsigned long long) r->soft,
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
			return husk_error_errno(err, "drop %s from the bounding set", husk_cap_name(cap));
		}
	}
	return 0;
}

static int set_ids(const husk_process_t *p, bool setgroups_denied, husk_error_t *err)
{
	const husk_user_t *u = p->user;
	uid_t uid = u != NULL ? u->uid : 0;
	gid_t gid = u != NULL ? u->gid : 0;
	size_t ngroups = u != NULL ? u->additional_gids.n : 0;

	/* Supplementary groups first, while we may still change them; the
	 * host's groups must never reach the container. */
	if (!setgroups_denied || ngroups > 0) {
		if (setgroups(ngroups, ngroups ? (gid_t *) u->additional_gids.v : NULL) < 0) {
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

int husk_process_chdir(const husk_process_t *p, husk_error_t *err)
{
	const char *cwd = p->cwd != NULL && p->cwd[0] != '\0' ? p->cwd : "/";
	char got[4096];

	if (chdir(cwd) < 0) {
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

int husk_process_exec(const husk_process_t *p, const char *path, int preserve_fds,
		      husk_error_t *err)
{
	unsigned int first = 3U + (unsigned int) (preserve_fds > 0 ? preserve_fds : 0);

	if (syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
		return husk_error_errno(err, "mark descriptors close-on-exec");
	}
	execve(path, p->args, p->env != NULL ? p->env : (char *[]){ NULL });
	return husk_error_errno(err, "exec \"%s\"", path);
}
