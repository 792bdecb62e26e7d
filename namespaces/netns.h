/* husk namespaces: a new network namespace, made on a thread of its own.
 *
 * Making a network namespace is the longest single step of the clone that
 * starts a container (the kernel sets up every network subsystem for it:
 * about a tenth of a sandbox on the host), and all it needs of the config
 * is that the container wants one.  So create starts a thread that
 * unshares a network namespace as soon as the namespaces are planned, goes
 * on with its own setup meanwhile (state dir, seccomp, cgroups), and has
 * the init join that namespace instead of making one with CLONE_NEWNET.
 *
 * Only for a namespace the host's user namespace owns: a container with a
 * user namespace of its own must own its network namespace too, and makes
 * it in the clone as before.  When the thread cannot make one (no
 * privilege, no thread), the clone makes it, as before, and says why if it
 * cannot either.
 */
#ifndef HUSK_NAMESPACES_NETNS_H
#define HUSK_NAMESPACES_NETNS_H

typedef struct husk_netns_maker_s husk_netns_maker_t;

/* Start making one; NULL when no thread could be started. */
husk_netns_maker_t *husk_netns_maker_start(void);

/* Wait for M (which is freed; NULL is none): the namespace's descriptor,
 * close-on-exec, or -1 when it could not be made. */
int husk_netns_maker_finish(husk_netns_maker_t *m);

#endif
