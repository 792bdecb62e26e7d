/* husk create [--bundle DIR] [--pid-file FILE] [--console-socket SOCK] [--no-pivot]
 *             [--no-new-keyring] [--preserve-fds N]
 *             [--monitor [--output-file FILE] [--output-max BYTES]] ID
 *
 * Without --monitor the init is the caller's to reap, as with runc. */
#include "cmd/options.h"

int husk_cmd_create(husk_global_t *g, int argc, char **argv, husk_error_t *err)
{
	husk_create_opts_t o;
	husk_monitor_opts_t m;

	opterr = 0;
	if (husk_cmd_parse_create(g, argc, argv, &o, NULL, &m, err) < 0) {
		return -1;
	}
	if (g->systemd_cgroup) {
		return husk_error_make(err, 0,
				       "--systemd-cgroup: the systemd cgroup driver is not "
				       "supported by husk yet");
	}
	return husk_container_create(&o, &m, err);
}
