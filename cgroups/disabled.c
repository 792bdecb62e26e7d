/* husk cgroups: the disabled manager (--cgroup-manager disabled, or a
 * rootless caller with no cgroup delegated): the container stays in the
 * caller's cgroups, and a limit is an error. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "cgroups/cgroup-internal.h"

static int disabled_make(husk_cgroup_t *cg, const husk_cgroup_req_t *req, husk_error_t *err)
{
	if (husk_cg_any_limit(req->cfg->linux_->resources)) {
		return husk_error_make(err, 0,
				       req->rootless
					       ? "linux.resources: rootless, and uid %u has no "
						 "delegated cgroup here: no limit can be set "
						 "(delegate a cgroup subtree to this user and run "
						 "husk from it)"
					       : "linux.resources: the cgroup manager is disabled: "
						 "no limit can be set",
				       (unsigned) geteuid());
	}
	return 0;
}

static int disabled_open(husk_cgroup_t *cg, husk_error_t *err)
{
	return 0;
}

static int disabled_update(husk_cgroup_t *cg, const husk_resources_t *r, husk_error_t *err)
{
	return husk_error_make(err, 0,
			       "update: the container has no cgroup (its cgroup manager was "
			       "disabled)");
}

static int disabled_enter(husk_cgroup_t *cg, pid_t pid, husk_error_t *err)
{
	return 0;
}

static int disabled_destroy(husk_cgroup_t *cg, husk_error_t *err)
{
	return 0;
}

const husk_cgroup_manager_t husk_cg_disabled = {
	.name = "disabled",
	.make = disabled_make,
	.open = disabled_open,
	.update = disabled_update,
	.enter = disabled_enter,
	.destroy = disabled_destroy,
};

int husk_cg_make_disabled(husk_cgroup_t *cg, const husk_cgroup_req_t *req, husk_error_t *err)
{
	free(cg->path);
	cg->path = NULL;
	cg->m = &husk_cg_disabled;
	return disabled_make(cg, req, err);
}

int husk_cg_none_writable(husk_cgroup_t *cg, const husk_linux_t *l, husk_error_t *err)
{
	if (husk_cg_any_limit(l->resources)) {
		return husk_error_make(err, EACCES,
				       "linux.resources: rootless, and uid %u can make cgroup `%s` "
				       "in no hierarchy: no limit can be set (delegate a cgroup "
				       "subtree to this user)",
				       (unsigned) geteuid(), cg->path);
	}
	free(cg->path);
	cg->path = NULL;
	cg->m = &husk_cg_disabled;
	return 0;
}
