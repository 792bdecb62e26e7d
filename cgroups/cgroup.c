/* husk cgroups: the managers, and every public call dispatched through the
 * table of the cgroup's own. */
#include "cgroups/cgroup.h"

#include <errno.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "cgroups/cgroup-internal.h"
#include "util/cleanup.h"
#include "util/file.h"
#include "util/xalloc.h"

int husk_cgroup_lib_init(husk_error_t *err)
{
	return husk_cg_lib_init(err);
}

/* ---- which manager ---- */

static const husk_cgroup_manager_t *const managers[] = {
	&husk_cg_v2,
	&husk_cg_v1,
	&husk_cg_systemd,
	&husk_cg_disabled,
};

const char *husk_cgroup_manager_name(const husk_cgroup_manager_t *m)
{
	return m->name;
}

static const husk_cgroup_manager_t *manager_named(const char *name, husk_error_t *err)
{
	for (size_t i = 0; i < sizeof(managers) / sizeof(*managers); i++) {
		if (strcmp(name, managers[i]->name) == 0) {
			return managers[i];
		}
	}
	husk_error_make(err, 0, "unknown cgroup manager `%s`", name);
	return NULL;
}

static bool is_cgroup2(const char *path, husk_error_t *err)
{
	struct statfs sfs;

	if (statfs(path, &sfs) < 0) {
		husk_error_errno(err, "cgroups: %s", path);
		return false;
	}
	return sfs.f_type == CGROUP2_SUPER_MAGIC;
}

/* runc's test, as sd_booted(3) does it: /run/systemd/system is a
 * directory. */
static bool systemd_runs(void)
{
	struct stat st;

	return lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode);
}

const husk_cgroup_manager_t *husk_cgroup_manager_for(const char *name, husk_error_t *err)
{
	bool v2;

	if (name != NULL && strcmp(name, "disabled") == 0) {
		return &husk_cg_disabled;
	}
	if (name != NULL && strcmp(name, "cgroupfs") != 0 && strcmp(name, "systemd") != 0) {
		husk_error_make(err, 0, "--cgroup-manager `%s`: cgroupfs, systemd or disabled",
				name);
		return NULL;
	}
	if (name != NULL && strcmp(name, "systemd") == 0 && !systemd_runs()) {
		husk_error_make(err, 0,
				"systemd not running on this host, cannot use systemd cgroups "
				"manager");
		return NULL;
	}
	v2 = is_cgroup2(HUSK_CG_ROOT, err);
	if (*err != NULL) {
		return NULL;
	}
	if (name == NULL || strcmp(name, "cgroupfs") == 0) {
		return v2 ? &husk_cg_v2 : &husk_cg_v1;
	}
	if (!v2) {
		husk_error_make(err, 0,
				"the systemd cgroup manager needs cgroup v2 (this host has v1 "
				"controllers at %s): use --cgroup-manager cgroupfs",
				HUSK_CG_ROOT);
		return NULL;
	}
	return &husk_cg_systemd;
}

/* ---- sandbox's plan ---- */

char *husk_cgroup_delegated(const husk_cgroup_manager_t *m, husk_error_t *err)
{
	if (m != &husk_cg_v1 && m != &husk_cg_v2) {
		return NULL;
	}
	return husk_cg_delegated(m->unified, err);
}

/* Whether DIR's cgroup.controllers offers CTL. */
static bool offers(const char *dir, const char *ctl)
{
	_cleanup_error_ husk_error_t e = NULL;
	_cleanup_free_ char *avail = husk_cg_read(dir, "cgroup.controllers", &e);

	return avail != NULL && husk_cg_listed(avail, ctl);
}

bool husk_cgroup_can_limit(const husk_cgroup_manager_t *m, const char *ctl, const char *parent)
{
	_cleanup_free_ char *dir = NULL;
	size_t top;
	char *slash;

	if (m == &husk_cg_v1) {
		dir = xasprintf("%s/%s%s", HUSK_CG_ROOT, ctl, parent);
		top = strlen(HUSK_CG_ROOT "/") + strlen(ctl);
	} else if (m == &husk_cg_v2) {
		dir = xasprintf("%s%s", HUSK_CG_ROOT, parent);
		top = strlen(HUSK_CG_ROOT);
	} else {
		return false;
	}
	/* Up to the nearest cgroup that exists: the hierarchy's root at the
	 * highest (v2's is /sys/fs/cgroup itself, which a parent right under
	 * it must reach). */
	while (access(dir, F_OK) < 0 && (slash = strrchr(dir, '/')) != NULL &&
	       (size_t) (slash - dir) >= top) {
		*slash = '\0';
	}
	if (access(dir, W_OK) < 0) {
		return false;
	}
	return !m->unified || offers(dir, ctl);
}

const char *husk_cgroup_limit_file(const husk_cgroup_manager_t *m, const char *ctl)
{
	if (strcmp(ctl, "memory") == 0) {
		return m->unified ? "memory.max" : "memory.limit_in_bytes";
	}
	if (strcmp(ctl, "cpu") == 0) {
		return m->unified ? "cpu.max" : "cpu.cfs_quota_us";
	}
	return "pids.max";
}

bool husk_cgroup_swap_accounted(const husk_cgroup_manager_t *m)
{
	_cleanup_error_ husk_error_t e = NULL;
	_cleanup_free_ char *swaps = NULL;
	size_t len;
	char *nl;

	if (!m->unified) {
		return access(HUSK_CG_ROOT "/memory/memory.memsw.limit_in_bytes", F_OK) == 0;
	}
	/* A header line, then one line per swap area. */
	swaps = husk_read_file("/proc/swaps", 1 << 16, &len, &e);
	nl = swaps != NULL ? strchr(swaps, '\n') : NULL;
	return nl != NULL && nl[1] != '\0';
}

/* ---- a container's cgroup ---- */

static husk_cgroup_t *cgroup_new(const husk_cgroup_manager_t *m)
{
	husk_cgroup_t *cg = xcalloc(1, sizeof(*cg));

	cg->m = m;
	cg->unified_fd = -1;
	return cg;
}

void husk_cgroup_free(husk_cgroup_t *cg)
{
	if (cg == NULL) {
		return;
	}
	if (cg->m->release != NULL) {
		cg->m->release(cg);
	}
	free(cg->path);
	free(cg->dropped);
	free(cg->unified);
	husk_safe_close(cg->unified_fd);
	for (size_t i = 0; i < cg->n; i++) {
		free(cg->v1[i]);
		free(cg->v1_ctl[i]);
	}
	free(cg);
}

static void cgroup_freep(husk_cgroup_t **cg)
{
	husk_cgroup_free(*cg);
}
#define _cleanup_cgroup_ __attribute__((cleanup(cgroup_freep)))

husk_cgroup_t *husk_cgroup_make(const husk_cgroup_manager_t *m, const husk_cgroup_req_t *req,
				husk_error_t *err)
{
	_cleanup_cgroup_ husk_cgroup_t *cg = cgroup_new(m);

	if (m->make(cg, req, err) < 0) {
		return NULL;
	}
	return TAKE_PTR(cg);
}

husk_cgroup_t *husk_cgroup_open(const char *manager, const char *path, husk_error_t *err)
{
	const husk_cgroup_manager_t *m = manager_named(manager, err);
	_cleanup_cgroup_ husk_cgroup_t *cg = NULL;

	if (m == NULL) {
		return NULL;
	}
	cg = cgroup_new(m);
	if (m != &husk_cg_disabled) {
		if (path == NULL || path[0] != '/') {
			husk_error_make(err, 0, "cgroups: no cgroup path recorded for manager `%s`",
					manager);
			return NULL;
		}
		cg->path = xstrdup(path);
	}
	if (m->open(cg, err) < 0) {
		return NULL;
	}
	return TAKE_PTR(cg);
}

const husk_cgroup_manager_t *husk_cgroup_manager(const husk_cgroup_t *cg)
{
	return cg->m;
}

const char *husk_cgroup_path(const husk_cgroup_t *cg)
{
	return cg->path;
}

const char *husk_cgroup_unified_dir(const husk_cgroup_t *cg)
{
	return cg->m->unified ? cg->unified : NULL;
}

int husk_cgroup_clone_fd(const husk_cgroup_t *cg)
{
	return cg->unified_fd;
}

bool husk_cgroup_moves_after_clone(const husk_cgroup_t *cg)
{
	return cg->n > 0 || (cg->unified != NULL && cg->unified_fd < 0);
}

int husk_cgroup_enter(husk_cgroup_t *cg, pid_t pid, husk_error_t *err)
{
	return cg->m->enter(cg, pid, err);
}

int husk_cgroup_enter_self(const husk_cgroup_t *cg, husk_error_t *err)
{
	/* "0" is the writer itself; through `tasks` only its one thread moves,
	 * which the kernel does under cgroup_mutex alone: its
	 * cgroup_procs_write_start() takes the global threadgroup rwsem only
	 * to move another task or a whole process. */
	for (size_t i = 0; i < cg->n; i++) {
		if (husk_cg_write(cg->v1[i], "tasks", "0", err) < 0) {
			return -1;
		}
	}
	if (cg->unified != NULL && cg->unified_fd < 0 &&
	    husk_cg_write(cg->unified, "cgroup.procs", "0", err) < 0) {
		return -1;
	}
	return 0;
}

ssize_t husk_cgroup_pids(const husk_cgroup_t *cg, pid_t **pids, husk_error_t *err)
{
	return husk_cg_pids(cg, pids, err);
}

int husk_cgroup_signal_all(const husk_cgroup_t *cg, int signo, husk_error_t *err)
{
	return husk_cg_signal_all(cg, signo, err);
}

int husk_cgroup_freeze(const husk_cgroup_t *cg, bool frozen, husk_error_t *err)
{
	return husk_cg_freeze(cg, frozen, err);
}

bool husk_cgroup_is_frozen(const husk_cgroup_t *cg)
{
	return husk_cg_is_frozen(cg);
}

int husk_cgroup_use_sub(husk_cgroup_t *cg, char *const *specs, husk_error_t *err)
{
	return husk_cg_use_sub(cg, specs, err);
}

int husk_cgroup_update(husk_cgroup_t *cg, const husk_resources_t *r, husk_error_t *err)
{
	return cg->m->update(cg, r, err);
}

int husk_cgroup_destroy(husk_cgroup_t *cg, husk_error_t *err)
{
	return cg->m->destroy(cg, err);
}
