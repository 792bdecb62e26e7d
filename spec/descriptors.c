/* husk spec: descriptors.json (see descriptors.h). */
#include "spec/descriptors.h"

#include <stdlib.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "spec/json.h"
#include "util/xalloc.h"

char *husk_descriptors_to_json(char *const *v, size_t n)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	char *out;

	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		husk_gen_str(g, v[i]);
	}
	yajl_gen_array_close(g);
	out = husk_gen_take(g, NULL);
	yajl_gen_free(g);
	return out;
}

char **husk_descriptors_parse(const char *json, size_t len, husk_error_t *err)
{
	husk_walk_t w;
	yajl_val root;
	char **out = NULL;

	husk_walk_init(&w, HUSK_DESCRIPTORS_FILE, err);
	root = husk_json_tree(&w, json, len);
	if (root == NULL) {
		goto out;
	}
	if (!YAJL_IS_ARRAY(root)) {
		husk_walk_type_error(&w, "an array", root);
		goto out;
	}
	out = xcalloc(root->u.array.len + 1, sizeof(*out));
	for (size_t i = 0; i < root->u.array.len; i++) {
		yajl_val s = root->u.array.values[i];

		if (!YAJL_IS_STRING(s)) {
			husk_walk_fail_index(&w, i, "expected a string");
			for (size_t j = 0; j < i; j++) {
				free(out[j]);
			}
			free(out);
			out = NULL;
			goto out;
		}
		out[i] = xstrdup(YAJL_GET_STRING(s));
	}
out:
	yajl_tree_free(root);
	husk_walk_fini(&w);
	return out;
}
