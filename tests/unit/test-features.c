/* Unit tests: `husk features` (spec/features.h) says what is true. */
#include <seccomp.h>
#include <stdbool.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "tap.h"
#include "seccomp/features.h"
#include "spec/features.h"
#include "spec/version.h"
#include "util/cleanup.h"

static yajl_val at(yajl_val root, const char *a, const char *b, const char *c)
{
	const char *path[] = { a, b, c, NULL };

	return yajl_tree_get(root, path, yajl_t_any);
}

static bool array_has(yajl_val arr, const char *s)
{
	for (size_t i = 0; YAJL_IS_ARRAY(arr) && i < arr->u.array.len; i++) {
		if (YAJL_IS_STRING(arr->u.array.values[i]) &&
		    strcmp(arr->u.array.values[i]->u.string, s) == 0) {
			return true;
		}
	}
	return false;
}

/* The facts as `husk features` gathers them (runtime/), CRIU aside. */
static husk_features_facts_t facts_with(const char *criu_version, bool checkpoint)
{
	husk_features_facts_t f = { .criu_version = criu_version, .checkpoint = checkpoint };

	husk_seccomp_features(&f.seccomp);
	return f;
}

int main(void)
{
	husk_features_facts_t none = facts_with(NULL, false);
	husk_features_facts_t works = facts_with("3.17.1", true);
	husk_features_facts_t fails = facts_with("3.17.1", false);
	_cleanup_free_ char *json = husk_features_json(&none);
	char ebuf[128];
	yajl_val root = yajl_tree_parse(json, ebuf, sizeof(ebuf));
	yajl_val v;
	const struct scmp_version *lib = seccomp_version();
	char libv[32];

	plan(17);
	if (!ok(root != NULL, "features: the output is JSON")) {
		diag("  %s", ebuf);
		return done();
	}
	v = at(root, "ociVersionMax", NULL, NULL);
	is_str(YAJL_IS_STRING(v) ? v->u.string : NULL, HUSK_OCI_VERSION,
	       "features: ociVersionMax is the spec husk implements");
	v = at(root, "ociVersionMin", NULL, NULL);
	is_str(YAJL_IS_STRING(v) ? v->u.string : NULL, "1.0.0", "features: ociVersionMin");
	v = at(root, "hooks", NULL, NULL);
	ok(YAJL_IS_ARRAY(v) && v->u.array.len == 6 && array_has(v, "prestart") &&
		   array_has(v, "createRuntime") && array_has(v, "createContainer") &&
		   array_has(v, "startContainer") && array_has(v, "poststart") &&
		   array_has(v, "poststop"),
	   "features: all six hooks are claimed");
	v = at(root, "linux", "namespaces", NULL);
	ok(YAJL_IS_ARRAY(v) && v->u.array.len == 8, "features: the eight namespaces");
	ok(YAJL_IS_TRUE(at(root, "linux", "seccomp", "enabled")) == (seccomp_api_get() > 0),
	   "features: seccomp is enabled where the kernel and libseccomp can filter");
	ok(array_has(at(root, "linux", "seccomp", "actions"), "SCMP_ACT_ALLOW") &&
		   array_has(at(root, "linux", "seccomp", "actions"), "SCMP_ACT_ERRNO"),
	   "features: seccomp actions come from libseccomp");
	ok(array_has(at(root, "linux", "seccomp", "archs"), "SCMP_ARCH_X86_64") ==
		   (seccomp_arch_resolve_name("x86_64") != 0),
	   "features: archs match what libseccomp resolves");
	ok(array_has(at(root, "linux", "seccomp", "operators"), "SCMP_CMP_MASKED_EQ"),
	   "features: operators");
	{
		const char *path[] = { "linux", "mountExtensions", "idmap", "enabled", NULL };

		ok(YAJL_IS_TRUE(yajl_tree_get(root, path, yajl_t_any)) &&
			   array_has(at(root, "mountOptions", NULL, NULL), "idmap") &&
			   array_has(at(root, "mountOptions", NULL, NULL), "ridmap"),
		   "features: idmapped mounts and the idmap and ridmap options are claimed");
	}
	ok(YAJL_IS_TRUE(at(root, "linux", "cgroup", "v1")) &&
		   YAJL_IS_TRUE(at(root, "linux", "cgroup", "v2")) &&
		   YAJL_IS_TRUE(at(root, "linux", "cgroup", "systemd")) &&
		   YAJL_IS_FALSE(at(root, "linux", "cgroup", "systemdUser")),
	   "features: cgroup v1 and v2 through cgroupfs, systemd's system instance, not a "
	   "user's");
	snprintf(libv, sizeof(libv), "%u.%u.%u", lib->major, lib->minor, lib->micro);
	{
		const char *path[] = { "annotations", "io.github.seccomp.libseccomp.version",
				       NULL };

		v = yajl_tree_get(root, path, yajl_t_string);
		is_str(v ? v->u.string : NULL, libv,
		       "features: the libseccomp version at run time");
	}
	{
		const char *on[] = { "annotations", "org.opencontainers.runc.checkpoint.enabled",
				     NULL };
		const char *ver[] = { "annotations", "org.criu.version", NULL };
		_cleanup_free_ char *with = husk_features_json(&works);
		_cleanup_free_ char *broken = husk_features_json(&fails);
		yajl_val r2 = yajl_tree_parse(with, ebuf, sizeof(ebuf));
		yajl_val r3 = yajl_tree_parse(broken, ebuf, sizeof(ebuf));

		v = yajl_tree_get(root, on, yajl_t_string);
		ok(v != NULL && strcmp(v->u.string, "false") == 0 &&
			   yajl_tree_get(root, ver, yajl_t_any) == NULL,
		   "features: without a usable CRIU, checkpoint is not enabled");
		v = yajl_tree_get(r2, on, yajl_t_string);
		is_str(v ? v->u.string : NULL, "true",
		       "features: with a usable CRIU, checkpoint is enabled");
		v = yajl_tree_get(r2, ver, yajl_t_string);
		is_str(v ? v->u.string : NULL, "3.17.1", "features: and names CRIU's version");
		v = yajl_tree_get(r3, on, yajl_t_string);
		ok(v != NULL && strcmp(v->u.string, "false") == 0 &&
			   yajl_tree_get(r3, ver, yajl_t_string) != NULL,
		   "features: a CRIU that fails its check names its version, not enabled");
		yajl_tree_free(r2);
		yajl_tree_free(r3);
	}
	{
		const char *ll[] = { "annotations", "husk.landlock", NULL };
		const char *abi[] = { "annotations", "husk.landlock.abi", NULL };
		husk_features_facts_t with_ll = facts_with(NULL, false);
		_cleanup_free_ char *text = NULL;
		yajl_val r4;

		with_ll.landlock_abi = 6;
		text = husk_features_json(&with_ll);
		r4 = yajl_tree_parse(text, ebuf, sizeof(ebuf));
		v = yajl_tree_get(r4, abi, yajl_t_string);
		ok(yajl_tree_get(r4, ll, yajl_t_string) != NULL && v != NULL &&
			   strcmp(v->u.string, "6") == 0,
		   "features: the annotation husk.landlock is claimed, with the kernel's ABI");
		yajl_tree_free(r4);
	}
	yajl_tree_free(root);
	return done();
}
