/* husk restore [--image-path DIR] [--work-path DIR] [--bundle DIR]
 *              [--detach] [--pid-file FILE] [--no-subreaper] [--no-pivot]
 *              [--console-socket PATH] [CRIU flags] ID
 *
 * runc's flags; CRIU flags as for checkpoint (--tcp-established
 * --ext-unix-sk --shell-job --file-locks --lazy-pages --auto-dedup
 * --manage-cgroups-mode M --empty-ns network).  In the foreground husk's
 * exit status is the container's, as with `run`. */
#include "cmd/options.h"

enum {
	OPT_CONSOLE_SOCKET = 256,
	OPT_PID_FILE,
	OPT_NO_SUBREAPER,
	OPT_NO_PIVOT,
};

int husk_cmd_restore(husk_global_t *g, int argc, char **argv, husk_error_t *err)
{
	static const struct option opts[] = {
		HUSK_CRIU_SHARED_OPTIONS,
		{ "bundle", required_argument, NULL, 'b' },
		{ "detach", no_argument, NULL, 'd' },
		{ "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
		{ "pid-file", required_argument, NULL, OPT_PID_FILE },
		{ "no-subreaper", no_argument, NULL, OPT_NO_SUBREAPER },
		{ "no-pivot", no_argument, NULL, OPT_NO_PIVOT },
		{ NULL, 0, NULL, 0 },
	};
	husk_create_opts_t o = { .root = g->root,
				 .cgroup_manager = g->cgroup_manager,
				 .rootless = g->rootless };
	husk_criu_opts_t co = { .criu = g->criu };
	husk_run_opts_t r = { 0 };
	int c, status;

	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "+:b:d", opts, NULL)) != -1) {
		int done = husk_cmd_criu_flag(c, optarg, &co, err);

		if (done < 0) {
			return -1;
		}
		if (done > 0) {
			continue;
		}
		switch (c) {
		case 'b':
			o.bundle = optarg;
			break;
		case 'd':
			r.detach = true;
			break;
		case OPT_CONSOLE_SOCKET:
			o.console_socket = optarg;
			break;
		case OPT_PID_FILE:
			o.pid_file = optarg;
			break;
		case OPT_NO_SUBREAPER:
			r.no_subreaper = true;
			break;
		case OPT_NO_PIVOT:
			/* CRIU enters the restored root itself (it rebuilds the
			 * mount namespace from the images): there is no
			 * pivot_root of husk's to leave out. */
			o.no_pivot = true;
			break;
		default:
			return husk_cmd_bad_option(argv[0], c, argv, err);
		}
	}
	if (husk_cmd_take_id(argv[0], argc, argv, 0, &o.id, err) < 0) {
		return -1;
	}
	if (g->systemd_cgroup) {
		return husk_error_make(err, 0,
				       "--systemd-cgroup: the systemd cgroup driver is not "
				       "supported by husk yet");
	}
	if (husk_container_restore(&o, &r, &co, &status, err) < 0) {
		return -1;
	}
	return status;
}
