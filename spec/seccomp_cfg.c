/* husk spec: config.json `linux.seccomp`.  Syscall names stay strings:
 * resolving them is libseccomp's job, for the architectures of the filter. */
#include "spec/config-internal.h"
#include "spec/names.h"

static const husk_kind_t kind_action = HUSK_KIND_ENUM(husk_scmp_action_names);
static const husk_kind_t kind_op = HUSK_KIND_ENUM(husk_scmp_op_names);
static const husk_kind_t kind_archs = HUSK_KIND_ENUM_STRV(husk_scmp_arch_names);
static const husk_kind_t kind_flags = HUSK_KIND_ENUM_STRV(husk_scmp_flag_names);

static const husk_field_t arg_fields[] = {
	HUSK_FIELD_REQ("index", &husk_kind_u32, husk_syscall_arg_t, index),
	HUSK_FIELD_REQ("value", &husk_kind_u64, husk_syscall_arg_t, value),
	HUSK_FIELD("valueTwo", &husk_kind_u64, husk_syscall_arg_t, value_two),
	HUSK_FIELD_REQ("op", &kind_op, husk_syscall_arg_t, op),
};

static int check_arg(husk_walk_t *w, void *obj)
{
	return husk_check_range(w, "index", ((husk_syscall_arg_t *) obj)->index, 0, 5);
}

static const husk_obj_type_t arg_type = HUSK_OBJ_TYPE(husk_syscall_arg_t, arg_fields, check_arg);
static const husk_kind_t kind_args = HUSK_KIND_VEC(arg_type);

static const husk_field_t syscall_fields[] = {
	HUSK_FIELD_REQ("names", &husk_kind_strv, husk_syscall_t, names),
	HUSK_FIELD_REQ("action", &kind_action, husk_syscall_t, action),
	HUSK_FIELD_OPT("errnoRet", &husk_kind_u32, husk_syscall_t, errno_ret),
	HUSK_FIELD("args", &kind_args, husk_syscall_t, args),
};

/* errnoRet is the value an ERRNO or TRACE action returns; with any other
 * action it would be silently dropped. */
static int check_errno_ret(husk_walk_t *w, const char *key, bool has, int action)
{
	if (has && action != HUSK_SCMP_ACT_ERRNO && action != HUSK_SCMP_ACT_TRACE) {
		return husk_walk_fail_key(w, key,
					  "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, "
					  "not %s",
					  husk_scmp_action_name(action));
	}
	return 0;
}

static int check_syscall(husk_walk_t *w, void *obj)
{
	husk_syscall_t *s = obj;

	if (s->names[0] == NULL) {
		return husk_walk_fail_key(w, "names", "must have at least one entry");
	}
	for (size_t i = 0; s->names[i] != NULL; i++) {
		if (s->names[i][0] == '\0') {
			size_t old = husk_walk_push_key(w, "names");

			husk_walk_fail_index(w, i, "empty syscall name");
			husk_walk_pop(w, old);
			return -1;
		}
	}
	return check_errno_ret(w, "errnoRet", s->has_errno_ret, s->action);
}

static const husk_obj_type_t syscall_type =
	HUSK_OBJ_TYPE(husk_syscall_t, syscall_fields, check_syscall);
static const husk_kind_t kind_syscalls = HUSK_KIND_VEC(syscall_type);

static const husk_field_t seccomp_fields[] = {
	HUSK_FIELD_REQ("defaultAction", &kind_action, husk_seccomp_t, default_action),
	HUSK_FIELD_OPT("defaultErrnoRet", &husk_kind_u32, husk_seccomp_t, default_errno_ret),
	HUSK_FIELD("architectures", &kind_archs, husk_seccomp_t, architectures),
	HUSK_FIELD("flags", &kind_flags, husk_seccomp_t, flags),
	HUSK_FIELD("listenerPath", &husk_kind_string, husk_seccomp_t, listener_path),
	HUSK_FIELD("listenerMetadata", &husk_kind_string, husk_seccomp_t, listener_metadata),
	HUSK_FIELD("syscalls", &kind_syscalls, husk_seccomp_t, syscalls),
};

static int check_seccomp(husk_walk_t *w, void *obj)
{
	husk_seccomp_t *s = obj;

	/* A notifying default would have the supervisor decide on every
	 * syscall the runtime itself still makes after loading the filter. */
	if (s->default_action == HUSK_SCMP_ACT_NOTIFY) {
		return husk_walk_fail_key(w, "defaultAction",
					  "SCMP_ACT_NOTIFY cannot be the "
					  "default action");
	}
	if (check_errno_ret(w, "defaultErrnoRet", s->has_default_errno_ret, s->default_action) <
	    0) {
		return -1;
	}
	return husk_check_abs_path(w, "listenerPath", s->listener_path);
}

static const husk_obj_type_t seccomp_type =
	HUSK_OBJ_TYPE(husk_seccomp_t, seccomp_fields, check_seccomp);

const husk_kind_t husk_kind_seccomp = HUSK_KIND_OBJ(seccomp_type);
