/* husk checkpoint [--image-path DIR] [--work-path DIR] [--leave-running]
 *                 [--pre-dump] [--parent-path DIR] [CRIU flags] ID
 *
 * runc's flags: --tcp-established --tcp-skip-in-flight --ext-unix-sk
 * --shell-job --file-locks --lazy-pages --auto-dedup --link-remap
 * --manage-cgroups-mode soft|full|strict|ignore --empty-ns network. */
#include "cmd/options.h"

enum {
	OPT_LEAVE_RUNNING = 256,
	OPT_PRE_DUMP,
	OPT_PARENT_PATH,
	OPT_TCP_SKIP_IN_FLIGHT,
	OPT_LINK_REMAP,
};

int husk_cmd_checkpoint(husk_global_t *g, int argc, char **argv, husk_error_t *err)
{
	static const struct option opts[] = {
		HUSK_CRIU_SHARED_OPTIONS,
		{ "leave-running", no_argument, NULL, OPT_LEAVE_RUNNING },
		{ "pre-dump", no_argument, NULL, OPT_PRE_DUMP },
		{ "parent-path", required_argument, NULL, OPT_PARENT_PATH },
		{ "tcp-skip-in-flight", no_argument, NULL, OPT_TCP_SKIP_IN_FLIGHT },
		{ "link-remap", no_argument, NULL, OPT_LINK_REMAP },
		{ NULL, 0, NULL, 0 },
	};
	husk_criu_opts_t o = { .criu = g->criu };
	const char *id;
	int c;

	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "+:", opts, NULL)) != -1) {
		int r = husk_cmd_criu_flag(c, optarg, &o, err);

		if (r < 0) {
			return -1;
		}
		if (r > 0) {
			continue;
		}
		switch (c) {
		case OPT_LEAVE_RUNNING:
			o.leave_running = true;
			break;
		case OPT_PRE_DUMP:
			o.pre_dump = true;
			break;
		case OPT_PARENT_PATH:
			o.parent_path = optarg;
			break;
		case OPT_TCP_SKIP_IN_FLIGHT:
			o.tcp_skip_in_flight = true;
			break;
		case OPT_LINK_REMAP:
			o.link_remap = true;
			break;
		default:
			return husk_cmd_bad_option(argv[0], c, argv, err);
		}
	}
	if (husk_cmd_take_id(argv[0], argc, argv, 0, &id, err) < 0) {
		return -1;
	}
	if (o.pre_dump && o.lazy_pages) {
		return husk_error_make(err, 0,
				       "checkpoint: --pre-dump and --lazy-pages cannot "
				       "be used together");
	}
	return husk_container_checkpoint(g->root, id, &o, err);
}
