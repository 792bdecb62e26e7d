/* husk spec: the Landlock policy of the annotation husk.landlock
 * (spec/landlock.h). */
#include "spec/landlock.h"

#include <stdio.h>
#include <string.h>

#include "spec/json.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

static const char *const mode_names[] = {
	[HUSK_LANDLOCK_OFF] = "off",
	[HUSK_LANDLOCK_AUTO] = "auto",
	[HUSK_LANDLOCK_STRICT] = "strict",
};

const char *husk_landlock_mode_name(int mode)
{
	return mode >= 0 && (size_t) mode < HUSK_N(mode_names) ? mode_names[mode] : NULL;
}

static int mode_of(const char *s)
{
	for (size_t i = 0; i < HUSK_N(mode_names); i++) {
		if (strcmp(s, mode_names[i]) == 0) {
			return (int) i;
		}
	}
	return -1;
}

static int parse_mode(husk_walk_t *w, yajl_val v, husk_landlock_policy_t *p)
{
	char q[200];

	if (!YAJL_IS_STRING(v)) {
		return husk_walk_type_error(w, "a string", v);
	}
	p->mode = mode_of(YAJL_GET_STRING(v));
	if (p->mode < 0) {
		husk_json_quote(YAJL_GET_STRING(v), q, sizeof(q));
		return husk_walk_fail(w, "expected \"auto\", \"strict\" or \"off\", got %s", q);
	}
	return 0;
}

static int parse_ports(husk_walk_t *w, yajl_val v, husk_landlock_ports_t *ports)
{
	if (!YAJL_IS_ARRAY(v)) {
		return husk_walk_type_error(w, "an array of ports", v);
	}
	if (YAJL_GET_ARRAY(v)->len > HUSK_LANDLOCK_MAX_PORTS) {
		return husk_walk_fail(w, "%zu ports, more than the %d allowed",
				      YAJL_GET_ARRAY(v)->len, HUSK_LANDLOCK_MAX_PORTS);
	}
	ports->set = true;
	ports->n = 0;
	for (size_t i = 0; i < YAJL_GET_ARRAY(v)->len; i++) {
		yajl_val e = YAJL_GET_ARRAY(v)->values[i];

		if (!YAJL_IS_INTEGER(e) || YAJL_GET_INTEGER(e) < 1 ||
		    YAJL_GET_INTEGER(e) > UINT16_MAX) {
			return husk_walk_fail_index(w, i, "expected a TCP port, 1 to 65535");
		}
		ports->v[ports->n++] = (uint16_t) YAJL_GET_INTEGER(e);
	}
	return 0;
}

static int parse_key(husk_walk_t *w, const char *key, yajl_val v, husk_landlock_policy_t *p)
{
	if (strcmp(key, "mode") == 0) {
		return parse_mode(w, v, p);
	}
	if (strcmp(key, "tcpBind") == 0) {
		return parse_ports(w, v, &p->tcp_bind);
	}
	if (strcmp(key, "tcpConnect") == 0) {
		return parse_ports(w, v, &p->tcp_connect);
	}
	if (strcmp(key, "scoped") == 0) {
		if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v)) {
			return husk_walk_type_error(w, "a boolean", v);
		}
		p->unscoped = YAJL_IS_FALSE(v);
		return 0;
	}
	/* A security policy does not ignore what it cannot read. */
	return husk_walk_fail(w, "unknown key: expected mode, tcpBind, tcpConnect or scoped");
}

/* The object form; its "mode" defaults to auto. */
static int parse_object(husk_walk_t *w, const char *value, husk_landlock_policy_t *p)
{
	yajl_val tree = husk_json_tree(w, value, strlen(value));
	int r = 0;

	if (tree == NULL) {
		return -1;
	}
	if (!YAJL_IS_OBJECT(tree)) {
		r = husk_walk_type_error(w, "an object", tree);
	}
	p->mode = HUSK_LANDLOCK_AUTO;
	for (size_t i = 0; r == 0 && i < YAJL_GET_OBJECT(tree)->len; i++) {
		const char *key = YAJL_GET_OBJECT(tree)->keys[i];
		size_t old = husk_walk_push_key(w, key);

		r = parse_key(w, key, YAJL_GET_OBJECT(tree)->values[i], p);
		husk_walk_pop(w, old);
	}
	yajl_tree_free(tree);
	return r;
}

int husk_landlock_policy_parse(const char *value, const char *what, husk_landlock_policy_t *p,
			       husk_error_t *err)
{
	husk_walk_t w;
	char q[200];
	int r = 0;

	*p = (husk_landlock_policy_t){ .mode = HUSK_LANDLOCK_OFF };
	husk_walk_init(&w, what, err);
	if (value[strspn(value, " \t\n")] == '{') {
		r = parse_object(&w, value, p);
	} else if (value[0] != '\0') {
		p->mode = mode_of(value);
		if (p->mode < 0) {
			husk_json_quote(value, q, sizeof(q));
			r = husk_walk_fail(&w,
					   "expected \"auto\", \"strict\", \"off\" or a JSON "
					   "object, got %s",
					   q);
		}
	}
	husk_walk_fini(&w);
	return r;
}

int husk_config_landlock(const husk_config_t *cfg, husk_landlock_policy_t *p, husk_error_t *err)
{
	const char *value = husk_kvs_get(&cfg->annotations, HUSK_LANDLOCK_ANNOTATION);

	if (value == NULL) {
		*p = (husk_landlock_policy_t){ .mode = HUSK_LANDLOCK_OFF };
		return 0;
	}
	return husk_landlock_policy_parse(value, "config.json: annotations[\"husk.landlock\"]", p,
					  err);
}

static void gen_ports(yajl_gen g, const char *key, const husk_landlock_ports_t *ports)
{
	if (!ports->set) {
		return;
	}
	husk_gen_str(g, key);
	yajl_gen_array_open(g);
	for (size_t i = 0; i < ports->n; i++) {
		yajl_gen_integer(g, ports->v[i]);
	}
	yajl_gen_array_close(g);
}

char *husk_landlock_policy_text(const husk_landlock_policy_t *p)
{
	yajl_gen g;
	char *out;
	size_t len;

	if (!p->tcp_bind.set && !p->tcp_connect.set && !p->unscoped) {
		return xstrdup(husk_landlock_mode_name(p->mode));
	}
	g = yajl_gen_alloc(NULL);
	yajl_gen_map_open(g);
	husk_gen_kv_str(g, "mode", husk_landlock_mode_name(p->mode));
	gen_ports(g, "tcpBind", &p->tcp_bind);
	gen_ports(g, "tcpConnect", &p->tcp_connect);
	if (p->unscoped) {
		husk_gen_kv_bool(g, "scoped", false);
	}
	yajl_gen_map_close(g);
	out = husk_gen_take(g, &len);
	yajl_gen_free(g);
	/* One line: the newline is for files, not for an annotation. */
	if (len > 0 && out[len - 1] == '\n') {
		out[len - 1] = '\0';
	}
	return out;
}
