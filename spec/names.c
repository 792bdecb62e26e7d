/* husk spec: the names the runtime-spec gives to enumerations. */
#include "spec/names.h"

#include <sys/resource.h>

#include "spec/config.h"

#define NAMES(what, array)                     \
	{                                      \
		(what), (array), HUSK_N(array) \
	}

static const char *const ns_types[] = {
	[HUSK_NS_PID] = "pid",       [HUSK_NS_NETWORK] = "network", [HUSK_NS_MOUNT] = "mount",
	[HUSK_NS_IPC] = "ipc",       [HUSK_NS_UTS] = "uts",         [HUSK_NS_USER] = "user",
	[HUSK_NS_CGROUP] = "cgroup", [HUSK_NS_TIME] = "time",
};
const husk_names_t husk_ns_type_names = NAMES("namespace type", ns_types);

static const char *const scmp_actions[] = {
	[HUSK_SCMP_ACT_KILL] = "SCMP_ACT_KILL",
	[HUSK_SCMP_ACT_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
	[HUSK_SCMP_ACT_KILL_THREAD] = "SCMP_ACT_KILL_THREAD",
	[HUSK_SCMP_ACT_TRAP] = "SCMP_ACT_TRAP",
	[HUSK_SCMP_ACT_ERRNO] = "SCMP_ACT_ERRNO",
	[HUSK_SCMP_ACT_TRACE] = "SCMP_ACT_TRACE",
	[HUSK_SCMP_ACT_ALLOW] = "SCMP_ACT_ALLOW",
	[HUSK_SCMP_ACT_LOG] = "SCMP_ACT_LOG",
	[HUSK_SCMP_ACT_NOTIFY] = "SCMP_ACT_NOTIFY",
};
const husk_names_t husk_scmp_action_names = NAMES("seccomp action", scmp_actions);

static const char *const scmp_ops[] = {
	[HUSK_SCMP_CMP_NE] = "SCMP_CMP_NE",
	[HUSK_SCMP_CMP_LT] = "SCMP_CMP_LT",
	[HUSK_SCMP_CMP_LE] = "SCMP_CMP_LE",
	[HUSK_SCMP_CMP_EQ] = "SCMP_CMP_EQ",
	[HUSK_SCMP_CMP_GE] = "SCMP_CMP_GE",
	[HUSK_SCMP_CMP_GT] = "SCMP_CMP_GT",
	[HUSK_SCMP_CMP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};
const husk_names_t husk_scmp_op_names = NAMES("seccomp operator", scmp_ops);

/* Every architecture the runtime-spec names; whether the linked libseccomp
 * knows one is for seccomp/ to say when the filter is built. */
static const char *const scmp_archs[] = {
	"SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",         "SCMP_ARCH_ARM",
	"SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",
	"SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
	"SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",
	"SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",     "SCMP_ARCH_LOONGARCH64",
	"SCMP_ARCH_M68K",    "SCMP_ARCH_SH",       "SCMP_ARCH_SHEB",
};
const husk_names_t husk_scmp_arch_names = NAMES("seccomp architecture", scmp_archs);

static const char *const scmp_flags[] = {
	"SECCOMP_FILTER_FLAG_TSYNC",
	"SECCOMP_FILTER_FLAG_LOG",
	"SECCOMP_FILTER_FLAG_SPEC_ALLOW",
	"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
};
const husk_names_t husk_scmp_flag_names = NAMES("seccomp flag", scmp_flags);

static const char *const propagations[] = {
	[HUSK_PROP_SHARED] = "shared",     [HUSK_PROP_SLAVE] = "slave",
	[HUSK_PROP_PRIVATE] = "private",   [HUSK_PROP_UNBINDABLE] = "unbindable",
	[HUSK_PROP_RSHARED] = "rshared",   [HUSK_PROP_RSLAVE] = "rslave",
	[HUSK_PROP_RPRIVATE] = "rprivate", [HUSK_PROP_RUNBINDABLE] = "runbindable",
};
const husk_names_t husk_propagation_names = NAMES("rootfs propagation", propagations);

static const char *const ioprio_classes[] = {
	[HUSK_IOPRIO_CLASS_RT] = "IOPRIO_CLASS_RT",
	[HUSK_IOPRIO_CLASS_BE] = "IOPRIO_CLASS_BE",
	[HUSK_IOPRIO_CLASS_IDLE] = "IOPRIO_CLASS_IDLE",
};
const husk_names_t husk_ioprio_class_names = NAMES("I/O priority class", ioprio_classes);

static const char *const sched_policies[] = {
	[HUSK_SCHED_OTHER] = "SCHED_OTHER",
	[HUSK_SCHED_FIFO] = "SCHED_FIFO",
	[HUSK_SCHED_RR] = "SCHED_RR",
	[HUSK_SCHED_BATCH] = "SCHED_BATCH",
	[HUSK_SCHED_ISO] = "SCHED_ISO",
	[HUSK_SCHED_IDLE] = "SCHED_IDLE",
	[HUSK_SCHED_DEADLINE] = "SCHED_DEADLINE",
};
const husk_names_t husk_sched_policy_names = NAMES("scheduler policy", sched_policies);

static const char *const sched_flags[] = {
	"SCHED_FLAG_RESET_ON_FORK",  "SCHED_FLAG_RECLAIM",     "SCHED_FLAG_DL_OVERRUN",
	"SCHED_FLAG_KEEP_POLICY",    "SCHED_FLAG_KEEP_PARAMS", "SCHED_FLAG_UTIL_CLAMP_MIN",
	"SCHED_FLAG_UTIL_CLAMP_MAX",
};
const husk_names_t husk_sched_flag_names = NAMES("scheduler flag", sched_flags);

static const char *const personality_domains[] = {
	[HUSK_PER_LINUX] = "LINUX",
	[HUSK_PER_LINUX32] = "LINUX32",
};
const husk_names_t husk_personality_domain_names = NAMES("personality domain", personality_domains);

/* The spec defines no personality flags yet: any name is unknown. */
static const char *const personality_flags[] = { NULL };
const husk_names_t husk_personality_flag_names = { "personality flag", personality_flags, 0 };

static const char *const mpol_modes[] = {
	[HUSK_MPOL_DEFAULT] = "MPOL_DEFAULT",
	[HUSK_MPOL_BIND] = "MPOL_BIND",
	[HUSK_MPOL_INTERLEAVE] = "MPOL_INTERLEAVE",
	[HUSK_MPOL_WEIGHTED_INTERLEAVE] = "MPOL_WEIGHTED_INTERLEAVE",
	[HUSK_MPOL_PREFERRED] = "MPOL_PREFERRED",
	[HUSK_MPOL_PREFERRED_MANY] = "MPOL_PREFERRED_MANY",
	[HUSK_MPOL_LOCAL] = "MPOL_LOCAL",
};
const husk_names_t husk_mpol_mode_names = NAMES("memory policy mode", mpol_modes);

static const char *const mpol_flags[] = {
	"MPOL_F_NUMA_BALANCING",
	"MPOL_F_RELATIVE_NODES",
	"MPOL_F_STATIC_NODES",
};
const husk_names_t husk_mpol_flag_names = NAMES("memory policy flag", mpol_flags);

static const char *const device_types[] = {
	[HUSK_DEV_CHAR] = "c",
	[HUSK_DEV_BLOCK] = "b",
	[HUSK_DEV_UNBUF] = "u",
	[HUSK_DEV_FIFO] = "p",
};
const husk_names_t husk_device_type_names = NAMES("device type", device_types);

static const char *const time_clocks[] = {
	[HUSK_CLOCK_MONOTONIC] = "monotonic",
	[HUSK_CLOCK_BOOTTIME] = "boottime",
};
const husk_names_t husk_time_clock_names = NAMES("clock", time_clocks);

/* Indexed by the RLIMIT_* value. */
static const char *const rlimits[] = {
	[RLIMIT_CPU] = "RLIMIT_CPU",           [RLIMIT_FSIZE] = "RLIMIT_FSIZE",
	[RLIMIT_DATA] = "RLIMIT_DATA",         [RLIMIT_STACK] = "RLIMIT_STACK",
	[RLIMIT_CORE] = "RLIMIT_CORE",         [RLIMIT_RSS] = "RLIMIT_RSS",
	[RLIMIT_NPROC] = "RLIMIT_NPROC",       [RLIMIT_NOFILE] = "RLIMIT_NOFILE",
	[RLIMIT_MEMLOCK] = "RLIMIT_MEMLOCK",   [RLIMIT_AS] = "RLIMIT_AS",
	[RLIMIT_LOCKS] = "RLIMIT_LOCKS",       [RLIMIT_SIGPENDING] = "RLIMIT_SIGPENDING",
	[RLIMIT_MSGQUEUE] = "RLIMIT_MSGQUEUE", [RLIMIT_NICE] = "RLIMIT_NICE",
	[RLIMIT_RTPRIO] = "RLIMIT_RTPRIO",     [RLIMIT_RTTIME] = "RLIMIT_RTTIME",
};
const husk_names_t husk_rlimit_names = NAMES("rlimit type", rlimits);

/* Indexed by the capability number. */
static const char *const caps[HUSK_CAP_LAST + 1] = {
	"CAP_CHOWN",
	"CAP_DAC_OVERRIDE",
	"CAP_DAC_READ_SEARCH",
	"CAP_FOWNER",
	"CAP_FSETID",
	"CAP_KILL",
	"CAP_SETGID",
	"CAP_SETUID",
	"CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST",
	"CAP_NET_ADMIN",
	"CAP_NET_RAW",
	"CAP_IPC_LOCK",
	"CAP_IPC_OWNER",
	"CAP_SYS_MODULE",
	"CAP_SYS_RAWIO",
	"CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE",
	"CAP_SYS_PACCT",
	"CAP_SYS_ADMIN",
	"CAP_SYS_BOOT",
	"CAP_SYS_NICE",
	"CAP_SYS_RESOURCE",
	"CAP_SYS_TIME",
	"CAP_SYS_TTY_CONFIG",
	"CAP_MKNOD",
	"CAP_LEASE",
	"CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL",
	"CAP_SETFCAP",
	"CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN",
	"CAP_SYSLOG",
	"CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND",
	"CAP_AUDIT_READ",
	"CAP_PERFMON",
	"CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};
const husk_names_t husk_cap_names = NAMES("capability", caps);

static const char *name_of(const husk_names_t *names, int i)
{
	return i >= 0 && (size_t) i < names->n ? names->v[i] : NULL;
}

const char *husk_ns_type_name(int t)
{
	return name_of(&husk_ns_type_names, t);
}

const char *husk_mpol_mode_name(int m)
{
	return name_of(&husk_mpol_mode_names, m);
}

const char *husk_scmp_action_name(int a)
{
	return name_of(&husk_scmp_action_names, a);
}

const char *husk_propagation_name(int p)
{
	return name_of(&husk_propagation_names, p);
}

const char *husk_cap_name(int cap)
{
	return name_of(&husk_cap_names, cap);
}

const char *husk_rlimit_name(int resource)
{
	return name_of(&husk_rlimit_names, resource);
}

int husk_cap_from_name(const char *name)
{
	return husk_names_find(&husk_cap_names, name);
}
