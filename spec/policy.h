/* husk spec: a `husk sandbox` policy as a file (--config FILE) and as
 * --dry-run prints it.
 *
 * One JSON object whose keys are the long names of husk sandbox's flags:
 *
 *   {"memory": "256M", "time": "30s", "ro": ["/data", "/models:/m"],
 *    "net": "none", "clearenv": true, "command": ["python3", "grade.py"]}
 *
 * A string or a number is the flag's value, true a flag that takes none
 * (false and null leave it out), an array one value per repetition of a
 * flag that may be repeated.  "command" is the job's argv, used when the
 * command line names none.  "plan" is what --dry-run adds about what
 * husk would do (each limit's mechanism, the ids and the cgroup); a
 * policy read back ignores it.  Which names are flags, and which of those
 * take a value, is the command line's to say: this module only reads and
 * writes the shape.
 */
#ifndef HUSK_SPEC_POLICY_H
#define HUSK_SPEC_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/sandbox.h"
#include "util/error.h"

/* One flag of a policy: NAME with VALUE, or without one (VALUE NULL, for
 * `true`).  REPEAT: written as an element of an array. */
typedef struct husk_policy_opt_s {
	char *name;
	char *value;
	bool repeat;
} husk_policy_opt_t;

typedef struct husk_policy_s {
	husk_policy_opt_t *v; /* in the file's order, an array's values in order */
	size_t n;
	char **command; /* NULL when the file has none */
} husk_policy_t;

/* Read the policy at PATH.  Every error names the file and the key. */
husk_policy_t *husk_policy_load(const char *path, husk_error_t *err);
void husk_policy_free(husk_policy_t *p);

/* What --dry-run adds: what husk would do with the policy. */
typedef struct husk_sandbox_plan_s {
	const husk_sandbox_limit_t *limits; /* each limit asked for and its mechanism */
	size_t n_limits;
	uint32_t uid, gid;           /* the job's */
	bool userns;                 /* a user namespace of the job's own */
	uint32_t host_uid, host_gid; /* the host's ids behind them */
	const char *cgroup;          /* the cgroup the job's is made under; NULL: none */
} husk_sandbox_plan_t;

/* The policy as JSON, in the order of P (a repeated flag's values
 * gathered into one array where it first appears), its command, and PLAN
 * when not NULL; with a final newline. */
char *husk_policy_json(const husk_policy_t *p, const husk_sandbox_plan_t *plan);

#endif
