/* husk cgroups: device rules on cgroup v2.
 *
 * cgroup v2 has no devices controller: the kernel asks a
 * BPF_PROG_TYPE_CGROUP_DEVICE program attached to the cgroup instead.  husk
 * compiles the rules the v1 controller would be given (the same list, in the
 * same order) into such a program, with the v1 controller's meaning:
 *   - a rule of type "a" (or no type) resets: allow=false makes everything
 *     denied by default, allow=true everything allowed, and the rules before
 *     it no longer count;
 *   - after the last such reset, the last rule that matches decides;
 *   - nothing matching: the default (allowed when no rule resets).
 * An allow rule matches a request whose accesses it all grants ("rw" is
 * not allowed by a rule for "r"); a deny rule matches a request with any
 * access it names.
 */
#ifndef HUSK_CGROUPS_DEVICES_BPF_H
#define HUSK_CGROUPS_DEVICES_BPF_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/config.h"
#include "util/error.h"

/* One rule as the program checks it. */
typedef struct husk_dev_match_s {
	uint32_t type; /* BPF_DEVCG_DEV_CHAR or _BLOCK; 0 for either */
	bool has_major, has_minor;
	uint32_t major, minor;
	uint32_t access; /* BPF_DEVCG_ACC_* bits */
	bool allow;
} husk_dev_match_t;

/* The decision procedure: MATCHES in the order they are checked (the
 * config's last rule first); the first that matches decides, else
 * DEFAULT_ALLOW. */
typedef struct husk_dev_program_s {
	bool default_allow;
	size_t n;
	husk_dev_match_t *matches;
} husk_dev_program_t;

/* Translate RULES (N of them, in the order v1 would be written them). */
void husk_dev_program_from_rules(husk_dev_program_t *p, const husk_device_rule_t *rules, size_t n);
void husk_dev_program_free(husk_dev_program_t *p);

/* What P decides for one request: TYPE a BPF_DEVCG_DEV_* value, ACCESS a
 * set of BPF_DEVCG_ACC_* bits.  The reference the assembled program must
 * agree with. */
bool husk_dev_program_allows(const husk_dev_program_t *p, uint32_t type, uint32_t major,
			     uint32_t minor, uint32_t access);

/* P as eBPF instructions reading a struct bpf_cgroup_dev_ctx in r1 and
 * returning 1 (allow) or 0 (deny).  Returns the count, with *INSNS a new
 * array. */
size_t husk_dev_program_assemble(const husk_dev_program_t *p, struct bpf_insn **insns);

/* Where loaded programs are noted, so that the next cgroup with the same
 * rules shares the program (devices-bpf.c): the state root ROOTFD, held
 * open by the caller while it makes cgroups; -1 for nowhere. */
void husk_devices_bpf_share_at(int rootfd);

/* Load the program for RULES (or take the one already loaded for the same
 * rules, see husk_devices_bpf_share_at) and attach it (BPF_F_ALLOW_MULTI) to
 * the cgroup directory DIR.  When DIR already has a device program of its own
 * (an `update`), it is kept and RULES are ignored with a warning: rebuilding
 * it would need the config's linux.devices, which `update` does not have. */
int husk_devices_bpf_apply(const char *dir, const husk_device_rule_t *rules, size_t n,
			   husk_error_t *err);

#endif
