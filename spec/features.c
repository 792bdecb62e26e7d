/* husk spec: `husk features`, the runtime-spec features document.
 *
 * Each entry states what husk does today, not what its parser accepts: an
 * engine reads this to decide what to ask for.  As the lifecycle learns a
 * mechanism, its entry here is switched on in the same change.
 */
#include "spec/features.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "spec/config.h"
#include "spec/json.h"
#include "spec/landlock.h"
#include "spec/version.h"
#include "util/support.h"
#include "util/xalloc.h"

/* What husk acts on.  Empty lists: husk does not claim the mechanism yet. */
static const char *const hooks[] = {
	"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
	NULL,
};
/* The options rootfs/mounts.c acts on (idmap and ridmap through
 * rootfs/idmap.c). */
static const char *const mount_options[] = {
	"defaults",     "remount",       "silent",       "loud",        "ro",
	"rw",           "nosuid",        "suid",         "nodev",       "dev",
	"noexec",       "exec",          "nodiratime",   "diratime",    "nosymfollow",
	"symfollow",    "noatime",       "strictatime",  "relatime",    "atime",
	"norelatime",   "nostrictatime", "rro",          "rrw",         "rnosuid",
	"rsuid",        "rnodev",        "rdev",         "rnoexec",     "rexec",
	"rnodiratime",  "rdiratime",     "rnosymfollow", "rsymfollow",  "rnoatime",
	"rstrictatime", "rrelatime",     "ratime",       "rnorelatime", "rnostrictatime",
	"shared",       "rshared",       "slave",        "rslave",      "private",
	"rprivate",     "unbindable",    "runbindable",  "bind",        "rbind",
	"idmap",        "ridmap",        "tmpcopyup",    NULL,
};
/* All eight are created; joining by path is refused for pid, user, mount
 * and time (runtime/create.c). */
static const char *const namespaces[] = {
	"cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts", NULL,
};
/* init/mempolicy.c: every mode and flag of runtime-spec 1.3. */
static const char *const mpol_modes[] = {
	"MPOL_DEFAULT",   "MPOL_BIND",           "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE",
	"MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL",      NULL,
};
static const char *const mpol_flags[] = {
	"MPOL_F_NUMA_BALANCING",
	"MPOL_F_RELATIVE_NODES",
	"MPOL_F_STATIC_NODES",
	NULL,
};

/* The mechanisms husk acts on: util/support.h, which `husk --version`
 * prints too. */
static const husk_support_t acts = HUSK_SUPPORT;

static void gen_enabled(yajl_gen g, const char *key, bool enabled)
{
	husk_gen_str(g, key);
	yajl_gen_map_open(g);
	husk_gen_kv_bool(g, "enabled", enabled);
	yajl_gen_map_close(g);
}

/* Every capability husk knows by name (init/process.c sets any of them). */
static void gen_capabilities(yajl_gen g)
{
	husk_gen_str(g, "capabilities");
	yajl_gen_array_open(g);
	for (int cap = 0; cap <= HUSK_CAP_LAST; cap++) {
		if (husk_cap_name(cap) != NULL) {
			husk_gen_str(g, husk_cap_name(cap));
		}
	}
	yajl_gen_array_close(g);
}

static void gen_seccomp(yajl_gen g, const husk_seccomp_facts_t *f)
{
	husk_gen_str(g, "seccomp");
	yajl_gen_map_open(g);
	husk_gen_kv_bool(g, "enabled", acts.seccomp && f->api > 0);
	/* What the linked libseccomp and this kernel would accept. */
	husk_gen_kv_strv(g, "actions", f->actions);
	husk_gen_kv_strv(g, "operators", f->operators);
	husk_gen_kv_strv(g, "archs", f->archs);
	husk_gen_kv_strv(g, "knownFlags", f->known_flags);
	husk_gen_kv_strv(g, "supportedFlags", f->supported_flags);
	yajl_gen_map_close(g);
}

static void gen_cgroup(yajl_gen g)
{
	husk_gen_str(g, "cgroup");
	yajl_gen_map_open(g);
	husk_gen_kv_bool(g, "v1", acts.cgroup_v1);
	husk_gen_kv_bool(g, "v2", acts.cgroup_v2);
	husk_gen_kv_bool(g, "systemd", acts.cgroup_systemd);
	husk_gen_kv_bool(g, "systemdUser", acts.cgroup_systemd_user);
	husk_gen_kv_bool(g, "rdma", acts.cgroup_rdma);
	yajl_gen_map_close(g);
}

static void gen_linux(yajl_gen g, const husk_features_facts_t *facts)
{
	husk_gen_str(g, "linux");
	yajl_gen_map_open(g);
	husk_gen_kv_strv(g, "namespaces", namespaces);
	gen_capabilities(g);
	gen_cgroup(g);
	gen_seccomp(g, &facts->seccomp);
	/* What husk can apply on this host: true only where the module is
	 * active.  runtime-spec's features.md defines `enabled` as support
	 * compiled in, whatever the host (runc says true always); husk says
	 * what an engine deciding what to ask for needs to know, as a profile
	 * asked for where AppArmor is not active is not applied. */
	gen_enabled(g, "apparmor", acts.apparmor && facts->apparmor);
	gen_enabled(g, "selinux", acts.selinux && facts->selinux);
	gen_enabled(g, "intelRdt", acts.intel_rdt);
	husk_gen_str(g, "mountExtensions");
	yajl_gen_map_open(g);
	gen_enabled(g, "idmap", acts.idmap);
	yajl_gen_map_close(g);
	husk_gen_str(g, "memoryPolicy");
	yajl_gen_map_open(g);
	husk_gen_kv_strv(g, "modes", mpol_modes);
	husk_gen_kv_strv(g, "flags", mpol_flags);
	yajl_gen_map_close(g);
	gen_enabled(g, "netDevices", acts.net_devices);
	yajl_gen_map_close(g);
}

char *husk_features_json(const husk_features_facts_t *facts)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	char abi[16];
	char *out;
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "    ");
	yajl_gen_map_open(g);
	husk_gen_kv_str(g, "ociVersionMin", "1.0.0");
	husk_gen_kv_str(g, "ociVersionMax", HUSK_OCI_VERSION);
	husk_gen_kv_strv(g, "hooks", hooks);
	husk_gen_kv_strv(g, "mountOptions", mount_options);
	gen_linux(g, facts);
	husk_gen_str(g, "annotations");
	yajl_gen_map_open(g);
	husk_gen_kv_str(g, "io.github.seccomp.libseccomp.version", facts->seccomp.version);
	husk_gen_kv_str(g, "org.opencontainers.runc.checkpoint.enabled",
			facts->criu_version != NULL && facts->checkpoint ? "true" : "false");
	if (facts->criu_version != NULL) {
		husk_gen_kv_str(g, "org.criu.version", facts->criu_version);
	}
	husk_gen_kv_str(g, HUSK_LANDLOCK_ANNOTATION,
			"auto|strict|off|{\"mode\",\"tcpBind\",\"tcpConnect\",\"scoped\"}");
	snprintf(abi, sizeof(abi), "%d", facts->landlock_abi);
	husk_gen_kv_str(g, HUSK_LANDLOCK_ANNOTATION ".abi", abi);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	out = husk_gen_take(g, NULL);
	yajl_gen_free(g);
	return out;
}

int husk_features_print(const husk_features_facts_t *facts, husk_error_t *err)
{
	char *json = husk_features_json(facts);
	int r = fputs(json, stdout) < 0 || fflush(stdout) != 0 ? -1 : 0;

	free(json);
	if (r < 0) {
		return husk_error_errno(err, "write features");
	}
	return 0;
}
