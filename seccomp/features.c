/* husk seccomp: what the linked libseccomp and the running kernel support. */
#include "seccomp/features.h"
#include "seccomp/internal.h"

#include <seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* libseccomp's API level says what the library and the kernel together can
 * do: 3 brought SCMP_ACT_LOG and SCMP_ACT_KILL_PROCESS, 5 SCMP_ACT_NOTIFY. */
static const struct {
	const char *name;
	unsigned int api;
} actions[] = {
	{ "SCMP_ACT_KILL", 1 },         { "SCMP_ACT_KILL_THREAD", 1 }, { "SCMP_ACT_TRAP", 1 },
	{ "SCMP_ACT_ERRNO", 1 },        { "SCMP_ACT_TRACE", 1 },       { "SCMP_ACT_ALLOW", 1 },
	{ "SCMP_ACT_KILL_PROCESS", 3 }, { "SCMP_ACT_LOG", 3 },         { "SCMP_ACT_NOTIFY", 5 },
};

static const char *const operators[] = {
	"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",        "SCMP_CMP_EQ",
	"SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
};

/* libseccomp's spelling, then the runtime-spec's. */
static const struct {
	const char *lib, *oci;
} archs[] = {
	{ "x86", "SCMP_ARCH_X86" },
	{ "x86_64", "SCMP_ARCH_X86_64" },
	{ "x32", "SCMP_ARCH_X32" },
	{ "arm", "SCMP_ARCH_ARM" },
	{ "aarch64", "SCMP_ARCH_AARCH64" },
	{ "loongarch64", "SCMP_ARCH_LOONGARCH64" },
	{ "m68k", "SCMP_ARCH_M68K" },
	{ "mips", "SCMP_ARCH_MIPS" },
	{ "mips64", "SCMP_ARCH_MIPS64" },
	{ "mips64n32", "SCMP_ARCH_MIPS64N32" },
	{ "mipsel", "SCMP_ARCH_MIPSEL" },
	{ "mipsel64", "SCMP_ARCH_MIPSEL64" },
	{ "mipsel64n32", "SCMP_ARCH_MIPSEL64N32" },
	{ "ppc", "SCMP_ARCH_PPC" },
	{ "ppc64", "SCMP_ARCH_PPC64" },
	{ "ppc64le", "SCMP_ARCH_PPC64LE" },
	{ "s390", "SCMP_ARCH_S390" },
	{ "s390x", "SCMP_ARCH_S390X" },
	{ "parisc", "SCMP_ARCH_PARISC" },
	{ "parisc64", "SCMP_ARCH_PARISC64" },
	{ "riscv64", "SCMP_ARCH_RISCV64" },
	{ "sh", "SCMP_ARCH_SH" },
	{ "sheb", "SCMP_ARCH_SHEB" },
};

/* Filter flags: the API level at which the kernel and library support each.
 * WAIT_KILLABLE_RECV needs a libseccomp newer than 2.5, which has no
 * attribute for it at all. */
static const struct {
	const char *name;
	unsigned int api;
	int known;
} flags[] = {
	{ "SECCOMP_FILTER_FLAG_TSYNC", 2, 1 },
	{ "SECCOMP_FILTER_FLAG_LOG", 3, 1 },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", 4, 1 },
	{ "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 7,
	  SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6) },
};

unsigned int husk_seccomp_arch_token(const char *oci_name)
{
	for (size_t i = 0; i < N(archs); i++) {
		if (strcmp(archs[i].oci, oci_name) == 0) {
			return seccomp_arch_resolve_name(archs[i].lib);
		}
	}
	return 0;
}

void husk_seccomp_features(husk_seccomp_facts_t *f)
{
	size_t n = 0;

	memset(f, 0, sizeof(*f));
	f->api = seccomp_api_get();
	husk_seccomp_library_version(f->version, sizeof(f->version));
	for (size_t i = 0; i < N(actions); i++) {
		if (f->api >= actions[i].api) {
			f->actions[n++] = actions[i].name;
		}
	}
	for (size_t i = 0; i < N(operators); i++) {
		f->operators[i] = operators[i];
	}
	n = 0;
	for (size_t i = 0; i < N(archs); i++) {
		if (seccomp_arch_resolve_name(archs[i].lib) != 0) {
			f->archs[n++] = archs[i].oci;
		}
	}
	for (size_t i = 0, k = 0, s = 0; i < N(flags); i++) {
		if (flags[i].known) {
			f->known_flags[k++] = flags[i].name;
			if (f->api >= flags[i].api) {
				f->supported_flags[s++] = flags[i].name;
			}
		}
	}
}

void husk_seccomp_library_version(char *buf, size_t len)
{
	const struct scmp_version *v = seccomp_version();

	snprintf(buf, len, "%u.%u.%u", v->major, v->minor, v->micro);
}
