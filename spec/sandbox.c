/* husk spec: the config of `husk sandbox`, and its report. */
#include "spec/sandbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/default.h"
#include "spec/json.h"
#include "spec/landlock.h"
#include "spec/version.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

/* A fresh /proc and a minimal /dev; no /sys: a job has no use for the
 * host's devices and kernel objects. */
static const char *const base_mounts[] = { "/proc",    "/dev",        "/dev/pts",
					   "/dev/shm", "/dev/mqueue", NULL };

static void gen_process(yajl_gen g, const husk_sandbox_spec_t *s)
{
	static const char *const none[] = { NULL };

	husk_gen_str(g, "process");
	yajl_gen_map_open(g);
	husk_gen_str(g, "user");
	yajl_gen_map_open(g);
	husk_gen_kv_int(g, "uid", s->uid);
	husk_gen_kv_int(g, "gid", s->gid);
	yajl_gen_map_close(g);
	husk_gen_kv_strv(g, "args", (const char *const *) s->args);
	husk_gen_kv_strv(g, "env", s->env != NULL ? (const char *const *) s->env : none);
	husk_gen_kv_str(g, "cwd", s->cwd != NULL ? s->cwd : "/");
	if (s->terminal) {
		husk_gen_kv_bool(g, "terminal", true);
	}
	if (s->terminal && s->console_rows > 0 && s->console_cols > 0) {
		husk_gen_str(g, "consoleSize");
		yajl_gen_map_open(g);
		husk_gen_kv_int(g, "height", s->console_rows);
		husk_gen_kv_int(g, "width", s->console_cols);
		yajl_gen_map_close(g);
	}
	/* Every set given and empty: the job holds no capability at all,
	 * not even in the bounding set. */
	husk_gen_str(g, "capabilities");
	yajl_gen_map_open(g);
	husk_gen_kv_strv(g, "bounding", none);
	husk_gen_kv_strv(g, "effective", none);
	husk_gen_kv_strv(g, "permitted", none);
	husk_gen_kv_strv(g, "inheritable", none);
	husk_gen_kv_strv(g, "ambient", none);
	yajl_gen_map_close(g);
	husk_gen_str(g, "rlimits");
	yajl_gen_array_open(g);
	{
		const struct {
			const char *type;
			uint64_t soft, hard;
		} rl[] = {
			{ "RLIMIT_NOFILE", s->nofile ? s->nofile : 1024,
			  s->nofile ? s->nofile : 1024 },
			{ "RLIMIT_FSIZE", s->fsize, s->fsize },
			/* SIGXCPU at the limit, which a job may catch to
			 * report; SIGKILL one second later. */
			{ "RLIMIT_CPU", s->cpu_time, s->cpu_time + 1 },
		};

		for (size_t i = 0; i < HUSK_N(rl); i++) {
			if (rl[i].soft == 0) {
				continue;
			}
			yajl_gen_map_open(g);
			husk_gen_kv_str(g, "type", rl[i].type);
			husk_gen_kv_int(g, "soft", (long long) rl[i].soft);
			husk_gen_kv_int(g, "hard", (long long) rl[i].hard);
			yajl_gen_map_close(g);
		}
	}
	yajl_gen_array_close(g);
	husk_gen_kv_bool(g, "noNewPrivileges", true);
	yajl_gen_map_close(g);
}

static void gen_mount(yajl_gen g, const husk_sandbox_mount_t *m)
{
	char size[40];

	yajl_gen_map_open(g);
	husk_gen_kv_str(g, "destination", m->destination);
	if (m->kind == HUSK_SANDBOX_TMPFS) {
		snprintf(size, sizeof(size), "size=%llu", (unsigned long long) m->size);
		husk_gen_kv_str(g, "type", "tmpfs");
		husk_gen_kv_str(g, "source", "tmpfs");
		husk_gen_kv_strv(g, "options",
				 (const char *const[]){ "nosuid", "nodev", "mode=1777",
							m->size > 0 ? size : NULL, NULL });
	} else {
		husk_gen_kv_str(g, "type", "bind");
		husk_gen_kv_str(g, "source", m->source);
		husk_gen_kv_strv(g, "options",
				 (const char *const[]){ "rbind", "nosuid", "nodev",
							m->kind == HUSK_SANDBOX_RO ? "ro" : "rw",
							NULL });
	}
	yajl_gen_map_close(g);
}

static void gen_mounts(yajl_gen g, const husk_sandbox_spec_t *s)
{
	husk_gen_str(g, "mounts");
	yajl_gen_array_open(g);
	husk_spec_gen_default_mounts(g, base_mounts, s->userns);
	for (size_t i = 0; i < s->n_mounts; i++) {
		gen_mount(g, &s->mounts[i]);
	}
	yajl_gen_array_close(g);
}

static void gen_resources(yajl_gen g, const husk_sandbox_spec_t *s)
{
	husk_gen_str(g, "resources");
	yajl_gen_map_open(g);
	if (s->device_rules) {
		husk_spec_gen_deny_devices(g);
	}
	if (s->memory > 0) {
		husk_gen_str(g, "memory");
		yajl_gen_map_open(g);
		husk_gen_kv_int(g, "limit", s->memory);
		/* Swap would let a job run past its memory instead of being
		 * OOM-killed. */
		if (s->memory_swap) {
			husk_gen_kv_int(g, "swap", s->memory);
		}
		yajl_gen_map_close(g);
	}
	if (s->pids > 0) {
		husk_gen_str(g, "pids");
		yajl_gen_map_open(g);
		husk_gen_kv_int(g, "limit", s->pids);
		yajl_gen_map_close(g);
	}
	if (s->cpu_quota > 0) {
		husk_gen_str(g, "cpu");
		yajl_gen_map_open(g);
		husk_gen_kv_int(g, "quota", s->cpu_quota);
		husk_gen_kv_int(g, "period", (long long) s->cpu_period);
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
}

static void gen_one_id(yajl_gen g, uint32_t id, uint32_t host_id)
{
	yajl_gen_map_open(g);
	husk_gen_kv_int(g, "containerID", id);
	husk_gen_kv_int(g, "hostID", host_id);
	husk_gen_kv_int(g, "size", 1);
	yajl_gen_map_close(g);
}

static void gen_idmap(yajl_gen g, const char *key, const husk_sandbox_spec_t *s, uint32_t id,
		      uint32_t host_id)
{
	husk_gen_str(g, key);
	yajl_gen_array_open(g);
	if (s->map_root && id != 0) {
		gen_one_id(g, 0, s->host_root);
	}
	gen_one_id(g, id, host_id);
	yajl_gen_array_close(g);
}

static void gen_linux(yajl_gen g, const husk_sandbox_spec_t *s)
{
	static const char *const types[] = { "user",  "pid",    "ipc",    "uts",
					     "mount", "cgroup", "network" };

	husk_gen_str(g, "linux");
	yajl_gen_map_open(g);
	if (s->cgroups_path != NULL) {
		husk_gen_kv_str(g, "cgroupsPath", s->cgroups_path);
	}
	if (s->userns) {
		gen_idmap(g, "uidMappings", s, s->uid, s->host_uid);
		gen_idmap(g, "gidMappings", s, s->gid, s->host_gid);
	}
	gen_resources(g, s);
	husk_gen_str(g, "namespaces");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < HUSK_N(types); i++) {
		/* Without --net host, a network namespace of its own: only
		 * loopback, which the kernel brings with it (husk brings it
		 * up: sandbox/sandbox.c). */
		if ((s->net_host && strcmp(types[i], "network") == 0) ||
		    (!s->userns && strcmp(types[i], "user") == 0)) {
			continue;
		}
		yajl_gen_map_open(g);
		husk_gen_kv_str(g, "type", types[i]);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	/* The same as any container's (`husk spec`): no job needs the
	 * kernel's memory, keys or timers (/proc/kcore, /proc/keys,
	 * /proc/timer_list) nor to write /proc/sys or /proc/sysrq-trigger. */
	husk_spec_gen_masked_paths(g);
	yajl_gen_map_close(g);
}

/* The config text; "linux" is its last key, so that a seccomp object can be
 * added to it as text (it comes as JSON text, from a file or compiled in). */
static char *gen_config(const husk_sandbox_spec_t *s)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	char *out;

	yajl_gen_map_open(g);
	husk_gen_kv_str(g, "ociVersion", HUSK_OCI_VERSION);
	gen_process(g, s);
	husk_gen_str(g, "root");
	yajl_gen_map_open(g);
	husk_gen_kv_str(g, "path", s->rootfs);
	husk_gen_kv_bool(g, "readonly", true);
	yajl_gen_map_close(g);
	husk_gen_kv_str(g, "hostname", "sandbox");
	if (s->landlock != NULL) {
		husk_gen_str(g, "annotations");
		yajl_gen_map_open(g);
		husk_gen_kv_str(g, HUSK_LANDLOCK_ANNOTATION, s->landlock);
		yajl_gen_map_close(g);
	}
	gen_mounts(g, s);
	gen_linux(g, s);
	yajl_gen_map_close(g);
	out = husk_gen_take(g, NULL);
	yajl_gen_free(g);
	return out;
}

husk_config_t *husk_sandbox_config(const husk_sandbox_spec_t *s, husk_error_t *err)
{
	_cleanup_free_ char *text = gen_config(s);
	_cleanup_free_ char *full = NULL;
	size_t len = strlen(text);

	if (s->seccomp == NULL) {
		return husk_config_parse(text, len, err);
	}
	/* One JSON object and nothing after it: the text is spliced into
	 * the config, where anything more would set other keys of it. */
	if (!s->seccomp_builtin) {
		husk_walk_t w;
		yajl_val v;
		bool ok;

		husk_walk_init(
			&w, s->seccomp_source != NULL ? s->seccomp_source : "seccomp profile", err);
		v = husk_json_tree(&w, s->seccomp, strlen(s->seccomp));
		ok = v != NULL && YAJL_IS_OBJECT(v);
		if (v != NULL && !ok) {
			husk_walk_fail(&w, "not a JSON object");
		}
		yajl_tree_free(v);
		husk_walk_fini(&w);
		if (!ok) {
			return NULL;
		}
	}
	/* The text ends with "}}\n": close of linux, close of the config. */
	if (len < 3 || strcmp(text + len - 3, "}}\n") != 0) {
		husk_error_make(err, 0, "sandbox: unexpected config text");
		return NULL;
	}
	text[len - 3] = '\0';
	full = xasprintf("%s,\"seccomp\":%s}}", text, s->seccomp);
	return husk_config_parse(full, strlen(full), err);
}

static void gen_kv_double(yajl_gen g, const char *key, double v)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%.6f", v);

	/* Microseconds, as the clocks give them; not %.20g's noise. */
	husk_gen_str(g, key);
	yajl_gen_number(g, buf, (size_t) n);
}

static void gen_kv_opt(yajl_gen g, const char *key, bool has, uint64_t v)
{
	husk_gen_str(g, key);
	if (has) {
		yajl_gen_integer(g, (long long) v);
	} else {
		yajl_gen_null(g);
	}
}

static void gen_limits(yajl_gen g, const husk_sandbox_report_t *r)
{
	husk_gen_str(g, "limits");
	yajl_gen_map_open(g);
	for (size_t i = 0; i < r->n_limits; i++) {
		husk_gen_str(g, r->limits[i].name);
		yajl_gen_map_open(g);
		husk_gen_kv_str(g, "value", r->limits[i].value);
		husk_gen_kv_str(g, "mechanism", r->limits[i].mechanism);
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
}

/* Where memory_peak, pids_peak and oom_kills came from: a cgroup's
 * counters, or the job's rusage when it had no cgroup. */
static void gen_measured_by(yajl_gen g, const husk_sandbox_report_t *r)
{
	husk_gen_str(g, "measured_by");
	yajl_gen_map_open(g);
	if (r->memory_peak_by != NULL) {
		husk_gen_kv_str(g, "memory_peak", r->memory_peak_by);
	}
	if (r->pids_peak_by != NULL) {
		husk_gen_kv_str(g, "pids_peak", r->pids_peak_by);
	}
	if (r->oom_kills_by != NULL) {
		husk_gen_kv_str(g, "oom_kills", r->oom_kills_by);
	}
	yajl_gen_map_close(g);
}

static void gen_conn(yajl_gen g, const husk_sandbox_conn_t *c)
{
	yajl_gen_map_open(g);
	husk_gen_kv_str(g, "host", c->host);
	husk_gen_kv_int(g, "port", c->port);
	husk_gen_kv_str(g, "method", c->method);
	husk_gen_kv_str(g, "verdict", c->verdict);
	if (c->reason != NULL) {
		husk_gen_kv_str(g, "reason", c->reason);
	}
	if (c->address != NULL) {
		husk_gen_kv_str(g, "address", c->address);
	}
	husk_gen_kv_int(g, "bytes_sent", (long long) c->sent);
	husk_gen_kv_int(g, "bytes_received", (long long) c->received);
	yajl_gen_map_close(g);
}

/* The job's network: its mode, and with --allow-host the proxy's
 * connections. */
static void gen_network(yajl_gen g, const husk_sandbox_network_t *n)
{
	if (n == NULL) {
		return;
	}
	husk_gen_str(g, "network");
	yajl_gen_map_open(g);
	husk_gen_kv_str(g, "mode", n->mode);
	if (n->proxy != NULL) {
		husk_gen_kv_str(g, "proxy", n->proxy);
		husk_gen_str(g, "allow");
		yajl_gen_array_open(g);
		for (size_t i = 0; i < n->n_allow; i++) {
			husk_gen_str(g, n->allow[i]);
		}
		yajl_gen_array_close(g);
		husk_gen_str(g, "connections");
		yajl_gen_array_open(g);
		for (size_t i = 0; i < n->n_conns; i++) {
			gen_conn(g, &n->conns[i]);
		}
		yajl_gen_array_close(g);
		husk_gen_kv_int(g, "connections_omitted", (long long) n->conns_omitted);
	}
	yajl_gen_map_close(g);
}

static void add_denial(husk_sandbox_denial_t **v, size_t *n, const char *kind, const char *what,
		       uint64_t count)
{
	for (size_t i = 0; i < *n; i++) {
		if (strcmp((*v)[i].kind, kind) == 0 && strcmp((*v)[i].what, what) == 0) {
			(*v)[i].count += count;
			return;
		}
	}
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = (husk_sandbox_denial_t){ .kind = xstrdup(kind),
						.what = xstrdup(what),
						.count = count };
}

void husk_sandbox_report_denial(husk_sandbox_report_t *r, const char *kind, const char *what,
				uint64_t count)
{
	add_denial(&r->denials, &r->n_denials, kind, what, count);
}

void husk_sandbox_report_unobserved(husk_sandbox_report_t *r, const char *kind, const char *why)
{
	add_denial(&r->unobserved, &r->n_unobserved, kind, why, 0);
}

static void clear_denials(husk_sandbox_denial_t **v, size_t *n)
{
	for (size_t i = 0; i < *n; i++) {
		free((*v)[i].kind);
		free((*v)[i].what);
	}
	free(*v);
	*v = NULL;
	*n = 0;
}

void husk_sandbox_report_clear(husk_sandbox_report_t *r)
{
	clear_denials(&r->denials, &r->n_denials);
	clear_denials(&r->unobserved, &r->n_unobserved);
}

/* "landlock": {"mode", "abi"} and, when it is null, "why". */
static void gen_landlock(yajl_gen g, const husk_sandbox_report_t *r)
{
	if (r->landlock_mode == NULL) {
		return;
	}
	husk_gen_str(g, "landlock");
	yajl_gen_map_open(g);
	husk_gen_kv_str(g, "mode", r->landlock_mode);
	gen_kv_opt(g, "abi", r->landlock_abi > 0, (uint64_t) r->landlock_abi);
	if (r->landlock_why != NULL) {
		husk_gen_kv_str(g, "why", r->landlock_why);
	}
	yajl_gen_map_close(g);
}

/* "denials": [{"kind", "what", "count"}], and "denials_unobserved":
 * [{"kind", "why"}]: both always there, empty when there is nothing. */
static void gen_denials(yajl_gen g, const husk_sandbox_report_t *r)
{
	husk_gen_str(g, "denials");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < r->n_denials; i++) {
		yajl_gen_map_open(g);
		husk_gen_kv_str(g, "kind", r->denials[i].kind);
		husk_gen_kv_str(g, "what", r->denials[i].what);
		husk_gen_kv_int(g, "count", (long long) r->denials[i].count);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	husk_gen_str(g, "denials_unobserved");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < r->n_unobserved; i++) {
		yajl_gen_map_open(g);
		husk_gen_kv_str(g, "kind", r->unobserved[i].kind);
		husk_gen_kv_str(g, "why", r->unobserved[i].what);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

char *husk_sandbox_report_json(const husk_sandbox_report_t *r)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	char *out;

	yajl_gen_map_open(g);
	husk_gen_kv_str(g, "id", r->id);
	husk_gen_kv_str(g, "status", r->status);
	husk_gen_kv_int(g, "exit_code", r->exit_code);
	gen_kv_opt(g, "signal", r->signal > 0, (uint64_t) r->signal);
	if (r->error != NULL) {
		husk_gen_kv_str(g, "error", r->error);
	}
	gen_kv_double(g, "wall_time", r->wall);
	gen_kv_double(g, "user_time", r->user);
	gen_kv_double(g, "system_time", r->system);
	gen_kv_opt(g, "memory_peak", r->has_memory_peak, r->memory_peak);
	gen_kv_opt(g, "oom_kills", r->has_oom_kills, r->oom_kills);
	gen_kv_opt(g, "pids_peak", r->has_pids_peak, r->pids_peak);
	husk_gen_kv_int(g, "output_bytes", (long long) r->output_bytes);
	husk_gen_kv_bool(g, "output_truncated", r->output_truncated);
	gen_kv_opt(g, "disk_used", r->has_disk_used, r->disk_used);
	husk_gen_str(g, "protected_created");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < r->n_protected_created; i++) {
		husk_gen_str(g, r->protected_created[i]);
	}
	yajl_gen_array_close(g);
	gen_measured_by(g, r);
	gen_limits(g, r);
	gen_network(g, r->network);
	gen_landlock(g, r);
	gen_denials(g, r);
	yajl_gen_map_close(g);
	out = husk_gen_take(g, NULL);
	yajl_gen_free(g);
	return out;
}
