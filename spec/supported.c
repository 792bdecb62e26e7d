/* husk spec: the fields husk parses but does not act on.
 *
 * Parsing accepts all of runtime-spec 1.3.0, so that husk's own `spec`
 * output, engines' configs and later versions of husk agree on what is valid.
 * Whether husk can honour a field is this file's question, asked at create
 * time: a container must never start with part of its config silently
 * dropped.  When a mechanism lands, its line goes from this table and its
 * entry in features.c is switched on, in the same change.
 */
#include <string.h>

#include "spec/config.h"
#include "util/log.h"
#include "util/support.h"

struct unsupported {
	const char *path;
	bool (*asks)(const husk_config_t *c);
	const char *(*why)(void); /* what more to say, or NULL */
};

static bool asks_vm(const husk_config_t *c)
{
	return c->has_vm;
}

static bool asks_other_os(const husk_config_t *c)
{
	return c->has_windows || c->has_solaris || c->has_zos;
}

static bool asks_intel_rdt(const husk_config_t *c)
{
	return c->linux_ != NULL && c->linux_->intel_rdt != NULL;
}

/* runc refuses intelRdt where the kernel has no resctrl; husk has no resctrl
 * manager yet, and says which of the two stands in the way. */
static const char *why_intel_rdt(void)
{
	return husk_support_host_has_resctrl()
		       ? ": this host has resctrl, but husk has no resctrl manager yet"
		       : ": this host's kernel has no resctrl filesystem (Intel RDT, AMD "
			 "QoS), so no runtime could honour it";
}

static const husk_resources_t *resources_of(const husk_config_t *c)
{
	return c->linux_ != NULL ? c->linux_->resources : NULL;
}

/* Kernel memory accounting is gone from cgroup v2 and deprecated in v1:
 * the spec says runtimes MAY ignore it, and runc does, with a warning;
 * docker's zeros ask for nothing. */
static bool asks_kernel_memory(const husk_config_t *c)
{
	const husk_resources_t *r = resources_of(c);
	const husk_memory_t *m = r != NULL ? r->memory : NULL;

	return m != NULL &&
	       ((m->has_kernel && m->kernel > 0) || (m->has_kernel_tcp && m->kernel_tcp > 0));
}

/* Fields husk accepts without acting on them, as runc does, each with the
 * warning runc gives (or one in its spirit). */
static const struct tolerated {
	bool (*asks)(const husk_config_t *c);
	const char *warning;
} tolerated[] = {
	{ asks_kernel_memory,
	  "config.json: linux.resources.memory.kernel and kernelTCP: kernel "
	  "memory settings are ignored (deprecated; runtimes may ignore them)" },
};

static bool asks_net_cls(const husk_config_t *c)
{
	const husk_resources_t *r = resources_of(c);

	return r != NULL && r->network != NULL &&
	       ((r->network->has_class_id && r->network->class_id != 0) ||
		r->network->priorities.n > 0);
}

static const struct unsupported unsupported[] = {
	{ "vm", asks_vm },
	{ "windows, solaris or zos", asks_other_os },
	{ "linux.intelRdt", asks_intel_rdt, why_intel_rdt },
	{ "linux.resources.network", asks_net_cls },
};

int husk_config_check_supported(const husk_config_t *cfg, husk_error_t *err)
{
	for (size_t i = 0; i < sizeof(tolerated) / sizeof(tolerated[0]); i++) {
		if (tolerated[i].asks(cfg)) {
			husk_warn("%s", tolerated[i].warning);
		}
	}
	for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++) {
		if (unsupported[i].asks(cfg)) {
			return husk_error_make(err, 0, "config.json: %s: not supported by husk%s",
					       unsupported[i].path,
					       unsupported[i].why != NULL ? unsupported[i].why()
									  : "");
		}
	}
	return 0;
}
