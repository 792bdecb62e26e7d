/* husk spec: state.json. */
#include "spec/state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "spec/json.h"
#include "spec/version.h"
#include "util/cleanup.h"
#include "util/io.h"
#include "util/open.h"
#include "util/xalloc.h"

#define STATE_FILE HUSK_STATE_FILE
#define STATE_MAX  (1u << 20)

static void gen_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *) s, strlen(s));
}

static void gen_kv(yajl_gen g, const char *k, const char *v)
{
	gen_str(g, k);
	if (v != NULL) {
		gen_str(g, v);
	} else {
		yajl_gen_null(g);
	}
}

static void gen_oci(yajl_gen g, const husk_state_t *st, bool internal)
{
	gen_kv(g, "ociVersion", HUSK_OCI_VERSION);
	gen_kv(g, "id", st->id);
	if (!internal) {
		gen_kv(g, "status", st->status != NULL ? st->status : "stopped");
	}
	gen_str(g, "pid");
	yajl_gen_integer(g, st->status != NULL && strcmp(st->status, "stopped") == 0 ? 0 : st->pid);
	if (internal) {
		/* the real pid, whatever the status */
		gen_str(g, "initPid");
		yajl_gen_integer(g, st->pid);
	}
	gen_kv(g, "bundle", st->bundle);
	gen_kv(g, "rootfs", st->rootfs);
	gen_kv(g, "created", st->created);
	gen_kv(g, "owner", st->owner != NULL ? st->owner : "");
	/* Omitted when empty, as runc does (omitempty). */
	if (st->annotations.n > 0) {
		gen_str(g, "annotations");
		yajl_gen_map_open(g);
		for (size_t i = 0; i < st->annotations.n; i++) {
			gen_kv(g, st->annotations.v[i].key, st->annotations.v[i].value);
		}
		yajl_gen_map_close(g);
	}
	if (!internal && st->exit != NULL) {
		gen_str(g, "exitCode");
		yajl_gen_integer(g, st->exit->code);
		if (st->exit->signal != 0) {
			gen_str(g, "exitSignal");
			yajl_gen_integer(g, st->exit->signal);
		}
		gen_kv(g, "exitedAt", st->exit->exited_at);
		gen_str(g, "oomKilled");
		yajl_gen_bool(g, st->exit->oom_killed);
	} else if (!internal && st->exit_unknown) {
		gen_kv(g, "exitStatus", "unknown");
	}
	if (st->output_log != NULL) {
		gen_kv(g, "outputLog", st->output_log);
	}
	if (internal && st->monitor_pid > 0) {
		gen_str(g, "monitorPid");
		yajl_gen_integer(g, st->monitor_pid);
		gen_str(g, "monitorStartTime");
		yajl_gen_integer(g, (long long) st->monitor_start_time);
	}
	if (internal) {
		gen_str(g, "initStartTime");
		yajl_gen_integer(g, (long long) st->init_start_time);
		gen_str(g, "ownPidNamespace");
		yajl_gen_bool(g, st->own_pid_ns);
		if (st->cgroup_manager != NULL) {
			gen_kv(g, "cgroupManager", st->cgroup_manager);
		}
		if (st->cgroup_path != NULL) {
			gen_kv(g, "cgroupPath", st->cgroup_path);
		}
	}
}

static char *finish(yajl_gen g)
{
	const unsigned char *buf;
	size_t len;
	char *out;

	yajl_gen_get_buf(g, &buf, &len);
	out = xstrndup((const char *) buf, len);
	yajl_gen_free(g);
	return out;
}

static yajl_gen new_gen(bool pretty)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	if (g == NULL) {
		abort();
	}
	yajl_gen_config(g, yajl_gen_beautify, pretty ? 1 : 0);
	yajl_gen_config(g, yajl_gen_indent_string, "  ");
	return g;
}

char *husk_state_to_json(const husk_state_t *st)
{
	yajl_gen g = new_gen(true);

	yajl_gen_map_open(g);
	gen_oci(g, st, false);
	yajl_gen_map_close(g);
	return finish(g);
}

char *husk_state_list_to_json(husk_state_t *const *v, size_t n)
{
	yajl_gen g = new_gen(false);

	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		yajl_gen_map_open(g);
		gen_oci(g, v[i], false);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	return finish(g);
}

int husk_state_write_at(int dirfd, const husk_state_t *st, husk_error_t *err)
{
	yajl_gen g = new_gen(false);
	_cleanup_free_ char *json = NULL;

	yajl_gen_map_open(g);
	gen_oci(g, st, true);
	yajl_gen_map_close(g);
	json = finish(g);
	return husk_write_file_at(dirfd, STATE_FILE, json, strlen(json), 0600, st->no_sync, err);
}

static char *get_str(yajl_val root, const char *key)
{
	const char *path[] = { key, NULL };
	yajl_val v = yajl_tree_get(root, path, yajl_t_string);

	return v != NULL ? xstrdup(YAJL_GET_STRING(v)) : NULL;
}

static int get_int(yajl_val root, const char *key, long long *out)
{
	const char *path[] = { key, NULL };
	yajl_val v = yajl_tree_get(root, path, yajl_t_number);

	if (v == NULL || !YAJL_IS_INTEGER(v)) {
		return -1;
	}
	*out = YAJL_GET_INTEGER(v);
	return 0;
}

static void get_annotations(yajl_val root, husk_state_t *st)
{
	const char *path[] = { "annotations", NULL };
	yajl_val v = yajl_tree_get(root, path, yajl_t_object);
	size_t n = v != NULL ? YAJL_GET_OBJECT(v)->len : 0;

	st->annotations.v = n ? xcalloc(n, sizeof(husk_kv_t)) : NULL;
	for (size_t i = 0; i < n; i++) {
		yajl_val val = YAJL_GET_OBJECT(v)->values[i];

		if (!YAJL_IS_STRING(val)) {
			continue;
		}
		st->annotations.v[st->annotations.n].key = xstrdup(YAJL_GET_OBJECT(v)->keys[i]);
		st->annotations.v[st->annotations.n].value = xstrdup(YAJL_GET_STRING(val));
		st->annotations.n++;
	}
}

static husk_state_t *from_tree(yajl_val root, husk_error_t *err)
{
	husk_state_t *st = xmalloc0(sizeof(*st));
	long long pid = 0, start = 0;
	const char *path[] = { "ownPidNamespace", NULL };

	st->id = get_str(root, "id");
	st->bundle = get_str(root, "bundle");
	st->rootfs = get_str(root, "rootfs");
	st->created = get_str(root, "created");
	st->owner = get_str(root, "owner");
	if (st->id == NULL || st->bundle == NULL || get_int(root, "initPid", &pid) < 0 ||
	    get_int(root, "initStartTime", &start) < 0 || pid <= 0 || start < 0) {
		husk_state_free(st);
		husk_error_make(err, 0, "`state.json` is missing required fields");
		return NULL;
	}
	st->pid = (pid_t) pid;
	st->init_start_time = (uint64_t) start;
	st->own_pid_ns = YAJL_IS_TRUE(yajl_tree_get(root, path, yajl_t_true));
	get_annotations(root, st);
	st->cgroup_manager = get_str(root, "cgroupManager");
	st->cgroup_path = get_str(root, "cgroupPath");
	st->output_log = get_str(root, "outputLog");
	if (get_int(root, "monitorPid", &pid) == 0 &&
	    get_int(root, "monitorStartTime", &start) == 0 && pid > 0 && start >= 0) {
		st->monitor_pid = (pid_t) pid;
		st->monitor_start_time = (uint64_t) start;
	}
	return st;
}

husk_state_t *husk_state_read_at(int dirfd, husk_error_t *err)
{
	_cleanup_free_ char *json = husk_read_at(dirfd, STATE_FILE, STATE_MAX, NULL, err);
	char ebuf[256] = "";
	yajl_val root;
	husk_state_t *st;

	if (json == NULL) {
		return NULL;
	}
	root = yajl_tree_parse(json, ebuf, sizeof(ebuf));
	if (root == NULL || !YAJL_IS_OBJECT(root)) {
		yajl_tree_free(root);
		husk_error_make(err, 0, "`state.json` is not a JSON object");
		return NULL;
	}
	st = from_tree(root, err);
	yajl_tree_free(root);
	return st;
}

void husk_state_free(husk_state_t *st)
{
	if (st == NULL) {
		return;
	}
	free(st->id);
	free(st->status);
	free(st->bundle);
	free(st->rootfs);
	free(st->created);
	free(st->owner);
	free(st->cgroup_manager);
	free(st->cgroup_path);
	free(st->output_log);
	husk_exit_free(st->exit);
	for (size_t i = 0; i < st->annotations.n; i++) {
		free(st->annotations.v[i].key);
		free(st->annotations.v[i].value);
	}
	free(st->annotations.v);
	free(st);
}

void husk_state_freep(husk_state_t **st)
{
	husk_state_free(*st);
	*st = NULL;
}

int husk_exit_write_at(int dirfd, const husk_exit_t *e, husk_error_t *err)
{
	yajl_gen g = new_gen(false);
	_cleanup_free_ char *json = NULL;

	yajl_gen_map_open(g);
	gen_str(g, "exitCode");
	yajl_gen_integer(g, e->code);
	gen_str(g, "signal");
	yajl_gen_integer(g, e->signal);
	gen_kv(g, "exitedAt", e->exited_at);
	gen_str(g, "oomKilled");
	yajl_gen_bool(g, e->oom_killed);
	yajl_gen_map_close(g);
	json = finish(g);
	return husk_write_file_at(dirfd, HUSK_EXIT_FILE, json, strlen(json), 0600, false, err);
}

husk_exit_t *husk_exit_read_at(int dirfd, husk_error_t *err)
{
	_cleanup_free_ char *json = husk_read_at(dirfd, HUSK_EXIT_FILE, STATE_MAX, NULL, err);
	const char *oom[] = { "oomKilled", NULL };
	long long code = 0, sig = 0;
	char ebuf[256] = "";
	yajl_val root;
	husk_exit_t *e;

	if (json == NULL) {
		return NULL;
	}
	root = yajl_tree_parse(json, ebuf, sizeof(ebuf));
	if (root == NULL || get_int(root, "exitCode", &code) < 0 ||
	    get_int(root, "signal", &sig) < 0) {
		yajl_tree_free(root);
		husk_error_make(err, 0, "`%s` is not an exit record", HUSK_EXIT_FILE);
		return NULL;
	}
	e = xmalloc0(sizeof(*e));
	e->code = (int) code;
	e->signal = (int) sig;
	e->exited_at = get_str(root, "exitedAt");
	e->oom_killed = YAJL_IS_TRUE(yajl_tree_get(root, oom, yajl_t_true));
	yajl_tree_free(root);
	return e;
}

void husk_exit_free(husk_exit_t *e)
{
	if (e != NULL) {
		free(e->exited_at);
		free(e);
	}
}

/* ---- the seccomp notify listener's message ---- */

static void gen_notify_state(yajl_gen g, const husk_state_t *st)
{
	husk_gen_str(g, "state");
	yajl_gen_map_open(g);
	husk_gen_kv_str(g, "ociVersion", HUSK_OCI_VERSION);
	husk_gen_kv_str(g, "id", st->id);
	husk_gen_kv_str(g, "status", st->status);
	husk_gen_kv_int(g, "pid", st->pid);
	husk_gen_kv_str(g, "bundle", st->bundle);
	if (st->annotations.n > 0) {
		husk_gen_str(g, "annotations");
		yajl_gen_map_open(g);
		for (size_t i = 0; i < st->annotations.n; i++) {
			husk_gen_kv_str(g, st->annotations.v[i].key, st->annotations.v[i].value);
		}
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
}

char *husk_seccomp_state_json(const char *metadata, const husk_state_t *st, size_t *len)
{
	static const char *const fds[] = { "seccompFd", NULL };
	yajl_gen g = yajl_gen_alloc(NULL);
	char *out;

	yajl_gen_map_open(g);
	husk_gen_kv_str(g, "ociVersion", HUSK_OCI_VERSION);
	husk_gen_kv_strv(g, "fds", fds);
	husk_gen_kv_int(g, "pid", st->pid);
	if (metadata != NULL) {
		husk_gen_kv_str(g, "metadata", metadata);
	}
	gen_notify_state(g, st);
	yajl_gen_map_close(g);
	out = husk_gen_take(g, len);
	yajl_gen_free(g);
	return out;
}
