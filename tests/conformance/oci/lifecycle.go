package main

// Programs about the runtime's operations (runtime.md): create, state,
// start, kill and delete, their errors, and the state they report.

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	rspec "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-tools/generate"
	"github.com/opencontainers/runtime-tools/specerror"
)

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// waitFile waits up to WITHIN for PATH to appear.
func waitFile(path string, within time.Duration) bool {
	deadline := time.Now().Add(within)
	for !exists(path) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}

// v1 or v2 path of the container's cgroup in one hierarchy, for checking
// that delete removes it.
func cgroupDirs(path string) []string {
	var dirs []string
	for _, h := range []string{"pids", "memory", "unified", ""} {
		base := filepath.Join("/sys/fs/cgroup", h)
		if exists(filepath.Join(base, "cgroup.procs")) {
			dirs = append(dirs, filepath.Join(base, path))
		}
	}
	return dirs
}

func init() {
	register("lifecycle", "create, state, start, kill, delete in order", lifecycle)
	register("state", "the state a runtime reports", stateProgram)
	register("operation_errors", "operations without an id, on unknown ids, in the wrong state", operationErrors)
	register("create_errors", "a config the runtime cannot apply creates no container", createErrors)
	register("kill_created", "kill and delete a created container", killCreated)
	register("process_exit", "a container whose process exits is stopped", processExit)
	register("capabilities_unknown", "a capability the kernel does not know is ignored with a warning", capabilitiesUnknown)
}

func lifecycle(t *tap, r *runtime) {
	b := r.newBundle(t)
	rootfs := filepath.Join(b.dir, "rootfs")
	b.g.SetProcessArgs([]string{"sh", "-c", "touch /tmp/started; exec sleep 3600"})
	res := r.create(b)
	if !t.ok(res.ok(), "create succeeds "+spec(specerror.CreateNewContainer), "%s", res) {
		return
	}
	t.ok(r.status(b.id) == "created", "state after create is created "+spec(specerror.CreateNewContainer), "status %s", r.status(b.id))
	time.Sleep(200 * time.Millisecond)
	t.ok(!exists(rootfs+"/tmp/started"), "the process does not run before start "+spec(specerror.ProcArgsApplyUntilStart), "the process ran at create")

	// An edit of config.json after create must not reach the container.
	b.g.SetProcessArgs([]string{"sh", "-c", "touch /tmp/changed; exec sleep 3600"})
	if err := b.g.SaveToFile(filepath.Join(b.dir, "config.json"), generate.ExportOptions{}); err != nil {
		t.fail("rewrite config.json", "%v", err)
	}

	res = r.exec("", "start", b.id)
	t.ok(res.ok(), "start succeeds "+spec(specerror.StartProcImplement), "%s", res)
	t.ok(waitFile(rootfs+"/tmp/started", 5*time.Second), "start runs the process "+spec(specerror.StartProcImplement), "no /tmp/started after 5 s")
	t.ok(!exists(rootfs+"/tmp/changed"), "config.json edited after create has no effect "+spec(specerror.ConfigUpdatesWithoutAffect), "the edited process ran")
	t.ok(r.status(b.id) == "running", "state after start is running", "status %s", r.status(b.id))
	pid := r.pid(b.id)

	res = r.exec("", "start", b.id)
	t.ok(res.refused(), "start of a running container fails "+spec(specerror.StartNotCreatedGenError), "%s", res)
	t.ok(r.status(b.id) == "running", "start of a running container has no effect "+spec(specerror.StartNotCreatedHaveNoEffect), "status %s", r.status(b.id))

	res = r.exec("", "create", "--bundle", b.dir, b.id)
	t.ok(res.refused(), "create with an id in use fails "+spec(specerror.CreateWithUniqueID), "%s", res)
	t.ok(r.status(b.id) == "running" && r.pid(b.id) == pid, "create with an id in use leaves the container alone "+spec(specerror.ErrorsLeaveStateUnchange),
		"status %s pid %d (was %d)", r.status(b.id), r.pid(b.id), pid)

	res = r.exec("", "delete", b.id)
	t.ok(res.refused(), "delete of a running container fails "+spec(specerror.DeleteNonStopGenError), "%s", res)
	t.ok(r.status(b.id) == "running", "delete of a running container has no effect "+spec(specerror.DeleteNonStopHaveNoEffect), "status %s", r.status(b.id))

	res = r.exec("", "kill", b.id, "KILL")
	t.ok(res.ok(), "kill KILL succeeds "+spec(specerror.KillSignalImplement), "%s", res)
	st := r.waitStatus(b.id, "stopped", 5*time.Second)
	t.ok(st == "stopped", "the killed container is stopped "+spec(specerror.KillSignalImplement), "status %s", st)

	res = r.exec("", "kill", b.id, "KILL")
	t.ok(res.refused(), "kill of a stopped container fails "+spec(specerror.KillNonCreateRunGenError), "%s", res)
	t.ok(r.status(b.id) == "stopped", "kill of a stopped container has no effect "+spec(specerror.KillNonCreateRunHaveNoEffect), "status %s", r.status(b.id))

	res = r.exec("", "delete", b.id)
	t.ok(res.ok(), "delete of a stopped container succeeds "+spec(specerror.DeleteResImplement), "%s", res)
	_, res = r.state(b.id)
	t.ok(res.refused(), "state of a deleted container fails "+spec(specerror.QueryNonExistGenError), "%s", res)
	var left []string
	for _, d := range cgroupDirs(b.g.Config.Linux.CgroupsPath) {
		if exists(d) {
			left = append(left, d)
		}
	}
	t.ok(len(left) == 0, "delete removes the container's cgroup "+spec(specerror.DeleteResImplement), "left: %v", left)
	gone := !exists(fmt.Sprintf("/proc/%d", pid)) || !strings.Contains(readTrim(fmt.Sprintf("/proc/%d/stat", pid)), "sleep")
	t.ok(pid > 0 && gone, "delete leaves no process", "pid %d is still there", pid)
	t.ok(exists(b.dir+"/config.json") && exists(rootfs+"/bin/busybox"), "delete leaves the bundle alone "+spec(specerror.DeleteOnlyCreatedRes), "the bundle is gone")
}

func stateProgram(t *tap, r *runtime) {
	b := r.newBundle(t)
	b.g.AddAnnotation("org.opencontainers.conformance", "value")
	b.g.AddAnnotation("com.example.empty", "")
	pidFile := filepath.Join(r.work, "pid")
	res := r.create(b, "--pid-file", pidFile)
	if !t.ok(res.ok(), "create succeeds "+spec(specerror.CreateNewContainer), "%s", res) {
		return
	}
	st, res := r.state(b.id)
	if !t.ok(st != nil, "state prints JSON "+spec(specerror.QueryStateImplement), "%s", res) {
		return
	}
	v, _ := st["ociVersion"].(string)
	t.ok(v != "", "state has ociVersion "+spec(specerror.DefaultStateJSONPattern), "state %v", st)
	t.ok(st["id"] == b.id, "state has the id "+spec(specerror.DefaultStateJSONPattern), "id %v", st["id"])
	t.ok(st["status"] == "created", "state has the status "+spec(specerror.DefaultStateJSONPattern), "status %v", st["status"])
	pid, _ := st["pid"].(float64)
	t.ok(pid > 0 && exists(fmt.Sprintf("/proc/%d", int(pid))), "state has the pid of a live process "+spec(specerror.DefaultStateJSONPattern), "pid %v", st["pid"])
	bundle, _ := st["bundle"].(string)
	t.ok(bundle == b.dir, "state has the bundle's absolute path "+spec(specerror.DefaultStateJSONPattern), "bundle %q, want %q", bundle, b.dir)
	ann, _ := st["annotations"].(map[string]interface{})
	t.ok(ann != nil && ann["org.opencontainers.conformance"] == "value" && ann["com.example.empty"] == "",
		"state has the annotations "+spec(specerror.DefaultStateJSONPattern), "annotations %v", st["annotations"])
	data, err := os.ReadFile(pidFile)
	p, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	t.ok(err == nil && p == int(pid), "create --pid-file writes the pid", "pid file %q (%v), state pid %v", data, err, pid)

	res = r.exec("", "start", b.id)
	t.ok(res.ok(), "start succeeds "+spec(specerror.StartProcImplement), "%s", res)
	st, _ = r.state(b.id)
	t.ok(st != nil && st["status"] == "running", "state after start says running "+spec(specerror.QueryStateImplement), "state %v", st)
	if st != nil {
		p2, _ := st["pid"].(float64)
		t.ok(p2 == pid, "the pid does not change at start", "pid %v, was %v", p2, pid)
	}
	r.exec("", "kill", b.id, "KILL")
	s := r.waitStatus(b.id, "stopped", 5*time.Second)
	t.ok(s == "stopped", "state after the process died says stopped "+spec(specerror.QueryStateImplement), "status %s", s)
	r.exec("", "delete", b.id)
}

func operationErrors(t *tap, r *runtime) {
	for _, op := range []struct {
		args []string
		code specerror.Code
	}{
		{[]string{"state"}, specerror.QueryWithoutIDGenError},
		{[]string{"start"}, specerror.StartWithoutIDGenError},
		{[]string{"kill"}, specerror.KillWithoutIDGenError},
		{[]string{"delete"}, specerror.DeleteWithoutIDGenError},
		{[]string{"state", "conformance-no-such-id"}, specerror.QueryNonExistGenError},
		{[]string{"start", "conformance-no-such-id"}, specerror.StartNotCreatedGenError},
		{[]string{"kill", "conformance-no-such-id", "KILL"}, specerror.KillNonCreateRunGenError},
		{[]string{"delete", "conformance-no-such-id"}, specerror.DeleteNonStopGenError},
	} {
		res := r.exec("", op.args...)
		t.ok(res.refused(), fmt.Sprintf("`%s` fails %s", strings.Join(op.args, " "), spec(op.code)), "%s", res)
	}
	b := r.newBundle(t)
	b.save()
	res := r.exec("", "create", "--bundle", b.dir)
	t.ok(res.refused(), "create without an id fails "+spec(specerror.CreateWithBundlePathAndID), "%s", res)
	for _, bad := range []string{"", "..", "a/b", "../escape"} {
		id := bad
		res := r.exec("", "create", "--bundle", b.dir, id)
		if res.ok() {
			r.ids = append(r.ids, id)
		}
		t.ok(res.refused(), fmt.Sprintf("create with the invalid id %q fails %s", id, spec(specerror.CreateWithUniqueID)), "%s", res)
	}
}

// createErrors: each config names something the runtime cannot make; create
// must fail and leave no container behind.
func createErrors(t *tap, r *runtime) {
	for _, c := range []struct {
		desc string
		edit func(b *bundle)
	}{
		{"a root.path that does not exist", func(b *bundle) { b.g.SetRootPath("no-such-rootfs") }},
		{"a mount of an unknown filesystem type", func(b *bundle) {
			b.g.AddMount(rspec.Mount{Destination: "/mnt", Type: "conformancefs", Source: "none"})
		}},
		{"a bind mount of a missing source", func(b *bundle) {
			b.g.AddMount(rspec.Mount{Destination: "/mnt", Type: "bind", Source: "/no/such/source", Options: []string{"bind"}})
		}},
		{"a sysctl that does not exist", func(b *bundle) { b.g.AddLinuxSysctl("conformance.no.such.key", "1") }},
		{"a namespace path that is not a namespace", func(b *bundle) { b.g.AddOrReplaceLinuxNamespace("network", "/etc/hostname") }},
		{"an unknown rlimit", func(b *bundle) { b.g.AddProcessRlimits("RLIMIT_CONFORMANCE", 1, 1) }},
		{"a duplicate namespace type", func(b *bundle) {
			b.g.Config.Linux.Namespaces = append(b.g.Config.Linux.Namespaces, rspec.LinuxNamespace{Type: "pid"})
		}},
	} {
		b := r.newBundle(t)
		c.edit(b)
		res := r.create(b)
		t.ok(res.refused(), "create with "+c.desc+" fails "+spec(specerror.PropApplyFailGenError), "%s", res)
		_, st := r.state(b.id)
		t.ok(st.refused(), "create with "+c.desc+" leaves no container "+spec(specerror.PropApplyFailNotCreate), "state: %s", st)
		r.exec("", "delete", "--force", b.id)
	}
}

func killCreated(t *tap, r *runtime) {
	b := r.newBundle(t)
	res := r.create(b)
	if !t.ok(res.ok(), "create succeeds", "%s", res) {
		return
	}
	res = r.exec("", "kill", b.id, "KILL")
	t.ok(res.ok(), "kill of a created container succeeds "+spec(specerror.KillSignalImplement), "%s", res)
	st := r.waitStatus(b.id, "stopped", 5*time.Second)
	t.ok(st == "stopped", "a created container killed is stopped", "status %s", st)
	res = r.exec("", "delete", b.id)
	t.ok(res.ok(), "delete of the stopped container succeeds "+spec(specerror.DeleteResImplement), "%s", res)

	b = r.newBundle(t)
	if res := r.create(b); !res.ok() {
		t.fail("create succeeds", "%s", res)
		return
	}
	res = r.exec("", "delete", b.id)
	t.ok(res.refused(), "delete of a created container fails "+spec(specerror.DeleteNonStopGenError), "%s", res)
	t.ok(r.status(b.id) == "created", "delete of a created container has no effect "+spec(specerror.DeleteNonStopHaveNoEffect), "status %s", r.status(b.id))
	res = r.exec("", "delete", "--force", b.id)
	t.ok(res.ok(), "delete --force of a created container succeeds", "%s", res)
	_, res = r.state(b.id)
	t.ok(res.refused(), "a force-deleted container is gone", "%s", res)
}

func processExit(t *tap, r *runtime) {
	b := r.newBundle(t)
	b.g.SetProcessArgs([]string{"true"})
	if res := r.create(b); !t.ok(res.ok(), "create succeeds", "%s", res) {
		return
	}
	res := r.exec("", "start", b.id)
	t.ok(res.ok(), "start succeeds", "%s", res)
	st := r.waitStatus(b.id, "stopped", 5*time.Second)
	t.ok(st == "stopped", "a container whose process exited is stopped "+spec(specerror.QueryStateImplement), "status %s", st)
	res = r.exec("", "start", b.id)
	t.ok(res.refused(), "start of a stopped container fails "+spec(specerror.StartNotCreatedGenError), "%s", res)
	res = r.exec("", "delete", b.id)
	t.ok(res.ok(), "delete succeeds "+spec(specerror.DeleteResImplement), "%s", res)
}

// capabilitiesUnknown: runtime-spec 1.1 turned "MUST cause an error" into
// "MUST be logged as a warning ... SHOULD NOT fail" for a capability that
// cannot be granted; runc 1.1 already warns and goes on.
func capabilitiesUnknown(t *tap, r *runtime) {
	b := r.newBundle(t)
	caps := b.g.Config.Process.Capabilities
	caps.Bounding = append(caps.Bounding, "CAP_CONFORMANCE")
	caps.Permitted = append(caps.Permitted, "CAP_CONFORMANCE")
	res := r.create(b)
	t.ok(res.ok(), "create with an unknown capability succeeds "+spec(specerror.LinuxProcCapError), "%s", res)
	t.ok(res.ok() && strings.TrimSpace(res.stderr) != "", "the unknown capability is warned about", "%s", res)
	r.exec("", "delete", "--force", b.id)
}
