/* husk spec: the default config.json that `husk spec` writes. */
#ifndef HUSK_SPEC_DEFAULT_H
#define HUSK_SPEC_DEFAULT_H

#include <stdbool.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>

#include "util/error.h"

/* runc's default config (a `sh` in a read-only `rootfs`, new namespaces, the
 * usual /proc /dev /sys mounts, three capabilities).  ROOTLESS adapts it for
 * an unprivileged caller: a user namespace mapping root to UID/GID, no
 * network namespace, /sys bound from the host, no uid=/gid= mount options,
 * no cgroup resources.  Returns the JSON text, newline-terminated. */
char *husk_spec_default_json(bool rootless, uint32_t uid, uint32_t gid);

/* Write the default config to BUNDLE/config.json (BUNDLE NULL: the current
 * directory) with the caller's effective ids, refusing to replace a file
 * that is already there. */
int husk_spec_write_default(const char *bundle, bool rootless, husk_error_t *err);

/* Write those of the default config's mounts whose destination is in ONLY
 * (NULL-terminated) into G's open array, in the default config's order;
 * ROOTLESS as for husk_spec_default_json(). */
void husk_spec_gen_default_mounts(yajl_gen g, const char *const *only, bool rootless);

/* linux.resources.devices denying every device, inside an open
 * "resources" map: the runtime adds the standard ones (runc's default). */
void husk_spec_gen_deny_devices(yajl_gen g);

/* linux.maskedPaths and linux.readonlyPaths as `husk spec` writes them
 * (runc's): /proc/kcore, /proc/keys, /sys/firmware ... masked, /proc/sys,
 * /proc/sysrq-trigger ... read-only.  Inside an open "linux" map. */
void husk_spec_gen_masked_paths(yajl_gen g);

#endif
