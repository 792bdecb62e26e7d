/* husk spec: config.json `mounts` and `hooks`, and the id mappings both
 * mounts and `linux` carry. */
#include "spec/config-internal.h"

/* ---- id mappings ---- */

static const husk_field_t idmap_fields[] = {
	HUSK_FIELD_REQ("containerID", &husk_kind_u32, husk_idmap_t, container_id),
	HUSK_FIELD_REQ("hostID", &husk_kind_u32, husk_idmap_t, host_id),
	HUSK_FIELD_REQ("size", &husk_kind_u32, husk_idmap_t, size),
};

static int check_idmap(husk_walk_t *w, void *obj)
{
	husk_idmap_t *m = obj;

	if (m->size == 0) {
		return husk_walk_fail_key(w, "size", "must be positive");
	}
	/* The kernel refuses a range that wraps past 2^32 - 1. */
	if ((uint64_t) m->container_id + m->size > UINT32_MAX + UINT64_C(1) ||
	    (uint64_t) m->host_id + m->size > UINT32_MAX + UINT64_C(1)) {
		return husk_walk_fail_key(w, "size", "%u ids from %u or %u run past 4294967295",
					  m->size, m->container_id, m->host_id);
	}
	return 0;
}

static const husk_obj_type_t idmap_type = HUSK_OBJ_TYPE(husk_idmap_t, idmap_fields, check_idmap);

const husk_kind_t husk_kind_idmaps = HUSK_KIND_VEC(idmap_type);

/* ---- mounts ---- */

static const husk_field_t mount_fields[] = {
	HUSK_FIELD_REQ("destination", &husk_kind_string, husk_mount_t, destination),
	HUSK_FIELD("type", &husk_kind_string, husk_mount_t, type),
	HUSK_FIELD("source", &husk_kind_string, husk_mount_t, source),
	HUSK_FIELD("options", &husk_kind_strv, husk_mount_t, options),
	HUSK_FIELD("uidMappings", &husk_kind_idmaps, husk_mount_t, uid_mappings),
	HUSK_FIELD("gidMappings", &husk_kind_idmaps, husk_mount_t, gid_mappings),
};

static int check_mount(husk_walk_t *w, void *obj)
{
	husk_mount_t *m = obj;

	if (husk_check_abs_path(w, "destination", m->destination) < 0) {
		return -1;
	}
	if ((m->uid_mappings.v == NULL) != (m->gid_mappings.v == NULL)) {
		return husk_walk_fail(w, "uidMappings and gidMappings must be given together");
	}
	return 0;
}

static const husk_obj_type_t mount_type = HUSK_OBJ_TYPE(husk_mount_t, mount_fields, check_mount);

const husk_kind_t husk_kind_mounts = HUSK_KIND_VEC(mount_type);

/* ---- hooks ---- */

static const husk_field_t hook_fields[] = {
	HUSK_FIELD_REQ("path", &husk_kind_string, husk_hook_t, path),
	HUSK_FIELD("args", &husk_kind_strv, husk_hook_t, args),
	HUSK_FIELD("env", &husk_kind_strv, husk_hook_t, env),
	HUSK_FIELD_OPT("timeout", &husk_kind_i64, husk_hook_t, timeout),
};

static int check_hook(husk_walk_t *w, void *obj)
{
	husk_hook_t *h = obj;

	if (husk_check_abs_path(w, "path", h->path) < 0 || husk_check_env(w, "env", h->env) < 0) {
		return -1;
	}
	if (h->has_timeout && h->timeout <= 0) {
		return husk_walk_fail_key(w, "timeout", "must be positive, got %lld",
					  (long long) h->timeout);
	}
	return 0;
}

static const husk_obj_type_t hook_type = HUSK_OBJ_TYPE(husk_hook_t, hook_fields, check_hook);
static const husk_kind_t kind_hook_list = HUSK_KIND_VEC(hook_type);

static const husk_field_t hooks_fields[] = {
	HUSK_FIELD("prestart", &kind_hook_list, husk_hooks_t, prestart),
	HUSK_FIELD("createRuntime", &kind_hook_list, husk_hooks_t, create_runtime),
	HUSK_FIELD("createContainer", &kind_hook_list, husk_hooks_t, create_container),
	HUSK_FIELD("startContainer", &kind_hook_list, husk_hooks_t, start_container),
	HUSK_FIELD("poststart", &kind_hook_list, husk_hooks_t, poststart),
	HUSK_FIELD("poststop", &kind_hook_list, husk_hooks_t, poststop),
};
static const husk_obj_type_t hooks_type = HUSK_OBJ_TYPE(husk_hooks_t, hooks_fields, NULL);

const husk_kind_t husk_kind_hooks = HUSK_KIND_OBJ(hooks_type);
