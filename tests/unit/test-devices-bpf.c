/* Unit tests: device rules compiled for cgroup v2 (cgroups/devices-bpf.c).
 *
 * The kernel side (loading into a cgroup) runs in the vm lane; here the rule
 * list's translation is checked against the v1 controller's meaning, and the
 * assembled instructions are run by a small interpreter of the subset the
 * assembler emits and must agree with the translation everywhere.  Where a
 * cgroup2 hierarchy is mounted (this hybrid host's /sys/fs/cgroup/unified
 * too), cgroups of the test's own show that one program serves every cgroup
 * with the same rules, and that a note that lies is not believed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroups/devices-bpf.h"
#include "tap.h"
#include "util/cleanup.h"

#define C     BPF_DEVCG_DEV_CHAR
#define B     BPF_DEVCG_DEV_BLOCK
#define M     BPF_DEVCG_ACC_MKNOD
#define R     BPF_DEVCG_ACC_READ
#define W     BPF_DEVCG_ACC_WRITE
#define ANY   (-1)
#define RULES (sizeof(rules) / sizeof(*rules))

/* A rule: ALLOW, TYPE (NULL for all), MAJOR and MINOR (ANY for absent),
 * ACCESS (NULL for all). */
static husk_device_rule_t rule(bool allow, const char *type, int64_t major, int64_t minor,
			       const char *access)
{
	return (husk_device_rule_t){
		.allow = allow,
		.type = (char *) type,
		.has_major = major != ANY,
		.major = major,
		.has_minor = minor != ANY,
		.minor = minor,
		.access = (char *) access,
	};
}

static bool allows(const husk_device_rule_t *rules, size_t n, uint32_t type, uint32_t major,
		   uint32_t minor, uint32_t access)
{
	husk_dev_program_t p;
	bool r;

	husk_dev_program_from_rules(&p, rules, n);
	r = husk_dev_program_allows(&p, type, major, minor, access);
	husk_dev_program_free(&p);
	return r;
}

static void test_default_deny(void)
{
	husk_device_rule_t rules[] = {
		rule(false, NULL, ANY, ANY, NULL),
		rule(true, "c", 1, 3, "rwm"),
		rule(true, "c", 136, ANY, "rw"),
	};

	ok(!allows(rules, RULES, C, 1, 11, W), "deny-all first: c 1:11 is denied");
	ok(allows(rules, RULES, C, 1, 3, R | W), "c 1:3 rwm allows rw of /dev/null");
	ok(allows(rules, RULES, C, 1, 3, M), "and mknod of it");
	ok(!allows(rules, RULES, B, 1, 3, R), "a char rule does not allow the block 1:3");
	ok(allows(rules, RULES, C, 136, 7, R | W), "a wildcard minor matches any minor");
	ok(!allows(rules, RULES, C, 136, 7, M), "but only for the accesses it names");
	ok(!allows(rules, RULES, C, 137, 7, R), "another major is denied");
}

static void test_last_match_wins(void)
{
	husk_device_rule_t rules[] = {
		rule(false, "a", ANY, ANY, "rwm"),
		rule(true, "c", 1, ANY, "rwm"),
		rule(false, "c", 1, 11, "w"),
		rule(true, "c", 1, 11, "r"),
	};

	ok(allows(rules, RULES, C, 1, 5, R | W), "c 1:* allows c 1:5");
	ok(!allows(rules, RULES, C, 1, 11, W), "a later deny of c 1:11 w wins over c 1:*");
	ok(!allows(rules, RULES, C, 1, 11, R | W),
	   "a deny matches a request with any of its accesses");
	ok(allows(rules, RULES, C, 1, 11, R), "the last rule, allow c 1:11 r, wins for reads");
	ok(allows(rules, RULES, C, 1, 11, M), "mknod falls through to c 1:* rwm");
}

static void test_resets(void)
{
	husk_device_rule_t allow_after[] = {
		rule(false, NULL, ANY, ANY, NULL),
		rule(true, "c", 1, 3, NULL),
		rule(true, NULL, ANY, ANY, "r"),
		rule(false, "b", 8, ANY, "w"),
	};
	husk_device_rule_t deny_after[] = {
		rule(true, "c", 1, 11, NULL),
		rule(false, "a", 1, 2, "r"),
	};
	husk_device_rule_t no_reset[] = {
		rule(false, "c", 1, 11, "rwm"),
	};
	husk_device_rule_t none[] = { rule(true, "c", 1, 3, NULL) };
	husk_dev_program_t p;

	/* "a" resets whatever its major, minor and access say, as v1 does. */
	ok(allows(allow_after, 4, C, 10, 200, R | W | M), "a later allow-all allows everything");
	ok(!allows(allow_after, 4, B, 8, 1, W), "except what a rule after it denies");
	ok(allows(allow_after, 4, B, 8, 1, R), "for the accesses that rule names");
	ok(!allows(deny_after, 2, C, 1, 11, R), "a later deny-all clears the allows before it");
	ok(!allows(deny_after, 2, C, 7, 7, W), "and denies everything");
	ok(allows(no_reset, 1, C, 1, 5, R), "no reset: allowed by default, as a new v1 cgroup");
	ok(!allows(no_reset, 1, C, 1, 11, M), "and a deny rule still denies");
	husk_dev_program_from_rules(&p, deny_after, 2);
	is_int((int) p.n, 0, "the rules before the last reset are dropped");
	ok(!p.default_allow, "and the default is the reset's");
	husk_dev_program_free(&p);
	husk_dev_program_from_rules(&p, none, 0);
	ok(p.n == 0 && p.default_allow, "an empty list allows everything");
	husk_dev_program_free(&p);
}

static void test_access_and_wildcards(void)
{
	husk_device_rule_t rules[] = {
		rule(false, NULL, ANY, ANY, NULL),
		rule(true, "b", ANY, 0, "r"),
		rule(true, "c", 4, -1, ""),
		rule(true, "c", 1, -1, "m"),
	};

	ok(allows(rules, RULES, B, 259, 0, R), "a wildcard major matches any major");
	ok(!allows(rules, RULES, B, 259, 0, R | W), "an allow needs every access asked for");
	ok(!allows(rules, RULES, C, 4, 1, R), "an empty access allows nothing");
	ok(allows(rules, RULES, C, 1, 99, M), "major or minor -1 means any");
	ok(!allows(rules, RULES, C, 1, 99, R), "for the named access only");
}

/* ---- the instructions ---- */

/* Run INSNS on CTX; -1 for an instruction outside the emitted subset, a
 * jump out of the program or too many steps. */
static int64_t run(const struct bpf_insn *insns, size_t n, const struct bpf_cgroup_dev_ctx *ctx)
{
	uint64_t reg[11] = { 0 };
	size_t pc = 0;

	for (int steps = 0; pc < n && steps < 100000; steps++) {
		const struct bpf_insn *i = &insns[pc++];
		uint64_t k = (uint64_t) (int64_t) i->imm;
		uint32_t d32;

		if (i->dst_reg > 10 || i->src_reg > 10) {
			return -1;
		}
		d32 = (uint32_t) reg[i->dst_reg];
		switch (i->code) {
		case BPF_LDX | BPF_MEM | BPF_W: {
			uint32_t v;

			if (i->src_reg != 1 || i->off < 0 ||
			    (size_t) i->off + sizeof(v) > sizeof(*ctx) || i->off % 4 != 0) {
				return -1;
			}
			memcpy(&v, (const char *) ctx + i->off, sizeof(v));
			reg[i->dst_reg] = v;
			break;
		}
		case BPF_ALU64 | BPF_MOV | BPF_X:
			reg[i->dst_reg] = reg[i->src_reg];
			break;
		case BPF_ALU64 | BPF_MOV | BPF_K:
			reg[i->dst_reg] = k;
			break;
		case BPF_ALU64 | BPF_AND | BPF_K:
			reg[i->dst_reg] &= k;
			break;
		case BPF_ALU64 | BPF_RSH | BPF_K:
			reg[i->dst_reg] >>= i->imm;
			break;
		case BPF_JMP32 | BPF_JNE | BPF_K:
			pc += d32 != (uint32_t) i->imm ? (size_t) i->off : 0;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += reg[i->dst_reg] == k ? (size_t) i->off : 0;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += (reg[i->dst_reg] & k) != 0 ? (size_t) i->off : 0;
			break;
		case BPF_JMP | BPF_EXIT:
			return (int64_t) reg[0];
		default:
			return -1;
		}
	}
	return -1;
}

/* Whether P's instructions decide as P does for every request on a grid
 * around the rules' devices. */
static bool agrees(const husk_device_rule_t *rules, size_t nrules)
{
	static const uint32_t types[] = { C, B };
	static const uint32_t numbers[] = { 0, 1, 3, 4, 5, 11, 136, 259, 4095, UINT32_MAX };
	_cleanup_free_ struct bpf_insn *insns = NULL;
	husk_dev_program_t p;
	size_t n;
	bool good = true;

	husk_dev_program_from_rules(&p, rules, nrules);
	n = husk_dev_program_assemble(&p, &insns);
	for (size_t t = 0; t < 2; t++) {
		for (size_t a = 0; a < sizeof(numbers) / sizeof(*numbers); a++) {
			for (size_t b = 0; b < sizeof(numbers) / sizeof(*numbers); b++) {
				for (uint32_t acc = 1; acc <= (M | R | W); acc++) {
					struct bpf_cgroup_dev_ctx ctx = {
						.access_type = (acc << 16) | types[t],
						.major = numbers[a],
						.minor = numbers[b],
					};
					int64_t want = husk_dev_program_allows(
						&p, types[t], numbers[a], numbers[b], acc);

					if (run(insns, n, &ctx) != want) {
						diag("type %u %u:%u access %u: program %lld, want "
						     "%lld",
						     types[t], numbers[a], numbers[b], acc,
						     (long long) run(insns, n, &ctx),
						     (long long) want);
						good = false;
					}
				}
			}
		}
	}
	husk_dev_program_free(&p);
	return good;
}

static void test_instructions(void)
{
	husk_device_rule_t runc_like[] = {
		rule(false, NULL, ANY, ANY, NULL), rule(true, "c", 1, 3, "rwm"),
		rule(true, "c", 1, 5, "rwm"),      rule(true, "c", 136, ANY, "rwm"),
		rule(true, "c", 1, 11, "w"),       rule(true, "b", 259, 0, "r"),
	};
	husk_device_rule_t mixed[] = {
		rule(true, "a", ANY, ANY, NULL),
		rule(false, "c", 1, ANY, "rw"),
		rule(true, "c", 1, 3, NULL),
		rule(false, "b", ANY, ANY, "m"),
		rule(false, "c", 4095, 4095, ""),
		rule(true, "b", 4095, UINT32_MAX, "rm"),
		rule(false, "c", ANY, UINT32_MAX, NULL),
	};
	husk_device_rule_t empty[] = { rule(true, "c", 1, 3, NULL) };
	husk_device_rule_t deny_all[] = { rule(false, "a", ANY, ANY, NULL) };
	husk_dev_program_t p;
	struct bpf_insn *insns = NULL;
	struct bpf_cgroup_dev_ctx null_rw = { (uint32_t) ((R | W) << 16) | C, 1, 3 };
	struct bpf_cgroup_dev_ctx kmsg_w = { (uint32_t) (W << 16) | C, 1, 11 };
	struct bpf_cgroup_dev_ctx kmsg_r = { (uint32_t) (R << 16) | C, 1, 11 };
	size_t n;

	ok(agrees(runc_like, sizeof(runc_like) / sizeof(*runc_like)),
	   "a default-deny list: the program decides as the rules do");
	ok(agrees(mixed, sizeof(mixed) / sizeof(*mixed)),
	   "allow-all, denies, empty access and 32-bit numbers: the program agrees");
	ok(agrees(empty, 0), "an empty list: the program agrees");
	ok(agrees(deny_all, 1), "deny-all alone: the program agrees");

	/* And a few decisions spelled out, so the test does not rest on the
	 * translation alone. */
	husk_dev_program_from_rules(&p, runc_like, sizeof(runc_like) / sizeof(*runc_like));
	n = husk_dev_program_assemble(&p, &insns);
	is_int((int) run(insns, n, &null_rw), 1, "the program allows rw of c 1:3");
	is_int((int) run(insns, n, &kmsg_w), 1, "and w of c 1:11");
	is_int((int) run(insns, n, &kmsg_r), 0, "but not r of c 1:11");
	is_int(insns[n - 1].code, BPF_JMP | BPF_EXIT, "the program ends with exit");
	free(insns);
	husk_dev_program_free(&p);
}

/* The id of the one device program attached to the cgroup DIR, or 0. */
static uint32_t attached_id(const char *dir)
{
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	uint32_t ids[4] = { 0 };
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.query.target_fd = (uint32_t) fd;
	attr.query.attach_type = BPF_CGROUP_DEVICE;
	attr.query.prog_ids = (uint64_t) (uintptr_t) ids;
	attr.query.prog_cnt = 4;
	if (fd < 0 || syscall(SYS_bpf, BPF_PROG_QUERY, &attr, sizeof(attr)) < 0 ||
	    attr.query.prog_cnt != 1) {
		return 0;
	}
	return ids[0];
}

/* Every note in STATE/.devices-bpf that names program FROM names TO now;
 * with REMOVE, every note and the directories go instead. */
static void edit_notes(const char *state, uint32_t from, uint32_t to, bool remove)
{
	char dir[128];
	DIR *d;
	struct dirent *e;

	snprintf(dir, sizeof(dir), "%s/.devices-bpf", state);
	d = opendir(dir);
	while (d != NULL && (e = readdir(d)) != NULL) {
		_cleanup_close_ int fd = -1;
		uint32_t id = 0;

		if (e->d_name[0] == '.') {
			continue;
		}
		if (remove) {
			unlinkat(dirfd(d), e->d_name, 0);
			continue;
		}
		fd = openat(dirfd(d), e->d_name, O_RDWR | O_CLOEXEC);
		/* The note: "HUSKDEV1", then the program's id. */
		if (fd >= 0 && pread(fd, &id, sizeof(id), 8) == sizeof(id) && id == from) {
			(void) !pwrite(fd, &to, sizeof(to), 8);
		}
	}
	if (d != NULL) {
		closedir(d);
	}
	if (remove) {
		rmdir(dir);
		rmdir(state);
	}
}

static void test_shared_program(void)
{
	static const char *const roots[] = { "/sys/fs/cgroup/unified", "/sys/fs/cgroup" };
	husk_device_rule_t rules[] = {
		rule(false, NULL, ANY, ANY, NULL),
		rule(true, "c", 1, 3, "rwm"),
	};
	husk_device_rule_t other[] = {
		rule(false, NULL, ANY, ANY, NULL),
		rule(true, "c", 1, 5, "rwm"),
	};
	char state[] = "/tmp/husk-devbpf-XXXXXX", base[128], cg[5][160];
	const char *root = NULL;
	_cleanup_close_ int rootfd = -1;
	uint32_t id[5] = { 0 };
	int fails = 0;

	for (size_t i = 0; i < 2 && root == NULL; i++) {
		struct statfs sfs;

		if (statfs(roots[i], &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC) {
			root = roots[i];
		}
	}
	if (geteuid() != 0 || root == NULL || mkdtemp(state) == NULL) {
		for (int i = 0; i < 4; i++) {
			skip("needs root and a cgroup2 hierarchy");
		}
		return;
	}
	snprintf(base, sizeof(base), "%s/husk-test-devbpf-%d", root, (int) getpid());
	mkdir(base, 0755);
	rootfd = open(state, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	husk_devices_bpf_share_at(rootfd);
	/* a and b: the same rules; c: others; then the note of a's program
	 * names c's, which d must not believe; e finds d's. */
	for (int i = 0; i < 5; i++) {
		_cleanup_error_ husk_error_t err = NULL;

		if (i == 3) {
			edit_notes(state, id[0], id[2], false);
		}
		snprintf(cg[i], sizeof(cg[i]), "%s/%c", base, 'a' + i);
		if (mkdir(cg[i], 0755) < 0 ||
		    husk_devices_bpf_apply(cg[i], i == 2 ? other : rules, 2, &err) < 0) {
			diag("%s: %s", cg[i], err != NULL ? err->msg : strerror(errno));
			fails++;
		}
		id[i] = attached_id(cg[i]);
	}
	husk_devices_bpf_share_at(-1);
	ok(fails == 0 && id[0] != 0 && id[1] == id[0],
	   "a cgroup with the same rules shares the loaded program (%u, %u)", id[0], id[1]);
	ok(id[2] != 0 && id[2] != id[0], "other rules get a program of their own (%u)", id[2]);
	ok(id[3] != 0 && id[3] != id[2] && id[3] != id[0],
	   "a note naming another program is not believed: a new load (%u)", id[3]);
	ok(id[4] == id[3], "and noted for the next cgroup (%u)", id[4]);
	for (int i = 4; i >= 0; i--) {
		rmdir(cg[i]);
	}
	rmdir(base);
	edit_notes(state, 0, 0, true);
}

int main(void)
{
	plan(39);
	test_default_deny();
	test_last_match_wins();
	test_resets();
	test_access_and_wildcards();
	test_instructions();
	test_shared_program();
	return done();
}
