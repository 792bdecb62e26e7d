/* husk init: linux.memoryPolicy (see mempolicy.h). */
#include "init/mempolicy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/xalloc.h"

/* The kernel's numbers (include/uapi/linux/mempolicy.h); Debian 12's
 * headers predate MPOL_WEIGHTED_INTERLEAVE (Linux 6.9). */
static const int kernel_mode[HUSK_MPOL_COUNT] = {
	[HUSK_MPOL_DEFAULT] = 0,
	[HUSK_MPOL_PREFERRED] = 1,
	[HUSK_MPOL_BIND] = 2,
	[HUSK_MPOL_INTERLEAVE] = 3,
	[HUSK_MPOL_LOCAL] = 4,
	[HUSK_MPOL_PREFERRED_MANY] = 5,
	[HUSK_MPOL_WEIGHTED_INTERLEAVE] = 6,
};

static const struct {
	const char *name;
	int value;
} kernel_flags[] = {
	{ "MPOL_F_STATIC_NODES", 1 << 15 },
	{ "MPOL_F_RELATIVE_NODES", 1 << 14 },
	{ "MPOL_F_NUMA_BALANCING", 1 << 13 },
};

#define BITS_PER_WORD (8 * sizeof(unsigned long))

static int mode_flags(char *const *flags)
{
	int v = 0;

	for (size_t i = 0; flags != NULL && flags[i] != NULL; i++) {
		for (size_t k = 0; k < sizeof(kernel_flags) / sizeof(kernel_flags[0]); k++) {
			if (strcmp(flags[i], kernel_flags[k].name) == 0) {
				v |= kernel_flags[k].value;
			}
		}
	}
	return v;
}

/* The highest node of LIST ("0-3,7", checked by validation), or -1. */
static long highest_node(const char *list)
{
	long max = -1;

	for (const char *s = list; *s != '\0';) {
		char *end;
		long v = strtol(s, &end, 10);

		max = v > max ? v : max;
		s = *end != '\0' ? end + 1 : end;
	}
	return max;
}

/* LIST as a nodemask of WORDS words. */
static unsigned long *nodemask(const char *list, size_t *words)
{
	long max = highest_node(list);
	unsigned long *mask;

	*words = max < 0 ? 1 : (size_t) max / BITS_PER_WORD + 1;
	mask = xcalloc(*words, sizeof(*mask));
	for (const char *s = list; *s != '\0';) {
		char *end;
		unsigned long a = strtoul(s, &end, 10);
		unsigned long b = a;

		if (*end == '-') {
			b = strtoul(end + 1, &end, 10);
		}
		for (unsigned long n = a; n <= b; n++) {
			mask[n / BITS_PER_WORD] |= 1UL << (n % BITS_PER_WORD);
		}
		s = *end == ',' ? end + 1 : end;
	}
	return mask;
}

int husk_mempolicy_apply(const husk_linux_t *l, husk_error_t *err)
{
	const husk_mempolicy_t *p = l != NULL ? l->memory_policy : NULL;
	_cleanup_free_ unsigned long *mask = NULL;
	const char *nodes;
	size_t words = 0;
	long r;

	if (p == NULL) {
		return 0;
	}
	nodes = p->nodes != NULL ? p->nodes : "";
	if (nodes[0] != '\0') {
		mask = nodemask(nodes, &words);
	}
	/* maxnode counts one bit more than the kernel reads. */
	r = syscall(SYS_set_mempolicy, kernel_mode[p->mode] | mode_flags(p->flags), mask,
		    mask != NULL ? words * BITS_PER_WORD + 1 : 0);
	if (r < 0) {
		return husk_error_errno(err, "linux.memoryPolicy: set_mempolicy(%s, nodes `%s`)",
					husk_mpol_mode_name(p->mode), nodes);
	}
	return 0;
}
