/* husk namespaces: a new network namespace, made on a thread of its own. */
#include "namespaces/netns.h"

#include <errno.h>
#include <linux/sockios.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/log.h"
#include "util/xalloc.h"

struct husk_netns_maker_s {
	pthread_t thread;
	int fd;  /* the namespace, once made */
	int err; /* errno of what failed */
};

static void *make(void *arg)
{
	husk_netns_maker_t *m = arg;
	int sock;

	/* Namespaces are the thread's own: the rest of husk stays where it
	 * is.  The namespace is named by a socket made in it (SIOCGSKNS), so
	 * that no path through /proc is needed. */
	if (unshare(CLONE_NEWNET) < 0) {
		m->err = errno;
		return NULL;
	}
	sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0) {
		m->err = errno;
		return NULL;
	}
	m->fd = ioctl(sock, SIOCGSKNS); /* close-on-exec, as every nsfs fd */
	if (m->fd < 0) {
		m->err = errno;
	}
	close(sock);
	return NULL;
}

/* ATTR for a thread that runs beside husk: on any CPU husk may use but the
 * one husk runs on.  The scheduler starts a new thread on its creator's
 * CPU when it deems the others busy (with two, the kworker tearing down
 * the last job's namespace is enough), and there it waits until husk
 * blocks in the join: the namespace is then made after the work it was
 * to overlap, not beside it (measured: 5% of a `husk sandbox --
 * /bin/true` on a two-CPU host).  With one CPU, nothing is set. */
static void beside_husk(pthread_attr_t *attr)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	if (cpu < 0 || sched_getaffinity(0, sizeof(set), &set) < 0 || cpu >= CPU_SETSIZE) {
		return;
	}
	CPU_CLR(cpu, &set);
	if (CPU_COUNT(&set) > 0) {
		(void) pthread_attr_setaffinity_np(attr, sizeof(set), &set);
	}
}

husk_netns_maker_t *husk_netns_maker_start(void)
{
	husk_netns_maker_t *m = xmalloc0(sizeof(*m));
	pthread_attr_t attr;
	sigset_t all, old;
	int r;

	m->fd = -1;
	r = pthread_attr_init(&attr);
	if (r != 0) {
		husk_debug("netns: no thread attributes: %s", strerror(r));
		free(m);
		return NULL;
	}
	beside_husk(&attr);
	/* The thread takes no signal: husk's own handling stays on the main
	 * thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&m->thread, &attr, make, m);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (r != 0) {
		husk_debug("netns: no thread to make the network namespace: %s", strerror(r));
		free(m);
		return NULL;
	}
	return m;
}

int husk_netns_maker_finish(husk_netns_maker_t *m)
{
	int fd;

	if (m == NULL) {
		return -1;
	}
	pthread_join(m->thread, NULL);
	fd = m->fd;
	if (fd < 0) {
		husk_debug("netns: not made ahead (%s): the clone makes it", strerror(m->err));
	}
	free(m);
	return fd;
}
