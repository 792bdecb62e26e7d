/* husk spec: the pieces of the config parser shared between its files
 * (spec-private). */
#ifndef HUSK_SPEC_CONFIG_INTERNAL_H
#define HUSK_SPEC_CONFIG_INTERNAL_H

#include "spec/config.h"
#include "spec/json.h"

/* The sections of config.json, one file each. */
extern const husk_kind_t husk_kind_process;   /* process.c: husk_process_t * */
extern const husk_kind_t husk_kind_mounts;    /* mounts.c: the mounts array */
extern const husk_kind_t husk_kind_idmaps;    /* mounts.c: husk_idmaps_t */
extern const husk_kind_t husk_kind_hooks;     /* mounts.c: husk_hooks_t * */
extern const husk_kind_t husk_kind_linux;     /* linux.c: husk_linux_t * */
extern const husk_kind_t husk_kind_resources; /* resources.c: husk_resources_t * */
extern const husk_kind_t husk_kind_seccomp;   /* seccomp_cfg.c: husk_seccomp_t * */

/* Field checks, with the path at the object holding KEY.  A NULL value passes. */
int husk_check_abs_path(husk_walk_t *w, const char *key, const char *path);
int husk_check_abs_paths(husk_walk_t *w, const char *key, char *const *paths);
/* "0-3,7": comma-separated numbers and ranges. */
int husk_check_cpu_list(husk_walk_t *w, const char *key, const char *list);
int husk_check_range(husk_walk_t *w, const char *key, int64_t v, int64_t lo, int64_t hi);
/* Every entry is KEY=value with a non-empty KEY. */
int husk_check_env(husk_walk_t *w, const char *key, char *const *env);

/* Rules that span sections (validate.c), run after the whole walk. */
int husk_config_validate(husk_walk_t *w, husk_config_t *cfg);

#endif
