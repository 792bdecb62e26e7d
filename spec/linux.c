/* husk spec: config.json `linux`, except resources and seccomp. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "spec/config-internal.h"
#include "spec/names.h"

/* ---- namespaces, time offsets, devices ---- */

static const husk_kind_t kind_ns_type = HUSK_KIND_ENUM(husk_ns_type_names);

static const husk_field_t ns_fields[] = {
	HUSK_FIELD_REQ("type", &kind_ns_type, husk_namespace_t, type),
	HUSK_FIELD("path", &husk_kind_string, husk_namespace_t, path),
};

static int check_ns(husk_walk_t *w, void *obj)
{
	return husk_check_abs_path(w, "path", ((husk_namespace_t *) obj)->path);
}

static const husk_obj_type_t ns_type = HUSK_OBJ_TYPE(husk_namespace_t, ns_fields, check_ns);

static const husk_field_t time_offset_fields[] = {
	HUSK_FIELD("secs", &husk_kind_i64, husk_time_offset_t, secs),
	HUSK_FIELD("nanosecs", &husk_kind_u32, husk_time_offset_t, nanosecs),
};

static int check_time_offset(husk_walk_t *w, void *obj)
{
	husk_time_offset_t *t = obj;

	t->clock = husk_names_find(&husk_time_clock_names, t->name);
	if (t->clock < 0) {
		return husk_walk_fail(w, "unknown clock: expected \"monotonic\" or \"boottime\"");
	}
	return husk_check_range(w, "nanosecs", t->nanosecs, 0, 999999999);
}

static const husk_obj_type_t time_offset_type =
	HUSK_OBJ_TYPE(husk_time_offset_t, time_offset_fields, check_time_offset);

static const husk_kind_t kind_device_type = HUSK_KIND_ENUM(husk_device_type_names);

static const husk_field_t device_fields[] = {
	HUSK_FIELD_REQ("type", &kind_device_type, husk_device_t, type),
	HUSK_FIELD_REQ("path", &husk_kind_string, husk_device_t, path),
	HUSK_FIELD_OPT("major", &husk_kind_i64, husk_device_t, major),
	HUSK_FIELD_OPT("minor", &husk_kind_i64, husk_device_t, minor),
	HUSK_FIELD_OPT("fileMode", &husk_kind_u32, husk_device_t, file_mode),
	HUSK_FIELD_OPT("uid", &husk_kind_u32, husk_device_t, uid),
	HUSK_FIELD_OPT("gid", &husk_kind_u32, husk_device_t, gid),
};

/* podman puts the whole st_mode of the host's device in fileMode (0o20666
 * for /dev/null), as runc and crun accept: the file type bits may be there
 * when they name the device's own type, and only the permission bits are
 * used. */
static int check_device_file_mode(husk_walk_t *w, const husk_device_t *d)
{
	static const uint32_t ifmt[HUSK_DEV_COUNT] = {
		[HUSK_DEV_CHAR] = S_IFCHR,
		[HUSK_DEV_BLOCK] = S_IFBLK,
		[HUSK_DEV_UNBUF] = S_IFCHR,
		[HUSK_DEV_FIFO] = S_IFIFO,
	};
	uint32_t type = d->file_mode & S_IFMT;

	if (type != 0 && type != ifmt[d->type]) {
		return husk_walk_fail_key(w, "fileMode",
					  "%#o is not a mode of a device of type \"%s\"",
					  d->file_mode, husk_device_type_names.v[d->type]);
	}
	return husk_check_range(w, "fileMode", d->file_mode & ~(uint32_t) S_IFMT, 0, 07777);
}

static int check_device(husk_walk_t *w, void *obj)
{
	husk_device_t *d = obj;

	if (husk_check_abs_path(w, "path", d->path) < 0) {
		return -1;
	}
	if (d->type != HUSK_DEV_FIFO && (!d->has_major || !d->has_minor)) {
		return husk_walk_fail(w, "a device of type \"%s\" needs major and minor",
				      husk_device_type_names.v[d->type]);
	}
	if (d->has_major && husk_check_range(w, "major", d->major, 0, UINT32_MAX) < 0) {
		return -1;
	}
	if (d->has_minor && husk_check_range(w, "minor", d->minor, 0, UINT32_MAX) < 0) {
		return -1;
	}
	return d->has_file_mode ? check_device_file_mode(w, d) : 0;
}

static const husk_obj_type_t device_type =
	HUSK_OBJ_TYPE(husk_device_t, device_fields, check_device);

/* ---- intelRdt, personality, memoryPolicy, netDevices ---- */

/* A name that becomes one path component (a resctrl group, an interface). */
static int check_component(husk_walk_t *w, const char *key, const char *name, size_t max)
{
	char q[200];

	if (name == NULL) {
		return 0;
	}
	husk_json_quote(name, q, sizeof(q));
	if (name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
	    strchr(name, '/') != NULL || strlen(name) > max) {
		if (key == NULL) {
			return husk_walk_fail(w, "invalid name %s", q);
		}
		return husk_walk_fail_key(w, key, "invalid name %s", q);
	}
	return 0;
}

static const husk_field_t rdt_fields[] = {
	HUSK_FIELD("closID", &husk_kind_string, husk_intel_rdt_t, clos_id),
	HUSK_FIELD("schemata", &husk_kind_strv, husk_intel_rdt_t, schemata),
	HUSK_FIELD("l3CacheSchema", &husk_kind_string, husk_intel_rdt_t, l3_cache_schema),
	HUSK_FIELD("memBwSchema", &husk_kind_string, husk_intel_rdt_t, mem_bw_schema),
	HUSK_FIELD("enableMonitoring", &husk_kind_bool, husk_intel_rdt_t, enable_monitoring),
	HUSK_FIELD("enableCMT", &husk_kind_bool, husk_intel_rdt_t, enable_cmt),
	HUSK_FIELD("enableMBM", &husk_kind_bool, husk_intel_rdt_t, enable_mbm),
};

static int check_rdt(husk_walk_t *w, void *obj)
{
	return check_component(w, "closID", ((husk_intel_rdt_t *) obj)->clos_id, 255);
}

static const husk_obj_type_t rdt_type = HUSK_OBJ_TYPE(husk_intel_rdt_t, rdt_fields, check_rdt);

static const husk_kind_t kind_per_domain = HUSK_KIND_ENUM(husk_personality_domain_names);
static const husk_kind_t kind_per_flags = HUSK_KIND_ENUM_STRV(husk_personality_flag_names);

static const husk_field_t personality_fields[] = {
	HUSK_FIELD_REQ("domain", &kind_per_domain, husk_personality_t, domain),
	HUSK_FIELD("flags", &kind_per_flags, husk_personality_t, flags),
};
static const husk_obj_type_t personality_type =
	HUSK_OBJ_TYPE(husk_personality_t, personality_fields, NULL);

static const husk_kind_t kind_mpol_mode = HUSK_KIND_ENUM(husk_mpol_mode_names);
static const husk_kind_t kind_mpol_flags = HUSK_KIND_ENUM_STRV(husk_mpol_flag_names);

static const husk_field_t mempolicy_fields[] = {
	HUSK_FIELD_REQ("mode", &kind_mpol_mode, husk_mempolicy_t, mode),
	HUSK_FIELD("nodes", &husk_kind_string, husk_mempolicy_t, nodes),
	HUSK_FIELD("flags", &kind_mpol_flags, husk_mempolicy_t, flags),
};

static int check_mempolicy(husk_walk_t *w, void *obj)
{
	return husk_check_cpu_list(w, "nodes", ((husk_mempolicy_t *) obj)->nodes);
}

static const husk_obj_type_t mempolicy_type =
	HUSK_OBJ_TYPE(husk_mempolicy_t, mempolicy_fields, check_mempolicy);

static const husk_field_t net_device_fields[] = {
	HUSK_FIELD("name", &husk_kind_string, husk_net_device_t, new_name),
};

/* IFNAMSIZ is 16 with the NUL. */
static int check_net_device(husk_walk_t *w, void *obj)
{
	husk_net_device_t *d = obj;

	if (check_component(w, NULL, d->name, 15) < 0) {
		return -1;
	}
	return check_component(w, "name", d->new_name, 15);
}

static const husk_obj_type_t net_device_type =
	HUSK_OBJ_TYPE(husk_net_device_t, net_device_fields, check_net_device);

/* ---- linux ---- */

static const husk_kind_t kind_namespaces = HUSK_KIND_VEC(ns_type);
static const husk_kind_t kind_time_offsets = HUSK_KIND_MAP(time_offset_type);
static const husk_kind_t kind_devices = HUSK_KIND_VEC(device_type);
static const husk_kind_t kind_rdt = HUSK_KIND_OBJ(rdt_type);
static const husk_kind_t kind_propagation = HUSK_KIND_ENUM(husk_propagation_names);
static const husk_kind_t kind_personality = HUSK_KIND_OBJ(personality_type);
static const husk_kind_t kind_mempolicy = HUSK_KIND_OBJ(mempolicy_type);
static const husk_kind_t kind_net_devices = HUSK_KIND_MAP(net_device_type);

static const husk_field_t linux_fields[] = {
	HUSK_FIELD("namespaces", &kind_namespaces, husk_linux_t, namespaces),
	HUSK_FIELD("uidMappings", &husk_kind_idmaps, husk_linux_t, uid_mappings),
	HUSK_FIELD("gidMappings", &husk_kind_idmaps, husk_linux_t, gid_mappings),
	HUSK_FIELD("timeOffsets", &kind_time_offsets, husk_linux_t, time_offsets),
	HUSK_FIELD("devices", &kind_devices, husk_linux_t, devices),
	HUSK_FIELD("cgroupsPath", &husk_kind_string, husk_linux_t, cgroups_path),
	HUSK_FIELD("resources", &husk_kind_resources, husk_linux_t, resources),
	HUSK_FIELD("intelRdt", &kind_rdt, husk_linux_t, intel_rdt),
	HUSK_FIELD("sysctl", &husk_kind_strmap, husk_linux_t, sysctl),
	HUSK_FIELD("seccomp", &husk_kind_seccomp, husk_linux_t, seccomp),
	HUSK_FIELD_OPT("rootfsPropagation", &kind_propagation, husk_linux_t, rootfs_propagation),
	HUSK_FIELD("maskedPaths", &husk_kind_strv, husk_linux_t, masked_paths),
	HUSK_FIELD("readonlyPaths", &husk_kind_strv, husk_linux_t, readonly_paths),
	HUSK_FIELD("mountLabel", &husk_kind_string, husk_linux_t, mount_label),
	HUSK_FIELD("personality", &kind_personality, husk_linux_t, personality),
	HUSK_FIELD("memoryPolicy", &kind_mempolicy, husk_linux_t, memory_policy),
	HUSK_FIELD("netDevices", &kind_net_devices, husk_linux_t, net_devices),
};

static int check_namespaces_unique(husk_walk_t *w, const husk_linux_t *l)
{
	for (size_t i = 0; i < l->namespaces.n; i++) {
		for (size_t j = 0; j < i; j++) {
			if (l->namespaces.v[i].type == l->namespaces.v[j].type) {
				size_t old = husk_walk_push_key(w, "namespaces");

				husk_walk_fail_index(w, i, "duplicate namespace type \"%s\"",
						     husk_ns_type_name(l->namespaces.v[i].type));
				husk_walk_pop(w, old);
				return -1;
			}
		}
	}
	return 0;
}

static int check_linux(husk_walk_t *w, void *obj)
{
	husk_linux_t *l = obj;

	if (check_namespaces_unique(w, l) < 0) {
		return -1;
	}
	if (husk_check_abs_paths(w, "maskedPaths", l->masked_paths) < 0 ||
	    husk_check_abs_paths(w, "readonlyPaths", l->readonly_paths) < 0) {
		return -1;
	}
	for (size_t i = 0; i < l->sysctl.n; i++) {
		if (l->sysctl.v[i].key[0] == '\0') {
			return husk_walk_fail_key(w, "sysctl", "empty key");
		}
	}
	return 0;
}

static const husk_obj_type_t linux_type = HUSK_OBJ_TYPE(husk_linux_t, linux_fields, check_linux);

const husk_kind_t husk_kind_linux = HUSK_KIND_OBJ(linux_type);
