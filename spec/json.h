/* husk spec: the JSON walker behind config.json and state.json (spec-private).
 *
 * A document is parsed with yajl's tree API, then walked with field tables:
 * each C struct that mirrors a JSON object has a table of {key, kind, offset},
 * and one generic walker fills it, keeping the JSON path of the value it is
 * looking at so that every error names it:
 *
 *   config.json: linux.resources.memory.limit: expected an integer, got string "1G"
 *
 * JSON null is taken as "absent" for optional fields, as Go's decoder (and so
 * every engine's expectations) does.  Unknown keys are ignored with a warning.
 */
#ifndef HUSK_SPEC_JSON_H
#define HUSK_SPEC_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "util/error.h"

/* A document nested deeper than this is refused before yajl sees it: yajl
 * frees its tree recursively, and no OCI document needs more than ~8 levels. */
#define HUSK_JSON_MAX_DEPTH 64

typedef struct husk_walk_s {
	const char *file; /* "config.json", prefixed to every message */
	char *path;       /* "linux.resources.memory.limit" */
	size_t len, cap;
	husk_error_t *err;
	unsigned warned; /* unknown keys reported so far */
} husk_walk_t;

/* Unknown keys reported by name before the rest are only counted. */
#define HUSK_JSON_MAX_WARNINGS 16

/* Parse JSON[0..LEN) into a tree.  Refuses NUL bytes and excessive nesting. */
yajl_val husk_json_tree(husk_walk_t *w, const char *json, size_t len);

void husk_walk_init(husk_walk_t *w, const char *file, husk_error_t *err);
void husk_walk_fini(husk_walk_t *w);
/* Extend the path; each returns the old length for husk_walk_pop(). */
size_t husk_walk_push_key(husk_walk_t *w, const char *key);
size_t husk_walk_push_index(husk_walk_t *w, size_t i);
size_t husk_walk_push_map_key(husk_walk_t *w, const char *key);
void husk_walk_pop(husk_walk_t *w, size_t old);
/* Fail with "<file>: <path>: <message>".  Returns -1. */
int husk_walk_fail(husk_walk_t *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Fail about the child KEY of the current path. */
int husk_walk_fail_key(husk_walk_t *w, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Fail about element I of the current array. */
int husk_walk_fail_index(husk_walk_t *w, size_t i, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "expected an object, got array" for V. */
int husk_walk_type_error(husk_walk_t *w, const char *expected, yajl_val v);
/* Quote S for a message, escaped and cut to a readable length. */
void husk_json_quote(const char *s, char *buf, size_t len);

typedef struct husk_kind_s husk_kind_t;
struct husk_kind_s {
	/* Fill DST from V (never NULL, never JSON null). */
	int (*parse)(husk_walk_t *w, yajl_val v, void *dst, const husk_kind_t *k);
	/* Release what parse stored in DST; NULL when there is nothing. */
	void (*free)(void *dst, const husk_kind_t *k);
	const void *arg;
};

#define HUSK_NO_HAS ((size_t) -1)

typedef struct husk_field_s {
	const char *key;
	const husk_kind_t *kind;
	size_t off;
	size_t has_off; /* a `bool has_x` set when the key is present, or HUSK_NO_HAS */
	bool required;
} husk_field_t;

/* A C struct mirroring a JSON object. */
typedef struct husk_obj_type_s {
	size_t size;
	const husk_field_t *fields;
	size_t n_fields;
	/* Checks across fields, run with the path at the object; may be NULL. */
	int (*check)(husk_walk_t *w, void *obj);
} husk_obj_type_t;

/* Names for an enumeration, indexed by its C value. */
typedef struct husk_names_s {
	const char *what; /* "namespace type", for "unknown namespace type \"x\"" */
	const char *const *v;
	size_t n;
} husk_names_t;

/* The element type every HUSK_VEC() shares. */
struct husk_vec_any_s {
	void *v;
	size_t n;
};

#define HUSK_FIELD_AT(k, kd, type, member, has, req)            \
	{                                                       \
		(k), (kd), offsetof(type, member), (has), (req) \
	}
#define HUSK_FIELD(k, kd, type, member)     HUSK_FIELD_AT(k, kd, type, member, HUSK_NO_HAS, false)
#define HUSK_FIELD_REQ(k, kd, type, member) HUSK_FIELD_AT(k, kd, type, member, HUSK_NO_HAS, true)
#define HUSK_FIELD_OPT(k, kd, type, member) \
	HUSK_FIELD_AT(k, kd, type, member, offsetof(type, has_##member), false)
#define HUSK_FIELD_OPT_REQ(k, kd, type, member) \
	HUSK_FIELD_AT(k, kd, type, member, offsetof(type, has_##member), true)
#define HUSK_N(a) (sizeof(a) / sizeof((a)[0]))
#define HUSK_OBJ_TYPE(type, fields, check)                      \
	{                                                       \
		sizeof(type), (fields), HUSK_N(fields), (check) \
	}

/* Scalar kinds. */
extern const husk_kind_t husk_kind_string;  /* char * */
extern const husk_kind_t husk_kind_bool;    /* bool */
extern const husk_kind_t husk_kind_i64;     /* int64_t */
extern const husk_kind_t husk_kind_u64;     /* uint64_t */
extern const husk_kind_t husk_kind_i32;     /* int32_t */
extern const husk_kind_t husk_kind_u32;     /* uint32_t */
extern const husk_kind_t husk_kind_u16;     /* uint16_t */
extern const husk_kind_t husk_kind_strv;    /* char **, NULL-terminated */
extern const husk_kind_t husk_kind_u32v;    /* husk_u32s_t */
extern const husk_kind_t husk_kind_strmap;  /* husk_kvs_t */
extern const husk_kind_t husk_kind_object;  /* bool: an object was given */
extern const husk_kind_t husk_kind_ignored; /* any value, stored nowhere */

/* Compound kinds, built with a type or a names table as their argument. */
int husk_kind_parse_obj_ptr(husk_walk_t *w, yajl_val v, void *dst, const husk_kind_t *k);
void husk_kind_free_obj_ptr(void *dst, const husk_kind_t *k);
int husk_kind_parse_obj_vec(husk_walk_t *w, yajl_val v, void *dst, const husk_kind_t *k);
void husk_kind_free_obj_vec(void *dst, const husk_kind_t *k);
int husk_kind_parse_obj_map(husk_walk_t *w, yajl_val v, void *dst, const husk_kind_t *k);
int husk_kind_parse_enum(husk_walk_t *w, yajl_val v, void *dst, const husk_kind_t *k);
int husk_kind_parse_enum_strv(husk_walk_t *w, yajl_val v, void *dst, const husk_kind_t *k);
void husk_kind_free_strv(void *dst, const husk_kind_t *k);

/* A pointer to a struct of TYPE (NULL when absent). */
#define HUSK_KIND_OBJ(type)                                              \
	{                                                                \
		husk_kind_parse_obj_ptr, husk_kind_free_obj_ptr, &(type) \
	}
/* An array of TYPE: HUSK_VEC(T). */
#define HUSK_KIND_VEC(type)                                              \
	{                                                                \
		husk_kind_parse_obj_vec, husk_kind_free_obj_vec, &(type) \
	}
/* An object of TYPE values keyed by name: HUSK_VEC(T), T starting with `char *name`. */
#define HUSK_KIND_MAP(type)                                              \
	{                                                                \
		husk_kind_parse_obj_map, husk_kind_free_obj_vec, &(type) \
	}
/* A string naming one entry of NAMES: an int. */
#define HUSK_KIND_ENUM(names)                        \
	{                                            \
		husk_kind_parse_enum, NULL, &(names) \
	}
/* An array of strings each naming an entry of NAMES: char **. */
#define HUSK_KIND_ENUM_STRV(names)                                       \
	{                                                                \
		husk_kind_parse_enum_strv, husk_kind_free_strv, &(names) \
	}

/* Walk object V into OBJ with TYPE's fields (the path is at V). */
int husk_walk_object(husk_walk_t *w, yajl_val v, const husk_obj_type_t *type, void *obj);
/* Free what TYPE's fields own inside OBJ (not OBJ itself). */
void husk_obj_free_fields(const husk_obj_type_t *type, void *obj);

/* Index of S in NAMES, or -1. */
int husk_names_find(const husk_names_t *names, const char *s);

/* yajl_gen helpers for writers. */
void husk_gen_str(yajl_gen g, const char *s);
void husk_gen_kv_str(yajl_gen g, const char *key, const char *s);
void husk_gen_kv_int(yajl_gen g, const char *key, long long n);
void husk_gen_kv_bool(yajl_gen g, const char *key, bool b);
void husk_gen_kv_strv(yajl_gen g, const char *key, const char *const *v);
/* The generated text, owned by the caller, with a final newline. */
char *husk_gen_take(yajl_gen g, size_t *len);

#endif
