package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	rspec "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-tools/generate"
	"github.com/opencontainers/runtime-tools/specerror"
)

// Where a bundle's rootfs keeps the checker and the config it checks against.
const (
	insideDir    = "/.oci-conformance"
	insideBin    = insideDir + "/check"
	insideConfig = insideDir + "/config.json"
)

// How long one runtime command may take before it counts as hung.
const cmdTimeout = 30 * time.Second

// runtime drives the runtime under test through its command line, the same
// for husk and runc: `BIN --root STATE VERB ...`.
type runtime struct {
	bin     string
	root    string
	rootfs  string
	cgroup  string
	work    string
	checker string
	ids     []string
	seq     int
}

type result struct {
	code   int
	stdout string
	stderr string
	err    error
}

func (res result) ok() bool { return res.err == nil && res.code == 0 }

// refused: the command ran and said no (not: could not run, or hung).
func (res result) refused() bool { return res.err == nil && res.code > 0 }

func (res result) String() string {
	s := fmt.Sprintf("exit %d", res.code)
	if res.err != nil {
		s += fmt.Sprintf(" (%v)", res.err)
	}
	if o := strings.TrimSpace(res.stdout); o != "" {
		s += "\nstdout: " + o
	}
	if e := strings.TrimSpace(res.stderr); e != "" {
		s += "\nstderr: " + e
	}
	return s
}

func newRuntime(bin string) (*runtime, error) {
	r := &runtime{
		bin:    bin,
		root:   os.Getenv("CONFORMANCE_STATE"),
		rootfs: os.Getenv("CONFORMANCE_ROOTFS"),
		cgroup: os.Getenv("CONFORMANCE_CGROUP"),
	}
	if r.root == "" || r.rootfs == "" || r.cgroup == "" {
		return nil, fmt.Errorf("CONFORMANCE_STATE, CONFORMANCE_ROOTFS and CONFORMANCE_CGROUP must be set")
	}
	if _, err := os.Stat(filepath.Join(r.rootfs, "bin/busybox")); err != nil {
		return nil, fmt.Errorf("no busybox rootfs at %s: %v", r.rootfs, err)
	}
	var err error
	if r.work, err = os.Getwd(); err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	// One copy of the checker in the work directory; each bundle links it.
	r.checker = filepath.Join(r.work, "check")
	if err := copyFile(self, r.checker, 0o755); err != nil {
		return nil, err
	}
	return r, nil
}

// exec runs BIN --root STATE ARGS with STDIN, its output in files: a
// container the command leaves running inherits them, and a pipe would keep
// the wait going until the container is gone.
func (r *runtime) exec(stdin string, args ...string) result {
	return runCmd(cmdTimeout, stdin, r.bin, append([]string{"--root", r.root}, args...)...)
}

func runCmd(timeout time.Duration, stdin string, name string, args ...string) result {
	var res result
	out, err := os.CreateTemp("", "out.*")
	if err != nil {
		return result{code: -1, err: err}
	}
	defer os.Remove(out.Name())
	defer out.Close()
	errf, err := os.CreateTemp("", "err.*")
	if err != nil {
		return result{code: -1, err: err}
	}
	defer os.Remove(errf.Name())
	defer errf.Close()

	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Stdout = out
	cmd.Stderr = errf
	err = cmd.Run()
	res.code = cmd.ProcessState.ExitCode()
	if ctx.Err() != nil {
		res.err = fmt.Errorf("timed out after %v", timeout)
	} else if _, isExit := err.(*exec.ExitError); err != nil && !isExit {
		res.err = err
	}
	o, _ := os.ReadFile(out.Name())
	e, _ := os.ReadFile(errf.Name())
	res.stdout, res.stderr = string(o), string(e)
	return res
}

// bundle is a fresh bundle: the generator's default config (the one every
// runtime-tools validation starts from) running `sleep`, and a copy of the
// test rootfs holding the checker.
type bundle struct {
	dir string
	id  string
	g   *generate.Generator
}

func (r *runtime) newBundle(t *tap) *bundle {
	r.seq++
	b := &bundle{
		dir: filepath.Join(r.work, fmt.Sprintf("b%d", r.seq)),
		id:  fmt.Sprintf("conf-%d-%d", os.Getpid(), r.seq),
	}
	must := func(err error) {
		if err != nil {
			panic(fmt.Sprintf("bundle %s: %v", b.dir, err))
		}
	}
	must(os.Mkdir(b.dir, 0o755))
	if res := runCmd(cmdTimeout, "", "cp", "-a", r.rootfs, filepath.Join(b.dir, "rootfs")); !res.ok() {
		must(fmt.Errorf("copy %s: %s", r.rootfs, res))
	}
	os.Remove(filepath.Join(b.dir, "rootfs/.stamp"))
	must(os.Mkdir(filepath.Join(b.dir, "rootfs", insideDir), 0o755))
	dst := filepath.Join(b.dir, "rootfs", insideBin)
	if os.Link(r.checker, dst) != nil {
		must(copyFile(r.checker, dst, 0o755))
	}
	g, err := generate.New("linux")
	must(err)
	b.g = &g
	g.SetProcessArgs([]string{"sleep", "3600"})
	g.SetLinuxCgroupsPath(r.cgroup + "/" + b.id)
	return b
}

// save writes config.json, and its copy the checker reads.
func (b *bundle) save() {
	opts := generate.ExportOptions{}
	for _, p := range []string{filepath.Join(b.dir, "config.json"), filepath.Join(b.dir, "rootfs", insideConfig)} {
		if err := b.g.SaveToFile(p, opts); err != nil {
			panic(fmt.Sprintf("save %s: %v", p, err))
		}
	}
}

func (b *bundle) spec() *rspec.Spec { return b.g.Config }

func (r *runtime) create(b *bundle, extra ...string) result {
	b.save()
	r.ids = append(r.ids, b.id)
	args := append([]string{"create", "--bundle", b.dir}, extra...)
	return r.exec("", append(args, b.id)...)
}

func (r *runtime) state(id string) (map[string]interface{}, result) {
	res := r.exec("", "state", id)
	if !res.ok() {
		return nil, res
	}
	var st map[string]interface{}
	if err := json.Unmarshal([]byte(res.stdout), &st); err != nil {
		res.err = fmt.Errorf("state is not JSON: %v", err)
		return nil, res
	}
	return st, res
}

func (r *runtime) status(id string) string {
	st, res := r.state(id)
	if st == nil {
		return "(" + strings.TrimSpace(res.String()) + ")"
	}
	s, _ := st["status"].(string)
	return s
}

func (r *runtime) pid(id string) int {
	st, _ := r.state(id)
	if st == nil {
		return 0
	}
	p, _ := st["pid"].(float64)
	return int(p)
}

// waitStatus polls until the container reaches WANT; it returns the last
// status seen.
func (r *runtime) waitStatus(id, want string, within time.Duration) string {
	deadline := time.Now().Add(within)
	for {
		s := r.status(id)
		if s == want || time.Now().After(deadline) {
			return s
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// runInside runs the bundle's container in the foreground with the checker
// as its process, and turns each line the checker prints into a test point.
//
// The checker is a Go program, and Go raises its own RLIMIT_NOFILE soft limit
// to the hard one at start-up: a shell before it passes on the limits the
// runtime set.
func (r *runtime) runInside(t *tap, b *bundle, checkerArgs ...string) {
	wrapper := `exec env CONFORMANCE_NOFILE="$(ulimit -S -n) $(ulimit -H -n)" ` + insideBin + ` inside "$@"`
	b.g.SetProcessArgs(append([]string{"/bin/sh", "-c", wrapper, "sh"}, checkerArgs...))
	b.save()
	r.ids = append(r.ids, b.id)
	res := r.exec("", "run", "--bundle", b.dir, b.id)
	n := emitInside(t, res.stdout)
	if !res.ok() || n == 0 {
		t.fail("the container runs the checker and exits 0 "+spec(specerror.ProcImplement), "%s", res)
	}
}

// emitInside re-emits the checker's lines (`ok DESC`, `not ok DESC`,
// `skip DESC: REASON`, `# diagnostic`) as test points.
func emitInside(t *tap, out string) int {
	n := 0
	var last string
	var diag []string
	flush := func() {
		if last == "" {
			return
		}
		t.point(false, last, strings.Join(diag, "\n"))
		last, diag = "", nil
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "# "):
			diag = append(diag, l[2:])
			continue
		case strings.HasPrefix(l, "ok "):
			flush()
			t.pass(l[3:])
		case strings.HasPrefix(l, "not ok "):
			flush()
			last = l[7:]
		case strings.HasPrefix(l, "skip "):
			flush()
			d, why, _ := strings.Cut(l[5:], " :: ")
			t.skip(d, why)
		default:
			continue
		}
		n++
	}
	flush()
	return n
}

// cleanup force-deletes every container the program made.
func (r *runtime) cleanup() {
	for _, id := range r.ids {
		r.exec("", "delete", "--force", id)
	}
}

func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
