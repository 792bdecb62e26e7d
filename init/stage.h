/* husk init: named stages of create and run, where a test build can
 * stop husk so that a test kills it there (SIGKILL at each stage must leave
 * nothing behind that `delete --force` cannot remove).
 *
 * Only test builds have it: tests/husk-stages is linked from objects
 * compiled with -DHUSK_TEST_STAGES, and stops itself (SIGSTOP) at the stage
 * that HUSK_TEST_STOP_AT names.  In husk itself every stage is nothing. */
#ifndef HUSK_INIT_STAGE_H
#define HUSK_INIT_STAGE_H

#ifdef HUSK_TEST_STAGES
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static inline void husk_stage(const char *name)
{
	const char *at = getenv("HUSK_TEST_STOP_AT");

	if (at != NULL && strcmp(at, name) == 0) {
		raise(SIGSTOP);
	}
}
#else
#define husk_stage(name) ((void) 0)
#endif

#endif
