/* husk spec: config.json as owned C structs (OCI runtime-spec 1.3.0, Linux).
 *
 * spec/ is the only part of husk that sees JSON.  husk_config_parse() checks
 * types, ranges and the spec's rules and returns a tree that the rest of husk
 * reads; every error names the JSON path and the bad value.  Parsing accepts
 * every field of the spec: whether husk can act on a field is a separate
 * question, answered by husk_config_check_supported() at create time.
 *
 * Conventions: nested objects are pointers (NULL when absent); arrays are
 * HUSK_VEC(T) {v, n}; string arrays are NULL-terminated char ** (NULL when
 * absent); a scalar whose zero value differs from "absent" has a `has_` flag.
 */
#ifndef HUSK_SPEC_CONFIG_H
#define HUSK_SPEC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"
#include "util/strv.h"

/* config.json larger than this is refused. */
#define HUSK_CONFIG_MAX_SIZE (4u << 20)

#define HUSK_VEC(T)       \
	struct {          \
		T *v;     \
		size_t n; \
	}

typedef HUSK_VEC(uint32_t) husk_u32s_t;

typedef struct husk_kv_s {
	char *key;
	char *value;
} husk_kv_t;
typedef HUSK_VEC(husk_kv_t) husk_kvs_t;

/* The value stored for KEY in KVS, or NULL. */
const char *husk_kvs_get(const husk_kvs_t *kvs, const char *key);

/* ---- enumerations; each has a name table in the same order ---- */

enum husk_ns_type {
	HUSK_NS_PID,
	HUSK_NS_NETWORK,
	HUSK_NS_MOUNT,
	HUSK_NS_IPC,
	HUSK_NS_UTS,
	HUSK_NS_USER,
	HUSK_NS_CGROUP,
	HUSK_NS_TIME,
	HUSK_NS_COUNT,
};

enum husk_scmp_action {
	HUSK_SCMP_ACT_KILL,
	HUSK_SCMP_ACT_KILL_PROCESS,
	HUSK_SCMP_ACT_KILL_THREAD,
	HUSK_SCMP_ACT_TRAP,
	HUSK_SCMP_ACT_ERRNO,
	HUSK_SCMP_ACT_TRACE,
	HUSK_SCMP_ACT_ALLOW,
	HUSK_SCMP_ACT_LOG,
	HUSK_SCMP_ACT_NOTIFY,
	HUSK_SCMP_ACT_COUNT,
};

enum husk_scmp_op {
	HUSK_SCMP_CMP_NE,
	HUSK_SCMP_CMP_LT,
	HUSK_SCMP_CMP_LE,
	HUSK_SCMP_CMP_EQ,
	HUSK_SCMP_CMP_GE,
	HUSK_SCMP_CMP_GT,
	HUSK_SCMP_CMP_MASKED_EQ,
	HUSK_SCMP_CMP_COUNT,
};

enum husk_propagation {
	HUSK_PROP_SHARED,
	HUSK_PROP_SLAVE,
	HUSK_PROP_PRIVATE,
	HUSK_PROP_UNBINDABLE,
	HUSK_PROP_RSHARED,
	HUSK_PROP_RSLAVE,
	HUSK_PROP_RPRIVATE,
	HUSK_PROP_RUNBINDABLE,
	HUSK_PROP_COUNT,
};

enum husk_ioprio_class {
	HUSK_IOPRIO_CLASS_RT,
	HUSK_IOPRIO_CLASS_BE,
	HUSK_IOPRIO_CLASS_IDLE,
	HUSK_IOPRIO_CLASS_COUNT,
};

enum husk_sched_policy {
	HUSK_SCHED_OTHER,
	HUSK_SCHED_FIFO,
	HUSK_SCHED_RR,
	HUSK_SCHED_BATCH,
	HUSK_SCHED_ISO,
	HUSK_SCHED_IDLE,
	HUSK_SCHED_DEADLINE,
	HUSK_SCHED_COUNT,
};

enum husk_personality_domain {
	HUSK_PER_LINUX,
	HUSK_PER_LINUX32,
	HUSK_PER_COUNT,
};

enum husk_mpol_mode {
	HUSK_MPOL_DEFAULT,
	HUSK_MPOL_BIND,
	HUSK_MPOL_INTERLEAVE,
	HUSK_MPOL_WEIGHTED_INTERLEAVE,
	HUSK_MPOL_PREFERRED,
	HUSK_MPOL_PREFERRED_MANY,
	HUSK_MPOL_LOCAL,
	HUSK_MPOL_COUNT,
};

enum husk_device_type {
	HUSK_DEV_CHAR,  /* "c" */
	HUSK_DEV_BLOCK, /* "b" */
	HUSK_DEV_UNBUF, /* "u": a character device, unbuffered */
	HUSK_DEV_FIFO,  /* "p" */
	HUSK_DEV_COUNT,
};

enum husk_time_clock {
	HUSK_CLOCK_MONOTONIC,
	HUSK_CLOCK_BOOTTIME,
	HUSK_CLOCK_COUNT,
};

/* The highest capability number husk knows (CAP_CHECKPOINT_RESTORE). */
#define HUSK_CAP_LAST 40

/* Names as the spec spells them; NULL for an out-of-range value. */
const char *husk_ns_type_name(int t);
const char *husk_scmp_action_name(int a);
const char *husk_propagation_name(int p);
const char *husk_cap_name(int cap);
const char *husk_mpol_mode_name(int m);
/* "RLIMIT_NOFILE" for RLIMIT_NOFILE. */
const char *husk_rlimit_name(int resource);
/* The capability numbered by NAME ("CAP_KILL"), or -1. */
int husk_cap_from_name(const char *name);

/* ---- process ---- */

typedef struct husk_user_s {
	uint32_t uid;
	uint32_t gid;
	bool has_umask;
	uint32_t umask;
	husk_u32s_t additional_gids;
} husk_user_t;

typedef struct husk_console_size_s {
	uint32_t height;
	uint32_t width;
} husk_console_size_t;

/* Each set is a bit mask of capability numbers; has_ says the set was given. */
typedef struct husk_caps_s {
	bool has_bounding, has_effective, has_inheritable, has_permitted, has_ambient;
	uint64_t bounding, effective, inheritable, permitted, ambient;
} husk_caps_t;

typedef struct husk_rlimit_s {
	int type; /* RLIMIT_* */
	uint64_t soft;
	uint64_t hard;
} husk_rlimit_t;

typedef struct husk_ioprio_s {
	int class_; /* enum husk_ioprio_class */
	bool has_priority;
	int32_t priority;
} husk_ioprio_t;

typedef struct husk_sched_s {
	int policy; /* enum husk_sched_policy */
	bool has_nice, has_priority, has_runtime, has_deadline, has_period;
	int32_t nice;
	int32_t priority;
	char **flags; /* SCHED_FLAG_* */
	uint64_t runtime, deadline, period;
} husk_sched_t;

typedef struct husk_cpu_affinity_s {
	char *initial; /* cpu lists, "0-3,7" */
	char *final;
} husk_cpu_affinity_t;

typedef struct husk_process_s {
	bool terminal;
	husk_console_size_t *console_size;
	husk_user_t *user;
	char **args;
	char **env;
	char *cwd;
	husk_caps_t *capabilities;
	HUSK_VEC(husk_rlimit_t) rlimits;
	bool no_new_privileges;
	char *apparmor_profile;
	bool has_oom_score_adj;
	int32_t oom_score_adj;
	char *selinux_label;
	husk_ioprio_t *io_priority;
	husk_sched_t *scheduler;
	husk_cpu_affinity_t *exec_cpu_affinity;
} husk_process_t;

/* ---- root, mounts, hooks ---- */

typedef struct husk_root_s {
	char *path;
	bool readonly;
} husk_root_t;

typedef struct husk_idmap_s {
	uint32_t container_id;
	uint32_t host_id;
	uint32_t size;
} husk_idmap_t;
typedef HUSK_VEC(husk_idmap_t) husk_idmaps_t;

typedef struct husk_mount_s {
	char *destination;
	char *type;
	char *source;
	char **options;
	husk_idmaps_t uid_mappings;
	husk_idmaps_t gid_mappings;
} husk_mount_t;

typedef struct husk_hook_s {
	char *path;
	char **args;
	char **env;
	bool has_timeout;
	int64_t timeout; /* seconds, > 0 */
} husk_hook_t;
typedef HUSK_VEC(husk_hook_t) husk_hook_list_t;

typedef struct husk_hooks_s {
	husk_hook_list_t prestart; /* deprecated, still sent by docker */
	husk_hook_list_t create_runtime;
	husk_hook_list_t create_container;
	husk_hook_list_t start_container;
	husk_hook_list_t poststart;
	husk_hook_list_t poststop;
} husk_hooks_t;

/* ---- linux ---- */

typedef struct husk_namespace_s {
	int type; /* enum husk_ns_type */
	char *path;
} husk_namespace_t;

typedef struct husk_time_offset_s {
	char *name; /* "monotonic" or "boottime" */
	int clock;  /* enum husk_time_clock */
	int64_t secs;
	uint32_t nanosecs;
} husk_time_offset_t;

typedef struct husk_device_s {
	int type; /* enum husk_device_type */
	char *path;
	bool has_major, has_minor, has_file_mode, has_uid, has_gid;
	int64_t major, minor;
	uint32_t file_mode;
	uint32_t uid, gid;
} husk_device_t;

/* A device cgroup rule. */
typedef struct husk_device_rule_s {
	bool allow;
	char *type; /* "a", "c" or "b"; NULL means all */
	bool has_major, has_minor;
	int64_t major, minor; /* absent means any */
	char *access;         /* subset of "rwm"; NULL means all */
} husk_device_rule_t;

/* Docker sends zeros meaning "unset": consumers treat 0 as no limit where the
 * kernel would otherwise read it as "nothing allowed". */
typedef struct husk_memory_s {
	bool has_limit, has_reservation, has_swap, has_kernel, has_kernel_tcp, has_swappiness;
	int64_t limit, reservation, swap, kernel, kernel_tcp;
	uint64_t swappiness; /* 0..100; the Go encoding of -1 means absent */
	bool has_disable_oom_killer, has_use_hierarchy, has_check_before_update;
	bool disable_oom_killer, use_hierarchy, check_before_update;
} husk_memory_t;

typedef struct husk_cpu_s {
	bool has_shares, has_quota, has_burst, has_period, has_realtime_runtime,
		has_realtime_period, has_idle;
	uint64_t shares;
	int64_t quota;
	uint64_t burst;
	uint64_t period;
	int64_t realtime_runtime;
	uint64_t realtime_period;
	int64_t idle;
	char *cpus;
	char *mems;
} husk_cpu_t;

typedef struct husk_pids_s {
	bool has_limit;
	int64_t limit; /* <= 0: no limit */
} husk_pids_t;

typedef struct husk_blkio_weight_s {
	int64_t major, minor;
	bool has_weight, has_leaf_weight;
	uint16_t weight, leaf_weight;
} husk_blkio_weight_t;

typedef struct husk_blkio_rate_s {
	int64_t major, minor;
	uint64_t rate;
} husk_blkio_rate_t;
typedef HUSK_VEC(husk_blkio_rate_t) husk_blkio_rates_t;

typedef struct husk_blkio_s {
	bool has_weight, has_leaf_weight;
	uint16_t weight, leaf_weight; /* 10..1000, 0 meaning unset */
	HUSK_VEC(husk_blkio_weight_t) weight_device;
	husk_blkio_rates_t throttle_read_bps_device;
	husk_blkio_rates_t throttle_write_bps_device;
	husk_blkio_rates_t throttle_read_iops_device;
	husk_blkio_rates_t throttle_write_iops_device;
} husk_blkio_t;

typedef struct husk_hugepage_s {
	char *page_size; /* "2MB" */
	uint64_t limit;
} husk_hugepage_t;

typedef struct husk_net_prio_s {
	char *name;
	uint32_t priority;
} husk_net_prio_t;

typedef struct husk_network_s {
	bool has_class_id;
	uint32_t class_id;
	HUSK_VEC(husk_net_prio_t) priorities;
} husk_network_t;

typedef struct husk_rdma_s {
	char *name; /* the device */
	bool has_hca_handles, has_hca_objects;
	uint32_t hca_handles, hca_objects;
} husk_rdma_t;

typedef struct husk_resources_s {
	HUSK_VEC(husk_device_rule_t) devices;
	husk_memory_t *memory;
	husk_cpu_t *cpu;
	husk_pids_t *pids;
	husk_blkio_t *block_io;
	HUSK_VEC(husk_hugepage_t) hugepage_limits;
	husk_network_t *network;
	HUSK_VEC(husk_rdma_t) rdma;
	husk_kvs_t unified;
} husk_resources_t;

typedef struct husk_intel_rdt_s {
	char *clos_id;
	char **schemata;
	char *l3_cache_schema;
	char *mem_bw_schema;
	bool enable_monitoring;
	bool enable_cmt; /* pre-1.3 spellings of enableMonitoring */
	bool enable_mbm;
} husk_intel_rdt_t;

typedef struct husk_syscall_arg_s {
	uint32_t index; /* 0..5 */
	uint64_t value;
	uint64_t value_two;
	int op; /* enum husk_scmp_op */
} husk_syscall_arg_t;

typedef struct husk_syscall_s {
	char **names;
	int action; /* enum husk_scmp_action */
	bool has_errno_ret;
	uint32_t errno_ret;
	HUSK_VEC(husk_syscall_arg_t) args;
} husk_syscall_t;

typedef struct husk_seccomp_s {
	int default_action; /* enum husk_scmp_action */
	bool has_default_errno_ret;
	uint32_t default_errno_ret;
	char **architectures; /* "SCMP_ARCH_X86_64" */
	char **flags;         /* "SECCOMP_FILTER_FLAG_LOG" */
	char *listener_path;
	char *listener_metadata;
	HUSK_VEC(husk_syscall_t) syscalls;
} husk_seccomp_t;

typedef struct husk_personality_s {
	int domain; /* enum husk_personality_domain */
	char **flags;
} husk_personality_t;

typedef struct husk_mempolicy_s {
	int mode; /* enum husk_mpol_mode */
	char *nodes;
	char **flags; /* MPOL_F_* */
} husk_mempolicy_t;

typedef struct husk_net_device_s {
	char *name;     /* the host's interface */
	char *new_name; /* "name": its name in the container, NULL to keep it */
} husk_net_device_t;

typedef struct husk_linux_s {
	HUSK_VEC(husk_namespace_t) namespaces;
	husk_idmaps_t uid_mappings;
	husk_idmaps_t gid_mappings;
	HUSK_VEC(husk_time_offset_t) time_offsets;
	HUSK_VEC(husk_device_t) devices;
	char *cgroups_path;
	husk_resources_t *resources;
	husk_intel_rdt_t *intel_rdt;
	husk_kvs_t sysctl;
	husk_seccomp_t *seccomp;
	bool has_rootfs_propagation;
	int rootfs_propagation; /* enum husk_propagation */
	char **masked_paths;
	char **readonly_paths;
	char *mount_label;
	husk_personality_t *personality;
	husk_mempolicy_t *memory_policy;
	HUSK_VEC(husk_net_device_t) net_devices;
} husk_linux_t;

typedef struct husk_config_s {
	char *oci_version;
	husk_root_t *root;
	HUSK_VEC(husk_mount_t) mounts;
	husk_process_t *process;
	char *hostname;
	char *domainname;
	husk_hooks_t *hooks;
	husk_kvs_t annotations;
	husk_linux_t *linux_;
	/* Sections for other platforms: accepted, never acted on. */
	bool has_windows, has_solaris, has_vm, has_zos;
} husk_config_t;

/* Parse and validate JSON[0..LEN).  Errors read
 * "config.json: <path>: <what is wrong>". */
husk_config_t *husk_config_parse(const char *json, size_t len, husk_error_t *err);
/* Read BUNDLE_DIRFD/config.json (no symlink, at most HUSK_CONFIG_MAX_SIZE) and
 * parse it. */
husk_config_t *husk_config_load_at(int bundle_dirfd, husk_error_t *err);
void husk_config_free(husk_config_t *cfg);
void husk_config_freep(husk_config_t **cfg);
#define _cleanup_config_ __attribute__((cleanup(husk_config_freep)))

/* Refuse a valid config that asks for something husk does not do yet, naming
 * the field: "config.json: linux.intelRdt: not supported by husk".  Called at
 * create time, before anything is made. */
int husk_config_check_supported(const husk_config_t *cfg, husk_error_t *err);

/* A linux.resources object on its own (`update -r`), validated as in a
 * config; errors read "WHAT: memory.limit: ...". */
husk_resources_t *husk_resources_parse(const char *json, size_t len, const char *what,
				       husk_error_t *err);
void husk_resources_free(husk_resources_t *r);

/* A process object on its own (`exec -p process.json`). */
husk_process_t *husk_process_parse(const char *json, size_t len, const char *what,
				   husk_error_t *err);
void husk_process_free(husk_process_t *p);

/* Whether CFG asks for a new namespace of TYPE, or to join one. */
const husk_namespace_t *husk_config_namespace(const husk_config_t *cfg, int type);

#endif
