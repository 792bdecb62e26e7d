/* Unit tests: config.json parsing and validation (spec/config.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "spec/config.h"
#include "util/support.h"
#include "sandbox/sandbox.h"
#include "spec/default.h"
#include "spec/sandbox.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/xalloc.h"

#define VALID_DIR "tests/unit/configs/valid"

/* Inline JSON is written with ' for ", then translated. */
static char *unquote(const char *s)
{
	char *out = xstrdup(s);

	for (char *p = out; *p != '\0'; p++) {
		if (*p == '\'') {
			*p = '"';
		}
	}
	return out;
}

static char *read_file(const char *path, size_t *len)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char *buf;

	if (f == NULL) {
		return NULL;
	}
	buf = xmalloc(HUSK_CONFIG_MAX_SIZE);
	*len = fread(buf, 1, HUSK_CONFIG_MAX_SIZE, f);
	return buf;
}

static husk_config_t *parse_file(const char *name, husk_error_t *err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", VALID_DIR, name);
	size_t len = 0;
	_cleanup_free_ char *json = read_file(path, &len);

	if (json == NULL) {
		husk_error_errno(err, "read %s", path);
		return NULL;
	}
	return husk_config_parse(json, len, err);
}

/* ---- the valid corpus ---- */

static const char *const valid_files[] = {
	"husk-spec.json", "husk-spec-rootless.json", "podman.json",
	"docker.json",    "containerd.json",         "full.json",
};
#define HUSK_N_VALID (sizeof(valid_files) / sizeof(valid_files[0]))

static void test_valid_corpus(void)
{
	_cleanup_closedir_ DIR *d = opendir(VALID_DIR);
	size_t seen = 0;
	struct dirent *e;

	for (size_t i = 0; i < HUSK_N_VALID; i++) {
		_cleanup_error_ husk_error_t err = NULL;
		_cleanup_config_ husk_config_t *cfg = parse_file(valid_files[i], &err);

		if (!ok(cfg != NULL, "valid: %s parses", valid_files[i])) {
			diag("  %s", err ? err->msg : "?");
		}
	}
	/* Every file in the corpus directory is in the list above. */
	while (d != NULL && (e = readdir(d)) != NULL) {
		seen += strstr(e->d_name, ".json") != NULL;
	}
	is_int(seen, HUSK_N_VALID, "the corpus directory holds exactly the listed files");
}

/* ---- what the engines' configs carry ---- */

static void test_podman(void)
{
	_cleanup_error_ husk_error_t err = NULL;
	_cleanup_config_ husk_config_t *c = parse_file("podman.json", &err);

	if (!ok(c != NULL, "podman: parses")) {
		skip("podman: nothing to look at");
		skip("podman: nothing to look at");
		skip("podman: nothing to look at");
		skip("podman: nothing to look at");
		return;
	}
	ok(c->process->user->has_umask && c->process->user->umask == 022,
	   "podman: process.user.umask is 0022");
	is_int(c->process->user->additional_gids.n, 11, "podman: additionalGids");
	ok(c->linux_->seccomp != NULL && c->linux_->seccomp->default_errno_ret == 38 &&
		   c->linux_->seccomp->syscalls.n == 7,
	   "podman: the seccomp profile is kept whole");
	is_str(husk_kvs_get(&c->annotations, "io.container.manager"), "libpod",
	       "podman: annotations");
}

static void test_docker(void)
{
	_cleanup_error_ husk_error_t err = NULL;
	_cleanup_config_ husk_config_t *c = parse_file("docker.json", &err);
	const husk_memory_t *m;

	if (!ok(c != NULL, "docker: parses")) {
		diag("  %s", err->msg);
		return;
	}
	ok(c->hooks->prestart.n == 1 &&
		   strcmp(c->hooks->prestart.v[0].args[0], "libnetwork-setkey") == 0,
	   "docker: the prestart hook");
	m = c->linux_->resources->memory;
	ok(m->has_limit && m->limit == 0 && !m->has_swappiness,
	   "docker: a zero memory limit is kept as given (zero means unset)");
	ok(c->linux_->resources->block_io->has_weight &&
		   c->linux_->resources->block_io->weight == 0,
	   "docker: blockIO.weight 0 passes the [10, 1000] check");
	ok(c->linux_->resources->devices.v[3].has_minor &&
		   c->linux_->resources->devices.v[3].minor == -1,
	   "docker: a device rule's minor -1 means any");
	ok(c->process->capabilities->bounding == (c->process->capabilities->effective &
						  c->process->capabilities->bounding) &&
		   (c->process->capabilities->bounding & (UINT64_C(1) << 29)),
	   "docker: capabilities become masks (CAP_AUDIT_WRITE is 29)");
	ok(!c->process->capabilities->has_inheritable, "docker: no inheritable set given");
}

static void test_containerd(void)
{
	_cleanup_error_ husk_error_t err = NULL;
	_cleanup_config_ husk_config_t *c = parse_file("containerd.json", &err);
	const husk_namespace_t *net;

	if (!ok(c != NULL, "containerd: parses")) {
		diag("  %s", err->msg);
		return;
	}
	net = husk_config_namespace(c, HUSK_NS_NETWORK);
	is_str(net ? net->path : NULL, "/proc/4121/ns/net", "containerd: joins the pod's netns");
	ok(husk_config_namespace(c, HUSK_NS_USER) == NULL, "containerd: no user namespace");
	is_int(c->process->oom_score_adj, 1000, "containerd: oomScoreAdj");
	is_str(husk_kvs_get(&c->linux_->resources->unified, "memory.oom.group"), "1",
	       "containerd: unified");
	is_int(c->linux_->devices.v[0].file_mode, 0666, "containerd: device fileMode");
}

static void test_full(void)
{
	_cleanup_error_ husk_error_t err = NULL;
	_cleanup_config_ husk_config_t *c = parse_file("full.json", &err);
	const husk_linux_t *l;
	const husk_process_t *p;

	if (!ok(c != NULL, "full: parses")) {
		diag("  %s", err->msg);
		return;
	}
	l = c->linux_;
	p = c->process;
	ok(p->rlimits.n == 2 && p->rlimits.v[0].type == RLIMIT_CORE &&
		   p->rlimits.v[0].hard == UINT64_MAX,
	   "full: rlimits, with a hard limit of 2^64 - 1");
	ok(p->capabilities->bounding == ((UINT64_C(1) << 5) | (UINT64_C(1) << 40)),
	   "full: CAP_KILL and CAP_CHECKPOINT_RESTORE");
	ok(p->scheduler->policy == HUSK_SCHED_DEADLINE && p->scheduler->period == 3000000 &&
		   husk_strv_len(p->scheduler->flags) == 2,
	   "full: scheduler");
	ok(p->io_priority->class_ == HUSK_IOPRIO_CLASS_IDLE, "full: ioPriority");
	is_str(p->exec_cpu_affinity->final, "0-3,7", "full: execCPUAffinity");
	ok(p->console_size->height == 24 && p->console_size->width == 80, "full: consoleSize");
	is_int(l->namespaces.n, 8, "full: all eight namespace types");
	ok(l->time_offsets.n == 2 && l->time_offsets.v[0].clock == HUSK_CLOCK_MONOTONIC &&
		   l->time_offsets.v[0].secs == -3600,
	   "full: timeOffsets");
	ok(l->devices.n == 3 && l->devices.v[1].type == HUSK_DEV_FIFO, "full: devices");
	ok(l->resources->memory->swappiness == 60 && l->resources->memory->swap == -1,
	   "full: memory");
	ok(l->resources->cpu->has_idle && l->resources->cpu->idle == 1, "full: cpu.idle");
	ok(l->resources->block_io->throttle_write_iops_device.v[0].rate == 500,
	   "full: blockIO throttles");
	ok(l->resources->rdma.n == 1 && strcmp(l->resources->rdma.v[0].name, "mlx5_1") == 0 &&
		   l->resources->rdma.v[0].hca_objects == 10000,
	   "full: rdma");
	ok(l->resources->network->class_id == 1048577, "full: network");
	ok(l->intel_rdt->enable_monitoring, "full: intelRdt");
	ok(l->seccomp->syscalls.v[3].args.v[1].value == UINT64_MAX &&
		   l->seccomp->syscalls.v[3].args.v[1].op == HUSK_SCMP_CMP_NE,
	   "full: seccomp argument values keep all 64 bits");
	ok(l->has_rootfs_propagation && l->rootfs_propagation == HUSK_PROP_RSLAVE,
	   "full: rootfsPropagation");
	ok(l->personality->domain == HUSK_PER_LINUX32, "full: personality");
	ok(l->memory_policy->mode == HUSK_MPOL_INTERLEAVE, "full: memoryPolicy");
	ok(l->net_devices.n == 2 && strcmp(l->net_devices.v[0].new_name, "ceth1") == 0 &&
		   l->net_devices.v[1].new_name == NULL,
	   "full: netDevices");
	ok(c->hooks->poststop.n == 1 && c->hooks->poststop.v[0].timeout == 10, "full: hooks");
	ok(c->mounts.v[0].uid_mappings.n == 1 && c->mounts.v[0].uid_mappings.v[0].size == 65536,
	   "full: idmapped mount");
	ok(c->has_vm && !c->has_windows, "full: the vm section is noted");
}

static void test_husk_spec(void)
{
	for (int rootless = 0; rootless < 2; rootless++) {
		_cleanup_free_ char *json = husk_spec_default_json(rootless, 1234, 5678);
		_cleanup_error_ husk_error_t err = NULL;
		_cleanup_config_ husk_config_t *c = husk_config_parse(json, strlen(json), &err);

		if (!ok(c != NULL, "husk spec%s: its output parses",
			rootless ? " --rootless" : "")) {
			diag("  %s", err->msg);
			continue;
		}
		if (!rootless) {
			ok(c->linux_->resources != NULL &&
				   husk_config_namespace(c, HUSK_NS_NETWORK),
			   "husk spec: device rules and a network namespace");
			continue;
		}
		ok(husk_config_namespace(c, HUSK_NS_USER) != NULL &&
			   husk_config_namespace(c, HUSK_NS_NETWORK) == NULL &&
			   c->linux_->uid_mappings.v[0].host_id == 1234 &&
			   c->linux_->gid_mappings.v[0].host_id == 5678 &&
			   c->linux_->resources == NULL,
		   "husk spec --rootless: a user namespace mapping the caller, no netns, no "
		   "resources");
	}
}

/* ---- malformed configs: each names the path and the bad value ---- */

#define B          "{'ociVersion':'1.3.0','root':{'path':'r'}"
#define PROC(x)    B ",'process':{'user':{'uid':0,'gid':0},'args':['sh'],'cwd':'/'" x "}}"
#define USER(x)    B ",'process':{'user':{" x "},'args':['sh'],'cwd':'/'}}"
#define LINUX(x)   B ",'linux':{" x "}}"
#define RES(x)     LINUX("'resources':{" x "}")
#define SCMP(x)    LINUX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW'," x "}")
#define SYSCALL(x) SCMP("'syscalls':[{'names':['read'],'action':'SCMP_ACT_ALLOW'," x "}]")
#define USERNS     "'namespaces':[{'type':'user'}]"
#define MAPS                                                        \
	"'uidMappings':[{'containerID':0,'hostID':1000,'size':1}]," \
	"'gidMappings':[{'containerID':0,'hostID':1000,'size':1}]"

static const struct malformed {
	const char *json;
	const char *msg;
} malformed[] = {
	/* the document */
	{ "[]", "config.json: expected an object, got array" },
	{ "\"config\"", "config.json: expected an object, got string \"config\"" },
	{ "{}", "config.json: ociVersion: required field is missing" },
	{ "{'ociVersion':'1.3.0'}", "config.json: root: required field is missing" },
	{ "{'ociVersion':1,'root':{'path':'r'}}",
	  "config.json: ociVersion: expected a string, got number 1" },
	{ B ",'ociVersion':'1.3.0'}", "config.json: ociVersion: duplicate key" },
	{ "{'ociVersion':'2.0.0','root':{'path':'r'}}",
	  "config.json: ociVersion: unsupported version \"2.0.0\": husk implements 1.x" },
	{ "{'ociVersion':'latest','root':{'path':'r'}}",
	  "config.json: ociVersion: expected a version such as \"1.3.0\", got \"latest\"" },
	{ "{'ociVersion':'1.3','root':{'path':'r'}}",
	  "config.json: ociVersion: expected a version such as \"1.3.0\", got \"1.3\"" },
	{ B ",'vm':1}", "config.json: vm: expected an object, got number 1" },
	/* root */
	{ "{'ociVersion':'1.3.0','root':{'path':''}}",
	  "config.json: root.path: must not be empty" },
	{ "{'ociVersion':'1.3.0','root':{'path':'r','readonly':'yes'}}",
	  "config.json: root.readonly: expected a boolean, got string \"yes\"" },
	{ "{'ociVersion':'1.3.0','root':[]}", "config.json: root: expected an object, got array" },
	{ "{'ociVersion':'1.3.0','root':null}", "config.json: root: expected an object, got null" },
	{ "{'ociVersion':'1.3.0','root':{}}", "config.json: root.path: required field is missing" },
	/* mounts */
	{ B ",'mounts':{}}", "config.json: mounts: expected an array, got object" },
	{ B ",'mounts':[{'type':'tmpfs'}]}",
	  "config.json: mounts[0].destination: required field is missing" },
	{ B ",'mounts':[{'destination':'/a'},{'destination':'tmp'}]}",
	  "config.json: mounts[1].destination: expected an absolute path, got \"tmp\"" },
	{ B ",'mounts':[{'destination':'/a','options':['ro',1]}]}",
	  "config.json: mounts[0].options[1]: expected a string, got number 1" },
	{ B
	  ",'mounts':[{'destination':'/a','uidMappings':[{'containerID':0,'hostID':1,'size':1}]}]}",
	  "config.json: mounts[0]: uidMappings and gidMappings must be given together" },
	{ B
	  ",'mounts':[{'destination':'/a','uidMappings':[{'containerID':0,'hostID':1,'size':0}]}]}",
	  "config.json: mounts[0].uidMappings[0].size: must be positive" },
	{ B ",'mounts':[{'destination':'/"
	    "a','gidMappings':[{'containerID':0,'hostID':-1,'size':1}]}]}",
	  "config.json: mounts[0].gidMappings[0].hostID: -1 is out of range [0, 4294967295]" },
	{ LINUX(USERNS ",'uidMappings':[{'containerID':4294967295,'hostID':0,'size':2}]"),
	  "config.json: linux.uidMappings[0].size: 2 ids from 4294967295 or 0 run past "
	  "4294967295" },
	/* process */
	{ B ",'process':{'user':{'uid':0,'gid':0},'cwd':'/'}}",
	  "config.json: process.args: required field is missing" },
	{ B ",'process':{'user':{'uid':0,'gid':0},'args':[],'cwd':'/'}}",
	  "config.json: process.args: must have at least one entry" },
	{ B ",'process':{'user':{'uid':0,'gid':0},'args':['sh'],'cwd':'srv'}}",
	  "config.json: process.cwd: expected an absolute path, got \"srv\"" },
	{ B ",'process':{'args':['sh'],'cwd':'/'}}",
	  "config.json: process.user: required field is missing" },
	{ USER("'uid':'0','gid':0"),
	  "config.json: process.user.uid: expected an integer, got string \"0\"" },
	{ USER("'uid':-1,'gid':0"),
	  "config.json: process.user.uid: -1 is out of range [0, 4294967295]" },
	{ USER("'uid':1.5,'gid':0"),
	  "config.json: process.user.uid: expected an integer, got number 1.5" },
	{ USER("'uid':1e3,'gid':0"),
	  "config.json: process.user.uid: expected an integer, got number 1e3" },
	{ USER("'uid':null,'gid':0"),
	  "config.json: process.user.uid: expected an integer, got null" },
	{ USER("'uid':0"), "config.json: process.user.gid: required field is missing" },
	{ USER("'uid':0,'gid':0,'umask':512"),
	  "config.json: process.user.umask: 512 is out of range [0, 511]" },
	{ USER("'uid':0,'gid':0,'additionalGids':['0']"),
	  "config.json: process.user.additionalGids[0]: expected an integer, got string \"0\"" },
	{ PROC(",'env':['A=1','FOO']"),
	  "config.json: process.env[1]: expected KEY=value, got \"FOO\"" },
	{ PROC(",'env':['=x']"), "config.json: process.env[0]: expected KEY=value, got \"=x\"" },
	{ PROC(",'terminal':'true'"),
	  "config.json: process.terminal: expected a boolean, got string \"true\"" },
	{ PROC(",'consoleSize':{'height':24}"),
	  "config.json: process.consoleSize.width: required field is missing" },
	{ PROC(",'capabilities':{'effective':'CAP_KILL'}"),
	  "config.json: process.capabilities.effective: expected an array, got string "
	  "\"CAP_KILL\"" },
	{ PROC(",'rlimits':[{'type':'RLIMIT_FOO','soft':1,'hard':1}]"),
	  "config.json: process.rlimits[0].type: unknown rlimit type \"RLIMIT_FOO\"" },
	{ PROC(",'rlimits':[{'type':'RLIMIT_NOFILE','hard':1}]"),
	  "config.json: process.rlimits[0].soft: required field is missing" },
	{ PROC(",'rlimits':[{'type':'RLIMIT_NOFILE','soft':2048,'hard':1024}]"),
	  "config.json: process.rlimits[0].soft: 2048 is above the hard limit 1024" },
	{ PROC(",'rlimits':[{'type':'RLIMIT_NOFILE','soft':1,'hard':1},"
	       "{'type':'RLIMIT_NOFILE','soft':2,'hard':2}]"),
	  "config.json: process.rlimits[1]: duplicate rlimit type \"RLIMIT_NOFILE\"" },
	{ PROC(",'oomScoreAdj':1001"),
	  "config.json: process.oomScoreAdj: 1001 is out of range [-1000, 1000]" },
	{ PROC(",'oomScoreAdj':2147483648"),
	  "config.json: process.oomScoreAdj: 2147483648 is out of range [-2147483648, "
	  "2147483647]" },
	{ PROC(",'ioPriority':{'class':'IOPRIO_CLASS_FOO'}"),
	  "config.json: process.ioPriority.class: unknown I/O priority class "
	  "\"IOPRIO_CLASS_FOO\"" },
	{ PROC(",'ioPriority':{'class':'IOPRIO_CLASS_BE','priority':8}"),
	  "config.json: process.ioPriority.priority: 8 is out of range [0, 7]" },
	{ PROC(",'scheduler':{'nice':1}"),
	  "config.json: process.scheduler.policy: required field is missing" },
	{ PROC(",'scheduler':{'policy':'SCHED_OTHER','nice':20}"),
	  "config.json: process.scheduler.nice: 20 is out of range [-20, 19]" },
	{ PROC(",'scheduler':{'policy':'SCHED_OTHER','flags':['SCHED_FLAG_FOO']}"),
	  "config.json: process.scheduler.flags[0]: unknown scheduler flag \"SCHED_FLAG_FOO\"" },
	{ PROC(",'execCPUAffinity':{'initial':'0-'}"),
	  "config.json: process.execCPUAffinity.initial: expected a list such as \"0-3,7\", got "
	  "\"0-\"" },
	{ PROC(",'execCPUAffinity':{'final':'3-1'}"),
	  "config.json: process.execCPUAffinity.final: expected a list such as \"0-3,7\", got "
	  "\"3-1\"" },
	{ PROC(",'cwd':'/'"), "config.json: process.cwd: duplicate key" },
	/* hostname, hooks, annotations */
	{ B ",'hostname':'h'}",
	  "config.json: hostname: a hostname needs a \"uts\" entry in linux.namespaces" },
	{ B ",'domainname':'d','linux':{'namespaces':[{'type':'pid'}]}}",
	  "config.json: domainname: a domainname needs a \"uts\" entry in linux.namespaces" },
	{ B ",'hooks':{'prestart':[{'path':'hook'}]}}",
	  "config.json: hooks.prestart[0].path: expected an absolute path, got \"hook\"" },
	{ B ",'hooks':{'poststop':[{'path':'/bin/true','timeout':0}]}}",
	  "config.json: hooks.poststop[0].timeout: must be positive, got 0" },
	{ B ",'hooks':{'createRuntime':[{'path':'/bin/true','env':['X']}]}}",
	  "config.json: hooks.createRuntime[0].env[0]: expected KEY=value, got \"X\"" },
	{ B ",'hooks':{'prestart':{}}}",
	  "config.json: hooks.prestart: expected an array, got object" },
	{ B ",'annotations':{'a':1}}",
	  "config.json: annotations[\"a\"]: expected a string, got number 1" },
	{ B ",'annotations':{'a':'1','a':'2'}}", "config.json: annotations[\"a\"]: duplicate key" },
	{ B ",'annotations':{'':'x'}}", "config.json: annotations: empty key" },
	/* linux */
	{ LINUX("'namespaces':[{'type':'net'}]"),
	  "config.json: linux.namespaces[0].type: unknown namespace type \"net\"" },
	{ LINUX("'namespaces':[{'type':'pid'},{'type':'pid','path':'/proc/1/ns/pid'}]"),
	  "config.json: linux.namespaces[1]: duplicate namespace type \"pid\"" },
	{ LINUX("'namespaces':[{'type':'network','path':'proc/1/ns/net'}]"),
	  "config.json: linux.namespaces[0].path: expected an absolute path, got "
	  "\"proc/1/ns/net\"" },
	{ LINUX(MAPS), "config.json: linux.uidMappings: an id mapping needs a \"user\" entry in "
		       "linux.namespaces" },
	{ LINUX(USERNS), "config.json: linux: a new user namespace needs both uidMappings and "
			 "gidMappings" },
	{ LINUX("'timeOffsets':{'monotonic':{'secs':1}}"),
	  "config.json: linux.timeOffsets: a clock offset needs a \"time\" entry in "
	  "linux.namespaces" },
	{ LINUX("'timeOffsets':{'realtime':{'secs':1}}"),
	  "config.json: linux.timeOffsets[\"realtime\"]: unknown clock: expected \"monotonic\" or "
	  "\"boottime\"" },
	{ LINUX("'timeOffsets':{'boottime':{'nanosecs':1000000000}}"),
	  "config.json: linux.timeOffsets[\"boottime\"].nanosecs: 1000000000 is out of range [0, "
	  "999999999]" },
	{ LINUX("'devices':[{'type':'x','path':'/dev/x'}]"),
	  "config.json: linux.devices[0].type: unknown device type \"x\"" },
	{ LINUX("'devices':[{'type':'c','path':'/dev/x','major':1}]"),
	  "config.json: linux.devices[0]: a device of type \"c\" needs major and minor" },
	{ LINUX("'devices':[{'type':'p','path':'dev/null'}]"),
	  "config.json: linux.devices[0].path: expected an absolute path, got \"dev/null\"" },
	{ LINUX("'devices':[{'type':'p','path':'/dev/p','fileMode':28672}]"),
	  "config.json: linux.devices[0].fileMode: 070000 is not a mode of a device of type "
	  "\"p\"" },
	{ LINUX("'devices':[{'type':'b','path':'/dev/b','major':1,'minor':3,'fileMode':8630}]"),
	  "config.json: linux.devices[0].fileMode: 020666 is not a mode of a device of type "
	  "\"b\"" },
	{ LINUX("'devices':[{'type':'c','path':'/dev/c','major':1,'minor':3,'fileMode':16384}]"),
	  "config.json: linux.devices[0].fileMode: 040000 is not a mode of a device of type "
	  "\"c\"" },
	{ LINUX("'devices':[{'type':'c','path':'/dev/c','major':1,'minor':3,'fileMode':66998}]"),
	  "config.json: linux.devices[0].fileMode: 66998 is out of range [0, 4095]" },
	{ LINUX("'sysctl':{'vm.swappiness':'10'}"),
	  "config.json: linux.sysctl[\"vm.swappiness\"]: not namespaced: setting it would change "
	  "the host" },
	{ LINUX("'sysctl':{'net.ipv4.ip_forward':'1'}"),
	  "config.json: linux.sysctl[\"net.ipv4.ip_forward\"]: this sysctl needs a \"network\" "
	  "entry in linux.namespaces" },
	{ LINUX("'rootfsPropagation':'recursive'"),
	  "config.json: linux.rootfsPropagation: unknown rootfs propagation \"recursive\"" },
	{ LINUX("'maskedPaths':['proc/kcore']"),
	  "config.json: linux.maskedPaths[0]: expected an absolute path, got \"proc/kcore\"" },
	{ LINUX("'readonlyPaths':'/proc/sys'"),
	  "config.json: linux.readonlyPaths: expected an array, got string \"/proc/sys\"" },
	{ LINUX("'personality':{'flags':[]}"),
	  "config.json: linux.personality.domain: required field is missing" },
	{ LINUX("'personality':{'domain':'LINUX','flags':['ADDR_NO_RANDOMIZE']}"),
	  "config.json: linux.personality.flags[0]: unknown personality flag "
	  "\"ADDR_NO_RANDOMIZE\"" },
	{ LINUX("'memoryPolicy':{'mode':'MPOL_FOO'}"),
	  "config.json: linux.memoryPolicy.mode: unknown memory policy mode \"MPOL_FOO\"" },
	{ LINUX("'netDevices':{'eth0':{'name':'a/b'}}"),
	  "config.json: linux.netDevices[\"eth0\"].name: invalid name \"a/b\"" },
	{ LINUX("'netDevices':{'abcdefghijklmnopq':{}}"),
	  "config.json: linux.netDevices[\"abcdefghijklmnopq\"]: invalid name "
	  "\"abcdefghijklmnopq\"" },
	{ LINUX("'intelRdt':{'closID':'..'}"),
	  "config.json: linux.intelRdt.closID: invalid name \"..\"" },
	/* linux.resources */
	{ RES("'memory':{'limit':'1G'}"),
	  "config.json: linux.resources.memory.limit: expected an integer, got string \"1G\"" },
	{ RES("'memory':{'limit':-2}"),
	  "config.json: linux.resources.memory.limit: -2 is out of range [-1, "
	  "9223372036854775807]" },
	{ RES("'memory':{'limit':9223372036854775808}"),
	  "config.json: linux.resources.memory.limit: 9223372036854775808 is out of range "
	  "[-9223372036854775808, 9223372036854775807]" },
	{ RES("'memory':{'swappiness':101}"),
	  "config.json: linux.resources.memory.swappiness: 101 is out of range [0, 100]" },
	{ RES("'cpu':{'cpus':'a'}"),
	  "config.json: linux.resources.cpu.cpus: expected a list such as \"0-3,7\", got \"a\"" },
	{ RES("'cpu':{'idle':2}"),
	  "config.json: linux.resources.cpu.idle: 2 is out of range [0, 1]" },
	{ RES("'cpu':{'shares':-1}"),
	  "config.json: linux.resources.cpu.shares: -1 is out of range [0, 18446744073709551615]" },
	{ RES("'pids':{'limit':true}"),
	  "config.json: linux.resources.pids.limit: expected an integer, got boolean true" },
	{ RES("'blockIO':{'weight':5}"),
	  "config.json: linux.resources.blockIO.weight: 5 is out of range [10, 1000]" },
	{ RES("'blockIO':{'weight':70000}"),
	  "config.json: linux.resources.blockIO.weight: 70000 is out of range [0, 65535]" },
	{ RES("'blockIO':{'weightDevice':[{'minor':0,'weight':100}]}"),
	  "config.json: linux.resources.blockIO.weightDevice[0].major: required field is missing" },
	{ RES("'blockIO':{'throttleReadBpsDevice':[{'major':8,'minor':0}]}"),
	  "config.json: linux.resources.blockIO.throttleReadBpsDevice[0].rate: required field is "
	  "missing" },
	{ RES("'devices':[{'allow':true,'access':'rwx'}]"),
	  "config.json: linux.resources.devices[0].access: expected a combination of r, w and m, "
	  "got \"rwx\"" },
	{ RES("'devices':[{'allow':true,'type':'z'}]"),
	  "config.json: linux.resources.devices[0].type: expected \"a\", \"b\" or \"c\", got "
	  "\"z\"" },
	{ RES("'devices':[{'access':'rwm'}]"),
	  "config.json: linux.resources.devices[0].allow: required field is missing" },
	{ RES("'hugepageLimits':[{'pageSize':'2M','limit':1}]"),
	  "config.json: linux.resources.hugepageLimits[0].pageSize: expected a size such as "
	  "\"2MB\", got \"2M\"" },
	{ RES("'network':{'priorities':[{'priority':1}]}"),
	  "config.json: linux.resources.network.priorities[0].name: required field is missing" },
	{ RES("'rdma':{'mlx5_1':{'hcaHandles':'3'}}"),
	  "config.json: linux.resources.rdma[\"mlx5_1\"].hcaHandles: expected an integer, got "
	  "string \"3\"" },
	{ RES("'unified':{'../x':'1'}"),
	  "config.json: linux.resources.unified: invalid cgroup file name \"../x\"" },
	{ RES("'unified':{'memory.max':1}"),
	  "config.json: linux.resources.unified[\"memory.max\"]: expected a string, got number 1" },
	/* linux.seccomp */
	{ LINUX("'seccomp':{}"),
	  "config.json: linux.seccomp.defaultAction: required field is missing" },
	{ SCMP("'syscalls':[{'names':['read'],'action':'SCMP_ACT_BOGUS'}]"),
	  "config.json: linux.seccomp.syscalls[0].action: unknown seccomp action "
	  "\"SCMP_ACT_BOGUS\"" },
	{ SCMP("'syscalls':[{'names':[],'action':'SCMP_ACT_ALLOW'}]"),
	  "config.json: linux.seccomp.syscalls[0].names: must have at least one entry" },
	{ SCMP("'syscalls':[{'action':'SCMP_ACT_ALLOW'}]"),
	  "config.json: linux.seccomp.syscalls[0].names: required field is missing" },
	{ SYSCALL("'args':[{'index':6,'value':0,'op':'SCMP_CMP_EQ'}]"),
	  "config.json: linux.seccomp.syscalls[0].args[0].index: 6 is out of range [0, 5]" },
	{ SYSCALL("'args':[{'index':0,'value':0,'op':'SCMP_CMP_FOO'}]"),
	  "config.json: linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator "
	  "\"SCMP_CMP_FOO\"" },
	{ SYSCALL("'args':[{'index':0,'value':-1,'op':'SCMP_CMP_EQ'}]"),
	  "config.json: linux.seccomp.syscalls[0].args[0].value: -1 is out of range [0, "
	  "18446744073709551615]" },
	{ SYSCALL("'errnoRet':1"),
	  "config.json: linux.seccomp.syscalls[0].errnoRet: only valid with SCMP_ACT_ERRNO or "
	  "SCMP_ACT_TRACE, not SCMP_ACT_ALLOW" },
	{ SCMP("'architectures':['SCMP_ARCH_X86_64','x86_64']"),
	  "config.json: linux.seccomp.architectures[1]: unknown seccomp architecture \"x86_64\"" },
	{ SCMP("'flags':['SECCOMP_FILTER_FLAG_FOO']"),
	  "config.json: linux.seccomp.flags[0]: unknown seccomp flag \"SECCOMP_FILTER_FLAG_FOO\"" },
	{ LINUX("'seccomp':{'defaultAction':'SCMP_ACT_NOTIFY'}"),
	  "config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default "
	  "action" },
	{ LINUX("'seccomp':{'defaultAction':'SCMP_ACT_KILL','defaultErrnoRet':1}"),
	  "config.json: linux.seccomp.defaultErrnoRet: only valid with SCMP_ACT_ERRNO or "
	  "SCMP_ACT_TRACE, not SCMP_ACT_KILL" },
	/* values in messages are escaped and cut */
	{ B ",'process':{'user':{'uid':0,'gid':0},'args':['sh'],"
	    "'cwd':'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'}}",
	  "config.json: process.cwd: expected an absolute path, got "
	  "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"..." },
	{ B ",'process':{'user':{'uid':0,'gid':0},'args':['sh'],'cwd':'a\\nb'}}",
	  "config.json: process.cwd: expected an absolute path, got \"a\\nb\"" },
};

static void test_malformed(void)
{
	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		_cleanup_free_ char *json = unquote(malformed[i].json);
		_cleanup_error_ husk_error_t err = NULL;
		_cleanup_config_ husk_config_t *cfg = husk_config_parse(json, strlen(json), &err);

		if (cfg != NULL) {
			ok(0, "malformed %zu: %s", i, malformed[i].msg);
			diag("  parsed: %s", json);
			continue;
		}
		is_str(err->msg, malformed[i].msg, "malformed %zu is refused with its path", i);
	}
}

/* ---- valid, but asking for what husk does not do ---- */

#define NS(t) "{'type':'" t "'}"

static const struct malformed unsupported[] = {
	{ B ",'vm':{'hypervisor':{'path':'/usr/bin/qemu'}}}",
	  "config.json: vm: not supported by husk" },
	{ B ",'windows':{}}", "config.json: windows, solaris or zos: not supported by husk" },
	{ RES("'network':{'classID':1}"),
	  "config.json: linux.resources.network: not supported by husk" },
};

#define HUSK_N_UNSUPPORTED (sizeof(unsupported) / sizeof(unsupported[0]))

/* Process attributes husk acts on (init/process.c), and the LSM fields,
 * which init/lsm.h checks against the host. */
static const char *const now_supported[] = {
	PROC(",'apparmorProfile':'docker-default'"),
	PROC(",'selinuxLabel':'system_u:system_r:container_t:s0'"),
	LINUX("'mountLabel':'system_u:object_r:container_file_t:s0'"),
	PROC(",'ioPriority':{'class':'IOPRIO_CLASS_BE'}"),
	PROC(",'scheduler':{'policy':'SCHED_BATCH'}"),
	PROC(",'execCPUAffinity':{'final':'1'}"),
	LINUX("'personality':{'domain':'LINUX'}"),
	LINUX("'memoryPolicy':{'mode':'MPOL_INTERLEAVE','nodes':'0-3'}"),
	LINUX("'netDevices':{'eth1':{'name':'ceth1'}}"),
	SCMP("'syscalls':[{'names':['mkdir'],'action':'SCMP_ACT_NOTIFY'}],"
	     "'listenerPath':'/run/agent.sock'"),
	LINUX("'namespaces':[" NS("time") "],'timeOffsets':{'boottime':{'secs':1}}"),
	B ",'mounts':[{'destination':'/a','uidMappings':[{'containerID':0,'hostID':1,'size':1}],"
	  "'gidMappings':[{'containerID':0,'hostID':1,'size':1}]}]}",
	/* Ignored with a warning, as runc does (the spec says runtimes MAY). */
	RES("'memory':{'kernelTCP':1048576}"),
	RES("'memory':{'kernel':1048576}"),
};

#define HUSK_N_NOW_SUPPORTED (sizeof(now_supported) / sizeof(now_supported[0]))

static void test_check_supported(void)
{
	static const char *const fine[] = { "husk-spec.json", "husk-spec-rootless.json" };

	for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
		_cleanup_error_ husk_error_t err = NULL;
		_cleanup_config_ husk_config_t *cfg = parse_file(fine[i], &err);

		ok(cfg != NULL && husk_config_check_supported(cfg, &err) == 0,
		   "supported: %s asks for nothing husk lacks", fine[i]);
	}
	{
		_cleanup_error_ husk_error_t err = NULL;
		_cleanup_config_ husk_config_t *cfg = parse_file("docker.json", &err);

		ok(cfg != NULL && husk_config_check_supported(cfg, &err) == 0,
		   "supported: docker's config, its AppArmor profile included");
	}
	for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++) {
		_cleanup_free_ char *json = unquote(unsupported[i].json);
		_cleanup_error_ husk_error_t err = NULL;
		_cleanup_config_ husk_config_t *cfg = husk_config_parse(json, strlen(json), &err);

		if (cfg != NULL) {
			is_int(husk_config_check_supported(cfg, &err), -1,
			       "unsupported %zu: refused", i);
		}
		is_str(err ? err->msg : NULL, unsupported[i].msg, "unsupported %zu: named", i);
	}
	{
		/* With the reason, which depends on the host. */
		_cleanup_free_ char *json = unquote(LINUX("'intelRdt':{}"));
		_cleanup_error_ husk_error_t err = NULL;
		_cleanup_config_ husk_config_t *cfg = husk_config_parse(json, strlen(json), &err);
		const char *want =
			husk_support_host_has_resctrl()
				? "config.json: linux.intelRdt: not supported by husk: this "
				  "host has resctrl, but husk has no resctrl manager yet"
				: "config.json: linux.intelRdt: not supported by husk: this "
				  "host's kernel has no resctrl filesystem (Intel RDT, AMD "
				  "QoS), so no runtime could honour it";

		is_int(cfg != NULL ? husk_config_check_supported(cfg, &err) : 0, -1,
		       "unsupported intelRdt: refused");
		is_str(err ? err->msg : NULL, want, "unsupported intelRdt: named, with the reason");
	}
	for (size_t i = 0; i < HUSK_N_NOW_SUPPORTED; i++) {
		_cleanup_free_ char *json = unquote(now_supported[i]);
		_cleanup_error_ husk_error_t err = NULL;
		_cleanup_config_ husk_config_t *cfg = husk_config_parse(json, strlen(json), &err);

		ok(cfg != NULL && husk_config_check_supported(cfg, &err) == 0,
		   "supported %zu: accepted", i);
		if (err != NULL) {
			diag("  %s", err->msg);
		}
	}
}

/* ---- text that is not a config at all ---- */

static void test_not_json(void)
{
	static const char *const bad[] = { "", "{", "{'ociVersion':'1.3.0',}", "{} x", "nul" };
	char deep[200];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		_cleanup_free_ char *json = unquote(bad[i]);
		_cleanup_error_ husk_error_t err = NULL;
		_cleanup_config_ husk_config_t *cfg = husk_config_parse(json, strlen(json), &err);

		ok(cfg == NULL && strncmp(err->msg, "config.json: invalid JSON: ", 27) == 0,
		   "not JSON %zu: \"%s\" is refused as invalid JSON", i, bad[i]);
		if (err != NULL) {
			diag("  %s", err->msg);
		}
	}
	{
		_cleanup_error_ husk_error_t err = NULL;
		husk_config_t *cfg = husk_config_parse("{\"ociVersion\":\"1.3.0\"}\0{}", 25, &err);

		ok(cfg == NULL && err != NULL, "a NUL byte in the text is refused");
		is_str(err ? err->msg : NULL, "config.json: invalid JSON: NUL byte in the text",
		       "... with its own message");
	}
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	{
		_cleanup_error_ husk_error_t err = NULL;
		husk_config_t *cfg = husk_config_parse(deep, strlen(deep), &err);

		ok(cfg == NULL, "deep nesting is refused before yajl builds a tree");
		is_str(err ? err->msg : NULL,
		       "config.json: invalid JSON: nested deeper than 64 levels",
		       "... with its own message");
	}
	/* A quote in a comment must not hide the brackets after it. */
	for (int style = 0; style < 2; style++) {
		_cleanup_free_ char *doc = xasprintf("%s%s", style ? "/* \" */" : "// \"\n", deep);
		_cleanup_error_ husk_error_t err = NULL;
		husk_config_t *cfg = husk_config_parse(doc, strlen(doc), &err);

		is_str(cfg == NULL && err ? err->msg : NULL,
		       "config.json: invalid JSON: nested deeper than 64 levels",
		       "deep nesting after a %s comment is refused", style ? "block" : "line");
	}
	{
		const char *doc = "/* [[ */ {\"ociVersion\":\"1.3.0\", // x\n"
				  "\"root\":{\"path\":\"r\"}}";
		_cleanup_error_ husk_error_t err = NULL;
		_cleanup_config_ husk_config_t *cfg = husk_config_parse(doc, strlen(doc), &err);

		ok(cfg != NULL, "comments, which yajl allows, are skipped");
	}
	{
		_cleanup_error_ husk_error_t err = NULL;
		husk_config_t *cfg = husk_config_parse("{}", HUSK_CONFIG_MAX_SIZE + 1, &err);

		ok(cfg == NULL, "a text over the size cap is refused unread");
		is_str(err ? err->msg : NULL,
		       "config.json: 4194305 bytes is larger than the limit of 4194304",
		       "... naming the size");
	}
}

/* ---- unknown keys are ignored with a warning ---- */

static void test_unknown_keys(void)
{
	char path[] = "/tmp/husk-test-config-log.XXXXXX";
	_cleanup_close_ int fd = mkstemp(path);
	_cleanup_free_ char *json = unquote(PROC(",'bogus':1,'user2':{}"));
	_cleanup_error_ husk_error_t err = NULL;
	_cleanup_config_ husk_config_t *cfg = NULL;
	char buf[4096] = "";
	ssize_t n;

	husk_log_init(path, HUSK_LOG_TEXT, HUSK_LOG_WARNING, &err);
	cfg = husk_config_parse(json, strlen(json), &err);
	husk_log_close();
	ok(cfg != NULL, "unknown keys do not fail the parse");
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	ok(strstr(buf, "config.json: process.bogus: unknown key, ignored") != NULL &&
		   strstr(buf, "config.json: process.user2: unknown key, ignored") != NULL,
	   "each unknown key is named in a warning");
	unlink(path);
}

/* An unknown capability is ignored with a warning, as runc does: a config
 * written for a newer kernel still runs. */
static void test_unknown_caps(void)
{
	char path[] = "/tmp/husk-test-config-log.XXXXXX";
	_cleanup_close_ int fd = mkstemp(path);
	_cleanup_free_ char *json =
		unquote(PROC(",'capabilities':{'bounding':['CAP_KILL','CAP_FOO'],"
			     "'ambient':['cap_kill']}"));
	_cleanup_error_ husk_error_t err = NULL;
	_cleanup_config_ husk_config_t *cfg = NULL;
	char buf[4096] = "";
	ssize_t n;

	husk_log_init(path, HUSK_LOG_TEXT, HUSK_LOG_WARNING, &err);
	cfg = husk_config_parse(json, strlen(json), &err);
	husk_log_close();
	ok(cfg != NULL, "unknown capabilities do not fail the parse");
	ok(cfg != NULL && cfg->process->capabilities->bounding == (UINT64_C(1) << 5) &&
		   cfg->process->capabilities->ambient == 0,
	   "... and are left out of their sets");
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	ok(strstr(buf, "process.capabilities.bounding[1]: ignoring unknown or unavailable "
		       "capability") != NULL &&
		   strstr(buf, "CAP_FOO") != NULL &&
		   strstr(buf, "process.capabilities.ambient[0]: ignoring unknown or "
			       "unavailable capability") != NULL &&
		   strstr(buf, "cap_kill") != NULL,
	   "... each named in a warning");
	unlink(path);
}

/* ---- reading config.json from a bundle ---- */

static int bundle_with(const char *dir, const char *content)
{
	_cleanup_free_ char *p = xasprintf("%s/config.json", dir);
	_cleanup_fclose_ FILE *f = fopen(p, "we");

	if (f == NULL || fputs(content, f) < 0) {
		return -1;
	}
	return 0;
}

static void test_load_at(void)
{
	char dir[] = "/tmp/husk-test-bundle.XXXXXX";
	_cleanup_close_ int dirfd = -1;
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *spec = husk_spec_default_json(false, 0, 0);

	if (mkdtemp(dir) == NULL) {
		for (int i = 0; i < 6; i++) {
			skip("no temporary directory");
		}
		return;
	}
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	path = xasprintf("%s/config.json", dir);
	{
		_cleanup_error_ husk_error_t err = NULL;
		husk_config_t *cfg = husk_config_load_at(dirfd, &err);

		ok(cfg == NULL && husk_error_errno_of(err) == ENOENT,
		   "load: a missing file: ENOENT");
	}
	{
		_cleanup_error_ husk_error_t err = NULL;
		_cleanup_config_ husk_config_t *cfg = NULL;

		bundle_with(dir, spec);
		cfg = husk_config_load_at(dirfd, &err);
		ok(cfg != NULL && strcmp(cfg->root->path, "rootfs") == 0,
		   "load: husk spec's config");
	}
	{
		_cleanup_error_ husk_error_t err = NULL;
		husk_config_t *cfg;
		_cleanup_free_ char *target = xasprintf("%s/real.json", dir);

		rename(path, target);
		symlink("real.json", path);
		cfg = husk_config_load_at(dirfd, &err);
		ok(cfg == NULL && husk_error_errno_of(err) == ELOOP,
		   "load: a symlinked config.json is not followed");
		unlink(path);
		unlink(target);
	}
	{
		_cleanup_error_ husk_error_t err = NULL;
		husk_config_t *cfg;

		mkfifo(path, 0600);
		cfg = husk_config_load_at(dirfd, &err);
		is_str(err ? err->msg : NULL, "config.json: not a regular file",
		       "load: a fifo is refused without blocking");
		ok(cfg == NULL, "load: ... and nothing is returned");
		unlink(path);
	}
	{
		_cleanup_error_ husk_error_t err = NULL;
		husk_config_t *cfg;

		bundle_with(dir, "");
		truncate(path, HUSK_CONFIG_MAX_SIZE + 1);
		cfg = husk_config_load_at(dirfd, &err);
		is_str(cfg == NULL && err ? err->msg : NULL,
		       "config.json: 4194305 bytes is larger than the limit of 4194304",
		       "load: a file over the cap is refused");
		unlink(path);
	}
	rmdir(dir);
}

/* ---- husk spec writes, but never over a file ---- */

static void test_write_default(void)
{
	char dir[] = "/tmp/husk-test-spec.XXXXXX";
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *expect = NULL;

	if (mkdtemp(dir) == NULL) {
		skip("no temporary directory");
		skip("no temporary directory");
		skip("no temporary directory");
		return;
	}
	path = xasprintf("%s/config.json", dir);
	{
		_cleanup_error_ husk_error_t err = NULL;
		size_t len = 0;
		_cleanup_free_ char *got = NULL;

		is_int(husk_spec_write_default(dir, false, &err), 0, "spec: writes config.json");
		got = read_file(path, &len);
		expect = husk_spec_default_json(false, geteuid(), getegid());
		ok(got != NULL && len == strlen(expect) && memcmp(got, expect, len) == 0,
		   "spec: the file holds the default config");
	}
	{
		_cleanup_error_ husk_error_t err = NULL;
		_cleanup_free_ char *msg =
			xasprintf("`%s/config.json` already exists: remove it first", dir);

		husk_spec_write_default(dir, true, &err);
		is_str(err ? err->msg : NULL, msg, "spec: refuses to overwrite");
	}
	unlink(path);
	rmdir(dir);
}

/* ---- a 200 KB config with a large seccomp profile ---- */

static char *big_seccomp_config(size_t target)
{
	size_t cap = target + 4096, n = 0;
	char *buf = xmalloc(cap);

	n += (size_t) snprintf(buf + n, cap - n,
			       "{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"rootfs\"},"
			       "\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\","
			       "\"defaultErrnoRet\":1,\"architectures\":[\"SCMP_ARCH_X86_64\"],"
			       "\"syscalls\":[");
	for (int i = 0; n < target; i++) {
		n += (size_t) snprintf(
			buf + n, cap - n,
			"%s{\"names\":[\"syscall_%d_a\",\"syscall_%d_b\",\"syscall_%d_c\"],"
			"\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":%d,\"value\":%d,"
			"\"valueTwo\":0,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}",
			i ? "," : "", i, i, i, i % 6, i);
	}
	snprintf(buf + n, cap - n, "]}}}");
	return buf;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static void test_big_seccomp(void)
{
	_cleanup_free_ char *json = big_seccomp_config(200 * 1024);
	size_t len = strlen(json);
	double best = 1e9;
	size_t n = 0;

	for (int round = 0; round < 20; round++) {
		_cleanup_error_ husk_error_t err = NULL;
		double t0 = now();
		husk_config_t *cfg = husk_config_parse(json, len, &err);
		double t = now() - t0;

		best = t < best ? t : best;
		n = cfg != NULL ? cfg->linux_->seccomp->syscalls.n : 0;
		husk_config_free(cfg);
	}
	ok(n > 1000, "a %zu-byte config with %zu seccomp rules parses", len, n);
	diag("parse time of the %zu-byte seccomp config: %.3f ms (best of 20)", len, best * 1e3);
}

/* husk sandbox splices its default seccomp profile into the config without
 * checking it (spec/sandbox.h: seccomp_builtin): it must pass the check a
 * --seccomp file gets, one JSON object and nothing after it. */
static void test_sandbox_default_profile(void)
{
	char *args[] = { "/bin/true", NULL };
	husk_sandbox_spec_t s = {
		.args = args,
		.rootfs = "/tmp/rootfs",
		.seccomp = husk_sandbox_default_seccomp,
		.seccomp_source = "the default seccomp profile",
	};
	_cleanup_error_ husk_error_t err = NULL;
	husk_config_t *cfg = husk_sandbox_config(&s, &err);

	ok(cfg != NULL && cfg->linux_->seccomp != NULL && cfg->linux_->seccomp->syscalls.n > 0,
	   "the sandbox's default seccomp profile is one JSON object and a valid profile %s",
	   err != NULL ? err->msg : "");
	husk_config_free(cfg);
}

/* yajl grows a tree object one entry per realloc(): glibc's mremap makes that
 * cheap, ASan's copying realloc makes it quadratic, so sanitized runs use a
 * smaller document. */
#if defined(__SANITIZE_ADDRESS__)
#define NEAR_CAP (HUSK_CONFIG_MAX_SIZE / 16)
#else
#define NEAR_CAP HUSK_CONFIG_MAX_SIZE
#endif

/* The worst a config under the cap can do: one object of distinct keys, and
 * as many unknown keys, which warn only a bounded number of times. */
static void test_near_cap(void)
{
	size_t cap = NEAR_CAP, n = 0;
	_cleanup_free_ char *json = xmalloc(cap);
	_cleanup_error_ husk_error_t err = NULL;
	husk_config_t *cfg;
	double t0;

	for (int part = 0; part < 2; part++) {
		n = (size_t) snprintf(json, cap,
				      "{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"r\"},"
				      "\"%s\":{",
				      part == 0 ? "annotations" : "process");
		for (int i = 0; n < cap - 64; i++) {
			n += (size_t) snprintf(json + n, cap - n, "%s\"k%d\":\"v\"", i ? "," : "",
					       i);
		}
		n += (size_t) snprintf(json + n, cap - n, "}}");
		husk_log_init(NULL, HUSK_LOG_TEXT, HUSK_LOG_ERROR, NULL);
		t0 = now();
		cfg = husk_config_parse(json, n, &err);
		diag("parse time of %zu bytes of %s keys: %.0f ms", n,
		     part == 0 ? "annotation" : "unknown", (now() - t0) * 1e3);
		husk_log_init(NULL, HUSK_LOG_TEXT, HUSK_LOG_WARNING, NULL);
		if (part == 0) {
			ok(cfg != NULL && cfg->annotations.n > NEAR_CAP / 20,
			   "near the cap: %zu distinct annotations parse",
			   cfg ? cfg->annotations.n : 0);
		} else {
			is_str(err ? err->msg : NULL,
			       "config.json: process.user: required field is missing",
			       "near the cap: unknown keys are skipped, then the missing ones "
			       "named");
		}
		husk_config_free(cfg);
		husk_error_free(&err);
	}
}

int main(void)
{
	plan((int) (HUSK_N_VALID + 1 + 5 + 7 + 6 + 24 + 4 +
		    sizeof(malformed) / sizeof(malformed[0]) + 14 + 2 + 6 + 3 + 1 + 3 + 3 +
		    2 * HUSK_N_UNSUPPORTED + HUSK_N_NOW_SUPPORTED + 3 + 2));
	test_valid_corpus();
	test_podman();
	test_docker();
	test_containerd();
	test_full();
	test_husk_spec();
	test_malformed();
	test_check_supported();
	test_not_json();
	test_unknown_keys();
	test_unknown_caps();
	test_load_at();
	test_write_default();
	test_big_seccomp();
	test_sandbox_default_profile();
	test_near_cap();
	return done();
}
