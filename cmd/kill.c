/* husk kill [--all] ID [SIGNAL] */
#include "cmd/options.h"
#include "runtime/husk.h"

enum { OPT_ALL = HUSK_OPT_VERB };

static const husk_flag_t flags[] = {
	{ "all", 'a', NULL, OPT_ALL,
	  "send the signal to every process in the container's cgroup, not only its init" },
	{ NULL },
};

static int kill_verb(husk_global_t *g, const husk_args_t *a, husk_error_t *err)
{
	const char *id;
	int signo;

	if (husk_cmd_take_id(a, 1, &id, err) < 0) {
		return -1;
	}
	signo = husk_signal_parse(a->argc > 1 ? a->argv[1] : "TERM", err);
	if (signo < 0) {
		return -1;
	}
	return husk_container_kill(g->root, id, signo, a->n_opts > 0, err);
}

const husk_verb_t husk_verb_kill = {
	.name = "kill",
	.fn = kill_verb,
	.summary = "send a signal to a container's init",
	.operands = "ID [SIGNAL]",
	.flags = flags,
	.about = "Send SIGNAL to the container's init (pid 1 in its pid namespace).  "
		 "SIGNAL is a name, with or without SIG (TERM, SIGKILL), or a number; TERM "
		 "when left out.",
	.section = 8,
};
