/* husk seccomp: a watched filter, whose refusals husk sees and counts
 * (seccomp/seccomp.h: husk_seccomp_watch).
 *
 * Why not SECCOMP_RET_LOG and the kernel's log: its records go through the
 * audit subsystem, which without auditd prints them to the kernel log at
 * printk's rate limit (ten in five seconds) and drops the rest, and reading
 * that log is root's.  A listener is the job's own business: its descriptor
 * is born with the filter in the job's init and comes to husk over the
 * sync socket, rootless or not.  The cost is paid only by the refused calls:
 * each one waits for husk's answer (two context switches and three of
 * husk's system calls), while every allowed call runs the same program as
 * before, down to the instruction.
 */
#include "seccomp/seccomp.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "seccomp/internal.h"
#include "util/xalloc.h"

/* Whether action K is one the watch turns into a notification. */
static bool watched_action(uint32_t k, int mode)
{
	uint32_t action = k & SECCOMP_RET_ACTION_FULL;

	if (mode == HUSK_SECCOMP_WATCH_LEARN) {
		return action != SECCOMP_RET_ALLOW && action != SECCOMP_RET_LOG &&
		       action != SECCOMP_RET_USER_NOTIF;
	}
	return action == SECCOMP_RET_ERRNO;
}

static uint32_t judge(const struct sock_filter *prog, size_t len, const struct seccomp_data *d);

bool husk_seccomp_allows(const husk_seccomp_filter_t *f, int nr, const uint64_t args[6])
{
	struct seccomp_data d = { .nr = nr, .arch = seccomp_arch_native() };
	uint32_t action;

	for (int i = 0; i < 6; i++) {
		d.args[i] = args[i];
	}
	action = judge(f->prog, f->len, &d) & SECCOMP_RET_ACTION_FULL;
	return action == SECCOMP_RET_ALLOW || action == SECCOMP_RET_LOG;
}

/* Whether F's program allows the init's sync messages (init/sync.c), with
 * the flags it sends them with. */
static bool allows_sync(const husk_seccomp_filter_t *f)
{
	const uint64_t send[6] = { [2] = MSG_NOSIGNAL }, recv[6] = { [2] = MSG_CMSG_CLOEXEC };

	return husk_seccomp_allows(f, __NR_sendmsg, send) &&
	       husk_seccomp_allows(f, __NR_recvmsg, recv);
}

int husk_seccomp_watch(husk_seccomp_filter_t *f, int mode)
{
	struct sock_filter *prog;
	size_t bytes = f->len * sizeof(struct sock_filter);

	if (mode == HUSK_SECCOMP_WATCH_OFF) {
		return 0;
	}
	/* One listener per filter: a profile with its own keeps it, and its
	 * refusals are not counted. */
	if (husk_seccomp_has_listener(f)) {
		f->unwatched = "the profile has a listener of its own (SCMP_ACT_NOTIFY)";
		return 0;
	}
	if (!allows_sync(f)) {
		f->unwatched = "the profile refuses sendmsg or recvmsg, which husk's init needs "
			       "after loading a watched filter";
		return 0;
	}
	/* The profile's own program, kept to tell what each notified call
	 * would have got; the loaded one differs only in its returns. */
	f->judge = xmalloc(bytes);
	memcpy(f->judge, f->prog, bytes);
	f->judge_flags = f->flags;
	prog = f->prog;
	for (size_t i = 0; i < f->len; i++) {
		if (prog[i].code == (BPF_RET | BPF_K) && watched_action(prog[i].k, mode)) {
			prog[i].k = SECCOMP_RET_USER_NOTIF;
		}
	}
	f->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	f->watch = mode;
	return 1;
}

bool husk_seccomp_watched_after_created(const husk_seccomp_filter_t *f, bool no_new_privs,
					bool early)
{
	return early && f != NULL && f->watch != HUSK_SECCOMP_WATCH_OFF &&
	       husk_seccomp_stage(f, no_new_privs) == HUSK_SECCOMP_BEFORE_CREATED;
}

/* A = A OP SRC; false for an operation the kernel's checker refuses, or
 * a division by zero (which ends a classic BPF program). */
static bool alu(uint16_t op, uint32_t *a, uint32_t src)
{
	switch (op) {
	case BPF_ADD:
		*a += src;
		return true;
	case BPF_SUB:
		*a -= src;
		return true;
	case BPF_MUL:
		*a *= src;
		return true;
	case BPF_DIV:
	case BPF_MOD:
		if (src == 0) {
			return false;
		}
		*a = op == BPF_DIV ? *a / src : *a % src;
		return true;
	case BPF_OR:
		*a |= src;
		return true;
	case BPF_AND:
		*a &= src;
		return true;
	case BPF_XOR:
		*a ^= src;
		return true;
	case BPF_LSH:
		*a = src < 32 ? *a << src : 0;
		return true;
	case BPF_RSH:
		*a = src < 32 ? *a >> src : 0;
		return true;
	case BPF_NEG:
		*a = -*a;
		return true;
	default:
		return false;
	}
}

/* How far jump I goes with A and SRC; -1 for one the checker refuses. */
static long jump(const struct sock_filter *i, uint32_t a, uint32_t src)
{
	switch (BPF_OP(i->code)) {
	case BPF_JA:
		return (long) i->k;
	case BPF_JEQ:
		return a == src ? i->jt : i->jf;
	case BPF_JGT:
		return a > src ? i->jt : i->jf;
	case BPF_JGE:
		return a >= src ? i->jt : i->jf;
	case BPF_JSET:
		return (a & src) != 0 ? i->jt : i->jf;
	default:
		return -1;
	}
}

/* A load of I into *DST: false for one the checker refuses. */
static bool load(const struct sock_filter *i, uint32_t *dst, const uint32_t mem[BPF_MEMWORDS],
		 const struct seccomp_data *d)
{
	uint32_t k = i->k;

	switch (BPF_MODE(i->code)) {
	case BPF_ABS:
		/* Only whole aligned words of seccomp_data, and only into A. */
		if (BPF_CLASS(i->code) != BPF_LD || BPF_SIZE(i->code) != BPF_W || k % 4 != 0 ||
		    k + 4 > sizeof(*d)) {
			return false;
		}
		memcpy(dst, (const unsigned char *) d + k, 4);
		return true;
	case BPF_LEN:
		*dst = sizeof(*d);
		return true;
	case BPF_IMM:
		*dst = k;
		return true;
	case BPF_MEM:
		if (k >= BPF_MEMWORDS) {
			return false;
		}
		*dst = mem[k];
		return true;
	default:
		return false;
	}
}

/* Run the classic BPF program PROG[0..LEN) on D as the kernel would, and
 * return its action.  The program is one husk compiled and the kernel
 * accepted, but it is checked as it runs all the same: anything out of
 * bounds or unknown kills, as the kernel's checker would have refused it. */
static uint32_t judge(const struct sock_filter *prog, size_t len, const struct seccomp_data *d)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };

	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *i = &prog[pc];
		uint32_t src = BPF_SRC(i->code) == BPF_X ? x : i->k;
		long off;

		switch (BPF_CLASS(i->code)) {
		case BPF_LD:
		case BPF_LDX:
			if (!load(i, BPF_CLASS(i->code) == BPF_LD ? &a : &x, mem, d)) {
				return SECCOMP_RET_KILL_PROCESS;
			}
			break;
		case BPF_ST:
		case BPF_STX:
			if (i->k >= BPF_MEMWORDS) {
				return SECCOMP_RET_KILL_PROCESS;
			}
			mem[i->k] = BPF_CLASS(i->code) == BPF_ST ? a : x;
			break;
		case BPF_ALU:
			if (!alu(BPF_OP(i->code), &a, src)) {
				return SECCOMP_RET_KILL_PROCESS;
			}
			break;
		case BPF_JMP:
			off = jump(i, a, src);
			if (off < 0) {
				return SECCOMP_RET_KILL_PROCESS;
			}
			pc += (size_t) off; /* past the end: the loop ends, and kills */
			break;
		case BPF_RET:
			return BPF_RVAL(i->code) == BPF_A ? a : i->k;
		case BPF_MISC:
			if (BPF_MISCOP(i->code) == BPF_TAX) {
				x = a;
			} else {
				a = x;
			}
			break;
		default:
			return SECCOMP_RET_KILL_PROCESS;
		}
	}
	return SECCOMP_RET_KILL_PROCESS;
}

/* The call's name, as libseccomp knows it for the architecture the call
 * was made in; the native one goes unsaid. */
static char *call_name(const struct seccomp_data *d)
{
	char *name = seccomp_syscall_resolve_num_arch(d->arch, d->nr);
	char *what;

	if (name == NULL) {
		return xasprintf("syscall %d (arch 0x%x)", d->nr, d->arch);
	}
	if (d->arch == seccomp_arch_native()) {
		return name;
	}
	what = xasprintf("%s (arch 0x%x)", name, d->arch);
	free(name);
	return what;
}

int husk_seccomp_answer(int notify_fd, const husk_seccomp_filter_t *f, char **what,
			husk_error_t *err)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	uint32_t action;

	*what = NULL;
	memset(&req, 0, sizeof(req));
	if (ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
		/* ENOENT: the caller died before we took its call. */
		if (errno == ENOENT || errno == EINTR) {
			return 0;
		}
		return husk_error_errno(err, "seccomp: receive a notification");
	}
	action = judge(f->judge, f->len, &req.data);
	resp = (struct seccomp_notif_resp){ .id = req.id };
	if (f->watch == HUSK_SECCOMP_WATCH_LEARN) {
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	} else if ((action & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO) {
		resp.error = -(int32_t) (action & SECCOMP_RET_DATA);
	} else {
		/* Never so for a program husk_seccomp_watch() made: the same
		 * path ends in the same return, which was an ERRNO. */
		resp.error = -EPERM;
	}
	/* ENOENT: the caller is gone meanwhile, or its call interrupted. */
	if (ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT) {
		return husk_error_errno(err, "seccomp: answer a notification");
	}
	*what = call_name(&req.data);
	return 1;
}
