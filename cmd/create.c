/* husk create [--bundle DIR] [--pid-file FILE] [--console-socket SOCK] [--no-pivot]
 *             [--no-new-keyring] [--preserve-fds N] ID */
#include "cmd/options.h"

int husk_cmd_create(husk_global_t *g, int argc, char **argv, husk_error_t *err)
{
	husk_create_opts_t o;

	opterr = 0;
	if (husk_cmd_parse_create(g, argc, argv, &o, NULL, err) < 0) {
		return -1;
	}
	if (g->systemd_cgroup) {
		return husk_error_make(err, 0,
				       "--systemd-cgroup: the systemd cgroup driver is not "
				       "supported by husk yet");
	}
	return husk_container_create(&o, err);
}
