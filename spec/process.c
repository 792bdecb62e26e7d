/* husk spec: config.json `process`. */
#include <stdio.h>
#include <string.h>

#include "spec/config-internal.h"
#include "spec/names.h"
#include "util/log.h"

/* ---- capabilities: each set becomes a bit mask ---- */

/* A name husk does not know is ignored with a warning, as runc does since
 * 1.1: a config written for a newer kernel (CAP_BPF, CAP_PERFMON,
 * CAP_CHECKPOINT_RESTORE once were) still runs. */
static int parse_cap_set(husk_walk_t *w, yajl_val v, void *dst, const husk_kind_t *k)
{
	uint64_t mask = 0;
	char q[200];

	if (!YAJL_IS_ARRAY(v)) {
		return husk_walk_type_error(w, "an array", v);
	}
	for (size_t i = 0; i < v->u.array.len; i++) {
		yajl_val e = v->u.array.values[i];
		size_t old = husk_walk_push_index(w, i);
		int cap = YAJL_IS_STRING(e) ? husk_cap_from_name(e->u.string) : -1;

		if (!YAJL_IS_STRING(e)) {
			husk_walk_type_error(w, "a string", e);
			husk_walk_pop(w, old);
			return -1;
		}
		if (cap < 0 && w->warned++ < HUSK_JSON_MAX_WARNINGS) {
			husk_json_quote(e->u.string, q, sizeof(q));
			husk_warn("%s: %s: ignoring unknown or unavailable capability %s", w->file,
				  w->path, q);
		} else if (cap >= 0) {
			mask |= UINT64_C(1) << cap;
		}
		husk_walk_pop(w, old);
	}
	*(uint64_t *) dst = mask;
	return 0;
}

static const husk_kind_t kind_cap_set = { parse_cap_set, NULL, NULL };

static const husk_field_t caps_fields[] = {
	HUSK_FIELD_OPT("bounding", &kind_cap_set, husk_caps_t, bounding),
	HUSK_FIELD_OPT("effective", &kind_cap_set, husk_caps_t, effective),
	HUSK_FIELD_OPT("inheritable", &kind_cap_set, husk_caps_t, inheritable),
	HUSK_FIELD_OPT("permitted", &kind_cap_set, husk_caps_t, permitted),
	HUSK_FIELD_OPT("ambient", &kind_cap_set, husk_caps_t, ambient),
};
static const husk_obj_type_t caps_type = HUSK_OBJ_TYPE(husk_caps_t, caps_fields, NULL);

/* ---- user, console, rlimits ---- */

static const husk_field_t user_fields[] = {
	HUSK_FIELD_REQ("uid", &husk_kind_u32, husk_user_t, uid),
	HUSK_FIELD_REQ("gid", &husk_kind_u32, husk_user_t, gid),
	HUSK_FIELD_OPT("umask", &husk_kind_u32, husk_user_t, umask),
	HUSK_FIELD("additionalGids", &husk_kind_u32v, husk_user_t, additional_gids),
	/* Windows only: accepted, never used. */
	HUSK_FIELD("username", &husk_kind_ignored, husk_user_t, uid),
};

static int check_user(husk_walk_t *w, void *obj)
{
	husk_user_t *u = obj;

	return u->has_umask ? husk_check_range(w, "umask", u->umask, 0, 0777) : 0;
}

static const husk_obj_type_t user_type = HUSK_OBJ_TYPE(husk_user_t, user_fields, check_user);

static const husk_field_t console_fields[] = {
	HUSK_FIELD_REQ("height", &husk_kind_u32, husk_console_size_t, height),
	HUSK_FIELD_REQ("width", &husk_kind_u32, husk_console_size_t, width),
};
static const husk_obj_type_t console_type =
	HUSK_OBJ_TYPE(husk_console_size_t, console_fields, NULL);

static const husk_kind_t kind_rlimit_type = HUSK_KIND_ENUM(husk_rlimit_names);

static const husk_field_t rlimit_fields[] = {
	HUSK_FIELD_REQ("type", &kind_rlimit_type, husk_rlimit_t, type),
	HUSK_FIELD_REQ("soft", &husk_kind_u64, husk_rlimit_t, soft),
	HUSK_FIELD_REQ("hard", &husk_kind_u64, husk_rlimit_t, hard),
};

static int check_rlimit(husk_walk_t *w, void *obj)
{
	husk_rlimit_t *r = obj;

	if (r->soft > r->hard) {
		return husk_walk_fail_key(w, "soft", "%llu is above the hard limit %llu",
					  (unsigned long long) r->soft,
					  (unsigned long long) r->hard);
	}
	return 0;
}

static const husk_obj_type_t rlimit_type =
	HUSK_OBJ_TYPE(husk_rlimit_t, rlimit_fields, check_rlimit);

/* ---- ioPriority, scheduler, execCPUAffinity ---- */

static const husk_kind_t kind_ioprio_class = HUSK_KIND_ENUM(husk_ioprio_class_names);

static const husk_field_t ioprio_fields[] = {
	HUSK_FIELD_REQ("class", &kind_ioprio_class, husk_ioprio_t, class_),
	HUSK_FIELD_OPT("priority", &husk_kind_i32, husk_ioprio_t, priority),
};

static int check_ioprio(husk_walk_t *w, void *obj)
{
	husk_ioprio_t *p = obj;

	return p->has_priority ? husk_check_range(w, "priority", p->priority, 0, 7) : 0;
}

static const husk_obj_type_t ioprio_type =
	HUSK_OBJ_TYPE(husk_ioprio_t, ioprio_fields, check_ioprio);

static const husk_kind_t kind_sched_policy = HUSK_KIND_ENUM(husk_sched_policy_names);
static const husk_kind_t kind_sched_flags = HUSK_KIND_ENUM_STRV(husk_sched_flag_names);

static const husk_field_t sched_fields[] = {
	HUSK_FIELD_REQ("policy", &kind_sched_policy, husk_sched_t, policy),
	HUSK_FIELD_OPT("nice", &husk_kind_i32, husk_sched_t, nice),
	HUSK_FIELD_OPT("priority", &husk_kind_i32, husk_sched_t, priority),
	HUSK_FIELD("flags", &kind_sched_flags, husk_sched_t, flags),
	HUSK_FIELD_OPT("runtime", &husk_kind_u64, husk_sched_t, runtime),
	HUSK_FIELD_OPT("deadline", &husk_kind_u64, husk_sched_t, deadline),
	HUSK_FIELD_OPT("period", &husk_kind_u64, husk_sched_t, period),
};

static int check_sched(husk_walk_t *w, void *obj)
{
	husk_sched_t *s = obj;

	if (s->has_nice && husk_check_range(w, "nice", s->nice, -20, 19) < 0) {
		return -1;
	}
	if (s->has_priority && husk_check_range(w, "priority", s->priority, 0, 99) < 0) {
		return -1;
	}
	return 0;
}

static const husk_obj_type_t sched_type = HUSK_OBJ_TYPE(husk_sched_t, sched_fields, check_sched);

static const husk_field_t affinity_fields[] = {
	HUSK_FIELD("initial", &husk_kind_string, husk_cpu_affinity_t, initial),
	HUSK_FIELD("final", &husk_kind_string, husk_cpu_affinity_t, final),
};

static int check_affinity(husk_walk_t *w, void *obj)
{
	husk_cpu_affinity_t *a = obj;

	if (husk_check_cpu_list(w, "initial", a->initial) < 0) {
		return -1;
	}
	return husk_check_cpu_list(w, "final", a->final);
}

static const husk_obj_type_t affinity_type =
	HUSK_OBJ_TYPE(husk_cpu_affinity_t, affinity_fields, check_affinity);

/* ---- process ---- */

static const husk_kind_t kind_console = HUSK_KIND_OBJ(console_type);
static const husk_kind_t kind_user = HUSK_KIND_OBJ(user_type);
static const husk_kind_t kind_caps = HUSK_KIND_OBJ(caps_type);
static const husk_kind_t kind_rlimits = HUSK_KIND_VEC(rlimit_type);
static const husk_kind_t kind_ioprio = HUSK_KIND_OBJ(ioprio_type);
static const husk_kind_t kind_sched = HUSK_KIND_OBJ(sched_type);
static const husk_kind_t kind_affinity = HUSK_KIND_OBJ(affinity_type);

static const husk_field_t process_fields[] = {
	HUSK_FIELD("terminal", &husk_kind_bool, husk_process_t, terminal),
	HUSK_FIELD("consoleSize", &kind_console, husk_process_t, console_size),
	HUSK_FIELD_REQ("user", &kind_user, husk_process_t, user),
	HUSK_FIELD_REQ("args", &husk_kind_strv, husk_process_t, args),
	HUSK_FIELD("env", &husk_kind_strv, husk_process_t, env),
	HUSK_FIELD_REQ("cwd", &husk_kind_string, husk_process_t, cwd),
	HUSK_FIELD("capabilities", &kind_caps, husk_process_t, capabilities),
	HUSK_FIELD("rlimits", &kind_rlimits, husk_process_t, rlimits),
	HUSK_FIELD("noNewPrivileges", &husk_kind_bool, husk_process_t, no_new_privileges),
	HUSK_FIELD("apparmorProfile", &husk_kind_string, husk_process_t, apparmor_profile),
	HUSK_FIELD_OPT("oomScoreAdj", &husk_kind_i32, husk_process_t, oom_score_adj),
	HUSK_FIELD("selinuxLabel", &husk_kind_string, husk_process_t, selinux_label),
	HUSK_FIELD("ioPriority", &kind_ioprio, husk_process_t, io_priority),
	HUSK_FIELD("scheduler", &kind_sched, husk_process_t, scheduler),
	HUSK_FIELD("execCPUAffinity", &kind_affinity, husk_process_t, exec_cpu_affinity),
};

static int check_rlimits_unique(husk_walk_t *w, const husk_process_t *p)
{
	for (size_t i = 0; i < p->rlimits.n; i++) {
		for (size_t j = 0; j < i; j++) {
			if (p->rlimits.v[i].type == p->rlimits.v[j].type) {
				size_t old = husk_walk_push_key(w, "rlimits");

				husk_walk_fail_index(w, i, "duplicate rlimit type \"%s\"",
						     husk_rlimit_name(p->rlimits.v[i].type));
				husk_walk_pop(w, old);
				return -1;
			}
		}
	}
	return 0;
}

static int check_process(husk_walk_t *w, void *obj)
{
	husk_process_t *p = obj;

	if (p->args[0] == NULL) {
		return husk_walk_fail_key(w, "args", "must have at least one entry");
	}
	if (husk_check_abs_path(w, "cwd", p->cwd) < 0 || husk_check_env(w, "env", p->env) < 0) {
		return -1;
	}
	if (p->has_oom_score_adj &&
	    husk_check_range(w, "oomScoreAdj", p->oom_score_adj, -1000, 1000) < 0) {
		return -1;
	}
	return check_rlimits_unique(w, p);
}

static const husk_obj_type_t process_type =
	HUSK_OBJ_TYPE(husk_process_t, process_fields, check_process);

const husk_kind_t husk_kind_process = HUSK_KIND_OBJ(process_type);
