/* Unit tests: the systemd driver's names and numbers, which need no
 * systemd: cgroupsPath to unit, slice and cgroup (runc's rules), a recorded
 * path back to its unit, CPU masks, and the properties made of resources
 * and annotations (their bytes against sd-bus's are test-dbus.c's). */
#include <stdlib.h>
#include <string.h>

#include "cgroups/systemd-internal.h"
#include "spec/config.h"
#include "tap.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/xalloc.h"

static void test_slices(void)
{
	static const struct {
		const char *name, *path;
	} good[] = {
		{ "system.slice", "/system.slice" },
		{ "-.slice", "/" },
		{ "a-b-c.slice", "/a.slice/a-b.slice/a-b-c.slice" },
		{ "kubepods-besteffort-pod1234.slice",
		  "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1234.slice" },
	};
	static const char *bad[] = { "a--b.slice", "-a.slice", "a-.slice", "a/b.slice",
				     ".slice",     "system",   "",         "x.scope" };

	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		_cleanup_error_ husk_error_t e = NULL;
		_cleanup_free_ char *p = husk_sd_slice_path(good[i].name, &e);

		is_str(p, good[i].path, "slice `%s` is %s", good[i].name, good[i].path);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		_cleanup_error_ husk_error_t e = NULL;
		_cleanup_free_ char *p = husk_sd_slice_path(bad[i], &e);

		ok(p == NULL && e != NULL && strstr(e->msg, "invalid slice name") != NULL,
		   "slice `%s` is refused", bad[i]);
	}
}

static void test_units(void)
{
	static const struct {
		const char *cgroups_path, *name, *slice, *path;
		bool is_slice;
	} good[] = {
		{ "system.slice:husk-test:ID", "husk-test-ID.scope", "system.slice",
		  "/system.slice/husk-test-ID.scope", false },
		{ ":husk-test:ID", "husk-test-ID.scope", "system.slice",
		  "/system.slice/husk-test-ID.scope", false },
		{ "", "husk-ID.scope", "system.slice", "/system.slice/husk-ID.scope", false },
		{ NULL, "husk-ID.scope", "system.slice", "/system.slice/husk-ID.scope", false },
		{ "machine.slice:libpod:abc", "libpod-abc.scope", "machine.slice",
		  "/machine.slice/libpod-abc.scope", false },
		{ "kubepods-besteffort-pod1234.slice:cri-containerd:abc",
		  "cri-containerd-abc.scope", "kubepods-besteffort-pod1234.slice",
		  "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1234.slice/"
		  "cri-containerd-abc.scope",
		  false },
		{ "-.slice:p:n", "p-n.scope", "-.slice", "/p-n.scope", false },
		{ "system.slice::n", "n.scope", "system.slice", "/system.slice/n.scope", false },
		{ "system.slice:p:system-pods.slice", "system-pods.slice", "system.slice",
		  "/system.slice/system-pods.slice", true },
		{ "kubepods.slice:x:kubepods-burstable.slice", "kubepods-burstable.slice",
		  "kubepods.slice", "/kubepods.slice/kubepods-burstable.slice", true },
		{ "kubepods.slice:x:kubepods-burstable-pod1.slice", "kubepods-burstable-pod1.slice",
		  "kubepods.slice",
		  "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice", true },
	};
	static const struct {
		const char *cgroups_path, *says;
	} bad[] = {
		{ "system.slice:husk",
		  "expected cgroupsPath to be of format \"slice:prefix:name\"" },
		{ "/husk/x", "expected cgroupsPath to be of format \"slice:prefix:name\"" },
		{ "a:b:c:d", "got \"a:b:c:d\" instead" },
		{ "system:p:n", "invalid slice name: system" },
		{ "system.slice:p:", "bad unit name" },
		{ "system.slice:p:a/b", "bad unit name" },
		{ "system.slice:p:other.slice", "is not under `system.slice`" },
		{ "machine.slice:p:system-a-b.slice", "is not under `machine.slice`" },
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		_cleanup_error_ husk_error_t e = NULL;
		husk_sd_unit_t u;
		const char *in = good[i].cgroups_path != NULL ? good[i].cgroups_path : "(none)";

		ok(husk_sd_unit_parse(good[i].cgroups_path, "ID", &u, &e) == 0 &&
			   strcmp(u.name, good[i].name) == 0 &&
			   strcmp(u.slice, good[i].slice) == 0 &&
			   strcmp(u.path, good[i].path) == 0 && u.is_slice == good[i].is_slice,
		   "cgroupsPath `%s`: unit %s in %s at %s", in, good[i].name, good[i].slice,
		   good[i].path);
		if (e != NULL) {
			diag("%s", e->msg);
		}
		husk_sd_unit_clear(&u);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		_cleanup_error_ husk_error_t e = NULL;
		husk_sd_unit_t u;

		if (!ok(husk_sd_unit_parse(bad[i].cgroups_path, "ID", &u, &e) < 0 &&
				strstr(e->msg, bad[i].says) != NULL,
			"cgroupsPath `%s` is refused: %s", bad[i].cgroups_path, bad[i].says)) {
			diag("%s", e != NULL ? e->msg : "accepted");
			husk_sd_unit_clear(&u);
		}
	}
}

static void test_recorded(void)
{
	static const struct {
		const char *path, *name, *dir;
		bool is_slice;
	} good[] = {
		{ "/system.slice/husk-test-ID.scope/container", "husk-test-ID.scope",
		  "/system.slice/husk-test-ID.scope", false },
		{ "/system.slice/system-pods.slice", "system-pods.slice",
		  "/system.slice/system-pods.slice", true },
	};
	static const char *bad[] = { "/system.slice/husk-test-ID.scope", "/husk/ID",
				     "/system.slice/x.slice/container", "container" };

	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		_cleanup_error_ husk_error_t e = NULL;
		husk_sd_unit_t u;

		ok(husk_sd_unit_of_path(good[i].path, &u, &e) == 0 &&
			   strcmp(u.name, good[i].name) == 0 && strcmp(u.path, good[i].dir) == 0 &&
			   u.is_slice == good[i].is_slice,
		   "recorded `%s` is unit %s", good[i].path, good[i].name);
		husk_sd_unit_clear(&u);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		_cleanup_error_ husk_error_t e = NULL;
		husk_sd_unit_t u;

		ok(husk_sd_unit_of_path(bad[i], &u, &e) < 0 && e != NULL,
		   "recorded `%s` is no cgroup of the driver's", bad[i]);
	}
}

static void test_masks(void)
{
	static const struct {
		const char *list;
		size_t n;
		uint8_t bytes[4];
	} good[] = { { "0", 1, { 0x01 } },
		     { "0-3,7", 1, { 0x8f } },
		     { "9", 2, { 0x00, 0x02 } },
		     { "1,3-4,16", 3, { 0x1a, 0x00, 0x01 } },
		     { "0-1\n", 1, { 0x03 } } };
	static const char *bad[] = { "", "a", "3-1", "1,,2", "-1", "1-", "99999", "1;2" };

	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		_cleanup_error_ husk_error_t e = NULL;
		_cleanup_free_ uint8_t *m = NULL;
		size_t n = 0;

		ok(husk_sd_cpu_mask(good[i].list, &m, &n, &e) == 0 && n == good[i].n &&
			   memcmp(m, good[i].bytes, n) == 0,
		   "cpu list `%.*s` as a mask of %zu bytes", (int) strcspn(good[i].list, "\n"),
		   good[i].list, good[i].n);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		_cleanup_error_ husk_error_t e = NULL;
		_cleanup_free_ uint8_t *m = NULL;
		size_t n = 0;
		int r = husk_sd_cpu_mask(bad[i], &m, &n, &e);

		ok(r < 0 || (bad[i][0] == '\0' && n == 0), "cpu list `%s` is refused (or empty)",
		   bad[i]);
	}
}

/* The properties of ANNOTATIONS (KEY, VALUE pairs), or NULL with the
 * error's text in *WHY. */
static husk_dbus_msg_t *annotated(const char *const *kv, size_t n, char **why)
{
	_cleanup_error_ husk_error_t e = NULL;
	husk_kv_t v[8];
	husk_kvs_t kvs = { .v = v, .n = n };
	husk_dbus_msg_t *m = husk_dbus_call_new("d", "/p", "i.f", "M");

	for (size_t i = 0; i < n; i++) {
		v[i] = (husk_kv_t){ .key = (char *) kv[2 * i], .value = (char *) kv[2 * i + 1] };
	}
	husk_dbus_open(m, 'a', "(sv)");
	if (husk_sd_put_annotations(m, &kvs, &e) < 0) {
		*why = xstrdup(e->msg);
		husk_dbus_msg_free(m);
		return NULL;
	}
	husk_dbus_close(m);
	return m;
}

static void test_annotation_errors(void)
{
	static const char *bad[][3] = {
		{ "org.systemd.property.Ab", "true", "letters only, three or more" },
		{ "org.systemd.property.Foo_Bar", "true", "letters only, three or more" },
		{ "org.systemd.property.TimeoutStopSec", "'x'", "a number of seconds" },
		{ "org.systemd.property.TimeoutStopSec", "-1", "out of range" },
		{ "org.systemd.property.Foo", "'unterminated", "an unterminated string" },
		{ "org.systemd.property.Foo", "uint32 4294967296", "out of range" },
		{ "org.systemd.property.Foo", "[1, 2]", "only arrays of strings" },
		{ "org.systemd.property.Foo", "12abc", "not a number" },
		{ "org.systemd.property.Foo", "'a' 'b'", "text after the string" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		_cleanup_free_ char *why = NULL;
		husk_dbus_msg_t *m = annotated(bad[i], 1, &why);

		if (!ok(m == NULL && why != NULL && strstr(why, bad[i][2]) != NULL &&
				strstr(why, bad[i][0]) != NULL,
			"annotation %s=%s is refused: %s", bad[i][0], bad[i][1], bad[i][2])) {
			diag("%s", why != NULL ? why : "accepted");
		}
		husk_dbus_msg_free(m);
	}
	{
		static const char *other[] = { "io.kubernetes.cri.sandbox-id", "x",
					       "org.systemd.propertyFoo", "true" };
		_cleanup_free_ char *why = NULL;
		husk_dbus_msg_t *m = annotated(other, 2, &why);
		size_t len = 0;
		const uint8_t *b = m != NULL ? husk_dbus_msg_bytes(m, 1, &len) : NULL;

		/* An empty a(sv): the length 0 at the body's start. */
		ok(b != NULL && len >= 4 && memcmp(b + len - 4, "\0\0\0\0", 4) == 0,
		   "annotations of other names add no property");
		husk_dbus_msg_free(m);
	}
}

int main(void)
{
	plan(4 + 8 + 11 + 8 + 2 + 4 + 5 + 8 + 9 + 1);
	test_slices();
	test_units();
	test_recorded();
	test_masks();
	test_annotation_errors();
	return done();
}
