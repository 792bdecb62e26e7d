/* husk spec: a sandbox policy read from a file and written back
 * (spec/policy.h). */
#include "spec/policy.h"

#include <stdio.h>
#include <string.h>

#include "spec/json.h"
#include "util/cleanup.h"
#include "util/file.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* A policy is a page of options, not data. */
#define POLICY_MAX (1u << 20)

static void add(husk_policy_t *p, const char *name, const char *value, bool repeat)
{
	p->v = xreallocarray(p->v, p->n + 1, sizeof(*p->v));
	p->v[p->n++] = (husk_policy_opt_t){
		.name = xstrdup(name),
		.value = value != NULL ? xstrdup(value) : NULL,
		.repeat = repeat,
	};
}

/* A value of a flag: a string, or a number as the file spells it. */
static const char *scalar(yajl_val v)
{
	if (YAJL_IS_STRING(v)) {
		return v->u.string;
	}
	if (YAJL_IS_NUMBER(v)) {
		return v->u.number.r;
	}
	return NULL;
}

static int load_command(husk_walk_t *w, husk_policy_t *p, yajl_val v)
{
	if (!YAJL_IS_ARRAY(v) || v->u.array.len == 0) {
		return husk_walk_fail_key(w, "command", "expected a non-empty array of strings");
	}
	for (size_t i = 0; i < v->u.array.len; i++) {
		yajl_val a = v->u.array.values[i];

		if (!YAJL_IS_STRING(a)) {
			size_t old = husk_walk_push_key(w, "command");

			husk_walk_fail_index(w, i, "expected a string");
			husk_walk_pop(w, old);
			return -1;
		}
		husk_strv_push(&p->command, xstrdup(a->u.string));
	}
	return 0;
}

static int load_key(husk_walk_t *w, husk_policy_t *p, const char *key, yajl_val v)
{
	if (strcmp(key, "command") == 0) {
		return load_command(w, p, v);
	}
	if (strcmp(key, "plan") == 0 || v == NULL || YAJL_IS_NULL(v) || YAJL_IS_FALSE(v)) {
		return 0;
	}
	if (YAJL_IS_TRUE(v)) {
		add(p, key, NULL, false);
		return 0;
	}
	if (scalar(v) != NULL) {
		add(p, key, scalar(v), false);
		return 0;
	}
	if (!YAJL_IS_ARRAY(v)) {
		return husk_walk_fail_key(w, key, "expected a string, a number, true or an array");
	}
	for (size_t i = 0; i < v->u.array.len; i++) {
		const char *s = scalar(v->u.array.values[i]);

		if (s == NULL) {
			size_t old = husk_walk_push_key(w, key);

			husk_walk_fail_index(w, i, "expected a string or a number");
			husk_walk_pop(w, old);
			return -1;
		}
		add(p, key, s, true);
	}
	return 0;
}

husk_policy_t *husk_policy_load(const char *path, husk_error_t *err)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ char *file = xasprintf("--config `%s`", path);
	husk_policy_t *p = xmalloc0(sizeof(*p));
	husk_walk_t w;
	yajl_val root = NULL;
	size_t len;
	int r = -1;

	text = husk_read_file(path, POLICY_MAX, &len, err);
	if (text == NULL) {
		husk_error_wrap(err, "--config `%s`", path);
		husk_policy_free(p);
		return NULL;
	}
	husk_walk_init(&w, file, err);
	root = husk_json_tree(&w, text, len);
	if (root != NULL && !YAJL_IS_OBJECT(root)) {
		husk_walk_type_error(&w, "an object", root);
	} else if (root != NULL) {
		r = 0;
		for (size_t i = 0; r == 0 && i < root->u.object.len; i++) {
			r = load_key(&w, p, root->u.object.keys[i], root->u.object.values[i]);
		}
	}
	yajl_tree_free(root);
	husk_walk_fini(&w);
	if (r < 0) {
		husk_policy_free(p);
		return NULL;
	}
	return p;
}

void husk_policy_free(husk_policy_t *p)
{
	if (p == NULL) {
		return;
	}
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].value);
	}
	free(p->v);
	husk_strv_free(p->command);
	free(p);
}

/* Every value of NAME from I on, as one array (a repeated flag). */
static void gen_repeated(yajl_gen g, const husk_policy_t *p, size_t i)
{
	husk_gen_str(g, p->v[i].name);
	yajl_gen_array_open(g);
	for (size_t j = i; j < p->n; j++) {
		if (strcmp(p->v[j].name, p->v[i].name) == 0) {
			husk_gen_str(g, p->v[j].value != NULL ? p->v[j].value : "");
		}
	}
	yajl_gen_array_close(g);
}

static bool seen_before(const husk_policy_t *p, size_t i)
{
	for (size_t j = 0; j < i; j++) {
		if (strcmp(p->v[j].name, p->v[i].name) == 0) {
			return true;
		}
	}
	return false;
}

static void gen_plan(yajl_gen g, const husk_sandbox_plan_t *plan)
{
	husk_gen_str(g, "plan");
	yajl_gen_map_open(g);
	husk_gen_str(g, "limits");
	yajl_gen_map_open(g);
	for (size_t i = 0; i < plan->n_limits; i++) {
		husk_gen_str(g, plan->limits[i].name);
		yajl_gen_map_open(g);
		husk_gen_kv_str(g, "value", plan->limits[i].value);
		husk_gen_kv_str(g, "mechanism", plan->limits[i].mechanism);
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
	husk_gen_kv_int(g, "uid", plan->uid);
	husk_gen_kv_int(g, "gid", plan->gid);
	husk_gen_kv_bool(g, "user_namespace", plan->userns);
	husk_gen_kv_int(g, "host_uid", plan->host_uid);
	husk_gen_kv_int(g, "host_gid", plan->host_gid);
	husk_gen_str(g, "cgroup_parent");
	if (plan->cgroup != NULL) {
		husk_gen_str(g, plan->cgroup);
	} else {
		yajl_gen_null(g);
	}
	yajl_gen_map_close(g);
}

char *husk_policy_json(const husk_policy_t *p, const husk_sandbox_plan_t *plan)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	char *out;

	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_map_open(g);
	for (size_t i = 0; i < p->n; i++) {
		const husk_policy_opt_t *o = &p->v[i];

		if (o->repeat) {
			if (!seen_before(p, i)) {
				gen_repeated(g, p, i);
			}
		} else if (o->value == NULL) {
			husk_gen_kv_bool(g, o->name, true);
		} else {
			husk_gen_kv_str(g, o->name, o->value);
		}
	}
	if (p->command != NULL) {
		husk_gen_kv_strv(g, "command", (const char *const *) p->command);
	}
	if (plan != NULL) {
		gen_plan(g, plan);
	}
	yajl_gen_map_close(g);
	out = husk_gen_take(g, NULL);
	yajl_gen_free(g);
	return out;
}
