/* husk cgroups: systemd's manager, over D-Bus (org.freedesktop.systemd1,
 * systemd's org.freedesktop.systemd1(5)). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgroups/systemd-internal.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

#define SD_DEST      "org.freedesktop.systemd1"
#define SD_PATH      "/org/freedesktop/systemd1"
#define SD_MANAGER   "org.freedesktop.systemd1.Manager"
#define CALL_TIMEOUT 25000 /* sd-bus's default for a method call */

husk_dbus_msg_t *husk_sd_call_new(const char *member)
{
	return husk_dbus_call_new(SD_DEST, SD_PATH, SD_MANAGER, member);
}

int husk_sd_watch_jobs(husk_dbus_t *b, husk_error_t *err)
{
	_cleanup_dbus_msg_ husk_dbus_msg_t *m = NULL;

	/* systemd sends JobRemoved to every peer of its private socket, and
	 * on the bus to the clients that started the job; the bus delivers
	 * it only to those with a match. */
	if (!husk_dbus_is_bus(b)) {
		return 0;
	}
	m = husk_dbus_call_new("org.freedesktop.DBus", "/org/freedesktop/DBus",
			       "org.freedesktop.DBus", "AddMatch");
	husk_dbus_put_s(m, "type='signal',sender='" SD_DEST "',path='" SD_PATH
			   "',interface='" SD_MANAGER "',member='JobRemoved'");
	husk_dbus_msg_set_flags(m, HUSK_DBUS_NO_REPLY);
	return husk_dbus_send(b, m, NULL, err);
}

/* Whether M is JobRemoved(id, JOB, unit, result); *RESULT then points into
 * M. */
static bool job_removed(husk_dbus_msg_t *m, const char *job, const char **result)
{
	_cleanup_error_ husk_error_t e = NULL;
	const char *path = NULL, *unit = NULL;
	uint32_t id;

	return husk_dbus_msg_member(m) != NULL &&
	       strcmp(husk_dbus_msg_member(m), "JobRemoved") == 0 &&
	       husk_dbus_msg_interface(m) != NULL &&
	       strcmp(husk_dbus_msg_interface(m), SD_MANAGER) == 0 &&
	       husk_dbus_get(m, 'u', &id, &e) == 0 && husk_dbus_get(m, 'o', &path, &e) == 0 &&
	       husk_dbus_get(m, 's', &unit, &e) == 0 && husk_dbus_get(m, 's', result, &e) == 0 &&
	       strcmp(path, job) == 0;
}

static int wait_job(husk_dbus_t *b, const char *job, const char *unit, char **result,
		    husk_error_t *err)
{
	for (;;) {
		_cleanup_dbus_msg_ husk_dbus_msg_t *s = NULL;
		const char *r;

		s = husk_dbus_next_signal(b, HUSK_SD_JOB_TIMEOUT_MS, err);
		if (s == NULL) {
			return husk_error_wrap(err, "systemd: job %s of unit `%s`", job, unit);
		}
		if (job_removed(s, job, &r)) {
			*result = xstrdup(r);
			return 0;
		}
	}
}

int husk_sd_run_job(husk_dbus_t *b, husk_dbus_msg_t *call, const char *unit, char **result,
		    husk_dbus_msg_t **failed, husk_error_t *err)
{
	_cleanup_dbus_msg_ husk_dbus_msg_t *reply = NULL;
	const char *job;

	*failed = NULL;
	*result = NULL;
	reply = husk_dbus_call(b, call, CALL_TIMEOUT, err);
	if (reply == NULL) {
		return husk_error_wrap(err, "systemd: unit `%s`", unit);
	}
	if (husk_dbus_msg_type(reply) == HUSK_DBUS_ERROR) {
		*failed = TAKE_PTR(reply);
		return 0;
	}
	if (husk_dbus_get(reply, 'o', &job, err) < 0) {
		return husk_error_wrap(err, "systemd: unit `%s`: the job", unit);
	}
	return wait_job(b, job, unit, result, err);
}

int husk_sd_call_simple(husk_dbus_t *b, husk_dbus_msg_t *call, const char *what, husk_error_t *err)
{
	_cleanup_dbus_msg_ husk_dbus_msg_t *reply = husk_dbus_call(b, call, CALL_TIMEOUT, err);

	if (reply == NULL) {
		return husk_error_wrap(err, "%s", what);
	}
	if (husk_dbus_msg_type(reply) == HUSK_DBUS_ERROR) {
		return husk_dbus_msg_to_error(reply, what, err);
	}
	return 0;
}

int husk_sd_version(husk_dbus_t *b, int *version, husk_error_t *err)
{
	_cleanup_dbus_msg_ husk_dbus_msg_t *m =
		husk_dbus_call_new(SD_DEST, SD_PATH, "org.freedesktop.DBus.Properties", "Get");
	_cleanup_dbus_msg_ husk_dbus_msg_t *reply = NULL;
	const char *v;

	husk_dbus_put_s(m, SD_MANAGER);
	husk_dbus_put_s(m, "Version");
	reply = husk_dbus_call(b, m, CALL_TIMEOUT, err);
	if (reply == NULL) {
		return husk_error_wrap(err, "systemd: its version");
	}
	if (husk_dbus_msg_type(reply) == HUSK_DBUS_ERROR) {
		return husk_dbus_msg_to_error(reply, "systemd: its version", err);
	}
	if (husk_dbus_get_variant(reply, 's', &v, err) < 0) {
		return husk_error_wrap(err, "systemd: its version");
	}
	/* "252.39-1~deb12u1", "v245.4-1.fc32", "245". */
	*version = atoi(v[0] == 'v' ? v + 1 : v);
	return 0;
}
