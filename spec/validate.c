/* husk spec: value checks shared by the sections, and the rules of the
 * runtime-spec that span sections. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/config-internal.h"
#include "spec/landlock.h"

/* ---- field checks ---- */

int husk_check_abs_path(husk_walk_t *w, const char *key, const char *path)
{
	char q[200];

	if (path != NULL && path[0] != '/') {
		husk_json_quote(path, q, sizeof(q));
		return husk_walk_fail_key(w, key, "expected an absolute path, got %s", q);
	}
	return 0;
}

int husk_check_abs_paths(husk_walk_t *w, const char *key, char *const *paths)
{
	char q[200];

	for (size_t i = 0; paths != NULL && paths[i] != NULL; i++) {
		if (paths[i][0] != '/') {
			size_t old = husk_walk_push_key(w, key);

			husk_json_quote(paths[i], q, sizeof(q));
			husk_walk_fail_index(w, i, "expected an absolute path, got %s", q);
			husk_walk_pop(w, old);
			return -1;
		}
	}
	return 0;
}

int husk_check_range(husk_walk_t *w, const char *key, int64_t v, int64_t lo, int64_t hi)
{
	if (v < lo || v > hi) {
		return husk_walk_fail_key(w, key,
					  "%" PRId64 " is out of range [%" PRId64 ", %" PRId64 "]",
					  v, lo, hi);
	}
	return 0;
}

/* One "N" or "N-M" with N <= M; *s is left after it. */
static bool cpu_range(const char **s)
{
	char *end;
	unsigned long a, b;

	if (**s < '0' || **s > '9') {
		return false;
	}
	a = strtoul(*s, &end, 10);
	b = a;
	if (*end == '-') {
		if (end[1] < '0' || end[1] > '9') {
			return false;
		}
		b = strtoul(end + 1, &end, 10);
	}
	*s = end;
	return a <= b && b < (1ul << 20);
}

int husk_check_cpu_list(husk_walk_t *w, const char *key, const char *list)
{
	const char *s = list;
	char q[200];

	/* An empty string is Go's spelling of "unset". */
	if (list == NULL || list[0] == '\0') {
		return 0;
	}
	while (cpu_range(&s)) {
		if (*s == '\0') {
			return 0;
		}
		if (*s++ != ',') {
			break;
		}
	}
	husk_json_quote(list, q, sizeof(q));
	return husk_walk_fail_key(w, key, "expected a list such as \"0-3,7\", got %s", q);
}

int husk_check_env(husk_walk_t *w, const char *key, char *const *env)
{
	char q[200];

	for (size_t i = 0; env != NULL && env[i] != NULL; i++) {
		const char *eq = strchr(env[i], '=');

		if (eq == NULL || eq == env[i]) {
			size_t old = husk_walk_push_key(w, key);

			husk_json_quote(env[i], q, sizeof(q));
			husk_walk_fail_index(w, i, "expected KEY=value, got %s", q);
			husk_walk_pop(w, old);
			return -1;
		}
	}
	return 0;
}

/* ---- rules across sections ---- */

/* "1.0.2-dev", "1.3.0": MAJOR.MINOR.PATCH with an optional suffix. */
static bool is_version(const char *s)
{
	for (int part = 0; part < 3; part++) {
		if (*s < '0' || *s > '9') {
			return false;
		}
		s += strspn(s, "0123456789");
		if (part < 2 && *s++ != '.') {
			return false;
		}
	}
	return *s == '\0' || *s == '-' || *s == '+';
}

/* Any 1.x release; a 2.x config would mean something else. */
static int check_version(husk_walk_t *w, const char *v)
{
	char q[200];

	husk_json_quote(v, q, sizeof(q));
	if (!is_version(v)) {
		return husk_walk_fail_key(w, "ociVersion",
					  "expected a version such as \"1.3.0\", got %s", q);
	}
	if (strtoul(v, NULL, 10) != 1) {
		return husk_walk_fail_key(w, "ociVersion",
					  "unsupported version %s: husk implements 1.x", q);
	}
	return 0;
}

static int need_ns(husk_walk_t *w, const husk_config_t *cfg, const char *key, int type,
		   const char *what)
{
	size_t old = key != NULL ? husk_walk_push_key(w, key) : w->len;
	int r = 0;

	if (husk_config_namespace(cfg, type) == NULL) {
		r = husk_walk_fail(w, "%s needs a \"%s\" entry in linux.namespaces", what,
				   husk_ns_type_name(type));
	}
	husk_walk_pop(w, old);
	return r;
}

static int check_user_ns(husk_walk_t *w, const husk_config_t *cfg)
{
	const husk_linux_t *l = cfg->linux_;
	const husk_namespace_t *user = husk_config_namespace(cfg, HUSK_NS_USER);
	bool maps = l->uid_mappings.n > 0 || l->gid_mappings.n > 0;

	if (maps && user == NULL) {
		return need_ns(w, cfg, "linux.uidMappings", HUSK_NS_USER, "an id mapping");
	}
	if (user != NULL && user->path == NULL &&
	    (l->uid_mappings.n == 0 || l->gid_mappings.n == 0)) {
		return husk_walk_fail_key(w, "linux",
					  "a new user namespace needs both uidMappings "
					  "and gidMappings");
	}
	return 0;
}

/* Which namespace makes a sysctl the container's own; -1 when none does and
 * setting it would change the host. */
static int sysctl_namespace(const char *key)
{
	static const struct {
		const char *prefix;
		int ns;
	} table[] = {
		{ "net.", HUSK_NS_NETWORK },
		{ "kernel.msgmax", HUSK_NS_IPC },
		{ "kernel.msgmnb", HUSK_NS_IPC },
		{ "kernel.msgmni", HUSK_NS_IPC },
		{ "kernel.sem", HUSK_NS_IPC },
		{ "kernel.shmall", HUSK_NS_IPC },
		{ "kernel.shmmax", HUSK_NS_IPC },
		{ "kernel.shmmni", HUSK_NS_IPC },
		{ "kernel.shm_rmid_forced", HUSK_NS_IPC },
		{ "fs.mqueue.", HUSK_NS_IPC },
		{ "kernel.hostname", HUSK_NS_UTS },
		{ "kernel.domainname", HUSK_NS_UTS },
	};

	for (size_t i = 0; i < HUSK_N(table); i++) {
		size_t n = strlen(table[i].prefix);

		if (strncmp(key, table[i].prefix, n) == 0 &&
		    (table[i].prefix[n - 1] == '.' || key[n] == '\0')) {
			return table[i].ns;
		}
	}
	return -1;
}

static int check_sysctl(husk_walk_t *w, const husk_config_t *cfg)
{
	const husk_kvs_t *s = &cfg->linux_->sysctl;
	int r = 0;

	for (size_t i = 0; i < s->n && r == 0; i++) {
		int ns = sysctl_namespace(s->v[i].key);
		size_t old = husk_walk_push_key(w, "linux.sysctl");

		husk_walk_push_map_key(w, s->v[i].key);
		if (ns < 0) {
			r = husk_walk_fail(w, "not namespaced: setting it would change the host");
		} else {
			r = need_ns(w, cfg, NULL, ns, "this sysctl");
		}
		husk_walk_pop(w, old);
	}
	return r;
}

static int check_linux_rules(husk_walk_t *w, const husk_config_t *cfg)
{
	if (cfg->linux_ == NULL) {
		return 0;
	}
	if (check_user_ns(w, cfg) < 0) {
		return -1;
	}
	if (cfg->linux_->time_offsets.n > 0 &&
	    need_ns(w, cfg, "linux.timeOffsets", HUSK_NS_TIME, "a clock offset") < 0) {
		return -1;
	}
	return check_sysctl(w, cfg);
}

/* The annotation husk.landlock (spec/landlock.h), read when the container
 * is made: a bad one is refused with the config, not after the clone. */
static int check_landlock(husk_walk_t *w, const husk_config_t *cfg)
{
	husk_landlock_policy_t p;

	return husk_config_landlock(cfg, &p, w->err);
}

int husk_config_validate(husk_walk_t *w, husk_config_t *cfg)
{
	if (check_version(w, cfg->oci_version) < 0) {
		return -1;
	}
	if (cfg->hostname != NULL && cfg->hostname[0] != '\0' &&
	    need_ns(w, cfg, "hostname", HUSK_NS_UTS, "a hostname") < 0) {
		return -1;
	}
	if (cfg->domainname != NULL && cfg->domainname[0] != '\0' &&
	    need_ns(w, cfg, "domainname", HUSK_NS_UTS, "a domainname") < 0) {
		return -1;
	}
	for (size_t i = 0; i < cfg->annotations.n; i++) {
		if (cfg->annotations.v[i].key[0] == '\0') {
			return husk_walk_fail_key(w, "annotations", "empty key");
		}
	}
	if (check_landlock(w, cfg) < 0) {
		return -1;
	}
	return check_linux_rules(w, cfg);
}
