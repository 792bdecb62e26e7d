/* husk run [create's flags] [--detach [--no-monitor] [--output-file FILE]
 *          [--output-max BYTES]] [--keep] [--no-subreaper] ID
 *
 * Detached, a monitor is the container's parent (runtime/monitor.h) unless
 * --no-monitor asks for runc's behaviour.
 *
 * In the foreground husk's exit status is the container's: its exit code, or
 * 128+N when signal N ended it. */
#include "cmd/options.h"

int husk_cmd_run(husk_global_t *g, int argc, char **argv, husk_error_t *err)
{
	husk_create_opts_t o;
	husk_run_opts_t r = { 0 };
	int status;

	opterr = 0;
	if (husk_cmd_parse_create(g, argc, argv, &o, &r, &r.monitor, err) < 0) {
		return -1;
	}
	if (g->systemd_cgroup) {
		return husk_error_make(err, 0,
				       "--systemd-cgroup: the systemd cgroup driver is not "
				       "supported by husk yet");
	}
	if (husk_container_run(&o, &r, &status, err) < 0) {
		return -1;
	}
	return status;
}
