/* husk namespaces: linux.netDevices, host interfaces moved into the
 * container's network namespace (runtime-spec 1.3).
 *
 * The parent moves each device after the clone, before the container's
 * program can run, over rtnetlink from the host's network namespace: the
 * link is set down, its permanent addresses of global scope are noted, one
 * RTM_NEWLINK renames it (when the config says so) and moves it in the same
 * step, so no name is ever taken twice on either side; then, through a
 * netlink socket made in the container's namespace, the noted addresses are
 * added back (the kernel drops them on a move) and the link is set up.
 *
 * Nothing is moved back: runtime-spec 1.3 says the runtime MUST NOT, and
 * leaves the device to the kernel when the namespace dies (a physical
 * device returns to the host's initial namespace, a virtual one, a veth,
 * is destroyed with its peer), as runc does.
 */
#ifndef HUSK_NAMESPACES_NETDEV_H
#define HUSK_NAMESPACES_NETDEV_H

#include "spec/config.h"
#include "util/error.h"

/* Before anything is made: CFG's netDevices can be moved only into a
 * network namespace of the config's, only by a privileged husk, and only
 * devices the host has.  Errors name the field and the device. */
int husk_netdev_check(const husk_config_t *cfg, husk_error_t *err);

/* Move every device of L->net_devices into the network namespace NSFD. */
int husk_netdev_move_all(const husk_linux_t *l, int nsfd, husk_error_t *err);

#endif
