/* husk cgroups: a container's resources and annotations as systemd unit
 * properties (systemd.resource-control(5)).
 *
 * The same values go to the container's own cgroup too (the v2 code, on
 * the scope's `container` sub-cgroup), which is where the limits hold
 * exactly; the scope's properties make systemd's view (systemctl status,
 * the slice's accounting) match, and are what systemd writes back at each
 * daemon-reload.  A value systemd cannot express (hugetlb, io.max, rdma,
 * cpu.max.burst, memory.oom.group on systemd 252 and the other unified
 * keys, the device rules: husk's eBPF program) lives in the sub-cgroup
 * only, where systemd never writes.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroups/cgroup-internal.h"
#include "cgroups/systemd-internal.h"
#include "util/cleanup.h"
#include "util/num.h"
#include "util/xalloc.h"

#define INFINITY_U64   UINT64_MAX /* systemd's "infinity" */
#define DEFAULT_PERIOD 100000
#define ANNOTATION     "org.systemd.property."
#define V_QUOTA_PERIOD 242 /* CPUQuotaPeriodUSec */
#define V_ALLOWED_CPUS 244 /* AllowedCPUs, AllowedMemoryNodes */
#define V_CPU_WEIGHT_0 252 /* CPUWeight=0 sets cpu.idle */

/* ---- one property ---- */

static void open_prop(husk_dbus_msg_t *m, const char *name, const char *sig)
{
	husk_dbus_open(m, '(', "sv");
	husk_dbus_put_s(m, name);
	husk_dbus_open(m, 'v', sig);
}

static void close_prop(husk_dbus_msg_t *m)
{
	husk_dbus_close(m);
	husk_dbus_close(m);
}

static void prop_t(husk_dbus_msg_t *m, const char *name, uint64_t v)
{
	open_prop(m, name, "t");
	husk_dbus_put_t(m, v);
	close_prop(m);
}

static void prop_ay(husk_dbus_msg_t *m, const char *name, const uint8_t *v, size_t n)
{
	open_prop(m, name, "ay");
	husk_dbus_open(m, 'a', "y");
	for (size_t i = 0; i < n; i++) {
		husk_dbus_put_y(m, v[i]);
	}
	husk_dbus_close(m);
	close_prop(m);
}

/* ---- resources ---- */

int husk_sd_cpu_mask(const char *list, uint8_t **mask, size_t *n, husk_error_t *err)
{
	_cleanup_free_ uint8_t *v = NULL;
	const char *p = list;

	*n = 0;
	while (*p != '\0') {
		char *end;
		unsigned long lo = strtoul(p, &end, 10), hi = lo;

		if (end == p || !isdigit((unsigned char) *p)) {
			return husk_error_make(err, 0, "cpu list `%s`: not a list of numbers",
					       list);
		}
		if (*end == '-') {
			p = end + 1;
			hi = strtoul(p, &end, 10);
			if (end == p || !isdigit((unsigned char) *p) || hi < lo) {
				return husk_error_make(err, 0, "cpu list `%s`: a bad range", list);
			}
		}
		if (hi >= 8192) {
			return husk_error_make(err, 0, "cpu list `%s`: %lu is too large", list, hi);
		}
		if (hi / 8 + 1 > *n) {
			v = xrealloc(v, hi / 8 + 1);
			memset(v + *n, 0, hi / 8 + 1 - *n);
			*n = hi / 8 + 1;
		}
		for (unsigned long c = lo; c <= hi; c++) {
			v[c / 8] |= (uint8_t) (1u << (c % 8));
		}
		p = *end == ',' ? end + 1 : end;
		if (*end != ',' && *end != '\0' && *end != '\n') {
			return husk_error_make(err, 0, "cpu list `%s`: unexpected `%c`", list,
					       *end);
		}
		if (*end == '\n') {
			break;
		}
	}
	*mask = TAKE_PTR(v);
	return 0;
}

static int prop_cpus(husk_dbus_msg_t *m, const char *name, const char *list, int version,
		     husk_error_t *err)
{
	_cleanup_free_ uint8_t *mask = NULL;
	size_t n;

	if (version < V_ALLOWED_CPUS) {
		return 0; /* the cgroup's cpuset.* only */
	}
	if (husk_sd_cpu_mask(list, &mask, &n, err) < 0) {
		return husk_error_wrap(err, "%s", name);
	}
	prop_ay(m, name, mask, n);
	return 0;
}

/* QUOTA per PERIOD (each 0 when unset), as runc sends them: systemd keeps
 * the quota as a percentage of a CPU, so a fraction of a percent is rounded
 * up to the next 10 ms per second; the cgroup's own cpu.max keeps the exact
 * value, and a parent a little more generous changes nothing. */
static void prop_quota(husk_dbus_msg_t *m, int64_t quota, uint64_t period, int version)
{
	uint64_t per_sec = INFINITY_U64;

	if (period != 0 && version >= V_QUOTA_PERIOD) {
		prop_t(m, "CPUQuotaPeriodUSec", period);
	}
	if (quota == 0 && period == 0) {
		return;
	}
	if (quota > 0) {
		unsigned __int128 q = (unsigned __int128) quota * 1000000 /
				      (period != 0 ? period : DEFAULT_PERIOD);

		q = (q + 9999) / 10000 * 10000;
		per_sec = q < INFINITY_U64 ? (uint64_t) q : INFINITY_U64;
	}
	prop_t(m, "CPUQuotaPerSecUSec", per_sec);
}

static void prop_memory(husk_dbus_msg_t *m, const husk_memory_t *mem)
{
	if (mem->has_limit && mem->limit != 0) {
		prop_t(m, "MemoryMax", mem->limit > 0 ? (uint64_t) mem->limit : INFINITY_U64);
	}
	if (mem->has_reservation && mem->reservation > 0) {
		prop_t(m, "MemoryLow", (uint64_t) mem->reservation);
	}
	/* Swap 0 (swap equal to the limit) is sent too: runc leaves it out,
	 * and a daemon-reload then gives the scope its swap back. */
	if (mem->has_swap && mem->swap < 0) {
		prop_t(m, "MemorySwapMax", INFINITY_U64);
	} else if (mem->has_swap && mem->swap > 0 && mem->has_limit && mem->limit > 0 &&
		   mem->swap >= mem->limit) {
		prop_t(m, "MemorySwapMax", (uint64_t) (mem->swap - mem->limit));
	}
}

static int prop_cpu(husk_dbus_msg_t *m, const husk_cpu_t *c, int version, husk_error_t *err)
{
	if (c->has_shares && c->shares != 0) {
		prop_t(m, "CPUWeight", husk_cg_shares_to_weight(c->shares));
	}
	if (c->has_idle && c->idle == 1 && version >= V_CPU_WEIGHT_0) {
		prop_t(m, "CPUWeight", 0);
	}
	prop_quota(m, c->has_quota ? c->quota : 0, c->has_period ? c->period : 0, version);
	if ((c->cpus != NULL && c->cpus[0] != '\0' &&
	     prop_cpus(m, "AllowedCPUs", c->cpus, version, err) < 0) ||
	    (c->mems != NULL && c->mems[0] != '\0' &&
	     prop_cpus(m, "AllowedMemoryNodes", c->mems, version, err) < 0)) {
		return -1;
	}
	return 0;
}

/* A unified value as a number: "max" is infinity. */
static int unified_u64(const husk_kv_t *kv, uint64_t *v, husk_error_t *err)
{
	if (strcmp(kv->value, "max") == 0) {
		*v = INFINITY_U64;
		return 0;
	}
	if (husk_parse_u64(kv->value, UINT64_MAX, v) < 0) {
		return husk_error_make(err, 0, "linux.resources.unified: `%s` = `%s`: not a number",
				       kv->key, kv->value);
	}
	return 0;
}

/* "QUOTA [PERIOD]" of cpu.max. */
static int unified_cpu_max(husk_dbus_msg_t *m, const husk_kv_t *kv, int version, husk_error_t *err)
{
	char quota[32] = "", extra[2];
	uint64_t period = DEFAULT_PERIOD;
	int n = sscanf(kv->value, "%31s %" SCNu64 " %1s", quota, &period, extra);
	char *end;
	long long q = strtoll(quota, &end, 10);

	if (n < 1 || n > 2 || (strcmp(quota, "max") != 0 && (*end != '\0' || q <= 0))) {
		return husk_error_make(err, 0,
				       "linux.resources.unified: cpu.max = `%s`: not "
				       "\"QUOTA [PERIOD]\"",
				       kv->value);
	}
	prop_quota(m, strcmp(quota, "max") == 0 ? 0 : q, period, version);
	return 0;
}

/* The unified keys systemd has a property for; the others are the
 * cgroup's alone. */
static int prop_unified(husk_dbus_msg_t *m, const husk_kv_t *kv, int version, bool idle,
			husk_error_t *err)
{
	static const struct {
		const char *key, *prop;
	} memory[] = { { "memory.high", "MemoryHigh" },        { "memory.low", "MemoryLow" },
		       { "memory.min", "MemoryMin" },          { "memory.max", "MemoryMax" },
		       { "memory.swap.max", "MemorySwapMax" }, { "pids.max", "TasksMax" },
		       { "cpu.weight", "CPUWeight" } };
	uint64_t v;

	for (size_t i = 0; i < sizeof(memory) / sizeof(*memory); i++) {
		if (strcmp(kv->key, memory[i].key) != 0) {
			continue;
		}
		if ((idle && strcmp(kv->key, "cpu.weight") == 0) || unified_u64(kv, &v, err) < 0) {
			return *err != NULL ? -1 : 0;
		}
		/* systemd takes no TasksMax=0. */
		prop_t(m, memory[i].prop, strcmp(kv->key, "pids.max") == 0 && v == 0 ? 1 : v);
		return 0;
	}
	if (strcmp(kv->key, "cpu.max") == 0) {
		return unified_cpu_max(m, kv, version, err);
	}
	if (strcmp(kv->key, "cpuset.cpus") == 0 || strcmp(kv->key, "cpuset.mems") == 0) {
		return prop_cpus(m, kv->key[7] == 'c' ? "AllowedCPUs" : "AllowedMemoryNodes",
				 kv->value, version, err);
	}
	if (idle && strcmp(kv->key, "cpu.idle") == 0) {
		prop_t(m, "CPUWeight", 0);
	}
	return 0;
}

bool husk_sd_needs_version(const husk_resources_t *r)
{
	const husk_cpu_t *c = r->cpu;

	if (c != NULL && (c->has_period || c->has_idle || (c->cpus != NULL && c->cpus[0]) ||
			  (c->mems != NULL && c->mems[0]))) {
		return true;
	}
	for (size_t i = 0; i < r->unified.n; i++) {
		const char *k = r->unified.v[i].key;

		if (strcmp(k, "cpu.max") == 0 || strcmp(k, "cpu.idle") == 0 ||
		    strncmp(k, "cpuset.", 7) == 0) {
			return true;
		}
	}
	return false;
}

int husk_sd_put_resources(husk_dbus_msg_t *m, const husk_resources_t *r, int version,
			  bool bump_pids, husk_error_t *err)
{
	const char *idle = husk_kvs_get(&r->unified, "cpu.idle");
	bool unified_idle =
		idle != NULL && strtol(idle, NULL, 10) == 1 && version >= V_CPU_WEIGHT_0;

	if (r->memory != NULL) {
		prop_memory(m, r->memory);
	}
	if (r->pids != NULL && r->pids->has_limit) {
		int64_t n = bump_pids && r->pids->limit == 1 ? 2 : r->pids->limit;

		prop_t(m, "TasksMax", n > 0 ? (uint64_t) n : INFINITY_U64);
	}
	if (r->cpu != NULL && prop_cpu(m, r->cpu, version, err) < 0) {
		return -1;
	}
	if (r->block_io != NULL && r->block_io->has_weight && r->block_io->weight != 0) {
		prop_t(m, "IOWeight", husk_cg_blkio_to_io_weight(r->block_io->weight));
	}
	for (size_t i = 0; i < r->unified.n; i++) {
		if (prop_unified(m, &r->unified.v[i], version, unified_idle, err) < 0) {
			return -1;
		}
	}
	return 0;
}

/* ---- annotations: GVariant's text form, the part of it units take ---- */

/* A value as parsed: its type code and one of these. */
struct gv {
	char type; /* b y n q i u x t d s, or 'a' for as */
	bool b;
	int64_t i;
	uint64_t u;
	double d;
	char *s;   /* s: the string */
	char **as; /* as: the strings, NULL-terminated */
};

static void gv_clear(struct gv *v)
{
	free(v->s);
	husk_strv_free(v->as);
}

static const char *skip_space(const char *p)
{
	while (isspace((unsigned char) *p)) {
		p++;
	}
	return p;
}

/* A quoted string at *P ('...' or "..."; a backslash takes the next
 * character as it is), *P left after it. */
static char *gv_string(const char **p, husk_error_t *err)
{
	char quote = **p;
	const char *s = *p + 1;
	char *out = xmalloc(strlen(s) + 1), *o = out;

	for (; *s != '\0' && *s != quote; s++) {
		if (*s == '\\' && s[1] != '\0') {
			s++;
		}
		*o++ = *s;
	}
	if (*s != quote) {
		free(out);
		husk_error_make(err, 0, "an unterminated string");
		return NULL;
	}
	*o = '\0';
	*p = s + 1;
	return out;
}

/* ['a', "b"]: an array of strings. */
static int gv_array(const char *p, struct gv *v, husk_error_t *err)
{
	size_t n = 0;

	v->type = 'a';
	v->as = xcalloc(1, sizeof(char *));
	p = skip_space(p + 1);
	while (*p != ']') {
		if (*p != '\'' && *p != '"') {
			return husk_error_make(err, 0, "only arrays of strings are taken");
		}
		v->as = xreallocarray(v->as, n + 2, sizeof(char *));
		v->as[n] = gv_string(&p, err);
		if (v->as[n] == NULL) {
			return -1;
		}
		v->as[++n] = NULL;
		p = skip_space(p);
		if (*p == ',') {
			p = skip_space(p + 1);
		} else if (*p != ']') {
			return husk_error_make(err, 0, "`,` or `]` expected");
		}
	}
	return *skip_space(p + 1) == '\0' ? 0 : husk_error_make(err, 0, "text after `]`");
}

/* Whether V, as parsed, fits TYPE. */
static bool gv_fits(const struct gv *v, char type)
{
	switch (type) {
	case 'y':
		return v->u <= UINT8_MAX;
	case 'u':
		return v->u <= UINT32_MAX;
	case 'i':
		return v->i >= INT32_MIN && v->i <= INT32_MAX;
	default:
		return true;
	}
}

/* A number of TYPE ('i' when the text gave none, 'd' for one with a point
 * or exponent). */
static int gv_number(const char *p, char type, struct gv *v, husk_error_t *err)
{
	char *end;

	if (type == 0) {
		type = strpbrk(p, ".eE") != NULL ? 'd' : 'i';
	}
	v->type = type;
	errno = 0;
	if (type == 'd') {
		v->d = strtod(p, &end);
	} else if (type == 'y' || type == 'u' || type == 't') {
		v->u = strtoull(p, &end, 10);
		errno = *p == '-' ? ERANGE : errno;
	} else {
		v->i = strtoll(p, &end, 10);
	}
	if (end == p || errno != 0 || *skip_space(end) != '\0') {
		return husk_error_make(err, 0, "not a number of type `%c`", type);
	}
	if (!gv_fits(v, type)) {
		return husk_error_make(err, 0, "out of range for type `%c`", type);
	}
	return 0;
}

/* GVariant's type keywords and @-annotations, to their type codes. */
static char gv_type_word(const char **p)
{
	static const struct {
		const char *word;
		char type;
	} words[] = { { "byte ", 'y' },   { "int32 ", 'i' },  { "uint32 ", 'u' }, { "int64 ", 'x' },
		      { "uint64 ", 't' }, { "double ", 'd' }, { "@y ", 'y' },     { "@i ", 'i' },
		      { "@u ", 'u' },     { "@x ", 'x' },     { "@t ", 't' },     { "@d ", 'd' },
		      { "@s ", 's' },     { "@b ", 'b' },     { "@as ", 'a' } };

	for (size_t i = 0; i < sizeof(words) / sizeof(*words); i++) {
		if (strncmp(*p, words[i].word, strlen(words[i].word)) == 0) {
			*p = skip_space(*p + strlen(words[i].word));
			return words[i].type;
		}
	}
	return 0;
}

static int gv_parse(const char *text, struct gv *v, husk_error_t *err)
{
	const char *p = skip_space(text);
	char type = gv_type_word(&p);

	if ((type == 0 || type == 'b') && (strcmp(p, "true") == 0 || strcmp(p, "false") == 0)) {
		v->type = 'b';
		v->b = p[0] == 't';
		return 0;
	}
	if ((type == 0 || type == 's') && (*p == '\'' || *p == '"')) {
		v->type = 's';
		v->s = gv_string(&p, err);
		return v->s == NULL             ? -1
		       : *skip_space(p) != '\0' ? husk_error_make(err, 0, "text after the string")
						: 0;
	}
	if ((type == 0 || type == 'a') && *p == '[') {
		return gv_array(p, v, err);
	}
	if (type == 'b' || type == 's' || type == 'a') {
		return husk_error_make(err, 0, "not a value of its type");
	}
	return gv_number(p, type, v, err);
}

static void put_gv(husk_dbus_msg_t *m, const char *name, const struct gv *v)
{
	char sig[3] = { v->type, '\0', '\0' };

	if (v->type == 'a') {
		sig[1] = 's';
	}
	open_prop(m, name, sig);
	switch (v->type) {
	case 'b':
		husk_dbus_put_b(m, v->b);
		break;
	case 'y':
		husk_dbus_put_y(m, (uint8_t) v->u);
		break;
	case 'i':
		husk_dbus_put_i(m, (int32_t) v->i);
		break;
	case 'u':
		husk_dbus_put_u(m, (uint32_t) v->u);
		break;
	case 'x':
		husk_dbus_put_x(m, v->i);
		break;
	case 't':
		husk_dbus_put_t(m, v->u);
		break;
	case 'd':
		husk_dbus_put_d(m, v->d);
		break;
	case 's':
		husk_dbus_put_s(m, v->s);
		break;
	default:
		husk_dbus_open(m, 'a', "s");
		for (size_t i = 0; v->as[i] != NULL; i++) {
			husk_dbus_put_s(m, v->as[i]);
		}
		husk_dbus_close(m);
	}
	close_prop(m);
}

/* NAMESec, a number of seconds, as NAMEUSec in microseconds. */
static int sec_to_usec(struct gv *v, husk_error_t *err)
{
	double secs;

	switch (v->type) {
	case 'y':
	case 'u':
	case 't':
		secs = (double) v->u;
		break;
	case 'i':
	case 'x':
		secs = (double) v->i;
		break;
	case 'd':
		secs = v->d;
		break;
	default:
		return husk_error_make(err, 0, "a number of seconds expected");
	}
	if (secs < 0 || secs >= 1.8e13) {
		return husk_error_make(err, 0, "%g seconds is out of range", secs);
	}
	v->type = 't';
	v->u = (uint64_t) (secs * 1e6 + 0.5);
	return 0;
}

/* runc's rule: letters only, three or more. */
static bool good_name(const char *name)
{
	size_t n = 0;

	for (; name[n] != '\0'; n++) {
		if (!isalpha((unsigned char) name[n]) || (unsigned char) name[n] > 127) {
			return false;
		}
	}
	return n >= 3;
}

static int put_annotation(husk_dbus_msg_t *m, const husk_kv_t *kv, husk_error_t *err)
{
	const char *name = kv->key + strlen(ANNOTATION);
	size_t n = strlen(name);
	_cleanup_free_ char *usec = NULL;
	struct gv v = { 0 };
	int r;

	if (!good_name(name)) {
		return husk_error_make(err, 0,
				       "annotation %s: a property name is letters only, three or "
				       "more",
				       kv->key);
	}
	r = gv_parse(kv->value, &v, err);
	if (r == 0 && n > 3 && strcmp(name + n - 3, "Sec") == 0 &&
	    islower((unsigned char) name[n - 4])) {
		usec = xasprintf("%.*sUSec", (int) (n - 3), name);
		name = usec;
		r = sec_to_usec(&v, err);
	}
	if (r == 0) {
		put_gv(m, name, &v);
	}
	gv_clear(&v);
	return r < 0 ? husk_error_wrap(err, "annotation %s=%s", kv->key, kv->value) : 0;
}

int husk_sd_put_annotations(husk_dbus_msg_t *m, const husk_kvs_t *annotations, husk_error_t *err)
{
	for (size_t i = 0; i < annotations->n; i++) {
		if (strncmp(annotations->v[i].key, ANNOTATION, strlen(ANNOTATION)) == 0 &&
		    put_annotation(m, &annotations->v[i], err) < 0) {
			return -1;
		}
	}
	return 0;
}
