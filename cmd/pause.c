/* husk pause ID / husk resume ID: freeze and thaw the container's cgroup. */
#include "cmd/options.h"

static int pause_verb(husk_global_t *g, const husk_args_t *a, husk_error_t *err)
{
	const char *id;

	if (husk_cmd_take_id(a, 0, &id, err) < 0) {
		return -1;
	}
	return husk_container_pause(g->root, id, err);
}

static int resume(husk_global_t *g, const husk_args_t *a, husk_error_t *err)
{
	const char *id;

	if (husk_cmd_take_id(a, 0, &id, err) < 0) {
		return -1;
	}
	return husk_container_resume(g->root, id, err);
}

const husk_verb_t husk_verb_pause = {
	.name = "pause",
	.fn = pause_verb,
	.summary = "freeze every process of a container",
	.operands = "ID",
	.about = "Freeze every process in the container's cgroup with the cgroup freezer "
		 "(cgroup.freeze on v2, the freezer controller on v1).",
	.section = 8,
};

const husk_verb_t husk_verb_resume = {
	.name = "resume",
	.fn = resume,
	.summary = "thaw a paused container",
	.operands = "ID",
	.about = "Thaw the processes of a container that `husk pause` froze.",
	.section = 8,
};
