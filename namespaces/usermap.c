/* husk: the id maps of a new user namespace. */
#include "namespaces/usermap.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/open.h"
#include "util/procfs.h"
#include "util/xalloc.h"

#define HELPER_OUTPUT_MAX 1024

extern char **environ;

struct kind {
	const char *file;   /* uid_map */
	const char *helper; /* newuidmap */
	const char *field;  /* linux.uidMappings */
	const char *subid;  /* /etc/subuid */
	const char *what;   /* uid */
};

static const struct kind uid_kind = { "uid_map", "newuidmap", "linux.uidMappings", "/etc/subuid",
				      "uid" };
static const struct kind gid_kind = { "gid_map", "newgidmap", "linux.gidMappings", "/etc/subgid",
				      "gid" };

/* Whether M maps nothing but ID, once: all a caller that is not root may
 * write itself. */
static bool only(const husk_idmaps_t *m, unsigned id)
{
	return m->n == 1 && m->v[0].size == 1 && m->v[0].host_id == id;
}

static int write_map(int procfd, pid_t pid, const struct kind *k, const husk_idmaps_t *m,
		     husk_error_t *err)
{
	_cleanup_free_ char *buf = xmalloc(m->n * 40 + 1);
	char path[64];
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < m->n; i++) {
		len += (size_t) sprintf(buf + len, "%u %u %u\n", m->v[i].container_id,
					m->v[i].host_id, m->v[i].size);
	}
	snprintf(path, sizeof(path), "%d/%s", pid, k->file);
	if (husk_procfs_write(procfd, path, buf, len, err) < 0) {
		return husk_error_wrap(err, "write %s of the container", k->file);
	}
	return 0;
}

/* Read what the helper says, bounded, until it closes its end. */
static void read_output(int fd, char *buf, size_t cap)
{
	size_t len = 0;

	for (;;) {
		ssize_t n = read(fd, buf + len, cap - 1 - len);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			break;
		}
		len += (size_t) n;
		if (len == cap - 1) {
			char drain[256];

			while (read(fd, drain, sizeof(drain)) > 0) {
			}
			break;
		}
	}
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' ')) {
		len--;
	}
	buf[len] = '\0';
}

static int run_helper(pid_t pid, const struct kind *k, const husk_idmaps_t *m, husk_error_t *err)
{
	_cleanup_close_ int devnull = -1;
	int out[2] = { -1, -1 };
	char **argv;
	char output[HELPER_OUTPUT_MAX];
	posix_spawn_file_actions_t fa;
	pid_t child;
	int status = 0, r;

	devnull = open("/dev/null", HUSK_O_RDWR);
	if (devnull < 0 || pipe2(out, O_CLOEXEC) < 0) {
		return husk_error_errno(err, "%s: run %s", k->field, k->helper);
	}
	argv = xcalloc(2 + 3 * m->n + 1, sizeof(char *));
	argv[0] = xstrdup(k->helper);
	argv[1] = xasprintf("%d", pid);
	for (size_t i = 0; i < m->n; i++) {
		argv[2 + 3 * i] = xasprintf("%u", m->v[i].container_id);
		argv[3 + 3 * i] = xasprintf("%u", m->v[i].host_id);
		argv[4 + 3 * i] = xasprintf("%u", m->v[i].size);
	}
	/* Everything else husk holds is close-on-exec. */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, devnull, STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out[1], STDERR_FILENO);
	/* Looked up in $PATH, as runc and podman do. */
	r = posix_spawnp(&child, k->helper, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	husk_strv_free(argv);
	husk_safe_close(out[1]);
	if (r != 0) {
		husk_safe_close(out[0]);
		if (r == ENOENT) {
			return husk_error_make(
				err, 0,
				"%s: a %s map of more than the caller's own %s %u needs %s, which "
				"is not installed (Debian package `uidmap`), and a range for this "
				"user in %s",
				k->field, k->what, k->what,
				(unsigned) (k == &uid_kind ? geteuid() : getegid()), k->helper,
				k->subid);
		}
		return husk_error_make(err, r, "%s: run %s", k->field, k->helper);
	}
	read_output(out[0], output, sizeof(output));
	husk_safe_close(out[0]);
	while (waitpid(child, &status, 0) < 0) {
		if (errno != EINTR) {
			return husk_error_errno(err, "%s: wait for %s", k->field, k->helper);
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		return husk_error_make(err, 0,
				       "%s: %s refused the map (%s): the ranges must be given to "
				       "this user in %s",
				       k->field, k->helper,
				       output[0] != '\0' ? output : "no reason given", k->subid);
	}
	return 0;
}

int husk_usermap_write(int procfd, pid_t pid, const husk_idmaps_t *uids, const husk_idmaps_t *gids,
		       bool *setgroups_denied, husk_error_t *err)
{
	bool root = geteuid() == 0;
	bool uid_helper = !root && !only(uids, (unsigned) geteuid());
	bool gid_helper = !root && !only(gids, (unsigned) getegid());
	char path[64];

	*setgroups_denied = false;
	snprintf(path, sizeof(path), "%d/setgroups", pid);
	if (!root && !gid_helper) {
		/* Without CAP_SETGID over the parent namespace the kernel takes
		 * a gid_map only after "deny". */
		if (husk_procfs_write(procfd, path, "deny", 4, err) < 0) {
			return husk_error_wrap(err, "deny setgroups in the container");
		}
		*setgroups_denied = true;
	}
	if ((uid_helper ? run_helper(pid, &uid_kind, uids, err)
			: write_map(procfd, pid, &uid_kind, uids, err)) < 0 ||
	    (gid_helper ? run_helper(pid, &gid_kind, gids, err)
			: write_map(procfd, pid, &gid_kind, gids, err)) < 0) {
		return -1;
	}
	/* newgidmap decides: it denies setgroups unless the user's ranges
	 * allow groups. */
	return gid_helper ? husk_usermap_setgroups_denied(procfd, pid, setgroups_denied, err) : 0;
}

int husk_usermap_setgroups_denied(int procfd, pid_t pid, bool *denied, husk_error_t *err)
{
	_cleanup_free_ char *sg = NULL;
	char path[64];

	snprintf(path, sizeof(path), "%d/setgroups", pid);
	sg = husk_procfs_read(procfd, path, 64, err);
	if (sg == NULL) {
		return husk_error_wrap(err, "read setgroups of the container's user namespace");
	}
	*denied = strncmp(sg, "deny", 4) == 0;
	return 0;
}
