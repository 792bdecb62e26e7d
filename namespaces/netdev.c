/* husk namespaces: linux.netDevices (see netdev.h). */
#include "namespaces/netdev.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/cleanup.h"

/* At most this many addresses of one device are carried over. */
#define MAX_ADDRS 64

typedef struct nl_msg_s {
	struct nlmsghdr h;
	char body[1024];
} nl_msg_t;

typedef struct addr_s {
	unsigned char family, prefixlen;
	unsigned char bytes[16];
	size_t len;
} addr_t;

static const char *new_name_of(const husk_net_device_t *d)
{
	return d->new_name != NULL ? d->new_name : d->name;
}

static void *nl_begin(nl_msg_t *m, uint16_t type, uint16_t flags, size_t hdr)
{
	memset(m, 0, sizeof(*m));
	m->h.nlmsg_type = type;
	m->h.nlmsg_flags = NLM_F_REQUEST | flags;
	m->h.nlmsg_len = NLMSG_LENGTH(hdr);
	return NLMSG_DATA(&m->h);
}

static void nl_put(nl_msg_t *m, uint16_t type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *) ((char *) m + NLMSG_ALIGN(m->h.nlmsg_len));

	a->rta_type = type;
	a->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	m->h.nlmsg_len = NLMSG_ALIGN(m->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

static int nl_socket(husk_error_t *err)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0) {
		return husk_error_errno(err, "netlink socket");
	}
	return fd;
}

/* Read the kernel's answers to the request just sent up to their end (its
 * acknowledgement, or the NLMSG_DONE of a dump), handing every other
 * message to FN: 0, or -errno. */
static int nl_read(int fd, void (*fn)(struct nlmsghdr *h, void *arg), void *arg)
{
	char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
	ssize_t n;

	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			return -errno;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK(h, (size_t) n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_ERROR) {
				return ((struct nlmsgerr *) NLMSG_DATA(h))->error;
			}
			if (h->nlmsg_type == NLMSG_DONE) {
				return 0;
			}
			fn(h, arg);
		}
	}
}

/* The index of a link the kernel reports (the answer to RTM_GETLINK). */
static void take_index(struct nlmsghdr *h, void *arg)
{
	if (h->nlmsg_type == RTM_NEWLINK) {
		*(int *) arg = ((struct ifinfomsg *) NLMSG_DATA(h))->ifi_index;
	}
}

/* Send M and read up to its acknowledgement: 0, or -errno.  INDEX, when
 * not NULL, gets the index of a link the kernel reports on the way. */
static int nl_talk(int fd, nl_msg_t *m, int *index)
{
	m->h.nlmsg_flags |= NLM_F_ACK;
	if (send(fd, &m->h, m->h.nlmsg_len, 0) < 0) {
		return -errno;
	}
	return nl_read(fd, take_index, index != NULL ? (void *) index : &(int){ 0 });
}

/* Set the link INDEX up or down. */
static int link_set_up(int fd, int index, bool up)
{
	nl_msg_t m;
	struct ifinfomsg *ifi = nl_begin(&m, RTM_NEWLINK, 0, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	return nl_talk(fd, &m, NULL);
}

/* Rename the link INDEX to NAME and move it into the namespace NSFD, in
 * one message. */
static int link_move(int fd, int index, const char *name, int nsfd)
{
	nl_msg_t m;
	struct ifinfomsg *ifi = nl_begin(&m, RTM_NEWLINK, 0, sizeof(*ifi));
	uint32_t ns = (uint32_t) nsfd;

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	nl_put(&m, IFLA_IFNAME, name, strlen(name) + 1);
	nl_put(&m, IFLA_NET_NS_FD, &ns, sizeof(ns));
	return nl_talk(fd, &m, NULL);
}

/* The index of the link NAME, or of the link INDEX when NAME is NULL, in
 * the namespace of FD; <0 (-errno) when there is none. */
static int link_index(int fd, const char *name, int index)
{
	nl_msg_t m;
	struct ifinfomsg *ifi = nl_begin(&m, RTM_GETLINK, 0, sizeof(*ifi));
	int found = -ENODEV;
	int r;

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = name != NULL ? 0 : index;
	if (name != NULL) {
		nl_put(&m, IFLA_IFNAME, name, strlen(name) + 1);
	}
	r = nl_talk(fd, &m, &found);
	return r < 0 ? r : found;
}

/* The address in one RTM_NEWADDR message of a dump, when it is one to
 * carry over: INDEX's, permanent (not from DHCP, SLAAC or the like) and of
 * global scope. */
static bool addr_parse(struct nlmsghdr *h, int index, addr_t *out)
{
	struct ifaddrmsg *ifa = NLMSG_DATA(h);
	int len = (int) IFA_PAYLOAD(h);
	uint32_t flags = ifa->ifa_flags;
	struct rtattr *local = NULL, *address = NULL;

	if ((int) ifa->ifa_index != index || ifa->ifa_scope != RT_SCOPE_UNIVERSE) {
		return false;
	}
	for (struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFA_FLAGS && RTA_PAYLOAD(a) >= sizeof(uint32_t)) {
			memcpy(&flags, RTA_DATA(a), sizeof(flags));
		} else if (a->rta_type == IFA_LOCAL) {
			local = a;
		} else if (a->rta_type == IFA_ADDRESS) {
			address = a;
		}
	}
	/* IPv4's own address is IFA_LOCAL (IFA_ADDRESS is a peer's, on a
	 * point-to-point link); IPv6 has only IFA_ADDRESS. */
	local = local != NULL ? local : address;
	if (!(flags & IFA_F_PERMANENT) || local == NULL ||
	    RTA_PAYLOAD(local) > sizeof(out->bytes)) {
		return false;
	}
	out->family = ifa->ifa_family;
	out->prefixlen = ifa->ifa_prefixlen;
	out->len = RTA_PAYLOAD(local);
	memcpy(out->bytes, RTA_DATA(local), out->len);
	return true;
}

typedef struct addr_list_s {
	int index, count;
	addr_t *v; /* MAX_ADDRS of them */
} addr_list_t;

static void take_addr(struct nlmsghdr *h, void *arg)
{
	addr_list_t *l = arg;

	if (h->nlmsg_type == RTM_NEWADDR && l->count < MAX_ADDRS &&
	    addr_parse(h, l->index, &l->v[l->count])) {
		l->count++;
	}
}

/* The addresses of link INDEX to carry over, into ADDRS (at most
 * MAX_ADDRS); their number, or -errno. */
static int addrs_of(int fd, int index, addr_t *addrs)
{
	nl_msg_t m;
	struct ifaddrmsg *ifa = nl_begin(&m, RTM_GETADDR, NLM_F_DUMP, sizeof(*ifa));
	addr_list_t l = { .index = index, .v = addrs };
	int r;

	ifa->ifa_family = AF_UNSPEC;
	if (send(fd, &m.h, m.h.nlmsg_len, 0) < 0) {
		return -errno;
	}
	r = nl_read(fd, take_addr, &l);
	return r < 0 ? r : l.count;
}

static int addr_add(int fd, int index, const addr_t *a)
{
	nl_msg_t m;
	struct ifaddrmsg *ifa = nl_begin(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifa));

	ifa->ifa_family = a->family;
	ifa->ifa_prefixlen = a->prefixlen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned) index;
	nl_put(&m, IFA_LOCAL, a->bytes, a->len);
	nl_put(&m, IFA_ADDRESS, a->bytes, a->len);
	return nl_talk(fd, &m, NULL);
}

/* A netlink socket that works in the network namespace NSFD: made there,
 * and this thread back in its own namespace right after. */
static int nl_socket_in(int nsfd, husk_error_t *err)
{
	_cleanup_close_ int own = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int fd = -1;

	if (own < 0) {
		return husk_error_errno(err, "open this thread's network namespace");
	}
	if (setns(nsfd, CLONE_NEWNET) < 0) {
		return husk_error_errno(err, "enter the container's network namespace");
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (setns(own, CLONE_NEWNET) < 0) {
		/* husk would go on in the container's namespace. */
		abort();
	}
	if (fd < 0) {
		return husk_error_errno(err, "netlink socket in the container's network namespace");
	}
	return TAKE_FD(fd);
}

/* In the container's namespace: the moved link found, its addresses
 * back, set up. */
static int settle(int nsfd, const husk_net_device_t *d, int host_index, const addr_t *addrs, int n,
		  husk_error_t *err)
{
	_cleanup_close_ int fd = nl_socket_in(nsfd, err);
	const char *name = new_name_of(d);
	int index, r;

	if (fd < 0) {
		return -1;
	}
	/* A name with %d is the kernel's to complete: the moved link keeps
	 * its index unless the namespace has it already. */
	index = link_index(fd, strchr(name, '%') != NULL ? NULL : name, host_index);
	if (index < 0) {
		return husk_error_make(err, -index, "find `%s` in the container", name);
	}
	for (int i = 0; i < n; i++) {
		r = addr_add(fd, index, &addrs[i]);
		if (r < 0 && r != -EEXIST) {
			return husk_error_make(err, -r, "add an address of `%s` back", d->name);
		}
	}
	r = link_set_up(fd, index, true);
	if (r < 0) {
		return husk_error_make(err, -r, "set `%s` up in the container", name);
	}
	return 0;
}

static int move_one(int fd, int nsfd, const husk_net_device_t *d, husk_error_t *err)
{
	addr_t addrs[MAX_ADDRS];
	int index = link_index(fd, d->name, 0);
	int n, r;

	if (index < 0) {
		return husk_error_make(err, -index, "find `%s` on the host", d->name);
	}
	/* Listed while the link is up: setting it down drops its IPv6
	 * addresses (unless keep_addr_on_down). */
	n = addrs_of(fd, index, addrs);
	if (n < 0) {
		return husk_error_make(err, -n, "list the addresses of `%s`", d->name);
	}
	r = link_set_up(fd, index, false);
	if (r < 0) {
		return husk_error_make(err, -r, "set `%s` down", d->name);
	}
	r = link_move(fd, index, new_name_of(d), nsfd);
	if (r < 0) {
		return husk_error_make(err, -r, "move `%s` into the container as `%s`", d->name,
				       new_name_of(d));
	}
	return settle(nsfd, d, index, addrs, n, err);
}

int husk_netdev_move_all(const husk_linux_t *l, int nsfd, husk_error_t *err)
{
	_cleanup_close_ int fd = -1;

	if (l == NULL || l->net_devices.n == 0) {
		return 0;
	}
	fd = nl_socket(err);
	if (fd < 0) {
		return -1;
	}
	for (size_t i = 0; i < l->net_devices.n; i++) {
		if (move_one(fd, nsfd, &l->net_devices.v[i], err) < 0) {
			return husk_error_wrap(err, "linux.netDevices[\"%s\"]",
					       l->net_devices.v[i].name);
		}
	}
	return 0;
}

int husk_netdev_check(const husk_config_t *cfg, husk_error_t *err)
{
	const husk_linux_t *l = cfg->linux_;

	if (l == NULL || l->net_devices.n == 0) {
		return 0;
	}
	if (husk_config_namespace(cfg, HUSK_NS_NETWORK) == NULL) {
		return husk_error_make(err, 0,
				       "config.json: linux.netDevices: needs a network namespace "
				       "in linux.namespaces");
	}
	if (geteuid() != 0) {
		return husk_error_make(err, 0,
				       "config.json: linux.netDevices: not for a rootless "
				       "container (moving a host device needs root)");
	}
	for (size_t i = 0; i < l->net_devices.n; i++) {
		if (if_nametoindex(l->net_devices.v[i].name) == 0) {
			return husk_error_errno(err,
						"config.json: linux.netDevices[\"%s\"]: no such "
						"network device on the host",
						l->net_devices.v[i].name);
		}
	}
	return 0;
}
