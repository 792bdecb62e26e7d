/* husk seccomp: the OCI profile compiled to BPF with libseccomp, in the
 * parent (seccomp/seccomp.h says why there). */
#include "seccomp/seccomp.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seccomp/internal.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/xalloc.h"

#define PREFIX "config.json: linux.seccomp"

/* The largest errno the kernel returns from a filter (MAX_ERRNO). */
#define MAX_ERRNO 4095

/* The action as libseccomp spells it.  ERRNO and TRACE without errnoRet
 * return EPERM, as runc's do. */
static uint32_t scmp_action(int action, bool has_errno, uint32_t errno_ret)
{
	uint32_t e = has_errno ? errno_ret : EPERM;

	switch (action) {
	case HUSK_SCMP_ACT_KILL:
	case HUSK_SCMP_ACT_KILL_THREAD:
		return SCMP_ACT_KILL_THREAD;
	case HUSK_SCMP_ACT_KILL_PROCESS:
		return SCMP_ACT_KILL_PROCESS;
	case HUSK_SCMP_ACT_TRAP:
		return SCMP_ACT_TRAP;
	case HUSK_SCMP_ACT_ERRNO:
		return SCMP_ACT_ERRNO(e);
	case HUSK_SCMP_ACT_TRACE:
		return SCMP_ACT_TRACE(e);
	case HUSK_SCMP_ACT_LOG:
		return SCMP_ACT_LOG;
	case HUSK_SCMP_ACT_NOTIFY:
		return SCMP_ACT_NOTIFY;
	default:
		return SCMP_ACT_ALLOW;
	}
}

static const enum scmp_compare scmp_ops[] = {
	[HUSK_SCMP_CMP_NE] = SCMP_CMP_NE,
	[HUSK_SCMP_CMP_LT] = SCMP_CMP_LT,
	[HUSK_SCMP_CMP_LE] = SCMP_CMP_LE,
	[HUSK_SCMP_CMP_EQ] = SCMP_CMP_EQ,
	[HUSK_SCMP_CMP_GE] = SCMP_CMP_GE,
	[HUSK_SCMP_CMP_GT] = SCMP_CMP_GT,
	[HUSK_SCMP_CMP_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
};

/* SCMP_CMP_MASKED_EQ is (arg & value) == valueTwo; the others compare the
 * argument with value alone. */
static struct scmp_arg_cmp scmp_cond(const husk_syscall_arg_t *a)
{
	return (struct scmp_arg_cmp){
		.arg = a->index,
		.op = scmp_ops[a->op],
		.datum_a = a->value,
		.datum_b = a->op == HUSK_SCMP_CMP_MASKED_EQ ? a->value_two : 0,
	};
}

static bool has_notify(const husk_seccomp_t *s)
{
	for (size_t i = 0; i < s->syscalls.n; i++) {
		if (s->syscalls.v[i].action == HUSK_SCMP_ACT_NOTIFY) {
			return true;
		}
	}
	return false;
}

/* What the runtime-spec and the kernel refuse, refused here with the JSON
 * path, before anything is compiled. */
static int check_profile(const husk_seccomp_t *s, husk_error_t *err)
{
	if (s->default_action == HUSK_SCMP_ACT_NOTIFY) {
		return husk_error_make(err, 0,
				       PREFIX ".defaultAction: SCMP_ACT_NOTIFY cannot be the "
					      "default action");
	}
	if (s->has_default_errno_ret && s->default_errno_ret > MAX_ERRNO) {
		return husk_error_make(err, 0, PREFIX ".defaultErrnoRet: %u is not an errno",
				       s->default_errno_ret);
	}
	for (size_t i = 0; i < s->syscalls.n; i++) {
		const husk_syscall_t *sc = &s->syscalls.v[i];

		if (sc->has_errno_ret && sc->errno_ret > MAX_ERRNO) {
			return husk_error_make(err, 0,
					       PREFIX ".syscalls[%zu].errnoRet: %u is not an errno",
					       i, sc->errno_ret);
		}
		for (size_t j = 0; sc->action == HUSK_SCMP_ACT_NOTIFY && sc->names[j]; j++) {
			/* A supervisor that writes a log would deadlock on it. */
			if (strcmp(sc->names[j], "write") == 0) {
				return husk_error_make(err, 0,
						       PREFIX ".syscalls[%zu].names[%zu]: "
							      "SCMP_ACT_NOTIFY cannot be used for "
							      "`write`",
						       i, j);
			}
		}
	}
	if (has_notify(s) && (s->listener_path == NULL || s->listener_path[0] == '\0')) {
		return husk_error_make(err, 0,
				       PREFIX ".listenerPath: required with SCMP_ACT_NOTIFY");
	}
	return 0;
}

/* Whether the running kernel takes FLAG: with a NULL program, seccomp(2)
 * checks the flags first and fails with EFAULT only when they are good
 * (libseccomp probes the same way). */
static bool kernel_has_flag(unsigned int flag)
{
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, NULL) < 0 && errno == EFAULT;
}

static const struct {
	const char *name;
	unsigned int flag;
} flag_names[] = {
	/* The init is single-threaded when it loads the filter: there is no
	 * other thread to synchronise, and TSYNC would conflict with a
	 * listener. */
	{ "SECCOMP_FILTER_FLAG_TSYNC", 0 },
	{ "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
	{ "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
};

static int load_flags(const husk_seccomp_t *s, unsigned int *flags, husk_error_t *err)
{
	*flags = has_notify(s) ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;
	for (size_t i = 0; s->flags != NULL && s->flags[i] != NULL; i++) {
		unsigned int f = 0;

		for (size_t k = 0; k < sizeof(flag_names) / sizeof(flag_names[0]); k++) {
			if (strcmp(s->flags[i], flag_names[k].name) == 0) {
				f = flag_names[k].flag;
			}
		}
		if (f == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV &&
		    !(*flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)) {
			return husk_error_make(err, 0,
					       PREFIX ".flags[%zu]: %s needs an SCMP_ACT_NOTIFY "
						      "rule and a listenerPath",
					       i, s->flags[i]);
		}
		if (f != 0 && !kernel_has_flag(f | (*flags & SECCOMP_FILTER_FLAG_NEW_LISTENER))) {
			return husk_error_make(err, 0,
					       PREFIX ".flags[%zu]: %s is not supported by this "
						      "kernel",
					       i, s->flags[i]);
		}
		*flags |= f;
	}
	if ((*flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) &&
	    !kernel_has_flag(SECCOMP_FILTER_FLAG_NEW_LISTENER)) {
		return husk_error_make(err, 0,
				       PREFIX ": SCMP_ACT_NOTIFY needs a kernel with seccomp "
					      "listeners (Linux 5.0)");
	}
	return 0;
}

/* A growing text buffer for the cache key. */
struct text {
	char *buf;
	size_t len, cap;
};

static void __attribute__((format(printf, 2, 3))) text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if ((size_t) n < t->cap - t->len) {
			t->len += (size_t) n;
			return;
		}
		t->cap = (t->cap + (size_t) n + 1) * 2;
		t->buf = xrealloc(t->buf, t->cap);
	}
}

/* Everything that decides the compiled program, in one canonical text: the
 * libseccomp that compiles it, the kernel's API level it sees, the native
 * architecture, and the profile's actions, architectures and rules in
 * order.  The cache compares this whole text, not only its hash, so a hash
 * collision can never hand a container another profile's filter. */
/* libseccomp's SCMP_FLTATR_CTL_OPTIMIZE: 2 is a binary tree. */
#define OPTIMIZE_LEVEL 2

/* What the compiled program depends on besides the profile. */
static void key_head(struct text *t)
{
	const struct scmp_version *v = seccomp_version();

	text_add(t, "husk-seccomp 2 optimize %d\nlibseccomp %u.%u.%u api %u native %u\n",
		 OPTIMIZE_LEVEL, v->major, v->minor, v->micro, seccomp_api_get(),
		 seccomp_arch_native());
}

static char *canonical_key(const husk_seccomp_t *s, size_t *len)
{
	struct text t = { .buf = xmalloc(4096), .cap = 4096 };

	key_head(&t);
	text_add(&t, "default %#x\n",
		 scmp_action(s->default_action, s->has_default_errno_ret, s->default_errno_ret));
	for (size_t i = 0; s->architectures != NULL && s->architectures[i] != NULL; i++) {
		text_add(&t, "arch %s\n", s->architectures[i]);
	}
	for (size_t i = 0; i < s->syscalls.n; i++) {
		const husk_syscall_t *sc = &s->syscalls.v[i];

		text_add(&t, "rule %#x", scmp_action(sc->action, sc->has_errno_ret, sc->errno_ret));
		for (size_t j = 0; sc->names[j] != NULL; j++) {
			text_add(&t, " %s", sc->names[j]);
		}
		for (size_t j = 0; j < sc->args.n; j++) {
			const husk_syscall_arg_t *a = &sc->args.v[j];

			text_add(&t, " [%u %d %#llx %#llx]", a->index, a->op,
				 (unsigned long long) a->value, (unsigned long long) a->value_two);
		}
		text_add(&t, "\n");
	}
	*len = t.len;
	return t.buf;
}

static int add_archs(scmp_filter_ctx ctx, const husk_seccomp_t *s, husk_error_t *err)
{
	for (size_t i = 0; s->architectures != NULL && s->architectures[i] != NULL; i++) {
		unsigned int token = husk_seccomp_arch_token(s->architectures[i]);
		int rc;

		if (token == 0) {
			return husk_error_make(err, 0,
					       PREFIX ".architectures[%zu]: %s is not known to "
						      "the linked libseccomp",
					       i, s->architectures[i]);
		}
		rc = seccomp_arch_add(ctx, token);
		if (rc < 0 && rc != -EEXIST) {
			return husk_error_make(err, -rc, PREFIX ".architectures[%zu]: add %s", i,
					       s->architectures[i]);
		}
	}
	return 0;
}

/* One syscall of rule I.  runc's rule for args: conditions on distinct
 * arguments all apply at once (AND); when two name the same argument, each
 * condition becomes a rule of its own (OR), which is what such profiles
 * (docker's `personality` and `clone` rules) mean. */
static int add_syscall(scmp_filter_ctx ctx, const husk_syscall_t *sc, size_t i, size_t j,
		       uint32_t action, husk_error_t *err)
{
	const char *name = sc->names[j];
	int nr = seccomp_syscall_resolve_name(name);
	struct scmp_arg_cmp conds[6];
	unsigned int count[6] = { 0 };
	bool repeated = false;
	int rc = 0;

	if (nr == __NR_SCMP_ERROR) {
		husk_debug(PREFIX ".syscalls[%zu]: `%s` is unknown to libseccomp: skipped", i,
			   name);
		return 0;
	}
	for (size_t k = 0; k < sc->args.n; k++) {
		repeated |= ++count[sc->args.v[k].index] > 1;
	}
	if (repeated) {
		for (size_t k = 0; k < sc->args.n && rc == 0; k++) {
			conds[0] = scmp_cond(&sc->args.v[k]);
			rc = seccomp_rule_add_array(ctx, action, nr, 1, conds);
		}
	} else {
		for (size_t k = 0; k < sc->args.n; k++) {
			conds[k] = scmp_cond(&sc->args.v[k]);
		}
		rc = seccomp_rule_add_array(ctx, action, nr, (unsigned int) sc->args.n, conds);
	}
	if (rc < 0) {
		return husk_error_make(err, -rc, PREFIX ".syscalls[%zu]: add a rule for `%s`", i,
				       name);
	}
	return 0;
}

static int add_rules(scmp_filter_ctx ctx, const husk_seccomp_t *s, uint32_t def, husk_error_t *err)
{
	for (size_t i = 0; i < s->syscalls.n; i++) {
		const husk_syscall_t *sc = &s->syscalls.v[i];
		uint32_t action = scmp_action(sc->action, sc->has_errno_ret, sc->errno_ret);

		/* libseccomp refuses a rule that only repeats the default. */
		if (action == def) {
			continue;
		}
		for (size_t j = 0; sc->names[j] != NULL; j++) {
			if (add_syscall(ctx, sc, i, j, action, err) < 0) {
				return -1;
			}
		}
	}
	return 0;
}

/* libseccomp 2.5 exports only to a descriptor: a memfd, read back. */
static int export_program(scmp_filter_ctx ctx, husk_seccomp_filter_t *f, husk_error_t *err)
{
	_cleanup_close_ int fd = memfd_create("husk-seccomp", MFD_CLOEXEC);
	off_t size;
	int rc;

	if (fd < 0) {
		return husk_error_errno(err, "seccomp: memfd_create");
	}
	rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0) {
		return husk_error_make(err, -rc, PREFIX ": export the compiled filter");
	}
	size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % (off_t) sizeof(struct sock_filter) != 0 ||
	    size > HUSK_SECCOMP_MAX_INSNS * (off_t) sizeof(struct sock_filter)) {
		return husk_error_make(err, E2BIG,
				       PREFIX ": the compiled filter has %lld bytes, more than "
					      "the kernel's %d instructions",
				       (long long) size, HUSK_SECCOMP_MAX_INSNS);
	}
	f->prog = xmalloc((size_t) size);
	f->len = (size_t) size / sizeof(struct sock_filter);
	if (pread(fd, f->prog, (size_t) size, 0) != size) {
		return husk_error_errno(err, "seccomp: read the compiled filter back");
	}
	return 0;
}

static int compile(const husk_seccomp_t *s, husk_seccomp_filter_t *f, husk_error_t *err)
{
	int rc;

	uint32_t def =
		scmp_action(s->default_action, s->has_default_errno_ret, s->default_errno_ret);
	scmp_filter_ctx ctx = seccomp_init(def);
	int r = -1;

	if (ctx == NULL) {
		return husk_error_make(err, 0,
				       PREFIX ".defaultAction: %s is not supported by the "
					      "linked libseccomp on this kernel",
				       husk_scmp_action_name(s->default_action));
	}
	/* A binary tree of syscall numbers instead of a list: the kernel runs
	 * the filter for every syscall the job makes, and once more for each
	 * syscall number when it loads it (to cache what is always allowed),
	 * so a list as long as docker's profile costs about a millisecond per
	 * container start and a tree a fraction of it.  The decisions are the
	 * same. */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, OPTIMIZE_LEVEL);
	if (rc < 0) {
		husk_error_make(err, -rc, PREFIX ": libseccomp's binary tree optimisation");
	} else if (add_archs(ctx, s, err) == 0 && add_rules(ctx, s, def, err) == 0 &&
		   export_program(ctx, f, err) == 0) {
		r = 0;
	}
	seccomp_release(ctx);
	return r;
}

husk_seccomp_filter_t *husk_seccomp_compile(const husk_seccomp_t *s, int rootfd, husk_error_t *err)
{
	husk_seccomp_filter_t *f = xmalloc0(sizeof(*f));
	_cleanup_free_ char *key = NULL;
	size_t keylen;

	if (check_profile(s, err) < 0 || load_flags(s, &f->flags, err) < 0) {
		husk_seccomp_filter_free(f);
		return NULL;
	}
	key = canonical_key(s, &keylen);
	if (rootfd >= 0 && husk_seccomp_cache_get(rootfd, key, keylen, f) == 0) {
		f->from_cache = true;
		return f;
	}
	if (compile(s, f, err) < 0) {
		husk_seccomp_filter_free(f);
		return NULL;
	}
	if (rootfd >= 0) {
		husk_seccomp_cache_put(rootfd, key, keylen, f);
	}
	return f;
}

/* The key of a profile's JSON text: the same head, then the text itself,
 * which decides the program as wholly as the parsed profile does, given
 * husk's parser: its release, and a number to raise whenever the parsing
 * of a profile changes within one. */
static char *text_key(const char *json, size_t *len)
{
	struct text t = { .buf = xmalloc(4096), .cap = 4096 };

	key_head(&t);
	text_add(&t, "json 1 husk %s\n%s", HUSK_VERSION, json);
	*len = t.len;
	return t.buf;
}

husk_seccomp_filter_t *husk_seccomp_cached_text(const char *json, int rootfd)
{
	husk_seccomp_filter_t *f;
	_cleanup_free_ char *key = NULL;
	size_t keylen;

	if (rootfd < 0) {
		return NULL;
	}
	f = xmalloc0(sizeof(*f));
	key = text_key(json, &keylen);
	if (husk_seccomp_cache_get(rootfd, key, keylen, f) < 0) {
		husk_seccomp_filter_free(f);
		return NULL;
	}
	/* No flags: husk_seccomp_note_text keeps only filters without. */
	f->from_cache = true;
	return f;
}

void husk_seccomp_note_text(const char *json, int rootfd, const husk_seccomp_filter_t *f)
{
	_cleanup_free_ char *key = NULL;
	size_t keylen;

	husk_seccomp_filter_t profile;

	/* A watched filter is kept as its profile compiled it. */
	if (f != NULL && f->judge != NULL) {
		profile = (husk_seccomp_filter_t){ .prog = f->judge,
						   .len = f->len,
						   .flags = f->judge_flags };
		f = &profile;
	}
	if (rootfd < 0 || f == NULL || f->flags != 0) {
		return;
	}
	key = text_key(json, &keylen);
	husk_seccomp_cache_put(rootfd, key, keylen, f);
}

void husk_seccomp_filter_free(husk_seccomp_filter_t *f)
{
	if (f != NULL) {
		free(f->prog);
		free(f->judge);
		free(f);
	}
}

bool husk_seccomp_has_listener(const husk_seccomp_filter_t *f)
{
	return f != NULL && (f->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) != 0;
}

enum husk_seccomp_stage husk_seccomp_stage(const husk_seccomp_filter_t *f, bool no_new_privs)
{
	if (!no_new_privs) {
		return HUSK_SECCOMP_BEFORE_CAPS;
	}
	return husk_seccomp_has_listener(f) ? HUSK_SECCOMP_BEFORE_CREATED
					    : HUSK_SECCOMP_BEFORE_EXEC;
}
