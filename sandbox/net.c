/* husk sandbox: the job's network beyond loopback (sandbox/internal.h).
 *
 * Both ways need something in the job's network namespace, made after
 * create (the namespace exists, the job has not started) by a short-lived
 * child of husk's that joins it through the init's pidfd (its user
 * namespace too, rootless: a process of many threads may not join one):
 * the proxy's listening socket, or a handle on the namespace for pasta.
 * The init was cloned before, so the job never holds either.
 *
 * pasta is not husk's child but a keeper's: pasta changes its credentials
 * as it starts, which clears a parent-death signal, so a pasta started by
 * husk itself would outlive a husk killed with SIGKILL.  The keeper, a
 * fork of husk's that changes nothing, holds one end of a socket pair
 * whose other end is husk's: when husk closes it or dies, the keeper
 * kills pasta, reaps it and exits.
 */
#include "sandbox/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <linux/nsfs.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "spec/json.h"
#include "util/cleanup.h"
#include "util/fds.h"
#include "util/proc.h"
#include "util/strv.h"
#include "util/xalloc.h"

#define PASTA_READY_MS 10000 /* from pasta's start to its namespace set up */
#define KEEPER_END_MS  3000  /* from husk's close to pasta reaped */
#define PASTA_ERR_MAX  512   /* of pasta's stderr, kept for an error */

struct husk_sandbox_net_s {
	husk_allow_t *rules;
	size_t n_rules;
	char **env; /* the proxy's variables */
	husk_proxy_t *proxy;
	char *pasta; /* --net pasta: the binary */
	pid_t keeper;
	int keeper_pidfd;
	int keeper_sock;
};

/* ---- the proxy's socket, made in the job's network namespace ---- */

/* What the child sends back, with the socket when it made one. */
struct netns_reply {
	int err;
	char step[96];
};

static void send_reply(int sock, const struct netns_reply *r, int fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u = { 0 };
	struct iovec iov = { .iov_base = (void *) r, .iov_len = sizeof(*r) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		m.msg_control = u.buf;
		m.msg_controllen = sizeof(u.buf);
		CMSG_FIRSTHDR(&m)->cmsg_level = SOL_SOCKET;
		CMSG_FIRSTHDR(&m)->cmsg_type = SCM_RIGHTS;
		CMSG_FIRSTHDR(&m)->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(CMSG_FIRSTHDR(&m)), &fd, sizeof(int));
	}
	if (sendmsg(sock, &m, MSG_NOSIGNAL) < 0) {
		_exit(1);
	}
}

static int make_listener(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(HUSK_PROXY_PORT),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd >= 0 && (bind(fd, (struct sockaddr *) &a, sizeof(a)) < 0 || listen(fd, 64) < 0)) {
		fd = husk_safe_close(fd);
	}
	return fd;
}

/* Joins USERNS (rootless: the job's, which owns its network namespace;
 * -1 for none) and NETNS, listens, and sends the socket on SOCK. */
static void __attribute__((noreturn)) listener_child(int userns, int netns, int sock)
{
	struct netns_reply r = { 0 };
	int fd = -1;

	if ((userns >= 0 && setns(userns, CLONE_NEWUSER) < 0) || setns(netns, CLONE_NEWNET) < 0) {
		snprintf(r.step, sizeof(r.step), "join the job's network namespace");
	} else {
		fd = make_listener();
		snprintf(r.step, sizeof(r.step), "listen on %s in the job's network namespace",
			 HUSK_PROXY_ADDR);
	}
	r.err = fd < 0 ? errno : 0;
	send_reply(sock, &r, fd);
	_exit(0);
}

static int recv_reply(int sock, struct netns_reply *r)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = { .iov_base = r, .iov_len = sizeof(*r) };
	struct msghdr m = { .msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *h;
	int fd = -1;

	if (recvmsg(sock, &m, MSG_CMSG_CLOEXEC) != (ssize_t) sizeof(*r)) {
		return -1;
	}
	h = CMSG_FIRSTHDR(&m);
	if (h != NULL && h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS &&
	    h->cmsg_len == CMSG_LEN(sizeof(int))) {
		memcpy(&fd, CMSG_DATA(h), sizeof(int));
	}
	return fd;
}

/* The user namespace that owns the job's network namespace, to be joined
 * with it: rootless, the job's own (husk has no privilege over a network
 * namespace otherwise); -1 as root, who needs none. */
static int job_userns(const struct sandbox *sb, husk_error_t *err)
{
	int fd;

	if (!sb->rootless) {
		return -1;
	}
	fd = ioctl(sb->c.netns, NS_GET_USERNS);
	if (fd < 0) {
		husk_error_errno(err, "sandbox: the user namespace of the job's network namespace");
	}
	return fd;
}

/* The proxy's listening socket, made by a child of husk's in the job's
 * network namespace: a process of many threads may not join a user
 * namespace, and husk's own network namespace stays the host's. */
static int make_job_listener(struct sandbox *sb, husk_error_t *err)
{
	_cleanup_close_ int pidfd = -1;
	_cleanup_close_ int userns = -1;
	struct netns_reply r = { 0 };
	int sp[2], fd;
	pid_t pid;

	if (sb->c.netns < 0) {
		return husk_error_make(err, 0, "sandbox: no handle on the job's network namespace");
	}
	userns = job_userns(sb, err);
	if (userns < 0 && *err != NULL) {
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
		return husk_error_errno(err, "sandbox: a socket pair for the proxy");
	}
	pid = husk_clone_raw(0, -1, &pidfd);
	if (pid == 0) {
		close(sp[0]);
		listener_child(userns, sb->c.netns, sp[1]);
	}
	close(sp[1]);
	if (pid < 0) {
		close(sp[0]);
		return husk_error_errno(err, "sandbox: fork for the proxy's socket");
	}
	/* The child's steps cannot block: it answers, or dies and the
	 * socket says so. */
	fd = recv_reply(sp[0], &r);
	close(sp[0]);
	waitpid(pid, NULL, 0);
	if (fd < 0) {
		return husk_error_make(err, r.err, "sandbox: %s",
				       r.step[0] != '\0' ? r.step
							 : "the proxy's socket: its maker died");
	}
	return fd;
}

/* ---- pasta ---- */

/* NAME in an absolute directory of $PATH, executable; NULL when none. */
static char *find_in_path(const char *name)
{
	const char *path = getenv("PATH");
	_cleanup_free_ char *copy =
		xstrdup(path != NULL && path[0] != '\0' ? path : "/usr/bin:/bin");

	for (char *save = NULL, *dir = strtok_r(copy, ":", &save); dir != NULL;
	     dir = strtok_r(NULL, ":", &save)) {
		char *file;
		struct stat st;

		/* A relative entry would be found from wherever husk runs. */
		if (dir[0] != '/') {
			continue;
		}
		file = xasprintf("%s/%s", dir, name);
		if (stat(file, &st) == 0 && S_ISREG(st.st_mode) && access(file, X_OK) == 0) {
			return file;
		}
		free(file);
	}
	return NULL;
}

/* pasta's arguments.  In the foreground, as the keeper's child.  No port
 * forwarded either way (the defaults would bind the job's listening ports
 * on the host, and the host's into the job's loopback), and the gateway's
 * address is not the host's loopback: the job reaches what a process of
 * the host reaches, the host's loopback aside. */
static const char *const pasta_args[] = {
	"pasta",       "--foreground",
	"--quiet",     "--config-net",
	"--no-map-gw", "-t",
	"none",        "-u",
	"none",        "-T",
	"none",        "-U",
	"none",        "--no-netns-quit",
	"--netns",     "/proc/self/fd/3",
	"--pid",       "/proc/self/fd/5",
};

/* In pasta's child: the descriptors at their numbers (the namespace at 3,
 * its user namespace at 4, the pid file's pipe at 5), nothing else of
 * husk's, signals as new, then pasta. */
static void __attribute__((noreturn))
pasta_exec(const char *pasta, int netns, int userns, int ready, int errw, bool root)
{
	char *argv[HUSK_N(pasta_args) + 5];
	size_t n = 0;
	sigset_t none;
	int hi[3];

	/* Above every target first, so that no dup2 clobbers a source. */
	hi[0] = fcntl(netns, F_DUPFD, 10);
	hi[1] = fcntl(userns >= 0 ? userns : netns, F_DUPFD, 10);
	hi[2] = fcntl(ready, F_DUPFD, 10);
	if (hi[0] < 0 || hi[1] < 0 || hi[2] < 0 || dup2(errw, STDERR_FILENO) < 0 ||
	    dup2(hi[0], 3) < 0 || dup2(hi[1], 4) < 0 || dup2(hi[2], 5) < 0) {
		_exit(127);
	}
	husk_fds_close_from(6, false);
	close(STDIN_FILENO);
	close(STDOUT_FILENO);
	if (open("/dev/null", O_RDONLY) != STDIN_FILENO ||
	    open("/dev/null", O_WRONLY) != STDOUT_FILENO) {
		_exit(127);
	}
	for (int s = 1; s < NSIG; s++) {
		signal(s, SIG_DFL);
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (size_t i = 0; i < HUSK_N(pasta_args); i++) {
		argv[n++] = (char *) pasta_args[i];
	}
	if (userns >= 0) {
		argv[n++] = (char *) "--userns";
		argv[n++] = (char *) "/proc/self/fd/4";
	}
	/* As root, pasta would become nobody before it opens the namespace,
	 * which nobody may not join; it drops its capabilities itself. */
	if (root) {
		argv[n++] = (char *) "--runas";
		argv[n++] = (char *) "0:0";
	}
	argv[n] = NULL;
	execv(pasta, argv);
	dprintf(STDERR_FILENO, "exec %s: %s\n", pasta, strerror(errno));
	_exit(127);
}

/* The keeper's word to husk: "" when pasta is ready, else why not. */
static void keeper_say(int ctl, const char *msg)
{
	if (send(ctl, msg, strlen(msg) + 1, MSG_NOSIGNAL) < 0) {
		/* husk is gone: the keeper ends pasta anyway. */
	}
}

/* What pasta said on stderr, its last PASTA_ERR_MAX bytes, less the lines
 * about a system logger it could not reach. */
struct tail {
	char b[PASTA_ERR_MAX];
	size_t len;
};

static void tail_add(struct tail *t, const char *s, size_t len)
{
	if (len >= sizeof(t->b)) {
		s += len - (sizeof(t->b) - 1);
		len = sizeof(t->b) - 1;
	}
	if (t->len + len >= sizeof(t->b)) {
		size_t drop = t->len + len - (sizeof(t->b) - 1);

		memmove(t->b, t->b + drop, t->len - drop);
		t->len -= drop;
	}
	memcpy(t->b + t->len, s, len);
	t->len += len;
	t->b[t->len] = '\0';
}

/* Read what FD holds (non-blocking) into T, or drop it without T: the
 * read's result, 0 at its end. */
static ssize_t tail_read(int fd, struct tail *t)
{
	char buf[512];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n > 0 && t != NULL) {
		tail_add(t, buf, (size_t) n);
	}
	return n;
}

static void tail_text(const struct tail *t, char *out, size_t len)
{
	_cleanup_free_ char *copy = xstrdup(t->b);
	size_t used = 0;

	out[0] = '\0';
	for (char *save = NULL, *line = strtok_r(copy, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "Failed to send ", 15) == 0 || used >= len) {
			continue;
		}
		used += (size_t) snprintf(out + used, len - used, "%s%s", used > 0 ? "; " : "",
					  line);
	}
}

/* Until pasta has written its pid (its namespace set up), exits, or the
 * time is up: "" or why not, in MSG. */
static void wait_ready(int ready, int errr, int pidfd, pid_t pid, char *msg, size_t len)
{
	struct tail t = { .len = 0 };
	char said[PASTA_ERR_MAX];
	int64_t left = PASTA_READY_MS;
	struct timespec t0, t1;
	int st = 0, errfd = errr;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p[3] = { { .fd = ready, .events = POLLIN },
				       { .fd = errfd, .events = POLLIN },
				       { .fd = pidfd, .events = POLLIN } };
		char c;

		if (left <= 0 || poll(p, 3, (int) left) == 0) {
			husk_kill_and_reap(pidfd, pid);
			tail_text(&t, said, sizeof(said));
			snprintf(msg, len, "pasta was not ready within %d s%s%s",
				 PASTA_READY_MS / 1000, said[0] != '\0' ? ": " : "", said);
			return;
		}
		if ((p[0].revents & POLLIN) && read(ready, &c, 1) == 1) {
			msg[0] = '\0';
			return;
		}
		if (p[1].revents != 0 && tail_read(errr, &t) == 0) {
			errfd = -1;
		}
		if (p[2].revents != 0) {
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		left = PASTA_READY_MS -
		       ((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
	}
	/* pasta exited: the rest of what it said, and its status. */
	while (tail_read(errr, &t) > 0) {
	}
	waitpid(pid, &st, 0);
	tail_text(&t, said, sizeof(said));
	snprintf(msg, len, "pasta exited (%s %d)%s%s", WIFSIGNALED(st) ? "signal" : "status",
		 WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st), said[0] != '\0' ? ": " : "",
		 said);
}

static void __attribute__((noreturn))
keeper(const char *pasta, int netns, int userns, int ctl, bool root)
{
	_cleanup_error_ husk_error_t e = NULL;
	int keep[3] = { netns, userns, ctl };
	int ready[2], errp[2], pidfd = -1;
	char msg[PASTA_ERR_MAX + 64];
	bool err_open = true;
	pid_t pid;

	/* Out of the caller's session: its terminal's signals are for the
	 * job, which husk forwards them to, not for the job's network. */
	setsid();
	if (husk_fds_close_except(3, keep, HUSK_N(keep), -1, &e) < 0 ||
	    pipe2(ready, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC | O_NONBLOCK) < 0) {
		keeper_say(ctl, "no pipes for pasta");
		_exit(1);
	}
	pid = husk_clone_raw(0, -1, &pidfd);
	if (pid == 0) {
		pasta_exec(pasta, netns, userns, ready[1], errp[1], root);
	}
	close(ready[1]);
	close(errp[1]);
	close(netns);
	husk_safe_close(userns);
	if (pid < 0) {
		keeper_say(ctl, "cannot fork for pasta");
		_exit(1);
	}
	wait_ready(ready[0], errp[0], pidfd, pid, msg, sizeof(msg));
	keeper_say(ctl, msg);
	if (msg[0] != '\0') {
		_exit(1);
	}
	close(ready[0]);
	/* Until husk closes its end, or dies: pasta's stderr read and
	 * dropped, so that pasta never blocks on it. */
	for (;;) {
		struct pollfd p[3] = { { .fd = ctl, .events = POLLIN },
				       { .fd = err_open ? errp[0] : -1, .events = POLLIN },
				       { .fd = pidfd, .events = POLLIN } };

		if (poll(p, 3, -1) < 0 && errno != EINTR) {
			break;
		}
		if (p[0].revents != 0 || p[2].revents != 0) {
			break;
		}
		if (p[1].revents != 0 && tail_read(errp[0], NULL) == 0) {
			err_open = false;
		}
	}
	husk_kill_and_reap(pidfd, pid);
	_exit(0);
}

static void keeper_end(struct husk_sandbox_net_s *n)
{
	struct pollfd p = { .fd = n->keeper_pidfd, .events = POLLIN };
	siginfo_t si;

	if (n->keeper_pidfd < 0) {
		return;
	}
	n->keeper_sock = husk_safe_close(n->keeper_sock);
	if (poll(&p, 1, KEEPER_END_MS) <= 0) {
		husk_pidfd_send(n->keeper_pidfd, SIGKILL);
	}
	/* sandbox/run.c's reaping may have had it already. */
	waitid(P_PIDFD, (id_t) n->keeper_pidfd, &si, WEXITED);
	n->keeper_pidfd = husk_safe_close(n->keeper_pidfd);
}

static int pasta_start(struct sandbox *sb, struct husk_sandbox_net_s *n, husk_error_t *err)
{
	_cleanup_close_ int userns = -1;
	char msg[PASTA_ERR_MAX + 64] = "";
	int netns = sb->c.netns;
	struct pollfd p;
	int ctl[2];

	if (netns < 0) {
		return husk_error_make(err, 0, "sandbox: no handle on the job's network namespace");
	}
	/* Rootless, pasta joins the job's user namespace with it. */
	userns = job_userns(sb, err);
	if (userns < 0 && *err != NULL) {
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl) < 0) {
		return husk_error_errno(err, "sandbox: a socket pair for pasta's keeper");
	}
	n->keeper = husk_clone_raw(0, -1, &n->keeper_pidfd);
	if (n->keeper == 0) {
		close(ctl[0]);
		keeper(n->pasta, netns, userns, ctl[1], geteuid() == 0);
	}
	close(ctl[1]);
	n->keeper_sock = ctl[0];
	if (n->keeper < 0) {
		return husk_error_errno(err, "sandbox: fork pasta's keeper");
	}
	p = (struct pollfd){ .fd = n->keeper_sock, .events = POLLIN };
	if (poll(&p, 1, PASTA_READY_MS + KEEPER_END_MS) <= 0 ||
	    recv(n->keeper_sock, msg, sizeof(msg) - 1, 0) <= 0) {
		snprintf(msg, sizeof(msg), "its keeper did not answer");
	} else if (msg[0] == '\0') {
		return 0;
	}
	keeper_end(n);
	return husk_error_make(err, 0, "sandbox: --net pasta: %s", msg);
}

/* ---- the sandbox's side ---- */

int husk_sandbox_net_plan(struct sandbox *sb, husk_error_t *err)
{
	const husk_sandbox_opts_t *o = sb->o;
	struct husk_sandbox_net_s *n;
	static const char *const vars[] = { "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY" };

	if (o->n_allow_hosts == 0 && !o->net_pasta) {
		return 0;
	}
	if (o->n_allow_hosts > 0 && (o->net_host || o->net_pasta)) {
		return husk_error_make(err, 0,
				       "sandbox: --allow-host needs --net none (the default): "
				       "with --net %s the job would reach the network around the "
				       "proxy",
				       o->net_host ? "host" : "pasta");
	}
	n = sb->net = xmalloc0(sizeof(*n));
	n->keeper_pidfd = n->keeper_sock = -1;
	if (o->net_pasta) {
		n->pasta = find_in_path("pasta");
		return n->pasta != NULL ? 0
					: husk_error_make(err, 0,
							  "sandbox: --net pasta: no `pasta` in "
							  "PATH (Debian's package passt has it)");
	}
	n->rules = xreallocarray(NULL, o->n_allow_hosts, sizeof(*n->rules));
	for (size_t i = 0; i < o->n_allow_hosts; i++) {
		if (husk_allow_parse(o->allow_hosts[i], &n->rules[n->n_rules], err) < 0) {
			return -1;
		}
		n->n_rules++;
	}
	/* Both spellings: curl reads http_proxy only in lower case, others
	 * only upper case.  Loopback is the job's own, never the proxy's. */
	for (size_t i = 0; i < HUSK_N(vars); i++) {
		char lower[16];

		for (size_t k = 0; k <= strlen(vars[i]); k++) {
			lower[k] = (char) (vars[i][k] >= 'A' && vars[i][k] <= 'Z' ? vars[i][k] + 32
										  : vars[i][k]);
		}
		husk_strv_push(&n->env, xasprintf("%s=http://%s:%d", vars[i], HUSK_PROXY_HOST,
						  HUSK_PROXY_PORT));
		husk_strv_push(&n->env, xasprintf("%s=http://%s:%d", lower, HUSK_PROXY_HOST,
						  HUSK_PROXY_PORT));
	}
	husk_strv_push(&n->env, xstrdup("NO_PROXY=localhost,127.0.0.1,::1"));
	husk_strv_push(&n->env, xstrdup("no_proxy=localhost,127.0.0.1,::1"));
	return 0;
}

void husk_sandbox_net_env(const struct sandbox *sb, char ***env)
{
	if (sb->net == NULL || sb->net->env == NULL) {
		return;
	}
	for (char *const *e = sb->net->env; *e != NULL; e++) {
		size_t len = (size_t) (strchr(*e, '=') - *e) + 1;
		size_t k = 0;

		/* Another proxy than husk's would lead nowhere: dropped. */
		for (size_t i = 0; (*env)[i] != NULL; i++) {
			if (strncmp((*env)[i], *e, len) == 0) {
				free((*env)[i]);
			} else {
				(*env)[k++] = (*env)[i];
			}
		}
		(*env)[k] = NULL;
		husk_strv_push(env, xstrdup(*e));
	}
}

int husk_sandbox_net_start(struct sandbox *sb, husk_error_t *err)
{
	struct husk_sandbox_net_s *n = sb->net;
	int fd;

	if (n == NULL) {
		return 0;
	}
	if (n->pasta != NULL) {
		return pasta_start(sb, n, err);
	}
	fd = make_job_listener(sb, err);
	if (fd < 0) {
		return -1;
	}
	n->proxy = husk_proxy_start(fd, n->rules, n->n_rules, err);
	return n->proxy != NULL ? 0 : -1;
}

void husk_sandbox_net_stop(struct sandbox *sb)
{
	if (sb->net != NULL) {
		husk_proxy_stop(sb->net->proxy);
		keeper_end(sb->net);
	}
}

void husk_sandbox_net_report(const struct sandbox *sb, husk_sandbox_report_t *r,
			     husk_sandbox_network_t *nw)
{
	const struct husk_sandbox_net_s *n = sb->net;

	nw->mode = sb->o->net_host ? "host" : sb->o->net_pasta ? "pasta" : "none";
	r->network = nw;
	if (n == NULL || n->proxy == NULL) {
		return;
	}
	nw->proxy = HUSK_PROXY_ADDR;
	nw->allow = (const char *const *) sb->o->allow_hosts;
	nw->n_allow = sb->o->n_allow_hosts;
	husk_proxy_report(n->proxy, r, nw);
}

void husk_sandbox_net_free(struct sandbox *sb)
{
	struct husk_sandbox_net_s *n = sb->net;

	if (n == NULL) {
		return;
	}
	husk_sandbox_net_stop(sb);
	husk_proxy_free(n->proxy);
	free(n->rules);
	husk_strv_free(n->env);
	free(n->pasta);
	free(n);
	sb->net = NULL;
}
