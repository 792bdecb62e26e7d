/* husk cgroups: the systemd driver's parts (private to cgroups/).
 *
 *   systemd-unit.c   linux.cgroupsPath to a unit, its slice and its cgroup,
 *                    runc's way ("SLICE:PREFIX:NAME");
 *   systemd-props.c  linux.resources and org.systemd.property.* annotations
 *                    as unit properties;
 *   systemd-bus.c    the manager's methods (StartTransientUnit, StopUnit,
 *                    ResetFailedUnit, SetUnitProperties, the Version
 *                    property) and the wait for a job's JobRemoved;
 *   systemd.c        the manager table.
 */
#ifndef HUSK_CGROUPS_SYSTEMD_INTERNAL_H
#define HUSK_CGROUPS_SYSTEMD_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "cgroups/dbus.h"
#include "spec/config.h"
#include "util/error.h"

/* runc's timeout for systemd's jobs. */
#define HUSK_SD_JOB_TIMEOUT_MS 30000

/* Where a container goes. */
typedef struct husk_sd_unit_s {
	char *name;  /* "PREFIX-NAME.scope", or a slice's name */
	char *slice; /* the scope's slice, or the slice's parent ("system.slice") */
	char *path;  /* the unit's cgroup ("/system.slice/PREFIX-NAME.scope") */
	bool is_slice;
} husk_sd_unit_t;

void husk_sd_unit_clear(husk_sd_unit_t *u);

/* runc's cgroupsPath for systemd: "SLICE:PREFIX:NAME", exactly three parts,
 * the unit PREFIX-NAME.scope (NAME alone with no PREFIX) in SLICE
 * (system.slice when empty); a NAME ending in .slice is that slice, which
 * must be under SLICE.  NULL or "": husk-ID.scope in system.slice. */
int husk_sd_unit_parse(const char *cgroups_path, const char *id, husk_sd_unit_t *u,
		       husk_error_t *err);
/* The cgroup of the slice NAME: "a-b-c.slice" is
 * "/a.slice/a-b.slice/a-b-c.slice", "-.slice" the root "/"; an empty
 * component, a '/' or no ".slice" is an error. */
char *husk_sd_slice_path(const char *name, husk_error_t *err);
/* The unit of a container cgroup the driver made (PATH as state.json
 * recorded it): "/S/U.scope/container" is U.scope, "/S/N.slice" N.slice. */
int husk_sd_unit_of_path(const char *path, husk_sd_unit_t *u, husk_error_t *err);

/* The sub-cgroup of a scope the container lives in.  systemd writes the
 * unit's properties to the scope's own cgroup, again at every
 * daemon-reload; it never touches the cgroups under a delegated scope, so
 * every limit written here stays as written. */
#define HUSK_SD_SUBGROUP "container"

/* ---- properties ---- */

/* R as unit properties, appended to the a(sv) open in M.  VERSION is
 * systemd's (a property newer than it is left to cgroupfs alone): ask
 * husk_sd_needs_version() first whether it matters.  BUMP_PIDS: a pids
 * limit of 1 goes out as 2 (systemd.c says why). */
int husk_sd_put_resources(husk_dbus_msg_t *m, const husk_resources_t *r, int version,
			  bool bump_pids, husk_error_t *err);
/* Whether a property R asks for depends on systemd's version. */
bool husk_sd_needs_version(const husk_resources_t *r);
/* Each org.systemd.property.NAME annotation as the property NAME, its
 * value in GVariant's text form ('s', true, uint64 5, ['a', 'b'] ...); a
 * NAME ending in a lowercase letter and "Sec" becomes ...USec, its
 * number times 10^6, as runc and crun do. */
int husk_sd_put_annotations(husk_dbus_msg_t *m, const husk_kvs_t *annotations, husk_error_t *err);
/* "0-3,7" as systemd's CPU or NUMA-node mask: byte I, bit J is J+8I.
 * Returns the byte count, with *MASK a new array. */
int husk_sd_cpu_mask(const char *list, uint8_t **mask, size_t *n, husk_error_t *err);

/* ---- the manager's methods ---- */

/* A call on org.freedesktop.systemd1.Manager. */
husk_dbus_msg_t *husk_sd_call_new(const char *member);
/* Ask the bus for JobRemoved signals (a peer gets them unasked); sent
 * without waiting, so that it costs no round trip. */
int husk_sd_watch_jobs(husk_dbus_t *b, husk_error_t *err);
/* Send CALL (StartTransientUnit, StopUnit of UNIT), whose reply is a job,
 * and wait for the job to be removed: *RESULT its result ("done",
 * "failed", ...), a new string.  A systemd error comes back as the ERROR
 * message itself in *FAILED (NULL otherwise), for the caller to tell
 * UnitExists or NoSuchUnit from the rest. */
int husk_sd_run_job(husk_dbus_t *b, husk_dbus_msg_t *call, const char *unit, char **result,
		    husk_dbus_msg_t **failed, husk_error_t *err);
/* Send CALL and expect an empty RETURN; an ERROR is an error saying WHAT. */
int husk_sd_call_simple(husk_dbus_t *b, husk_dbus_msg_t *call, const char *what, husk_error_t *err);
/* systemd's version, as a number (252 for "252.39-1~deb12u1"). */
int husk_sd_version(husk_dbus_t *b, int *version, husk_error_t *err);

#endif
