/* husk cgroups: device rules on cgroup v2, as an eBPF device program. */
#include "cgroups/devices-bpf.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/hash.h"
#include "util/log.h"
#include "util/open.h"
#include "util/xalloc.h"

#define ACC_ALL   (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)
/* The longest a match assembles to: three compares, three for the access,
 * the verdict and exit. */
#define MATCH_MAX 8
/* The prologue's length. */
#define PROLOGUE  6
/* What the kernel calls the program (bpftool, and a shared one's check). */
#define PROG_NAME "husk_devices"

/* Registers of the program: r1 the context on entry, then these. */
enum {
	R_RET = 0,
	R_CTX = 1,
	R_ACCESS = 2, /* the access bits of the request */
	R_TYPE = 3,   /* its device type */
	R_MAJOR = 4,
	R_MINOR = 5,
	R_TMP = 6,
};

static bool is_reset(const husk_device_rule_t *r)
{
	return r->type == NULL || strcmp(r->type, "a") == 0;
}

static uint32_t access_bits(const char *access)
{
	uint32_t bits = 0;

	if (access == NULL) {
		return ACC_ALL;
	}
	for (const char *c = access; *c != '\0'; c++) {
		if (*c == 'r') {
			bits |= BPF_DEVCG_ACC_READ;
		} else if (*c == 'w') {
			bits |= BPF_DEVCG_ACC_WRITE;
		} else if (*c == 'm') {
			bits |= BPF_DEVCG_ACC_MKNOD;
		}
	}
	return bits;
}

void husk_dev_program_from_rules(husk_dev_program_t *p, const husk_device_rule_t *rules, size_t n)
{
	size_t first = 0;

	p->default_allow = true;
	p->n = 0;
	p->matches = NULL;
	/* Only the last reset and what follows it count. */
	for (size_t i = 0; i < n; i++) {
		if (is_reset(&rules[i])) {
			first = i + 1;
			p->default_allow = rules[i].allow;
		}
	}
	if (n > first) {
		p->matches = xcalloc(n - first, sizeof(*p->matches));
	}
	for (size_t i = n; i > first; i--) {
		const husk_device_rule_t *r = &rules[i - 1];
		husk_dev_match_t *m = &p->matches[p->n++];

		m->type = strcmp(r->type, "b") == 0 ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;
		/* -1 is how Go clients spell "any". */
		m->has_major = r->has_major && r->major >= 0;
		m->major = m->has_major ? (uint32_t) r->major : 0;
		m->has_minor = r->has_minor && r->minor >= 0;
		m->minor = m->has_minor ? (uint32_t) r->minor : 0;
		m->access = access_bits(r->access);
		m->allow = r->allow;
	}
}

void husk_dev_program_free(husk_dev_program_t *p)
{
	free(p->matches);
	p->matches = NULL;
	p->n = 0;
}

static bool matches(const husk_dev_match_t *m, uint32_t type, uint32_t major, uint32_t minor,
		    uint32_t access)
{
	if ((m->type != 0 && m->type != type) || (m->has_major && m->major != major) ||
	    (m->has_minor && m->minor != minor)) {
		return false;
	}
	/* Allowing needs every access asked for; denying any one of them. */
	return m->allow ? (access & ~m->access) == 0 : (access & m->access) != 0;
}

bool husk_dev_program_allows(const husk_dev_program_t *p, uint32_t type, uint32_t major,
			     uint32_t minor, uint32_t access)
{
	for (size_t i = 0; i < p->n; i++) {
		if (matches(&p->matches[i], type, major, minor, access)) {
			return p->matches[i].allow;
		}
	}
	return p->default_allow;
}

/* ---- the assembler ---- */

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	struct bpf_insn i = {
		.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm
	};

	return i;
}

static struct bpf_insn ld_ctx(uint8_t dst, size_t field)
{
	return insn(BPF_LDX | BPF_MEM | BPF_W, dst, R_CTX, (int16_t) field, 0);
}

static struct bpf_insn mov_imm(uint8_t dst, int32_t imm)
{
	return insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm);
}

/* The instructions of one match, at *OUT: a run of "skip to the next match
 * unless it fits" jumps, then the verdict.  Returns how many. */
static size_t emit_match(const husk_dev_match_t *m, struct bpf_insn *out)
{
	struct bpf_insn body[MATCH_MAX];
	size_t n = 0, jumps[MATCH_MAX], nj = 0;

	/* JMP32: majors and minors are 32-bit; a 64-bit compare would
	 * sign-extend an immediate above INT32_MAX. */
	if (m->type != 0) {
		jumps[nj++] = n;
		body[n++] = insn(BPF_JMP32 | BPF_JNE | BPF_K, R_TYPE, 0, 0, (int32_t) m->type);
	}
	if (m->has_major) {
		jumps[nj++] = n;
		body[n++] = insn(BPF_JMP32 | BPF_JNE | BPF_K, R_MAJOR, 0, 0, (int32_t) m->major);
	}
	if (m->has_minor) {
		jumps[nj++] = n;
		body[n++] = insn(BPF_JMP32 | BPF_JNE | BPF_K, R_MINOR, 0, 0, (int32_t) m->minor);
	}
	if (m->allow && (ACC_ALL & ~m->access) != 0) {
		/* Skip when the request has an access the rule does not grant. */
		jumps[nj++] = n;
		body[n++] = insn(BPF_JMP | BPF_JSET | BPF_K, R_ACCESS, 0, 0,
				 (int32_t) (ACC_ALL & ~m->access));
	} else if (!m->allow && (m->access & ACC_ALL) != ACC_ALL) {
		/* Skip when the request has none of the accesses it denies. */
		body[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, R_TMP, R_ACCESS, 0, 0);
		body[n++] = insn(BPF_ALU64 | BPF_AND | BPF_K, R_TMP, 0, 0, (int32_t) m->access);
		jumps[nj++] = n;
		body[n++] = insn(BPF_JMP | BPF_JEQ | BPF_K, R_TMP, 0, 0, 0);
	}
	body[n++] = mov_imm(R_RET, m->allow ? 1 : 0);
	body[n++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	for (size_t j = 0; j < nj; j++) {
		body[jumps[j]].off = (int16_t) (n - jumps[j] - 1);
	}
	memcpy(out, body, n * sizeof(*body));
	return n;
}

size_t husk_dev_program_assemble(const husk_dev_program_t *p, struct bpf_insn **insns)
{
	/* The prologue, the matches, the default verdict. */
	struct bpf_insn *v = xcalloc(PROLOGUE + MATCH_MAX * p->n + 2, sizeof(*v));
	size_t n = 0;

	v[n++] = ld_ctx(R_ACCESS, offsetof(struct bpf_cgroup_dev_ctx, access_type));
	v[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, R_TYPE, R_ACCESS, 0, 0);
	v[n++] = insn(BPF_ALU64 | BPF_AND | BPF_K, R_TYPE, 0, 0, 0xffff);
	v[n++] = insn(BPF_ALU64 | BPF_RSH | BPF_K, R_ACCESS, 0, 0, 16);
	v[n++] = ld_ctx(R_MAJOR, offsetof(struct bpf_cgroup_dev_ctx, major));
	v[n++] = ld_ctx(R_MINOR, offsetof(struct bpf_cgroup_dev_ctx, minor));
	for (size_t i = 0; i < p->n; i++) {
		n += emit_match(&p->matches[i], v + n);
	}
	v[n++] = mov_imm(R_RET, p->default_allow ? 1 : 0);
	v[n++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	*insns = v;
	return n;
}

/* ---- the kernel side ---- */

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int) syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int load(const struct bpf_insn *insns, size_t n, husk_error_t *err)
{
	static char log[16384];
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t) (uintptr_t) insns;
	attr.insn_cnt = (uint32_t) n;
	/* The program calls no helper, so no licence is required of it. */
	attr.license = (uint64_t) (uintptr_t) "GPL";
	strncpy(attr.prog_name, PROG_NAME, sizeof(attr.prog_name) - 1);
	fd = sys_bpf(BPF_PROG_LOAD, &attr); /* bpf fds are close-on-exec */
	if (fd >= 0 || errno != EACCES) {
		if (fd < 0) {
			husk_error_errno(err, "cgroups: load the device program");
		}
		return fd;
	}
	/* The verifier refused it: load again to hear why. */
	attr.log_buf = (uint64_t) (uintptr_t) log;
	attr.log_size = sizeof(log);
	attr.log_level = 1;
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd < 0) {
		log[sizeof(log) - 1] = '\0';
		husk_error_errno(err, "cgroups: load the device program: %s", log);
	}
	return fd;
}

/* ---- one program for every cgroup with the same rules ----
 *
 * A program, once loaded, can be attached to any number of cgroups, and
 * lives as long as one holds it.  So each load is noted in
 * <state root>/.devices-bpf/<hash of the instructions>: the program's id and
 * its tag (the kernel's hash of what it was loaded from), and the
 * instructions themselves.  The next cgroup with the same rules takes that
 * program by its id while another container still holds it, instead of
 * loading a copy: the verifier and the JIT compiler run once, not per
 * container (2 ms of a run in the VM lane).  A note is used only if its
 * instructions are these exactly and the program under its id is a device
 * program named as ours with the noted tag; anything else is a miss, and a
 * miss loads the program as before.  The directory and its notes are made
 * and checked as the seccomp cache's are (husk's own, written by nobody
 * else). */
#define SHARE_DIR   ".devices-bpf"
#define SHARE_MAGIC "HUSKDEV1"

struct share_note {
	char magic[8];
	uint32_t id;
	uint32_t insn_cnt;
	uint8_t tag[BPF_TAG_SIZE];
};

static int share_rootfd = -1;

void husk_devices_bpf_share_at(int rootfd)
{
	share_rootfd = rootfd;
}

static bool owned_safely(const struct stat *st)
{
	return st->st_uid == geteuid() && (st->st_mode & 022) == 0;
}

static int share_dir(bool make)
{
	struct stat st;
	int fd;

	if (share_rootfd < 0) {
		return -1;
	}
	if (make && mkdirat(share_rootfd, SHARE_DIR, 0700) < 0 && errno != EEXIST) {
		return -1;
	}
	fd = openat(share_rootfd, SHARE_DIR, HUSK_O_DIR);
	if (fd >= 0 && (fstat(fd, &st) < 0 || !owned_safely(&st))) {
		husk_debug("devices: %s is not husk's own: not used", SHARE_DIR);
		fd = husk_safe_close(fd);
	}
	return fd;
}

static void note_name(char name[24], const struct bpf_insn *insns, size_t n)
{
	snprintf(name, 24, "%016llx",
		 (unsigned long long) husk_fnv1a(HUSK_FNV1A_INIT, insns, n * sizeof(*insns)));
}

static int prog_info(int prog, struct bpf_prog_info *info)
{
	union bpf_attr attr;

	memset(info, 0, sizeof(*info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = (uint32_t) prog;
	attr.info.info_len = sizeof(*info);
	attr.info.info = (uint64_t) (uintptr_t) info;
	return sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr);
}

/* The live program an earlier load of INSNS noted, or -1. */
static int shared_program(const struct bpf_insn *insns, size_t n)
{
	_cleanup_close_ int dirfd = share_dir(false);
	_cleanup_close_ int fd = -1;
	_cleanup_close_ int prog = -1;
	_cleanup_free_ struct bpf_insn *stored = NULL;
	struct share_note note;
	struct bpf_prog_info info;
	union bpf_attr attr;
	struct stat st;
	size_t bytes = n * sizeof(*insns);
	char name[24];

	if (dirfd < 0) {
		return -1;
	}
	note_name(name, insns, n);
	fd = openat(dirfd, name, HUSK_O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !owned_safely(&st) ||
	    (size_t) st.st_size != sizeof(note) + bytes) {
		return -1;
	}
	stored = xmalloc(bytes);
	if (read(fd, &note, sizeof(note)) != (ssize_t) sizeof(note) ||
	    read(fd, stored, bytes) != (ssize_t) bytes || memcmp(note.magic, SHARE_MAGIC, 8) != 0 ||
	    note.insn_cnt != n || memcmp(stored, insns, bytes) != 0) {
		return -1;
	}
	memset(&attr, 0, sizeof(attr));
	attr.prog_id = note.id;
	prog = sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr); /* close-on-exec */
	if (prog < 0) {
		return -1; /* gone with the last cgroup that held it */
	}
	if (prog_info(prog, &info) < 0 || info.type != BPF_PROG_TYPE_CGROUP_DEVICE ||
	    memcmp(info.tag, note.tag, BPF_TAG_SIZE) != 0 || strcmp(info.name, PROG_NAME) != 0) {
		husk_debug("devices: program %u is not the one noted: not used", note.id);
		return -1;
	}
	return TAKE_FD(prog);
}

/* Note PROG, just loaded from INSNS, for the next cgroup with the same
 * rules: written to a temporary name and renamed, not synced (a lost note
 * is only a miss). */
static void note_program(int prog, const struct bpf_insn *insns, size_t n)
{
	_cleanup_close_ int dirfd = share_dir(true);
	_cleanup_close_ int fd = -1;
	struct share_note note = { .insn_cnt = (uint32_t) n };
	struct bpf_prog_info info;
	size_t bytes = n * sizeof(*insns);
	char name[24], tmp[48];

	if (dirfd < 0 || prog_info(prog, &info) < 0) {
		return;
	}
	memcpy(note.magic, SHARE_MAGIC, 8);
	note.id = info.id;
	memcpy(note.tag, info.tag, BPF_TAG_SIZE);
	note_name(name, insns, n);
	snprintf(tmp, sizeof(tmp), ".%s.%d", name, (int) getpid());
	unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, HUSK_O_CREAT_EXCL, 0600);
	if (fd < 0) {
		return;
	}
	if (write(fd, &note, sizeof(note)) != (ssize_t) sizeof(note) ||
	    write(fd, insns, bytes) != (ssize_t) bytes || renameat(dirfd, tmp, dirfd, name) < 0) {
		husk_debug("devices: cannot note program %u: %m", note.id);
		unlinkat(dirfd, tmp, 0);
	}
}

/* How many device programs DIRFD's cgroup has of its own. */
static int own_programs(int dirfd, uint32_t *count, husk_error_t *err)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.query.target_fd = (uint32_t) dirfd;
	attr.query.attach_type = BPF_CGROUP_DEVICE;
	if (sys_bpf(BPF_PROG_QUERY, &attr) < 0) {
		return husk_error_errno(err, "cgroups: query the device programs");
	}
	*count = attr.query.prog_cnt;
	return 0;
}

int husk_devices_bpf_apply(const char *dir, const husk_device_rule_t *rules, size_t n,
			   husk_error_t *err)
{
	/* A readable directory: the kernel takes no O_PATH fd as a target. */
	_cleanup_close_ int dirfd = open(dir, HUSK_O_DIR);
	_cleanup_close_ int prog = -1;
	_cleanup_free_ struct bpf_insn *insns = NULL;
	husk_dev_program_t p;
	union bpf_attr attr;
	uint32_t count = 0;
	size_t len;

	if (dirfd < 0) {
		return husk_error_errno(err, "cgroups: open `%s`", dir);
	}
	if (own_programs(dirfd, &count, err) < 0) {
		return -1;
	}
	if (count > 0) {
		husk_warn("linux.resources.devices: a running container's device rules are not "
			  "changed on cgroup v2; ignored");
		return 0;
	}
	husk_dev_program_from_rules(&p, rules, n);
	len = husk_dev_program_assemble(&p, &insns);
	husk_dev_program_free(&p);
	prog = shared_program(insns, len);
	if (prog < 0) {
		prog = load(insns, len, err);
		if (prog < 0) {
			return -1;
		}
		note_program(prog, insns, len);
	}
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t) dirfd;
	attr.attach_bpf_fd = (uint32_t) prog;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	/* The attachment holds the program; our fd can go. */
	if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0) {
		return husk_error_errno(err, "cgroups: attach the device program to `%s`", dir);
	}
	return 0;
}
