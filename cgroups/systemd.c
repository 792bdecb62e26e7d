/* husk cgroups: the systemd manager (runc's --systemd-cgroup).
 *
 * The container's cgroup is a transient scope that systemd makes, as runc
 * and crun make it, through StartTransientUnit with Delegate=yes, the
 * resources as unit properties and the job awaited.  systemd takes a scope
 * only around a process, and husk wants the init born in its cgroup, limits
 * in place (CLONE_INTO_CGROUP): so the scope is made around a placeholder,
 * a child of husk's that only waits.  Then:
 *   1. the scope's sub-cgroup `container` is made and the placeholder moved
 *      into it, which leaves the scope itself free of processes, so that
 *      its controllers can be handed down (cgroup v2 lets only a cgroup
 *      with no processes of its own do that);
 *   2. the v2 code writes every resource into `container`, where systemd
 *      never writes: a daemon-reload rewrites the scope from its
 *      properties, and nothing of the container's;
 *   3. the init is cloned into `container`; husk_cgroup_enter() then sees
 *      the placeholder off.  A pids limit of 1 could not hold both for that
 *      moment: it is 2 until then, and 1 from then on.
 * If husk dies meanwhile, so does the placeholder (its parent-death
 * signal), and systemd collects the empty scope itself.
 *
 * A NAME ending in .slice makes that slice instead, and the container is
 * the slice's own cgroup, as with runc (a slice takes no processes from
 * systemd and cannot be delegated).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroups/cgroup-internal.h"
#include "cgroups/systemd-internal.h"
#include "util/cleanup.h"
#include "util/fds.h"
#include "util/log.h"
#include "util/open.h"
#include "util/proc.h"
#include "util/xalloc.h"

#define UNIT_EXISTS "org.freedesktop.systemd1.UnitExists"
#define NO_SUCH     "org.freedesktop.systemd1.NoSuchUnit"

struct husk_cg_systemd_s {
	husk_sd_unit_t u;
	char *dir;        /* the unit's cgroup directory */
	husk_dbus_t *bus; /* connected when first needed */
	int version;      /* systemd's, once asked; 0 before */
	pid_t placeholder;
	int placeholder_fd;
	bool pids_bumped; /* a pids limit of 1 is 2 while the placeholder is in */
};

static struct husk_cg_systemd_s *sd_new(void)
{
	struct husk_cg_systemd_s *sd = xcalloc(1, sizeof(*sd));

	sd->placeholder_fd = -1;
	return sd;
}

static husk_dbus_t *bus_of(struct husk_cg_systemd_s *sd, husk_error_t *err)
{
	if (sd->bus == NULL) {
		sd->bus = husk_dbus_connect_system(err);
		if (sd->bus == NULL) {
			husk_error_wrap(err, "systemd cgroup manager");
		}
	}
	return sd->bus;
}

/* ---- the placeholder ---- */

static int spawn_placeholder(struct husk_cg_systemd_s *sd, husk_error_t *err)
{
	pid_t parent = getpid();
	pid_t pid = fork();

	if (pid < 0) {
		return husk_error_errno(err, "systemd: fork a process for the scope");
	}
	if (pid == 0) {
		/* Only system calls: husk may have another thread now. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent) {
			_exit(0);
		}
		husk_fds_close_from(3, false);
		for (;;) {
			pause();
		}
	}
	sd->placeholder = pid;
	sd->placeholder_fd = husk_pidfd_open(pid);
	return 0;
}

static void end_placeholder(struct husk_cg_systemd_s *sd)
{
	if (sd->placeholder <= 0) {
		return;
	}
	husk_kill_and_reap(sd->placeholder_fd, sd->placeholder);
	sd->placeholder = 0;
	sd->placeholder_fd = husk_safe_close(sd->placeholder_fd);
}

/* ---- the unit ---- */

static void prop_b(husk_dbus_msg_t *m, const char *name, bool v)
{
	husk_dbus_open(m, '(', "sv");
	husk_dbus_put_s(m, name);
	husk_dbus_open(m, 'v', "b");
	husk_dbus_put_b(m, v);
	husk_dbus_close(m);
	husk_dbus_close(m);
}

static void prop_s(husk_dbus_msg_t *m, const char *name, const char *sig, const char *v)
{
	husk_dbus_open(m, '(', "sv");
	husk_dbus_put_s(m, name);
	husk_dbus_open(m, 'v', sig);
	if (sig[0] == 'a') {
		husk_dbus_open(m, 'a', "s");
		husk_dbus_put_s(m, v);
		husk_dbus_close(m);
	} else {
		husk_dbus_put_s(m, v);
	}
	husk_dbus_close(m);
	husk_dbus_close(m);
}

/* The unit's own properties: what it is, where, and that husk manages
 * what is below it. */
static void put_unit_props(husk_dbus_msg_t *m, const struct husk_cg_systemd_s *sd, const char *id)
{
	_cleanup_free_ char *what = xasprintf("husk container %s", id);

	prop_s(m, "Description", "s", what);
	if (sd->u.is_slice) {
		/* A slice's parent is in its name; Wants= pulls it in. */
		prop_s(m, "Wants", "as", sd->u.slice);
	} else {
		prop_s(m, "Slice", "s", sd->u.slice);
		prop_b(m, "Delegate", true);
		husk_dbus_open(m, '(', "sv");
		husk_dbus_put_s(m, "PIDs");
		husk_dbus_open(m, 'v', "au");
		husk_dbus_open(m, 'a', "u");
		husk_dbus_put_u(m, (uint32_t) sd->placeholder);
		husk_dbus_close(m);
		husk_dbus_close(m);
		husk_dbus_close(m);
	}
	/* As runc: the accounting of every controller, and no ordering
	 * against shutdown that would stop a container before its engine. */
	prop_b(m, "MemoryAccounting", true);
	prop_b(m, "CPUAccounting", true);
	prop_b(m, "IOAccounting", true);
	prop_b(m, "TasksAccounting", true);
	prop_b(m, "DefaultDependencies", false);
}

static int version_for(struct husk_cg_systemd_s *sd, const husk_resources_t *r, husk_error_t *err)
{
	if (sd->version > 0 || r == NULL || !husk_sd_needs_version(r)) {
		return 0;
	}
	return husk_sd_version(sd->bus, &sd->version, err);
}

static husk_dbus_msg_t *start_call(struct husk_cg_systemd_s *sd, const husk_cgroup_req_t *req,
				   husk_error_t *err)
{
	const husk_resources_t *r = req->cfg->linux_->resources;
	husk_dbus_msg_t *m = husk_sd_call_new("StartTransientUnit");

	husk_dbus_put_s(m, sd->u.name);
	husk_dbus_put_s(m, "fail");
	husk_dbus_open(m, 'a', "(sv)");
	put_unit_props(m, sd, req->id);
	if ((r != NULL && husk_sd_put_resources(m, r, sd->version, true, err) < 0) ||
	    husk_sd_put_annotations(m, &req->cfg->annotations, err) < 0) {
		husk_dbus_msg_free(m);
		return NULL;
	}
	husk_dbus_close(m);
	husk_dbus_open(m, 'a', "(sa(sv))");
	husk_dbus_close(m);
	return m;
}

static int reset_failed(struct husk_cg_systemd_s *sd, husk_error_t *err)
{
	_cleanup_dbus_msg_ husk_dbus_msg_t *m = husk_sd_call_new("ResetFailedUnit");

	husk_dbus_put_s(m, sd->u.name);
	return husk_sd_call_simple(sd->bus, m, "systemd: ResetFailedUnit", err);
}

static bool is_error(const husk_dbus_msg_t *m, const char *name)
{
	return m != NULL && husk_dbus_msg_error_name(m) != NULL &&
	       strcmp(husk_dbus_msg_error_name(m), name) == 0;
}

/* A unit of that name may be a failed one left behind: systemd forgets it
 * when told to, and the start is tried once more (runc and crun do the
 * same).  A unit that is there after that is another container's, and it
 * is left exactly as it is. */
static int start_unit(struct husk_cg_systemd_s *sd, husk_dbus_msg_t *call, husk_error_t *err)
{
	for (int attempt = 0;; attempt++) {
		_cleanup_dbus_msg_ husk_dbus_msg_t *failed = NULL;
		_cleanup_free_ char *result = NULL;
		_cleanup_error_ husk_error_t e = NULL;

		if (husk_sd_run_job(sd->bus, call, sd->u.name, &result, &failed, err) < 0) {
			return -1;
		}
		if (is_error(failed, UNIT_EXISTS) && attempt == 0) {
			reset_failed(sd, &e);
			continue;
		}
		if (is_error(failed, UNIT_EXISTS)) {
			return husk_error_make(err, 0,
					       "systemd: unit `%s` exists: another container's "
					       "linux.cgroupsPath is the same",
					       sd->u.name);
		}
		if (failed != NULL) {
			return husk_dbus_msg_to_error(failed, "systemd: StartTransientUnit", err);
		}
		if (strcmp(result, "done") != 0) {
			reset_failed(sd, &e);
			return husk_error_make(err, 0, "error creating systemd unit `%s`: got `%s`",
					       sd->u.name, result);
		}
		return 0;
	}
}

static int stop_unit(struct husk_cg_systemd_s *sd, husk_error_t *err)
{
	_cleanup_dbus_msg_ husk_dbus_msg_t *m = husk_sd_call_new("StopUnit");
	_cleanup_dbus_msg_ husk_dbus_msg_t *failed = NULL;
	_cleanup_free_ char *result = NULL;
	_cleanup_error_ husk_error_t e = NULL;

	if (bus_of(sd, err) == NULL || husk_sd_watch_jobs(sd->bus, err) < 0) {
		return -1;
	}
	husk_dbus_put_s(m, sd->u.name);
	husk_dbus_put_s(m, "replace");
	if (husk_sd_run_job(sd->bus, m, sd->u.name, &result, &failed, err) < 0) {
		return -1;
	}
	/* Gone already: its last process exited, and systemd collected it. */
	if (failed != NULL && !is_error(failed, NO_SUCH)) {
		return husk_dbus_msg_to_error(failed, "systemd: StopUnit", err);
	}
	if (result != NULL && strcmp(result, "done") != 0) {
		husk_warn("systemd: stopping unit `%s`: got `%s`", sd->u.name, result);
	}
	/* A failed unit stays loaded until reset. */
	reset_failed(sd, &e);
	return 0;
}

/* ---- the manager table ---- */

static int sd_destroy(husk_cgroup_t *cg, husk_error_t *err)
{
	struct husk_cg_systemd_s *sd = cg->unit;
	_cleanup_error_ husk_error_t e = NULL;

	if (cg->unified != NULL) {
		husk_cg_fs_empty(cg);
	}
	end_placeholder(sd);
	/* Sub-cgroups first: systemd removes only the unit's own (and
	 * systemd 239 not even sub-cgroups, runc says). */
	if (!sd->u.is_slice && cg->unified != NULL && husk_cg_remove_dir(cg->unified, err) < 0) {
		return -1;
	}
	if (stop_unit(sd, err) < 0) {
		return -1;
	}
	return husk_cg_remove_dir(sd->dir, err);
}

/* Whether R needs the controller CTL: one systemd 252 does not manage. */
static bool needs(const husk_resources_t *r, const char *ctl)
{
	size_t n = strlen(ctl);

	if ((strcmp(ctl, "hugetlb") == 0 && r->hugepage_limits.n > 0) ||
	    (strcmp(ctl, "rdma") == 0 && r->rdma.n > 0)) {
		return true;
	}
	for (size_t i = 0; i < r->unified.n; i++) {
		if (strncmp(r->unified.v[i].key, ctl, n) == 0 && r->unified.v[i].key[n] == '.') {
			return true;
		}
	}
	return false;
}

/* Enable CTL in the subtree_control of each cgroup above PATH, from the
 * root down to PATH's parent. */
static int enable_down_to(const char *path, const char *ctl, husk_error_t *err)
{
	_cleanup_free_ char *dir = xstrdup(HUSK_CG_ROOT);
	_cleanup_free_ char *plus = xasprintf("+%s", ctl);

	for (const char *p = path; *p != '\0';) {
		_cleanup_error_ husk_error_t e = NULL;
		_cleanup_free_ char *on = NULL;
		size_t len;
		char *next;

		p += *p == '/';
		len = strcspn(p, "/");
		if (len == 0) {
			break;
		}
		on = husk_cg_read(dir, "cgroup.subtree_control", &e);
		if (on != NULL && !husk_cg_listed(on, ctl) &&
		    husk_cg_write(dir, "cgroup.subtree_control", plus, err) < 0) {
			return husk_error_wrap(err, "the %s controller", ctl);
		}
		next = xasprintf("%s/%.*s", dir, (int) len, p);
		free(dir);
		dir = next;
		p += len;
	}
	return 0;
}

/* systemd hands down its slices only the controllers it manages; one it
 * does not (hugetlb, rdma, misc) is enabled down to the unit when the
 * config needs it, as runc does.  systemd leaves a controller it does not
 * know as it finds it. */
static int enable_foreign(const struct husk_cg_systemd_s *sd, const husk_resources_t *r,
			  husk_error_t *err)
{
	static const char *const foreign[] = { "hugetlb", "rdma", "misc" };

	for (size_t i = 0; r != NULL && i < sizeof(foreign) / sizeof(*foreign); i++) {
		if (needs(r, foreign[i]) && enable_down_to(sd->u.path, foreign[i], err) < 0) {
			return -1;
		}
	}
	return 0;
}

/* Step 1 of the file's comment: the sub-cgroup, the placeholder in it,
 * the controllers handed down. */
static int make_subgroup(husk_cgroup_t *cg, husk_error_t *err)
{
	struct husk_cg_systemd_s *sd = cg->unit;
	char pid[24];

	if (mkdir(cg->unified, 0755) < 0) {
		return husk_error_errno(err, "cgroups: make `%s`", cg->unified);
	}
	snprintf(pid, sizeof(pid), "%d", sd->placeholder);
	if (husk_cg_write(cg->unified, "cgroup.procs", pid, err) < 0) {
		return -1;
	}
	return husk_cg_enable_controllers(sd->dir, err);
}

static int fill(husk_cgroup_t *cg, const husk_linux_t *l, husk_error_t *err)
{
	struct husk_cg_systemd_s *sd = cg->unit;
	const husk_pids_t *p = l->resources != NULL ? l->resources->pids : NULL;

	cg->path = xasprintf("%s%s", sd->u.path, sd->u.is_slice ? "" : "/" HUSK_SD_SUBGROUP);
	cg->unified = xasprintf("%s%s", HUSK_CG_ROOT, cg->path);
	if (enable_foreign(sd, l->resources, err) < 0 ||
	    (!sd->u.is_slice && make_subgroup(cg, err) < 0)) {
		return -1;
	}
	cg->unified_fd = open(cg->unified, HUSK_O_PATH_DIR);
	if (cg->unified_fd < 0) {
		return husk_error_errno(err, "cgroups: open `%s`", cg->unified);
	}
	if (husk_cg_v2_apply(cg, l, err) < 0) {
		return -1;
	}
	sd->pids_bumped = !sd->u.is_slice && p != NULL && p->has_limit && p->limit == 1;
	return sd->pids_bumped ? husk_cg_write(cg->unified, "pids.max", "2", err) : 0;
}

static int sd_make(husk_cgroup_t *cg, const husk_cgroup_req_t *req, husk_error_t *err)
{
	_cleanup_dbus_msg_ husk_dbus_msg_t *call = NULL;
	struct husk_cg_systemd_s *sd = cg->unit = sd_new();
	_cleanup_error_ husk_error_t e = NULL;

	if (req->rootless) {
		return husk_error_make(
			err, 0,
			"the systemd cgroup manager of a user (rootless) is not "
			"supported by husk: run as root, without --rootless true, or "
			"use --cgroup-manager cgroupfs");
	}
	if (husk_sd_unit_parse(req->cfg->linux_->cgroups_path, req->id, &sd->u, err) < 0) {
		return -1;
	}
	sd->dir = xasprintf("%s%s", HUSK_CG_ROOT, sd->u.path);
	if (bus_of(sd, err) == NULL || husk_sd_watch_jobs(sd->bus, err) < 0 ||
	    version_for(sd, req->cfg->linux_->resources, err) < 0 ||
	    (!sd->u.is_slice && spawn_placeholder(sd, err) < 0)) {
		return -1;
	}
	call = start_call(sd, req, err);
	if (call == NULL || start_unit(sd, call, err) < 0) {
		end_placeholder(sd);
		return -1;
	}
	if (fill(cg, req->cfg->linux_, err) < 0) {
		sd_destroy(cg, &e);
		return -1;
	}
	return 0;
}

static int sd_open(husk_cgroup_t *cg, husk_error_t *err)
{
	struct husk_cg_systemd_s *sd = cg->unit = sd_new();

	if (husk_sd_unit_of_path(cg->path, &sd->u, err) < 0) {
		return -1;
	}
	sd->dir = xasprintf("%s%s", HUSK_CG_ROOT, sd->u.path);
	return husk_cg_unified_setup(cg, HUSK_CG_ROOT, false, "unified", err);
}

static int set_properties(struct husk_cg_systemd_s *sd, const husk_resources_t *r,
			  husk_error_t *err)
{
	_cleanup_dbus_msg_ husk_dbus_msg_t *m = husk_sd_call_new("SetUnitProperties");

	if (bus_of(sd, err) == NULL || version_for(sd, r, err) < 0) {
		return -1;
	}
	husk_dbus_put_s(m, sd->u.name);
	husk_dbus_put_b(m, true); /* runtime: until the unit goes */
	husk_dbus_open(m, 'a', "(sv)");
	if (husk_sd_put_resources(m, r, sd->version, false, err) < 0) {
		return -1;
	}
	husk_dbus_close(m);
	return husk_sd_call_simple(sd->bus, m, "systemd: SetUnitProperties", err);
}

static int sd_update(husk_cgroup_t *cg, const husk_resources_t *r, husk_error_t *err)
{
	husk_linux_t l = { .resources = (husk_resources_t *) r };

	if (husk_cg_check_before_update(cg, cg->unified, "memory.current", r, err) < 0 ||
	    set_properties(cg->unit, r, err) < 0) {
		return -1;
	}
	return husk_cg_v2_apply(cg, &l, err);
}

/* Step 3: the init is in; the placeholder goes, and a pids limit of 1 is
 * 1 again. */
static int sd_enter(husk_cgroup_t *cg, pid_t pid, husk_error_t *err)
{
	struct husk_cg_systemd_s *sd = cg->unit;
	husk_resources_t one = { 0 };
	husk_pids_t pids = { .has_limit = true, .limit = 1 };

	end_placeholder(sd);
	if (!sd->pids_bumped) {
		return 0;
	}
	sd->pids_bumped = false;
	one.pids = &pids;
	if (husk_cg_write(cg->unified, "pids.max", "1", err) < 0) {
		return -1;
	}
	return set_properties(sd, &one, err);
}

static void sd_release(husk_cgroup_t *cg)
{
	struct husk_cg_systemd_s *sd = cg->unit;

	if (sd == NULL) {
		return;
	}
	end_placeholder(sd);
	husk_sd_unit_clear(&sd->u);
	free(sd->dir);
	husk_dbus_free(sd->bus);
	free(sd);
	cg->unit = NULL;
}

const husk_cgroup_manager_t husk_cg_systemd = {
	.name = "systemd",
	.unified = true,
	.make = sd_make,
	.open = sd_open,
	.update = sd_update,
	.enter = sd_enter,
	.destroy = sd_destroy,
	.release = sd_release,
};
