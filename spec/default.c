/* husk spec: the default config.json that `husk spec` writes. */
#include "spec/default.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "spec/json.h"
#include "spec/version.h"
#include "util/cleanup.h"
#include "util/io.h"
#include "util/open.h"

static const char *const default_caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE",
					    NULL };

static const struct default_mount {
	const char *destination, *type, *source;
	const char *const options[8];
} default_mounts[] = {
	{ "/proc", "proc", "proc", { NULL } },
	{ "/dev", "tmpfs", "tmpfs", { "nosuid", "strictatime", "mode=755", "size=65536k", NULL } },
	{ "/dev/pts",
	  "devpts",
	  "devpts",
	  { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL } },
	{ "/dev/shm",
	  "tmpfs",
	  "shm",
	  { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL } },
	{ "/dev/mqueue", "mqueue", "mqueue", { "nosuid", "noexec", "nodev", NULL } },
	{ "/sys", "sysfs", "sysfs", { "nosuid", "noexec", "nodev", "ro", NULL } },
	{ "/sys/fs/cgroup",
	  "cgroup",
	  "cgroup",
	  { "nosuid", "noexec", "nodev", "relatime", "ro", NULL } },
};

/* A rootless container has no network namespace of its own to make /sys
 * safe to mount fresh, so it gets the host's, read-only. */
static const struct default_mount rootless_sys = {
	"/sys", "none", "/sys", { "rbind", "nosuid", "noexec", "nodev", "ro", NULL }
};

static const char *const masked_paths[] = {
	"/proc/acpi",
	"/proc/asound",
	"/proc/kcore",
	"/proc/keys",
	"/proc/latency_stats",
	"/proc/timer_list",
	"/proc/timer_stats",
	"/proc/sched_debug",
	"/sys/firmware",
	"/proc/scsi",
	NULL,
};

static const char *const readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

void husk_spec_gen_masked_paths(yajl_gen g)
{
	husk_gen_kv_strv(g, "maskedPaths", masked_paths);
	husk_gen_kv_strv(g, "readonlyPaths", readonly_paths);
}

static void gen_process(yajl_gen g)
{
	husk_gen_str(g, "process");
	yajl_gen_map_open(g);
	husk_gen_kv_bool(g, "terminal", true);
	husk_gen_str(g, "user");
	yajl_gen_map_open(g);
	husk_gen_kv_int(g, "uid", 0);
	husk_gen_kv_int(g, "gid", 0);
	yajl_gen_map_close(g);
	husk_gen_kv_strv(g, "args", (const char *[]){ "sh", NULL });
	husk_gen_kv_strv(
		g, "env",
		(const char *[]){
			"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"TERM=xterm", NULL });
	husk_gen_kv_str(g, "cwd", "/");
	/* No inheritable or ambient set: a capability there survives execve
	 * of a non-setuid binary (CVE-2022-29162). */
	husk_gen_str(g, "capabilities");
	yajl_gen_map_open(g);
	husk_gen_kv_strv(g, "bounding", default_caps);
	husk_gen_kv_strv(g, "effective", default_caps);
	husk_gen_kv_strv(g, "permitted", default_caps);
	yajl_gen_map_close(g);
	husk_gen_str(g, "rlimits");
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	husk_gen_kv_str(g, "type", "RLIMIT_NOFILE");
	husk_gen_kv_int(g, "hard", 1024);
	husk_gen_kv_int(g, "soft", 1024);
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
	husk_gen_kv_bool(g, "noNewPrivileges", true);
	yajl_gen_map_close(g);
}

static void gen_mount(yajl_gen g, const struct default_mount *m, bool rootless)
{
	yajl_gen_map_open(g);
	husk_gen_kv_str(g, "destination", m->destination);
	husk_gen_kv_str(g, "type", m->type);
	husk_gen_kv_str(g, "source", m->source);
	if (m->options[0] != NULL) {
		husk_gen_str(g, "options");
		yajl_gen_array_open(g);
		for (size_t i = 0; m->options[i] != NULL; i++) {
			/* The ids a rootless container maps may not include them. */
			if (rootless && (strncmp(m->options[i], "uid=", 4) == 0 ||
					 strncmp(m->options[i], "gid=", 4) == 0)) {
				continue;
			}
			husk_gen_str(g, m->options[i]);
		}
		yajl_gen_array_close(g);
	}
	yajl_gen_map_close(g);
}

void husk_spec_gen_default_mounts(yajl_gen g, const char *const *only, bool rootless)
{
	for (size_t i = 0; i < HUSK_N(default_mounts); i++) {
		for (size_t j = 0; only[j] != NULL; j++) {
			if (strcmp(default_mounts[i].destination, only[j]) == 0) {
				gen_mount(g, &default_mounts[i], rootless);
			}
		}
	}
}

static void gen_mounts(yajl_gen g, bool rootless)
{
	husk_gen_str(g, "mounts");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < HUSK_N(default_mounts); i++) {
		const struct default_mount *m = &default_mounts[i];

		if (rootless && strcmp(m->destination, "/sys") == 0) {
			m = &rootless_sys;
		}
		gen_mount(g, m, rootless);
	}
	yajl_gen_array_close(g);
}

static void gen_idmap(yajl_gen g, const char *key, uint32_t host_id)
{
	husk_gen_str(g, key);
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	husk_gen_kv_int(g, "containerID", 0);
	husk_gen_kv_int(g, "hostID", host_id);
	husk_gen_kv_int(g, "size", 1);
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
}

static void gen_namespaces(yajl_gen g, bool rootless)
{
	static const char *const types[] = { "pid", "network", "ipc", "uts", "mount", "cgroup" };

	husk_gen_str(g, "namespaces");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < HUSK_N(types); i++) {
		if (rootless && strcmp(types[i], "network") == 0) {
			continue;
		}
		yajl_gen_map_open(g);
		husk_gen_kv_str(g, "type", types[i]);
		yajl_gen_map_close(g);
	}
	if (rootless) {
		yajl_gen_map_open(g);
		husk_gen_kv_str(g, "type", "user");
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

void husk_spec_gen_deny_devices(yajl_gen g)
{
	husk_gen_str(g, "devices");
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	husk_gen_kv_bool(g, "allow", false);
	husk_gen_kv_str(g, "access", "rwm");
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
}

static void gen_linux(yajl_gen g, bool rootless, uint32_t uid, uint32_t gid)
{
	husk_gen_str(g, "linux");
	yajl_gen_map_open(g);
	if (rootless) {
		gen_idmap(g, "uidMappings", uid);
		gen_idmap(g, "gidMappings", gid);
	} else {
		husk_gen_str(g, "resources");
		yajl_gen_map_open(g);
		husk_spec_gen_deny_devices(g);
		yajl_gen_map_close(g);
	}
	gen_namespaces(g, rootless);
	husk_spec_gen_masked_paths(g);
	yajl_gen_map_close(g);
}

char *husk_spec_default_json(bool rootless, uint32_t uid, uint32_t gid)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	char *out;

	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "\t");
	yajl_gen_map_open(g);
	husk_gen_kv_str(g, "ociVersion", HUSK_OCI_VERSION);
	gen_process(g);
	husk_gen_str(g, "root");
	yajl_gen_map_open(g);
	husk_gen_kv_str(g, "path", "rootfs");
	husk_gen_kv_bool(g, "readonly", true);
	yajl_gen_map_close(g);
	husk_gen_kv_str(g, "hostname", "husk");
	gen_mounts(g, rootless);
	gen_linux(g, rootless, uid, gid);
	yajl_gen_map_close(g);
	out = husk_gen_take(g, NULL);
	yajl_gen_free(g);
	return out;
}

int husk_spec_write_default(const char *bundle, bool rootless, husk_error_t *err)
{
	_cleanup_close_ int dirfd = -1;
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *json = NULL;
	const char *dir = bundle != NULL ? bundle : ".";

	/* The bundle itself may be a symlink; only config.json may not. */
	dirfd = open(dir, (HUSK_O_DIR & ~O_NOFOLLOW));
	if (dirfd < 0) {
		return husk_error_errno(err, "open bundle `%s`", dir);
	}
	fd = openat(dirfd, "config.json", HUSK_O_CREAT_EXCL, 0666);
	if (fd < 0 && errno == EEXIST) {
		return husk_error_make(err, 0, "`%s/config.json` already exists: remove it first",
				       dir);
	}
	if (fd < 0) {
		return husk_error_errno(err, "create `%s/config.json`", dir);
	}
	json = husk_spec_default_json(rootless, geteuid(), getegid());
	if (husk_write_all(fd, json, strlen(json)) < 0) {
		husk_error_errno(err, "write `%s/config.json`", dir);
		unlinkat(dirfd, "config.json", 0);
		return -1;
	}
	return 0;
}
