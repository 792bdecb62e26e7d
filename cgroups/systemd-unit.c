/* husk cgroups: which systemd unit a container's cgroupsPath names. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroups/systemd-internal.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

#define SLICE_SUFFIX  ".slice"
#define DEFAULT_SLICE "system.slice"

void husk_sd_unit_clear(husk_sd_unit_t *u)
{
	free(u->name);
	free(u->slice);
	free(u->path);
	*u = (husk_sd_unit_t){ 0 };
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

char *husk_sd_slice_path(const char *name, husk_error_t *err)
{
	size_t stem = strlen(name) - strlen(SLICE_SUFFIX);
	_cleanup_free_ char *path = NULL;
	size_t len = 0;

	if (!ends_with(name, SLICE_SUFFIX) || stem == 0 || strchr(name, '/') != NULL) {
		husk_error_make(err, 0, "invalid slice name: %s", name);
		return NULL;
	}
	if (stem == 1 && name[0] == '-') {
		return xstrdup("/");
	}
	/* Each '-' opens a level: every prefix up to it is a slice. */
	path = xmalloc(stem * (stem + strlen(SLICE_SUFFIX) + 2) + 1);
	for (size_t i = 0; i <= stem; i++) {
		if (i < stem && name[i] != '-') {
			continue;
		}
		if (i == 0 || name[i - 1] == '-') {
			husk_error_make(err, 0, "invalid slice name: %s", name);
			return NULL;
		}
		len += (size_t) sprintf(path + len, "/%.*s" SLICE_SUFFIX, (int) i, name);
	}
	return TAKE_PTR(path);
}

/* A NAME.slice: that slice, under SLICE as its name says (its name, not
 * SLICE, places it: runc joins the two, which only a child's name makes
 * true). */
static int slice_unit(const char *slice, const char *name, husk_sd_unit_t *u, husk_error_t *err)
{
	_cleanup_free_ char *parent = husk_sd_slice_path(slice, err);
	size_t n;

	if (parent == NULL) {
		return -1;
	}
	u->path = husk_sd_slice_path(name, err);
	if (u->path == NULL) {
		return -1;
	}
	n = strcmp(parent, "/") == 0 ? 0 : strlen(parent);
	if (strncmp(u->path, parent, n) != 0 || u->path[n] != '/') {
		return husk_error_make(err, 0,
				       "linux.cgroupsPath: slice `%s` is not under `%s` (its name "
				       "must start with `%.*s-`)",
				       name, slice, (int) (strlen(slice) - strlen(SLICE_SUFFIX)),
				       slice);
	}
	u->is_slice = true;
	u->name = xstrdup(name);
	u->slice = xstrdup(slice);
	return 0;
}

static int scope_unit(const char *slice, const char *prefix, const char *name, husk_sd_unit_t *u,
		      husk_error_t *err)
{
	_cleanup_free_ char *parent = husk_sd_slice_path(slice, err);

	if (parent == NULL) {
		return -1;
	}
	if (name[0] == '\0' || strchr(name, '/') != NULL || strchr(prefix, '/') != NULL) {
		return husk_error_make(err, 0, "linux.cgroupsPath: bad unit name `%s%s%s`", prefix,
				       prefix[0] != '\0' ? "-" : "", name);
	}
	u->name = xasprintf("%s%s%s.scope", prefix, prefix[0] != '\0' ? "-" : "", name);
	u->slice = xstrdup(slice);
	u->path = xasprintf("%s/%s", strcmp(parent, "/") == 0 ? "" : parent, u->name);
	return 0;
}

int husk_sd_unit_parse(const char *cgroups_path, const char *id, husk_sd_unit_t *u,
		       husk_error_t *err)
{
	_cleanup_free_ char *copy = NULL;
	char *prefix, *name;

	*u = (husk_sd_unit_t){ 0 };
	if (cgroups_path == NULL || cgroups_path[0] == '\0') {
		return scope_unit(DEFAULT_SLICE, "husk", id, u, err);
	}
	copy = xstrdup(cgroups_path);
	prefix = strchr(copy, ':');
	name = prefix != NULL ? strchr(prefix + 1, ':') : NULL;
	if (name == NULL || strchr(name + 1, ':') != NULL) {
		return husk_error_make(err, 0,
				       "expected cgroupsPath to be of format \"slice:prefix:name\" "
				       "for systemd cgroups, got \"%s\" instead",
				       cgroups_path);
	}
	*prefix++ = '\0';
	*name++ = '\0';
	if ((ends_with(name, SLICE_SUFFIX)
		     ? slice_unit(copy[0] != '\0' ? copy : DEFAULT_SLICE, name, u, err)
		     : scope_unit(copy[0] != '\0' ? copy : DEFAULT_SLICE, prefix, name, u, err)) <
	    0) {
		husk_sd_unit_clear(u);
		return -1;
	}
	return 0;
}

int husk_sd_unit_of_path(const char *path, husk_sd_unit_t *u, husk_error_t *err)
{
	const char *sub = "/" HUSK_SD_SUBGROUP;
	_cleanup_free_ char *dir = xstrdup(path);
	bool in_scope = ends_with(dir, sub);
	char *base;

	*u = (husk_sd_unit_t){ 0 };
	if (in_scope) {
		dir[strlen(dir) - strlen(sub)] = '\0';
	}
	base = strrchr(dir, '/');
	if (base == NULL || !ends_with(base, in_scope ? ".scope" : SLICE_SUFFIX)) {
		return husk_error_make(err, 0, "cgroups: `%s` is no cgroup the systemd driver made",
				       path);
	}
	u->is_slice = !in_scope;
	u->name = xstrdup(base + 1);
	u->path = TAKE_PTR(dir);
	return 0;
}
