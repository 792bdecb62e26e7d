/* husk sandbox: the job's Landlock (sandbox/internal.h).  The confining
 * itself is the init's, the same as any container's (init/landlock.h):
 * here the flags become the annotation husk.landlock in the job's config,
 * and the kernel is asked beforehand what it can do, so that strict fails
 * before anything is made and the report says what was used. */
#include "sandbox/internal.h"

#include <stdlib.h>

#include "init/landlock.h"
#include "spec/landlock.h"
#include "util/xalloc.h"

int husk_sandbox_plan_landlock(struct sandbox *sb, husk_error_t *err)
{
	const husk_sandbox_opts_t *o = sb->o;
	husk_landlock_policy_t p = { .mode = o->landlock,
				     .tcp_bind = o->tcp_bind,
				     .tcp_connect = o->tcp_connect };
	int ok;

	if (p.mode == HUSK_LANDLOCK_OFF && (p.tcp_bind.set || p.tcp_connect.set)) {
		return husk_error_make(err, 0,
				       "sandbox: --tcp-bind and --tcp-connect are Landlock's: not "
				       "with --landlock off");
	}
	if (p.mode == HUSK_LANDLOCK_OFF) {
		return 0;
	}
	/* --allow-host's proxy is the job's one way out: --tcp-connect
	 * lets it through whatever else it names. */
	if (o->n_allow_hosts > 0 && p.tcp_connect.set) {
		bool has = false;

		for (size_t i = 0; i < p.tcp_connect.n; i++) {
			has |= p.tcp_connect.v[i] == HUSK_PROXY_PORT;
		}
		if (!has && p.tcp_connect.n == HUSK_LANDLOCK_MAX_PORTS) {
			return husk_error_make(err, 0,
					       "sandbox: --tcp-connect: no room for --allow-host's "
					       "proxy port %d among %d ports",
					       HUSK_PROXY_PORT, HUSK_LANDLOCK_MAX_PORTS);
		}
		if (!has) {
			p.tcp_connect.v[p.tcp_connect.n++] = HUSK_PROXY_PORT;
		}
	}
	if (o->learn) {
		sb->landlock_why = "--learn: Landlock has no mode that lets what it refuses "
				   "through, so the job ran without it";
		return 0;
	}
	ok = husk_landlock_usable(&p, &sb->landlock_abi, &sb->landlock_why, err);
	if (ok < 0) {
		return husk_error_wrap(err, "sandbox");
	}
	if (ok == 0) {
		sb->landlock_abi = 0;
	}
	/* Written whatever the kernel has: the init asks it again and does
	 * what it can, as for any container with the annotation. */
	sb->landlock = husk_landlock_policy_text(&p);
	return 0;
}

void husk_sandbox_report_landlock(const struct sandbox *sb, husk_sandbox_report_t *r)
{
	r->landlock_mode =
		husk_landlock_mode_name(sb->o->learn ? HUSK_LANDLOCK_OFF : sb->o->landlock);
	r->landlock_abi = sb->landlock_abi;
	r->landlock_why = sb->landlock_why;
}
