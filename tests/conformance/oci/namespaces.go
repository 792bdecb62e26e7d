package main

// Programs about linux.namespaces (config-linux.md#namespaces), seen from
// outside: a new namespace for each type listed, the runtime's own for each
// type not listed, the one at `path` when a path is given.

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	rspec "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-tools/specerror"
)

var nsFiles = map[rspec.LinuxNamespaceType]string{
	rspec.PIDNamespace: "pid", rspec.NetworkNamespace: "net", rspec.MountNamespace: "mnt",
	rspec.IPCNamespace: "ipc", rspec.UTSNamespace: "uts", rspec.UserNamespace: "user",
	rspec.CgroupNamespace: "cgroup",
}

var nsOrder = []rspec.LinuxNamespaceType{rspec.PIDNamespace, rspec.NetworkNamespace, rspec.MountNamespace,
	rspec.IPCNamespace, rspec.UTSNamespace, rspec.UserNamespace, rspec.CgroupNamespace}

func nsOf(pid interface{}, t rspec.LinuxNamespaceType) string {
	l, err := os.Readlink(fmt.Sprintf("/proc/%v/ns/%s", pid, nsFiles[t]))
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return l
}

func init() {
	register("linux_namespaces", "new namespaces for the types listed, the runtime's for the others", namespacesNew)
	register("linux_namespaces_path", "namespaces joined by path", namespacesPath)
	register("linux_namespaces_path_mount", "a mount namespace joined by path", namespacesPathMount)
}

// startSleeper creates and starts a container from B, whose process is
// `sleep`, and waits for that process to run; false when it does not.
func startSleeper(t *tap, r *runtime, b *bundle, what string) bool {
	res := r.create(b)
	if res.ok() {
		res = r.exec("", "start", b.id)
	}
	if !res.ok() {
		return t.ok(false, "create and start "+what, "%s", res)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		pid := r.pid(b.id)
		if pid > 0 && readTrim(fmt.Sprintf("/proc/%d/comm", pid)) == "sleep" {
			t.pass("create and start " + what)
			return true
		}
		if time.Now().After(deadline) {
			return t.ok(false, "create and start "+what, "the container's process is not running sleep 5 s after start: status %s, pid %d",
				r.status(b.id), pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func namespacesNew(t *tap, r *runtime) {
	b := r.newBundle(t)
	b.g.AddOrReplaceLinuxNamespace("cgroup", "")
	if !startSleeper(t, r, b, "a container with pid, network, ipc, uts, mount and cgroup namespaces") {
		return
	}
	pid := r.pid(b.id)
	listed := map[rspec.LinuxNamespaceType]bool{}
	for _, ns := range b.spec().Linux.Namespaces {
		listed[ns.Type] = true
	}
	for _, ty := range nsOrder {
		mine, theirs := nsOf("self", ty), nsOf(pid, ty)
		if listed[ty] {
			t.ok(mine != theirs, fmt.Sprintf("a new %s namespace %s", ty, spec(specerror.NSNewNSWithoutPath)), "the container's %s is the runtime's %s", theirs, mine)
		} else {
			t.ok(mine == theirs, fmt.Sprintf("the runtime's %s namespace when not listed %s", ty, spec(specerror.NSInheritWithoutType)), "the container's %s, the runtime's %s", theirs, mine)
		}
	}
	r.exec("", "delete", "--force", b.id)
}

func namespacesPath(t *tap, r *runtime) {
	first := r.newBundle(t)
	if !startSleeper(t, r, first, "a first container") {
		return
	}
	pid := r.pid(first.id)
	b := r.newBundle(t)
	joined := []rspec.LinuxNamespaceType{rspec.NetworkNamespace, rspec.IPCNamespace, rspec.UTSNamespace}
	for _, ty := range joined {
		b.g.AddOrReplaceLinuxNamespace(string(ty), fmt.Sprintf("/proc/%d/ns/%s", pid, nsFiles[ty]))
	}
	if !startSleeper(t, r, b, "a second container joining the first one's namespaces") {
		r.exec("", "delete", "--force", first.id)
		return
	}
	pid2 := r.pid(b.id)
	for _, ty := range joined {
		t.ok(nsOf(pid, ty) == nsOf(pid2, ty), fmt.Sprintf("the %s namespace at path is joined %s", ty, spec(specerror.NSPathMatchTypeError)),
			"first %s, second %s", nsOf(pid, ty), nsOf(pid2, ty))
	}
	t.ok(nsOf(pid, rspec.PIDNamespace) != nsOf(pid2, rspec.PIDNamespace), "a pid namespace listed without a path is new "+spec(specerror.NSNewNSWithoutPath),
		"both in %s", nsOf(pid, rspec.PIDNamespace))
	r.exec("", "delete", "--force", b.id)
	r.exec("", "delete", "--force", first.id)
}

// namespacesPathMount: a mount namespace prepared on the host side, here
// by a process unshared into one, is joined by its path.
func namespacesPathMount(t *tap, r *runtime) {
	cmd := exec.Command("unshare", "--mount", "--propagation", "private", "sleep", "600")
	if err := cmd.Start(); err != nil {
		t.skip("a mount namespace joined by path", "cannot run unshare --mount: "+err.Error())
		return
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	mine := nsOf("self", rspec.MountNamespace)
	deadline := time.Now().Add(5 * time.Second)
	for ns := nsOf(cmd.Process.Pid, rspec.MountNamespace); ns == mine || strings.HasPrefix(ns, "("); ns = nsOf(cmd.Process.Pid, rspec.MountNamespace) {
		if time.Now().After(deadline) {
			t.skip("a mount namespace joined by path", "unshare --mount made no new mount namespace")
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	b := r.newBundle(t)
	b.g.AddOrReplaceLinuxNamespace("mount", fmt.Sprintf("/proc/%d/ns/mnt", cmd.Process.Pid))
	if startSleeper(t, r, b, "a container joining a mount namespace by path") {
		got, want := nsOf(r.pid(b.id), rspec.MountNamespace), nsOf(cmd.Process.Pid, rspec.MountNamespace)
		t.ok(got == want, "the mount namespace at path is joined "+spec(specerror.NSPathMatchTypeError), "the container's %s, the path's %s", got, want)
	}
	r.exec("", "delete", "--force", b.id)
}
