package main

// Programs about the POSIX-platform hooks (config.md#posix-platform-hooks):
// that each kind runs, in order, at its time, with the state on stdin, and
// what a failing hook does.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	rspec "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-tools/specerror"
)

func init() {
	register("hooks", "every kind of hook runs, in order, with the state on stdin", hooksProgram)
	register("hooks_prestart_fail", "a failing prestart hook", hookFailProgram("prestart"))
	register("hooks_poststart_fail", "a failing poststart hook", hookFailProgram("poststart"))
	register("hooks_poststop_fail", "a failing poststop hook", hookFailProgram("poststop"))
	register("hooks_timeout", "a hook past its timeout is stopped", hookTimeout)
}

// hookLog is a hook that appends `NAME <state>` to LOG: one line a run.
func hookLog(name, log string) rspec.Hook {
	script := fmt.Sprintf(`printf '%%s %%s ' "$1" "$CONFORMANCE_HOOK" >> %s; tr -d '\n' >> %s; echo >> %s`, log, log, log)
	return rspec.Hook{Path: "/bin/sh", Args: []string{"sh", "-c", script, "hook", name}, Env: []string{"CONFORMANCE_HOOK=" + name}}
}

type hookRun struct {
	name  string
	env   string
	state map[string]interface{}
}

func readHookLog(path string) []hookRun {
	data, _ := os.ReadFile(path)
	var runs []hookRun
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.SplitN(l, " ", 3)
		if len(f) < 3 {
			continue
		}
		h := hookRun{name: f[0], env: f[1]}
		_ = json.Unmarshal([]byte(f[2]), &h.state)
		runs = append(runs, h)
	}
	return runs
}

func hookNames(runs []hookRun) string {
	var n []string
	for _, h := range runs {
		n = append(n, h.name)
	}
	return strings.Join(n, " ")
}

func hooksProgram(t *tap, r *runtime) {
	b := r.newBundle(t)
	hostLog := filepath.Join(r.work, "hooks.log")
	// createContainer hooks run in the container's mount namespace before
	// pivot_root, where the bundle is still at its path; startContainer
	// hooks run after it, and write inside the rootfs.
	ctrLog := "/tmp/hooks.log"
	rootfs := filepath.Join(b.dir, "rootfs")
	b.g.SetProcessArgs([]string{"sh", "-c", "touch /tmp/started; exec sleep 3600"})
	// A prestart hook that sees the process already started says so.
	early := fmt.Sprintf(`[ -e %s/tmp/started ] && echo started-early >> %s; cat > /dev/null`, rootfs, hostLog)
	b.g.Config.Hooks = &rspec.Hooks{
		Prestart:        []rspec.Hook{hookLog("prestart1", hostLog), hookLog("prestart2", hostLog), {Path: "/bin/sh", Args: []string{"sh", "-c", early}}},
		CreateRuntime:   []rspec.Hook{hookLog("createRuntime", hostLog)},
		CreateContainer: []rspec.Hook{hookLog("createContainer", hostLog)},
		StartContainer:  []rspec.Hook{hookLog("startContainer", ctrLog)},
		Poststart:       []rspec.Hook{hookLog("poststart1", hostLog), hookLog("poststart2", hostLog)},
		Poststop:        []rspec.Hook{hookLog("poststop1", hostLog), hookLog("poststop2", hostLog)},
	}
	res := r.create(b)
	if !t.ok(res.ok(), "create with hooks succeeds", "%s", res) {
		return
	}
	runs := readHookLog(hostLog)
	t.ok(hookNames(runs) == "prestart1 prestart2 createRuntime createContainer",
		"create runs prestart, createRuntime then createContainer hooks, in order "+spec(specerror.PosixHooksCalledInOrder), "ran: %q", hookNames(runs))
	for _, h := range runs {
		id, _ := h.state["id"].(string)
		pid, _ := h.state["pid"].(float64)
		t.ok(id == b.id && pid > 0 && (h.state["status"] == "creating" || h.state["status"] == "created"),
			h.name+" gets the state on stdin "+spec(specerror.PosixHooksStateToStdin), "state %v", h.state)
		t.ok(h.env == h.name, h.name+" gets its args and env", "env %q", h.env)
	}
	t.ok(!exists(filepath.Join(rootfs, ctrLog)), "no startContainer hook runs at create", "%s exists", ctrLog)

	res = r.exec("", "start", b.id)
	t.ok(res.ok(), "start succeeds", "%s", res)
	runs = readHookLog(hostLog)
	t.ok(!strings.Contains(readTrim(hostLog), "started-early"), "prestart hooks run before the process "+spec(specerror.PrestartTiming), "the process ran first")
	t.ok(hookNames(runs) == "prestart1 prestart2 createRuntime createContainer poststart1 poststart2",
		"start runs poststart hooks, in order, before it returns "+spec(specerror.PoststartTiming), "ran: %q", hookNames(runs))
	t.ok(waitFile(rootfs+"/tmp/started", 5*time.Second), "the process started", "no /tmp/started")
	for _, h := range runs {
		if strings.HasPrefix(h.name, "poststart") {
			t.ok(h.state["status"] == "running" && h.state["id"] == b.id, h.name+" gets the running state on stdin "+spec(specerror.PosixHooksStateToStdin),
				"state %v", h.state)
		}
	}
	ctr := readHookLog(filepath.Join(rootfs, ctrLog))
	t.ok(hookNames(ctr) == "startContainer", "start runs startContainer hooks in the container, after pivot_root", "in the rootfs: %q", hookNames(ctr))

	r.exec("", "kill", b.id, "KILL")
	r.waitStatus(b.id, "stopped", 5*time.Second)
	t.ok(!strings.Contains(hookNames(readHookLog(hostLog)), "poststop"), "poststop hooks wait for delete", "ran: %q", hookNames(readHookLog(hostLog)))
	res = r.exec("", "delete", b.id)
	t.ok(res.ok(), "delete succeeds", "%s", res)
	runs = readHookLog(hostLog)
	t.ok(strings.HasSuffix(hookNames(runs), "poststop1 poststop2"), "delete runs poststop hooks, in order "+spec(specerror.PoststopTiming), "ran: %q", hookNames(runs))
	for _, h := range runs {
		if strings.HasPrefix(h.name, "poststop") {
			t.ok(h.state["id"] == b.id, h.name+" gets the state on stdin "+spec(specerror.PosixHooksStateToStdin), "state %v", h.state)
		}
	}
}

func hookFailProgram(kind string) func(t *tap, r *runtime) {
	return func(t *tap, r *runtime) {
		b := r.newBundle(t)
		log := filepath.Join(r.work, "hooks.log")
		fail := rspec.Hook{Path: "/bin/sh", Args: []string{"sh", "-c", "cat > /dev/null; exit 3"}}
		b.g.Config.Hooks = &rspec.Hooks{Poststop: []rspec.Hook{hookLog("poststop-after", log)}}
		h := b.g.Config.Hooks
		switch kind {
		case "prestart":
			h.Prestart = []rspec.Hook{fail, hookLog("prestart-after", log)}
		case "poststart":
			h.Poststart = []rspec.Hook{fail, hookLog("poststart-after", log)}
		case "poststop":
			h.Poststop = []rspec.Hook{fail, hookLog("poststop-after", log)}
		}
		res := r.create(b)
		switch kind {
		case "prestart":
			t.ok(res.refused(), "create fails when a prestart hook fails "+spec(specerror.PrestartHookFailGenError), "%s", res)
			t.ok(!strings.Contains(readTrim(log), "prestart-after"), "the hooks after the failed one do not run", "ran: %q", hookNames(readHookLog(log)))
			st := r.status(b.id)
			t.ok(st != "created" && st != "running", "the container is stopped "+spec(specerror.PrestartHookFailGenError), "status %s", st)
			r.exec("", "delete", "--force", b.id)
			t.ok(strings.Contains(readTrim(log), "poststop-after"), "the lifecycle goes on to the poststop hooks "+spec(specerror.PrestartHookFailGenError),
				"ran: %q", hookNames(readHookLog(log)))
			return
		}
		if !t.ok(res.ok(), "create succeeds", "%s", res) {
			return
		}
		res = r.exec("", "start", b.id)
		if kind == "poststart" {
			// runtime-spec 1.0.2 asks for a warning and no change of flow;
			// 1.1 and later for an error that stops the container: either way
			// the failure must be reported and the later hooks not be skipped
			// silently.
			reported := !res.ok() || strings.TrimSpace(res.stderr) != ""
			t.ok(reported, "a failing poststart hook is reported "+spec(specerror.PoststartHookFailGenWarn), "%s", res)
			r.exec("", "kill", b.id, "KILL")
			r.waitStatus(b.id, "stopped", 5*time.Second)
			res = r.exec("", "delete", b.id)
			t.ok(res.ok(), "delete succeeds after a failed poststart hook", "%s", res)
			return
		}
		t.ok(res.ok(), "start succeeds", "%s", res)
		r.exec("", "kill", b.id, "KILL")
		r.waitStatus(b.id, "stopped", 5*time.Second)
		res = r.exec("", "delete", b.id)
		t.ok(res.ok(), "delete goes on when a poststop hook fails "+spec(specerror.PoststopHookFailGenWarn), "%s", res)
		t.ok(strings.Contains(readTrim(log), "poststop-after"), "the hooks after a failed poststop hook run "+spec(specerror.PoststopHookFailGenWarn),
			"ran: %q", hookNames(readHookLog(log)))
		_, st := r.state(b.id)
		t.ok(st.refused(), "the container is deleted "+spec(specerror.WarnsLeaveFlowUnchange), "state: %s", st)
	}
}

func hookTimeout(t *tap, r *runtime) {
	b := r.newBundle(t)
	one := 1
	b.g.Config.Hooks = &rspec.Hooks{Prestart: []rspec.Hook{{Path: "/bin/sh", Args: []string{"sh", "-c", "exec sleep 20"}, Timeout: &one}}}
	start := time.Now()
	res := r.create(b)
	took := time.Since(start)
	t.ok(res.refused(), "create fails when a prestart hook passes its timeout", "%s", res)
	t.ok(took < 10*time.Second, "the hook is stopped at its timeout", "create took %v", took)
	r.exec("", "delete", "--force", b.id)
}
