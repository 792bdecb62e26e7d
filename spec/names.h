/* husk spec: the names the runtime-spec gives to enumerations (spec-private). */
#ifndef HUSK_SPEC_NAMES_H
#define HUSK_SPEC_NAMES_H

#include "spec/json.h"

extern const husk_names_t husk_ns_type_names;
extern const husk_names_t husk_scmp_action_names;
extern const husk_names_t husk_scmp_op_names;
extern const husk_names_t husk_scmp_arch_names;
extern const husk_names_t husk_scmp_flag_names;
extern const husk_names_t husk_propagation_names;
extern const husk_names_t husk_ioprio_class_names;
extern const husk_names_t husk_sched_policy_names;
extern const husk_names_t husk_sched_flag_names;
extern const husk_names_t husk_personality_domain_names;
extern const husk_names_t husk_personality_flag_names;
extern const husk_names_t husk_mpol_mode_names;
extern const husk_names_t husk_mpol_flag_names;
extern const husk_names_t husk_device_type_names;
extern const husk_names_t husk_time_clock_names;
extern const husk_names_t husk_rlimit_names;
extern const husk_names_t husk_cap_names;

#endif
