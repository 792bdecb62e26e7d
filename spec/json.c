/* husk spec: the JSON walker behind config.json and state.json. */
#include "spec/json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/config.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/xalloc.h"

/* ---- the path ---- */

void husk_walk_init(husk_walk_t *w, const char *file, husk_error_t *err)
{
	w->file = file;
	w->cap = 128;
	w->path = xmalloc(w->cap);
	w->path[0] = '\0';
	w->len = 0;
	w->err = err;
	w->warned = 0;
}

static void walk_append(husk_walk_t *w, const char *s, size_t n)
{
	if (w->len + n + 1 > w->cap) {
		w->cap = (w->len + n + 1) * 2;
		w->path = xrealloc(w->path, w->cap);
	}
	memcpy(w->path + w->len, s, n);
	w->len += n;
	w->path[w->len] = '\0';
}

size_t husk_walk_push_key(husk_walk_t *w, const char *key)
{
	size_t old = w->len;

	if (w->len > 0) {
		walk_append(w, ".", 1);
	}
	walk_append(w, key, strlen(key));
	return old;
}

size_t husk_walk_push_index(husk_walk_t *w, size_t i)
{
	size_t old = w->len;
	char buf[32];

	snprintf(buf, sizeof(buf), "[%zu]", i);
	walk_append(w, buf, strlen(buf));
	return old;
}

size_t husk_walk_push_map_key(husk_walk_t *w, const char *key)
{
	size_t old = w->len;
	char buf[160];

	husk_json_quote(key, buf, sizeof(buf));
	walk_append(w, "[", 1);
	walk_append(w, buf, strlen(buf));
	walk_append(w, "]", 1);
	return old;
}

void husk_walk_pop(husk_walk_t *w, size_t old)
{
	w->len = old;
	w->path[old] = '\0';
}

static int __attribute__((format(printf, 2, 0)))
walk_vfail(husk_walk_t *w, const char *fmt, va_list ap)
{
	_cleanup_free_ char *msg = NULL;

	if (vasprintf(&msg, fmt, ap) < 0) {
		abort();
	}
	if (w->len == 0) {
		return husk_error_make(w->err, 0, "%s: %s", w->file, msg);
	}
	return husk_error_make(w->err, 0, "%s: %s: %s", w->file, w->path, msg);
}

int husk_walk_fail(husk_walk_t *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	walk_vfail(w, fmt, ap);
	va_end(ap);
	return -1;
}

int husk_walk_fail_key(husk_walk_t *w, const char *key, const char *fmt, ...)
{
	size_t old = husk_walk_push_key(w, key);
	va_list ap;

	va_start(ap, fmt);
	walk_vfail(w, fmt, ap);
	va_end(ap);
	husk_walk_pop(w, old);
	return -1;
}

int husk_walk_fail_index(husk_walk_t *w, size_t i, const char *fmt, ...)
{
	size_t old = husk_walk_push_index(w, i);
	va_list ap;

	va_start(ap, fmt);
	walk_vfail(w, fmt, ap);
	va_end(ap);
	husk_walk_pop(w, old);
	return -1;
}

/* ---- describing values ---- */

void husk_json_quote(const char *s, char *buf, size_t len)
{
	enum { SHOWN = 64 };
	char cut[SHOWN + 1];
	size_t n = strlen(s);
	char esc[SHOWN * 6 + 1];

	memcpy(cut, s, n > SHOWN ? SHOWN : n);
	cut[n > SHOWN ? SHOWN : n] = '\0';
	husk_json_escape(cut, esc, sizeof(esc));
	snprintf(buf, len, "\"%s\"%s", esc, n > SHOWN ? "..." : "");
}

/* Render a value for a message: `string "1G"`, `number 1.5`, `null`... */
static void json_describe(yajl_val v, char *buf, size_t len)
{
	char q[512];

	if (v == NULL || YAJL_IS_NULL(v)) {
		snprintf(buf, len, "null");
	} else if (YAJL_IS_STRING(v)) {
		husk_json_quote(v->u.string, q, sizeof(q));
		snprintf(buf, len, "string %s", q);
	} else if (YAJL_IS_NUMBER(v)) {
		snprintf(buf, len, "number %.64s", v->u.number.r);
	} else if (YAJL_IS_TRUE(v)) {
		snprintf(buf, len, "boolean true");
	} else if (YAJL_IS_FALSE(v)) {
		snprintf(buf, len, "boolean false");
	} else if (YAJL_IS_OBJECT(v)) {
		snprintf(buf, len, "object");
	} else {
		snprintf(buf, len, "array");
	}
}

int husk_walk_type_error(husk_walk_t *w, const char *expected, yajl_val v)
{
	char got[600];

	json_describe(v, got, sizeof(got));
	return husk_walk_fail(w, "expected %s, got %s", expected, got);
}

/* ---- the tree ---- */

/* Refuse deep nesting before yajl builds (and later recursively frees) it. */
/* Where the comment starting at JSON[I] ends (yajl_tree_parse() accepts
 * comments), or I itself when none starts there. */
static size_t skip_comment(const char *json, size_t len, size_t i)
{
	const char *end;

	if (i + 1 >= len || json[i] != '/') {
		return i;
	}
	if (json[i + 1] == '/') {
		end = memchr(json + i, '\n', len - i);
		return end != NULL ? (size_t) (end - json) : len;
	}
	if (json[i + 1] == '*') {
		end = memmem(json + i + 2, len - i - 2, "*/", 2);
		return end != NULL ? (size_t) (end - json) + 1 : len;
	}
	return i;
}

static bool too_deep(const char *json, size_t len)
{
	bool in_string = false;
	int depth = 0;

	for (size_t i = 0; i < len; i++) {
		char c = json[i];

		if (in_string) {
			if (c == '\\') {
				i++;
			} else if (c == '"') {
				in_string = false;
			}
		} else if (c == '"') {
			in_string = true;
		} else if (c == '/') {
			i = skip_comment(json, len, i);
		} else if (c == '{' || c == '[') {
			if (++depth > HUSK_JSON_MAX_DEPTH) {
				return true;
			}
		} else if ((c == '}' || c == ']') && depth > 0) {
			depth--;
		}
	}
	return false;
}

yajl_val husk_json_tree(husk_walk_t *w, const char *json, size_t len)
{
	_cleanup_free_ char *copy = NULL;
	char ebuf[256];
	yajl_val v;

	if (memchr(json, '\0', len) != NULL) {
		husk_walk_fail(w, "invalid JSON: NUL byte in the text");
		return NULL;
	}
	if (too_deep(json, len)) {
		husk_walk_fail(w, "invalid JSON: nested deeper than %d levels",
			       HUSK_JSON_MAX_DEPTH);
		return NULL;
	}
	copy = xstrndup(json, len);
	ebuf[0] = '\0';
	v = yajl_tree_parse(copy, ebuf, sizeof(ebuf));
	if (v == NULL) {
		/* yajl's message runs over several lines, pointing at the spot. */
		ebuf[strcspn(ebuf, "\n")] = '\0';
		husk_walk_fail(w, "invalid JSON: %s", ebuf[0] ? ebuf : "parse error");
	}
	return v;
}

/* ---- scalar kinds ---- */

static int parse_string(husk_walk_t *w, yajl_val v, void *dst, const husk_kind_t *k)
{
	if (!YAJL_IS_STRING(v)) {
		return husk_walk_type_error(w, "a string", v);
	}
	*(char **) dst = xstrdup(v->u.string);
	return 0;
}

static void free_ptr(void *dst, const husk_kind_t *k)
{
	free(*(void **) dst);
	*(void **) dst = NULL;
}

const husk_kind_t husk_kind_string = { parse_string, free_ptr, NULL };

static int parse_bool(husk_walk_t *w, yajl_val v, void *dst, const husk_kind_t *k)
{
	if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v)) {
		return husk_walk_type_error(w, "a boolean", v);
	}
	*(bool *) dst = YAJL_IS_TRUE(v);
	return 0;
}

const husk_kind_t husk_kind_bool = { parse_bool, NULL, NULL };

/* The number's own text decides: "1.0" and "1e3" are not integers. */
static int integer_text(husk_walk_t *w, yajl_val v, const char **text)
{
	if (!YAJL_IS_NUMBER(v) || strpbrk(v->u.number.r, ".eE") != NULL) {
		return husk_walk_type_error(w, "an integer", v);
	}
	*text = v->u.number.r;
	return 0;
}

static int parse_signed(husk_walk_t *w, yajl_val v, int64_t lo, int64_t hi, int64_t *out)
{
	const char *text = NULL;
	char *end;
	long long n;

	if (integer_text(w, v, &text) < 0) {
		return -1;
	}
	errno = 0;
	n = strtoll(text, &end, 10);
	if (errno != 0 || *end != '\0' || n < lo || n > hi) {
		return husk_walk_fail(w, "%.64s is out of range [%" PRId64 ", %" PRId64 "]", text,
				      lo, hi);
	}
	*out = n;
	return 0;
}

static int parse_unsigned(husk_walk_t *w, yajl_val v, uint64_t hi, uint64_t *out)
{
	const char *text = NULL;
	char *end;
	unsigned long long n;

	if (integer_text(w, v, &text) < 0) {
		return -1;
	}
	errno = 0;
	n = strtoull(text, &end, 10);
	if (text[0] == '-' || errno != 0 || *end != '\0' || n > hi) {
		return husk_walk_fail(w, "%.64s is out of range [0, %" PRIu64 "]", text, hi);
	}
	*out = n;
	return 0;
}

static int parse_i64(husk_walk_t *w, yajl_val v, void *dst, const husk_kind_t *k)
{
	return parse_signed(w, v, INT64_MIN, INT64_MAX, dst);
}

static int parse_i32(husk_walk_t *w, yajl_val v, void *dst, const husk_kind_t *k)
{
	int64_t n;

	if (parse_signed(w, v, INT32_MIN, INT32_MAX, &n) < 0) {
		return -1;
	}
	*(int32_t *) dst = (int32_t) n;
	return 0;
}

static int parse_u64(husk_walk_t *w, yajl_val v, void *dst, const husk_kind_t *k)
{
	return parse_unsigned(w, v, UINT64_MAX, dst);
}

static int parse_u32(husk_walk_t *w, yajl_val v, void *dst, const husk_kind_t *k)
{
	uint64_t n;

	if (parse_unsigned(w, v, UINT32_MAX, &n) < 0) {
		return -1;
	}
	*(uint32_t *) dst = (uint32_t) n;
	return 0;
}

static int parse_u16(husk_walk_t *w, yajl_val v, void *dst, const husk_kind_t *k)
{
	uint64_t n;

	if (parse_unsigned(w, v, UINT16_MAX, &n) < 0) {
		return -1;
	}
	*(uint16_t *) dst = (uint16_t) n;
	return 0;
}

const husk_kind_t husk_kind_i64 = { parse_i64, NULL, NULL };
const husk_kind_t husk_kind_i32 = { parse_i32, NULL, NULL };
const husk_kind_t husk_kind_u64 = { parse_u64, NULL, NULL };
const husk_kind_t husk_kind_u32 = { parse_u32, NULL, NULL };
const husk_kind_t husk_kind_u16 = { parse_u16, NULL, NULL };

static int parse_object_any(husk_walk_t *w, yajl_val v, void *dst, const husk_kind_t *k)
{
	if (!YAJL_IS_OBJECT(v)) {
		return husk_walk_type_error(w, "an object", v);
	}
	*(bool *) dst = true;
	return 0;
}

const husk_kind_t husk_kind_object = { parse_object_any, NULL, NULL };

static int parse_ignored(husk_walk_t *w, yajl_val v, void *dst, const husk_kind_t *k)
{
	return 0;
}

const husk_kind_t husk_kind_ignored = { parse_ignored, NULL, NULL };

/* ---- arrays of scalars ---- */

/* Run EACH over the elements of array V with the path at each element. */
static int walk_array(husk_walk_t *w, yajl_val v,
		      int (*each)(husk_walk_t *w, yajl_val e, size_t i, void *ctx), void *ctx)
{
	if (!YAJL_IS_ARRAY(v)) {
		return husk_walk_type_error(w, "an array", v);
	}
	for (size_t i = 0; i < v->u.array.len; i++) {
		size_t old = husk_walk_push_index(w, i);
		int r = each(w, v->u.array.values[i], i, ctx);

		husk_walk_pop(w, old);
		if (r < 0) {
			return -1;
		}
	}
	return 0;
}

static int strv_elem(husk_walk_t *w, yajl_val e, size_t i, void *ctx)
{
	char **v = ctx;

	return parse_string(w, e, &v[i], NULL);
}

void husk_kind_free_strv(void *dst, const husk_kind_t *k)
{
	husk_strv_free(*(char ***) dst);
	*(char ***) dst = NULL;
}

static int parse_strv(husk_walk_t *w, yajl_val v, void *dst, const husk_kind_t *k)
{
	_cleanup_strv_ char **out = NULL;

	if (!YAJL_IS_ARRAY(v)) {
		return husk_walk_type_error(w, "an array", v);
	}
	out = xcalloc(v->u.array.len + 1, sizeof(char *));
	if (walk_array(w, v, strv_elem, out) < 0) {
		return -1;
	}
	*(char ***) dst = TAKE_PTR(out);
	return 0;
}

const husk_kind_t husk_kind_strv = { parse_strv, husk_kind_free_strv, NULL };

static int u32v_elem(husk_walk_t *w, yajl_val e, size_t i, void *ctx)
{
	husk_u32s_t *out = ctx;

	if (parse_u32(w, e, &out->v[i], NULL) < 0) {
		return -1;
	}
	out->n++;
	return 0;
}

static void free_vec(void *dst, const husk_kind_t *k)
{
	struct husk_vec_any_s *vec = dst;

	free(vec->v);
	vec->v = NULL;
	vec->n = 0;
}

static int parse_u32v(husk_walk_t *w, yajl_val v, void *dst, const husk_kind_t *k)
{
	husk_u32s_t *out = dst;

	if (!YAJL_IS_ARRAY(v)) {
		return husk_walk_type_error(w, "an array", v);
	}
	out->v = xcalloc(v->u.array.len + 1, sizeof(uint32_t));
	return walk_array(w, v, u32v_elem, out);
}

const husk_kind_t husk_kind_u32v = { parse_u32v, free_vec, NULL };

/* ---- objects keyed by name ---- */

static int compare_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* Refuse an object that repeats a key.  Sorting keeps a 4 MiB object of
 * distinct keys from costing a quadratic number of comparisons. */
static int check_unique_keys(husk_walk_t *w, yajl_val v)
{
	size_t n = v->u.object.len;
	_cleanup_free_ const char **keys = NULL;
	int r = 0;

	if (n < 2) {
		return 0;
	}
	keys = xcalloc(n, sizeof(char *));
	memcpy(keys, v->u.object.keys, n * sizeof(char *));
	qsort(keys, n, sizeof(char *), compare_keys);
	for (size_t i = 1; i < n && r == 0; i++) {
		if (strcmp(keys[i - 1], keys[i]) == 0) {
			size_t old = husk_walk_push_map_key(w, keys[i]);

			r = husk_walk_fail(w, "duplicate key");
			husk_walk_pop(w, old);
		}
	}
	return r;
}

/* ---- objects of strings ---- */

static void free_strmap(void *dst, const husk_kind_t *k)
{
	husk_kvs_t *kvs = dst;

	for (size_t i = 0; i < kvs->n; i++) {
		free(kvs->v[i].key);
		free(kvs->v[i].value);
	}
	free_vec(dst, k);
}

static int parse_strmap(husk_walk_t *w, yajl_val v, void *dst, const husk_kind_t *k)
{
	husk_kvs_t *kvs = dst;

	if (!YAJL_IS_OBJECT(v)) {
		return husk_walk_type_error(w, "an object", v);
	}
	if (check_unique_keys(w, v) < 0) {
		return -1;
	}
	kvs->v = xcalloc(v->u.object.len + 1, sizeof(husk_kv_t));
	for (size_t i = 0; i < v->u.object.len; i++) {
		const char *key = v->u.object.keys[i];
		size_t old = husk_walk_push_map_key(w, key);
		char *value = NULL;

		if (parse_string(w, v->u.object.values[i], &value, NULL) == 0) {
			kvs->v[kvs->n].key = xstrdup(key);
			kvs->v[kvs->n++].value = value;
		}
		husk_walk_pop(w, old);
		if (value == NULL) {
			return -1;
		}
	}
	return 0;
}

const husk_kind_t husk_kind_strmap = { parse_strmap, free_strmap, NULL };

/* ---- enumerations ---- */

int husk_names_find(const husk_names_t *names, const char *s)
{
	for (size_t i = 0; i < names->n; i++) {
		if (names->v[i] != NULL && strcmp(names->v[i], s) == 0) {
			return (int) i;
		}
	}
	return -1;
}

static int enum_value(husk_walk_t *w, yajl_val v, const husk_names_t *names, int *out)
{
	char q[200];

	if (!YAJL_IS_STRING(v)) {
		return husk_walk_type_error(w, "a string", v);
	}
	*out = husk_names_find(names, v->u.string);
	if (*out < 0) {
		husk_json_quote(v->u.string, q, sizeof(q));
		return husk_walk_fail(w, "unknown %s %s", names->what, q);
	}
	return 0;
}

int husk_kind_parse_enum(husk_walk_t *w, yajl_val v, void *dst, const husk_kind_t *k)
{
	return enum_value(w, v, k->arg, dst);
}

static int enum_strv_elem(husk_walk_t *w, yajl_val e, size_t i, void *ctx)
{
	const husk_kind_t *k = ((void **) ctx)[0];
	char **out = ((void **) ctx)[1];
	int ignored;

	if (enum_value(w, e, k->arg, &ignored) < 0) {
		return -1;
	}
	out[i] = xstrdup(e->u.string);
	return 0;
}

int husk_kind_parse_enum_strv(husk_walk_t *w, yajl_val v, void *dst, const husk_kind_t *k)
{
	_cleanup_strv_ char **out = NULL;

	if (!YAJL_IS_ARRAY(v)) {
		return husk_walk_type_error(w, "an array", v);
	}
	out = xcalloc(v->u.array.len + 1, sizeof(char *));
	if (walk_array(w, v, enum_strv_elem, (void *[]){ (void *) k, out }) < 0) {
		return -1;
	}
	*(char ***) dst = TAKE_PTR(out);
	return 0;
}

/* ---- objects ---- */

static const husk_field_t *find_field(const husk_obj_type_t *type, const char *key, size_t *idx)
{
	for (size_t i = 0; i < type->n_fields; i++) {
		if (strcmp(type->fields[i].key, key) == 0) {
			*idx = i;
			return &type->fields[i];
		}
	}
	return NULL;
}

static int walk_field(husk_walk_t *w, const husk_field_t *f, yajl_val v, char *obj)
{
	size_t old = husk_walk_push_key(w, f->key);
	int r = f->kind->parse(w, v, obj + f->off, f->kind);

	husk_walk_pop(w, old);
	if (r == 0 && f->has_off != HUSK_NO_HAS) {
		*(bool *) (obj + f->has_off) = true;
	}
	return r;
}

static void warn_unknown(husk_walk_t *w, const char *key)
{
	size_t old;

	if (w->warned++ >= HUSK_JSON_MAX_WARNINGS) {
		return;
	}
	old = husk_walk_push_key(w, key);
	husk_warn("%s: %s: unknown key, ignored", w->file, w->path);
	husk_walk_pop(w, old);
}

void husk_walk_fini(husk_walk_t *w)
{
	if (w->warned > HUSK_JSON_MAX_WARNINGS) {
		husk_warn("%s: %u more unknown keys ignored", w->file,
			  w->warned - HUSK_JSON_MAX_WARNINGS);
	}
	free(w->path);
	w->path = NULL;
}

static int walk_fields(husk_walk_t *w, yajl_val v, const husk_obj_type_t *type, char *obj)
{
	uint64_t seen = 0;

	for (size_t i = 0; i < v->u.object.len; i++) {
		const char *key = v->u.object.keys[i];
		yajl_val value = v->u.object.values[i];
		size_t idx = 0;
		const husk_field_t *f = find_field(type, key, &idx);

		if (f == NULL) {
			warn_unknown(w, key);
			continue;
		}
		if (seen & (UINT64_C(1) << idx)) {
			return husk_walk_fail_key(w, key, "duplicate key");
		}
		seen |= UINT64_C(1) << idx;
		if (YAJL_IS_NULL(value) && !f->required) {
			continue;
		}
		if (walk_field(w, f, value, obj) < 0) {
			return -1;
		}
	}
	for (size_t i = 0; i < type->n_fields; i++) {
		if (type->fields[i].required && !(seen & (UINT64_C(1) << i))) {
			return husk_walk_fail_key(w, type->fields[i].key,
						  "required field is missing");
		}
	}
	return 0;
}

int husk_walk_object(husk_walk_t *w, yajl_val v, const husk_obj_type_t *type, void *obj)
{
	if (!YAJL_IS_OBJECT(v)) {
		return husk_walk_type_error(w, "an object", v);
	}
	if (walk_fields(w, v, type, obj) < 0) {
		return -1;
	}
	return type->check != NULL ? type->check(w, obj) : 0;
}

void husk_obj_free_fields(const husk_obj_type_t *type, void *obj)
{
	for (size_t i = 0; i < type->n_fields; i++) {
		const husk_kind_t *k = type->fields[i].kind;

		if (k->free != NULL) {
			k->free((char *) obj + type->fields[i].off, k);
		}
	}
}

int husk_kind_parse_obj_ptr(husk_walk_t *w, yajl_val v, void *dst, const husk_kind_t *k)
{
	const husk_obj_type_t *type = k->arg;
	void *obj = xmalloc0(type->size);

	/* Store first, so a failure half way is freed with the parent. */
	*(void **) dst = obj;
	return husk_walk_object(w, v, type, obj);
}

void husk_kind_free_obj_ptr(void *dst, const husk_kind_t *k)
{
	void *obj = *(void **) dst;

	if (obj != NULL) {
		husk_obj_free_fields(k->arg, obj);
		free(obj);
		*(void **) dst = NULL;
	}
}

static int obj_vec_elem(husk_walk_t *w, yajl_val e, size_t i, void *ctx)
{
	const husk_obj_type_t *type = ((void **) ctx)[0];
	struct husk_vec_any_s *vec = ((void **) ctx)[1];

	vec->n++;
	return husk_walk_object(w, e, type, (char *) vec->v + i * type->size);
}

int husk_kind_parse_obj_vec(husk_walk_t *w, yajl_val v, void *dst, const husk_kind_t *k)
{
	const husk_obj_type_t *type = k->arg;
	struct husk_vec_any_s *vec = dst;

	if (!YAJL_IS_ARRAY(v)) {
		return husk_walk_type_error(w, "an array", v);
	}
	vec->v = xcalloc(v->u.array.len + 1, type->size);
	return walk_array(w, v, obj_vec_elem, (void *[]){ (void *) type, vec });
}

void husk_kind_free_obj_vec(void *dst, const husk_kind_t *k)
{
	const husk_obj_type_t *type = k->arg;
	struct husk_vec_any_s *vec = dst;

	for (size_t i = 0; i < vec->n; i++) {
		char *obj = (char *) vec->v + i * type->size;

		husk_obj_free_fields(type, obj);
		if (k->parse == husk_kind_parse_obj_map) {
			free(*(char **) obj);
		}
	}
	free_vec(dst, k);
}

int husk_kind_parse_obj_map(husk_walk_t *w, yajl_val v, void *dst, const husk_kind_t *k)
{
	const husk_obj_type_t *type = k->arg;
	struct husk_vec_any_s *vec = dst;

	if (!YAJL_IS_OBJECT(v)) {
		return husk_walk_type_error(w, "an object", v);
	}
	if (check_unique_keys(w, v) < 0) {
		return -1;
	}
	vec->v = xcalloc(v->u.object.len + 1, type->size);
	for (size_t i = 0; i < v->u.object.len; i++) {
		const char *key = v->u.object.keys[i];
		char *obj = (char *) vec->v + i * type->size;
		size_t old = husk_walk_push_map_key(w, key);
		int r;

		/* The key is the struct's first member. */
		*(char **) obj = xstrdup(key);
		vec->n++;
		r = husk_walk_object(w, v->u.object.values[i], type, obj);
		husk_walk_pop(w, old);
		if (r < 0) {
			return -1;
		}
	}
	return 0;
}

/* ---- small helpers for the API ---- */

const char *husk_kvs_get(const husk_kvs_t *kvs, const char *key)
{
	for (size_t i = 0; i < kvs->n; i++) {
		if (strcmp(kvs->v[i].key, key) == 0) {
			return kvs->v[i].value;
		}
	}
	return NULL;
}

/* ---- writing ---- */

void husk_gen_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *) s, strlen(s));
}

void husk_gen_kv_str(yajl_gen g, const char *key, const char *s)
{
	husk_gen_str(g, key);
	husk_gen_str(g, s);
}

void husk_gen_kv_int(yajl_gen g, const char *key, long long n)
{
	husk_gen_str(g, key);
	yajl_gen_integer(g, n);
}

void husk_gen_kv_bool(yajl_gen g, const char *key, bool b)
{
	husk_gen_str(g, key);
	yajl_gen_bool(g, b);
}

void husk_gen_kv_strv(yajl_gen g, const char *key, const char *const *v)
{
	husk_gen_str(g, key);
	yajl_gen_array_open(g);
	for (size_t i = 0; v[i] != NULL; i++) {
		husk_gen_str(g, v[i]);
	}
	yajl_gen_array_close(g);
}

char *husk_gen_take(yajl_gen g, size_t *len)
{
	const unsigned char *buf;
	size_t n;
	char *out;

	yajl_gen_get_buf(g, &buf, &n);
	out = xmalloc(n + 2);
	memcpy(out, buf, n);
	if (n == 0 || buf[n - 1] != '\n') {
		out[n++] = '\n';
	}
	out[n] = '\0';
	if (len != NULL) {
		*len = n;
	}
	return out;
}
