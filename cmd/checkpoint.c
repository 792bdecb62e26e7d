/* husk checkpoint [FLAGS] ID: runc's flags, CRIU's command line. */
#include "cmd/options.h"

enum {
	OPT_LEAVE_RUNNING = HUSK_OPT_VERB,
	OPT_PRE_DUMP,
	OPT_PARENT_PATH,
	OPT_TCP_SKIP_IN_FLIGHT,
	OPT_LINK_REMAP,
};

static const husk_flag_t flags[] = {
	HUSK_FLAGS_CRIU,
	{ "leave-running", 0, NULL, OPT_LEAVE_RUNNING,
	  "leave the container running after the checkpoint" },
	{ "pre-dump", 0, NULL, OPT_PRE_DUMP,
	  "dump the memory only, leaving the container running, as a parent for a later "
	  "checkpoint (--parent-path)" },
	{ "parent-path", 0, "DIR", OPT_PARENT_PATH,
	  "the previous pre-dump, relative to the image directory" },
	{ "tcp-skip-in-flight", 0, NULL, OPT_TCP_SKIP_IN_FLIGHT,
	  "skip TCP connections still being set up (CRIU's --skip-in-flight)" },
	{ "link-remap", 0, NULL, OPT_LINK_REMAP,
	  "allow CRIU to link-remap open files that were deleted (CRIU's --link-remap)" },
	{ NULL },
};

static void checkpoint_flag(int id, const char *v, husk_criu_opts_t *o)
{
	switch (id) {
	case OPT_LEAVE_RUNNING:
		o->leave_running = true;
		break;
	case OPT_PRE_DUMP:
		o->pre_dump = true;
		break;
	case OPT_PARENT_PATH:
		o->parent_path = v;
		break;
	case OPT_TCP_SKIP_IN_FLIGHT:
		o->tcp_skip_in_flight = true;
		break;
	case OPT_LINK_REMAP:
		o->link_remap = true;
		break;
	default:
		break;
	}
}

static int checkpoint(husk_global_t *g, const husk_args_t *a, husk_error_t *err)
{
	husk_criu_opts_t o = { .criu = g->criu };
	const char *id;

	for (size_t i = 0; i < a->n_opts; i++) {
		int r = husk_cmd_criu_flag(&a->opts[i], &o, err);

		if (r < 0) {
			return -1;
		}
		if (r == 0) {
			checkpoint_flag(a->opts[i].flag->id, a->opts[i].value, &o);
		}
	}
	if (husk_cmd_take_id(a, 0, &id, err) < 0) {
		return -1;
	}
	if (o.pre_dump && o.lazy_pages) {
		return husk_error_make(err, 0,
				       "checkpoint: --pre-dump and --lazy-pages cannot "
				       "be used together");
	}
	return husk_container_checkpoint(g->root, id, &o, err);
}

const husk_verb_t husk_verb_checkpoint = {
	.name = "checkpoint",
	.fn = checkpoint,
	.summary = "checkpoint a running container with CRIU",
	.operands = "ID",
	.flags = flags,
	.about = "Dump the running container's processes into CRIU images (criu dump; "
		 "--criu names the binary).  Unless --leave-running or --pre-dump, the "
		 "container is gone afterwards, as with runc, and its id is free for "
		 "`husk restore`.  A container with a terminal, with prestart, "
		 "createRuntime, createContainer or startContainer hooks, or that joined "
		 "namespaces other than network and pid by path is refused.",
	.section = 8,
};
