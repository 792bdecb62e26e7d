/* husk spec: parse config.json (or one of its parts: a process, resources)
 * into husk_config_t by walking the field tables of spec/'s files, then
 * validate it; load it from a bundle; free it. */
#include "spec/config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec/config-internal.h"
#include "util/cleanup.h"
#include "util/open.h"
#include "util/xalloc.h"

static const husk_field_t root_fields[] = {
	HUSK_FIELD_REQ("path", &husk_kind_string, husk_root_t, path),
	HUSK_FIELD("readonly", &husk_kind_bool, husk_root_t, readonly),
};

static int check_root(husk_walk_t *w, void *obj)
{
	if (((husk_root_t *) obj)->path[0] == '\0') {
		return husk_walk_fail_key(w, "path", "must not be empty");
	}
	return 0;
}

static const husk_obj_type_t root_type = HUSK_OBJ_TYPE(husk_root_t, root_fields, check_root);
static const husk_kind_t kind_root = HUSK_KIND_OBJ(root_type);

static const husk_field_t config_fields[] = {
	HUSK_FIELD_REQ("ociVersion", &husk_kind_string, husk_config_t, oci_version),
	HUSK_FIELD_REQ("root", &kind_root, husk_config_t, root),
	HUSK_FIELD("mounts", &husk_kind_mounts, husk_config_t, mounts),
	HUSK_FIELD("process", &husk_kind_process, husk_config_t, process),
	HUSK_FIELD("hostname", &husk_kind_string, husk_config_t, hostname),
	HUSK_FIELD("domainname", &husk_kind_string, husk_config_t, domainname),
	HUSK_FIELD("hooks", &husk_kind_hooks, husk_config_t, hooks),
	HUSK_FIELD("annotations", &husk_kind_strmap, husk_config_t, annotations),
	HUSK_FIELD("linux", &husk_kind_linux, husk_config_t, linux_),
	HUSK_FIELD("windows", &husk_kind_object, husk_config_t, has_windows),
	HUSK_FIELD("solaris", &husk_kind_object, husk_config_t, has_solaris),
	HUSK_FIELD("vm", &husk_kind_object, husk_config_t, has_vm),
	HUSK_FIELD("zos", &husk_kind_object, husk_config_t, has_zos),
};

static const husk_obj_type_t config_type = HUSK_OBJ_TYPE(husk_config_t, config_fields, NULL);

void husk_config_free(husk_config_t *cfg)
{
	if (cfg != NULL) {
		husk_obj_free_fields(&config_type, cfg);
		free(cfg);
	}
}

void husk_config_freep(husk_config_t **cfg)
{
	husk_config_free(*cfg);
	*cfg = NULL;
}

husk_config_t *husk_config_parse(const char *json, size_t len, husk_error_t *err)
{
	_cleanup_config_ husk_config_t *cfg = NULL;
	husk_walk_t w;
	yajl_val tree;
	int r;

	husk_walk_init(&w, "config.json", err);
	if (len > HUSK_CONFIG_MAX_SIZE) {
		husk_walk_fail(&w, "%zu bytes is larger than the limit of %u", len,
			       HUSK_CONFIG_MAX_SIZE);
		husk_walk_fini(&w);
		return NULL;
	}
	tree = husk_json_tree(&w, json, len);
	if (tree != NULL) {
		cfg = xmalloc0(sizeof(*cfg));
		r = husk_walk_object(&w, tree, &config_type, cfg);
		if (r == 0) {
			r = husk_config_validate(&w, cfg);
		}
		yajl_tree_free(tree);
		if (r < 0) {
			husk_config_free(TAKE_PTR(cfg));
		}
	}
	husk_walk_fini(&w);
	return TAKE_PTR(cfg);
}

/* Read at most HUSK_CONFIG_MAX_SIZE + 1 bytes: one more says "too large"
 * without trusting st_size (a file may grow while we read). */
static char *read_capped(int fd, size_t *len, husk_error_t *err)
{
	size_t cap = HUSK_CONFIG_MAX_SIZE + 1, n = 0;
	_cleanup_free_ char *buf = xmalloc(cap);

	while (n < cap) {
		ssize_t r = read(fd, buf + n, cap - n);

		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			husk_error_errno(err, "read `config.json`");
			return NULL;
		}
		if (r == 0) {
			break;
		}
		n += (size_t) r;
	}
	*len = n;
	return TAKE_PTR(buf);
}

husk_config_t *husk_config_load_at(int bundle_dirfd, husk_error_t *err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t len = 0;

	/* O_NONBLOCK: a fifo planted as config.json must not hang us. */
	fd = openat(bundle_dirfd, "config.json", HUSK_O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		husk_error_errno(err, "open `config.json`");
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		husk_error_errno(err, "stat `config.json`");
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		husk_error_make(err, 0, "config.json: not a regular file");
		return NULL;
	}
	if (st.st_size > (off_t) HUSK_CONFIG_MAX_SIZE) {
		husk_error_make(err, 0, "config.json: %lld bytes is larger than the limit of %u",
				(long long) st.st_size, HUSK_CONFIG_MAX_SIZE);
		return NULL;
	}
	buf = read_capped(fd, &len, err);
	if (buf == NULL) {
		return NULL;
	}
	return husk_config_parse(buf, len, err);
}

/* One section of a config on its own (update -r, exec -p): KIND parsed into
 * *OUT with the checks of a whole config, errors prefixed with WHAT. */
static void *parse_part(const char *json, size_t len, const char *what, const husk_kind_t *kind,
			husk_error_t *err)
{
	void *out = NULL;
	husk_walk_t w;
	yajl_val tree;

	husk_walk_init(&w, what, err);
	if (len > HUSK_CONFIG_MAX_SIZE) {
		husk_walk_fail(&w, "%zu bytes is larger than the limit of %u", len,
			       HUSK_CONFIG_MAX_SIZE);
		husk_walk_fini(&w);
		return NULL;
	}
	tree = husk_json_tree(&w, json, len);
	if (tree != NULL) {
		if (YAJL_IS_NULL(tree)) {
			husk_walk_fail(&w, "expected an object, got null");
		} else if (kind->parse(&w, tree, &out, kind) < 0 && out != NULL) {
			kind->free(&out, kind);
			out = NULL;
		}
		yajl_tree_free(tree);
	}
	husk_walk_fini(&w);
	return out;
}

husk_resources_t *husk_resources_parse(const char *json, size_t len, const char *what,
				       husk_error_t *err)
{
	return parse_part(json, len, what, &husk_kind_resources, err);
}

void husk_resources_free(husk_resources_t *r)
{
	if (r != NULL) {
		husk_kind_resources.free(&r, &husk_kind_resources);
	}
}

husk_process_t *husk_process_parse(const char *json, size_t len, const char *what,
				   husk_error_t *err)
{
	return parse_part(json, len, what, &husk_kind_process, err);
}

void husk_process_free(husk_process_t *p)
{
	if (p != NULL) {
		husk_kind_process.free(&p, &husk_kind_process);
	}
}
