/* husk cgroups: `exec --cgroup`, a process in a sub-cgroup of the
 * container's. */
#include <errno.h>
#include <libcgroup.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cgroups/cgroup-internal.h"
#include "util/cleanup.h"
#include "util/open.h"
#include "util/xalloc.h"

/* A relative sub-cgroup path: no `.` or `..`, not empty. */
static int check_sub(const char *spec, const char *sub, husk_error_t *err)
{
	bool any = false;

	for (const char *p = sub; *p != '\0';) {
		size_t len = strcspn(p, "/");

		if ((len == 2 && strncmp(p, "..", 2) == 0) || (len == 1 && p[0] == '.')) {
			return husk_error_make(
				err, 0, "exec: --cgroup `%s`: `.` and `..` are not allowed", spec);
		}
		any |= len > 0;
		p += len;
		p += *p == '/';
	}
	if (!any) {
		return husk_error_make(err, 0, "exec: --cgroup `%s`: an empty path", spec);
	}
	return 0;
}

/* The v1 hierarchy CTL is mounted in, as an index into cg->v1. */
static int hierarchy_of(const husk_cgroup_t *cg, const char *spec, const char *ctl,
			husk_error_t *err)
{
	char *mp = NULL;

	if (cgroup_get_subsys_mount_point(ctl, &mp) == 0) {
		for (size_t i = 0; i < cg->n; i++) {
			if (strncmp(cg->v1[i], mp, strlen(mp)) == 0 &&
			    cg->v1[i][strlen(mp)] == '/') {
				free(mp);
				return (int) i;
			}
		}
	}
	free(mp);
	return husk_error_make(err, 0, "exec: --cgroup `%s`: no v1 hierarchy has controller `%s`",
			       spec, ctl);
}

/* DIR + "/" + SUB, which must exist (runc does not create it either). */
static char *sub_dir(const char *dir, const char *sub, husk_error_t *err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, sub);
	struct stat st;

	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
		husk_error_make(err, errno, "exec: --cgroup: no sub-cgroup `%s`", path);
		return NULL;
	}
	return TAKE_PTR(path);
}

/* "CTL[,CTL...]:PATH": PATH for each of those v1 hierarchies in SUBS. */
static int parse_controllers(const husk_cgroup_t *cg, const char *spec, const char *colon,
			     const char *subs[HUSK_CG_V1_MAX], husk_error_t *err)
{
	_cleanup_free_ char *ctls = NULL;

	if (cg->m->unified) {
		return husk_error_make(
			err, 0, "exec: --cgroup `%s`: controllers are named only on cgroup v1",
			spec);
	}
	if (husk_cg_lib_init(err) < 0) {
		return -1;
	}
	ctls = xstrndup(spec, (size_t) (colon - spec));
	for (char *save = NULL, *c = strtok_r(ctls, ",", &save); c != NULL;
	     c = strtok_r(NULL, ",", &save)) {
		int i = hierarchy_of(cg, spec, c, err);

		if (i < 0) {
			return -1;
		}
		if (subs[i] != NULL) {
			return husk_error_make(err, 0,
					       "exec: --cgroup `%s`: controller `%s` given twice",
					       spec, c);
		}
		subs[i] = colon + 1;
	}
	return 0;
}

/* Parse SPECS into a path per v1 hierarchy and a path for the rest. */
static int parse_subs(const husk_cgroup_t *cg, char *const *specs, const char *subs[HUSK_CG_V1_MAX],
		      const char **plain, husk_error_t *err)
{
	for (size_t k = 0; specs[k] != NULL; k++) {
		const char *spec = specs[k], *colon = strchr(spec, ':');

		if (check_sub(spec, colon != NULL ? colon + 1 : spec, err) < 0) {
			return -1;
		}
		if (colon != NULL) {
			if (parse_controllers(cg, spec, colon, subs, err) < 0) {
				return -1;
			}
			continue;
		}
		if (*plain != NULL) {
			return husk_error_make(
				err, 0, "exec: --cgroup `%s`: a second path for every controller",
				spec);
		}
		*plain = spec;
	}
	return 0;
}

/* Switch the unified part of CG to DIR. */
static int use_unified(husk_cgroup_t *cg, char *dir, husk_error_t *err)
{
	_cleanup_free_ char *owned = dir;
	_cleanup_close_ int fd = open(dir, HUSK_O_PATH_DIR);

	if (fd < 0) {
		return husk_error_errno(err, "exec: --cgroup: open `%s`", dir);
	}
	husk_safe_close(cg->unified_fd);
	cg->unified_fd = TAKE_FD(fd);
	free(cg->unified);
	cg->unified = TAKE_PTR(owned);
	return 0;
}

int husk_cg_use_sub(husk_cgroup_t *cg, char *const *specs, husk_error_t *err)
{
	const char *subs[HUSK_CG_V1_MAX] = { NULL }, *plain = NULL;
	char *dirs[HUSK_CG_V1_MAX] = { NULL };
	_cleanup_free_ char *unified = NULL;
	int ret = -1;

	if (specs == NULL || specs[0] == NULL) {
		return 0;
	}
	if (cg->path == NULL) {
		return husk_error_make(err, 0, "exec: --cgroup: the container has no cgroup");
	}
	if (parse_subs(cg, specs, subs, &plain, err) < 0) {
		return -1;
	}
	/* Every directory is checked before any is used. */
	for (size_t i = 0; i < cg->n; i++) {
		const char *sub = subs[i] != NULL ? subs[i] : plain;

		if (sub != NULL && (dirs[i] = sub_dir(cg->v1[i], sub, err)) == NULL) {
			goto out;
		}
	}
	if (plain != NULL && cg->unified != NULL &&
	    (unified = sub_dir(cg->unified, plain, err)) == NULL) {
		goto out;
	}
	if (unified != NULL && use_unified(cg, TAKE_PTR(unified), err) < 0) {
		goto out;
	}
	for (size_t i = 0; i < cg->n; i++) {
		if (dirs[i] != NULL) {
			free(cg->v1[i]);
			cg->v1[i] = TAKE_PTR(dirs[i]);
		}
	}
	ret = 0;
out:
	for (size_t i = 0; i < HUSK_CG_V1_MAX; i++) {
		free(dirs[i]);
	}
	return ret;
}
