package main

// The checker: run as the container's process, it compares what it sees
// against the config the bundle was made from and prints one line per check
// (`ok DESC`, `not ok DESC` followed by `# ...` lines, `skip DESC :: WHY`).
// The program that ran the container turns them into test points.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	rspec "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-tools/specerror"
	"github.com/syndtr/gocapability/capability"
	"golang.org/x/sys/unix"
)

type checker struct{}

func (checker) ok(desc string) { fmt.Printf("ok %s\n", oneLine(desc)) }

func (checker) fail(desc, format string, args ...interface{}) {
	fmt.Printf("not ok %s\n", oneLine(desc))
	for _, l := range strings.Split(fmt.Sprintf(format, args...), "\n") {
		fmt.Printf("# %s\n", l)
	}
}

func (c checker) check(good bool, desc, format string, args ...interface{}) {
	if good {
		c.ok(desc)
	} else {
		c.fail(desc, format, args...)
	}
}

func (checker) skip(desc, why string) { fmt.Printf("skip %s :: %s\n", oneLine(desc), oneLine(why)) }

func inside() int {
	var s rspec.Spec
	data, err := os.ReadFile(insideConfig)
	if err == nil {
		err = json.Unmarshal(data, &s)
	}
	c := checker{}
	if err != nil {
		c.fail("read "+insideConfig, "%v", err)
		return 0
	}
	checkRoot(c, &s)
	checkProcess(c, &s)
	checkCapabilities(c, &s)
	checkMounts(c, &s)
	checkDevices(c, &s)
	checkLinuxPaths(c, &s)
	checkLinuxMisc(c, &s)
	for _, a := range os.Args[2:] {
		checkProbe(c, a)
	}
	return 0
}

func checkRoot(c checker, s *rspec.Spec) {
	var st unix.Statfs_t
	if err := unix.Statfs("/", &st); err != nil {
		c.fail("root.readonly", "statfs /: %v", err)
		return
	}
	ro := st.Flags&unix.ST_RDONLY != 0
	c.check(ro == s.Root.Readonly, fmt.Sprintf("root.readonly is %v %s", s.Root.Readonly, spec(specerror.RootReadonlyImplement)),
		"the root filesystem is mounted readonly=%v", ro)
	if s.Hostname != "" {
		h, err := os.Hostname()
		c.check(err == nil && h == s.Hostname, fmt.Sprintf("hostname is %q", s.Hostname), "hostname %q (%v)", h, err)
	}
	if s.Domainname != "" {
		var u unix.Utsname
		_ = unix.Uname(&u)
		d := unix.ByteSliceToString(u.Domainname[:])
		c.check(d == s.Domainname, fmt.Sprintf("domainname is %q", s.Domainname), "domainname %q", d)
	}
}

func checkProcess(c checker, s *rspec.Spec) {
	p := s.Process
	cwd, err := os.Getwd()
	c.check(err == nil && cwd == p.Cwd, fmt.Sprintf("process.cwd is %s", p.Cwd), "cwd %q (%v)", cwd, err)
	c.check(os.Getuid() == int(p.User.UID) && os.Geteuid() == int(p.User.UID),
		fmt.Sprintf("process.user.uid is %d", p.User.UID), "uid %d euid %d", os.Getuid(), os.Geteuid())
	c.check(os.Getgid() == int(p.User.GID) && os.Getegid() == int(p.User.GID),
		fmt.Sprintf("process.user.gid is %d", p.User.GID), "gid %d egid %d", os.Getgid(), os.Getegid())
	groups, _ := os.Getgroups()
	for _, g := range p.User.AdditionalGids {
		found := false
		for _, h := range groups {
			found = found || h == int(g)
		}
		c.check(found, fmt.Sprintf("process.user.additionalGids has %d", g), "groups %v", groups)
	}
	if p.User.Umask != nil {
		old := unix.Umask(0)
		unix.Umask(old)
		c.check(uint32(old) == *p.User.Umask, fmt.Sprintf("process.user.umask is %#o", *p.User.Umask), "umask %#o", old)
	}
	env := map[string]bool{}
	for _, e := range os.Environ() {
		env[e] = true
	}
	for _, e := range p.Env {
		c.check(env[e], fmt.Sprintf("process.env has %s", e), "environment: %v", os.Environ())
	}
	checkRlimits(c, p.Rlimits)

	status := procStatus()
	nnp := status["NoNewPrivs"] == "1"
	c.check(nnp == p.NoNewPrivileges, fmt.Sprintf("process.noNewPrivileges is %v", p.NoNewPrivileges), "NoNewPrivs: %s", status["NoNewPrivs"])
	if p.OOMScoreAdj != nil {
		v := readTrim("/proc/self/oom_score_adj")
		c.check(v == strconv.Itoa(*p.OOMScoreAdj), fmt.Sprintf("process.oomScoreAdj is %d %s", *p.OOMScoreAdj, spec(specerror.LinuxProcOomScoreAdjSet)),
			"oom_score_adj %s", v)
	}
	if p.ApparmorProfile != "" {
		v := readTrim("/proc/self/attr/current")
		c.check(strings.HasPrefix(v, p.ApparmorProfile), "process.apparmorProfile is applied", "attr/current %q", v)
	}
}

var rlimitNumbers = map[string]int{
	"RLIMIT_CPU": 0, "RLIMIT_FSIZE": 1, "RLIMIT_DATA": 2, "RLIMIT_STACK": 3, "RLIMIT_CORE": 4,
	"RLIMIT_RSS": 5, "RLIMIT_NPROC": 6, "RLIMIT_NOFILE": 7, "RLIMIT_MEMLOCK": 8, "RLIMIT_AS": 9,
	"RLIMIT_LOCKS": 10, "RLIMIT_SIGPENDING": 11, "RLIMIT_MSGQUEUE": 12, "RLIMIT_NICE": 13,
	"RLIMIT_RTPRIO": 14, "RLIMIT_RTTIME": 15,
}

func checkRlimits(c checker, rl []rspec.POSIXRlimit) {
	for _, r := range rl {
		n, known := rlimitNumbers[r.Type]
		if !known {
			c.fail("process.rlimits "+r.Type, "unknown rlimit")
			continue
		}
		var got unix.Rlimit
		err := unix.Getrlimit(n, &got)
		if r.Type == "RLIMIT_NOFILE" {
			// What the shell before the checker saw (runInside).
			_, err = fmt.Sscanf(os.Getenv("CONFORMANCE_NOFILE"), "%d %d", &got.Cur, &got.Max)
		}
		c.check(err == nil && got.Cur == r.Soft, fmt.Sprintf("process.rlimits %s soft is %d %s", r.Type, r.Soft, spec(specerror.PosixProcRlimitsSoftMatchCur)),
			"cur %d (%v)", got.Cur, err)
		c.check(err == nil && got.Max == r.Hard, fmt.Sprintf("process.rlimits %s hard is %d %s", r.Type, r.Hard, spec(specerror.PosixProcRlimitsHardMatchMax)),
			"max %d (%v)", got.Max, err)
	}
}

// checkCapabilities compares each set with what execve makes of the config's
// sets for a program with no file capabilities: the bounding and inheritable
// sets are kept, ambient keeps what is also permitted and inheritable; root
// gets inheritable|bounding|ambient as permitted and effective, anyone else
// only the ambient set.
func checkCapabilities(c checker, s *rspec.Spec) {
	caps := s.Process.Capabilities
	if caps == nil {
		caps = &rspec.LinuxCapabilities{}
	}
	last, err := strconv.Atoi(readTrim("/proc/sys/kernel/cap_last_cap"))
	if err != nil {
		last = int(capability.CAP_LAST_CAP)
	}
	set := func(names []string) uint64 {
		var m uint64
		for _, n := range names {
			for _, cp := range capability.List() {
				if "CAP_"+strings.ToUpper(cp.String()) == n && int(cp) <= last {
					m |= 1 << uint(cp)
				}
			}
		}
		return m
	}
	bnd, inh, prm := set(caps.Bounding), set(caps.Inheritable), set(caps.Permitted)
	amb := set(caps.Ambient) & prm & inh
	var eff uint64
	if s.Process.User.UID == 0 {
		prm = inh | bnd | amb
		eff = prm
	} else {
		prm, eff = amb, amb
	}
	status := procStatus()
	for _, k := range []struct {
		field, name string
		want        uint64
	}{{"CapBnd", "bounding", bnd}, {"CapInh", "inheritable", inh}, {"CapPrm", "permitted", prm}, {"CapEff", "effective", eff}, {"CapAmb", "ambient", amb}} {
		got, err := strconv.ParseUint(status[k.field], 16, 64)
		c.check(err == nil && got == k.want, fmt.Sprintf("process.capabilities.%s as execve makes it %s", k.name, spec(specerror.LinuxProcCapError)),
			"%s %s, want %016x: missing %s, extra %s", k.field, status[k.field], k.want, capNames(k.want&^got), capNames(got&^k.want))
	}
}

func capNames(m uint64) string {
	var n []string
	for _, cp := range capability.List() {
		if m&(1<<uint(cp)) != 0 {
			n = append(n, cp.String())
		}
	}
	if len(n) == 0 {
		return "none"
	}
	return strings.Join(n, ",")
}

type mountInfo struct {
	point, fstype, source string
	opts                  map[string]bool
	optional              []string
}

func mountTable() []mountInfo {
	data, _ := os.ReadFile("/proc/self/mountinfo")
	var t []mountInfo
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.Fields(l)
		if len(f) < 10 {
			continue
		}
		m := mountInfo{point: unescape(f[4]), opts: map[string]bool{}}
		for _, o := range strings.Split(f[5], ",") {
			m.opts[o] = true
		}
		i := 6
		for ; i < len(f) && f[i] != "-"; i++ {
			m.optional = append(m.optional, f[i])
		}
		if i+2 < len(f) {
			m.fstype, m.source = f[i+1], f[i+2]
		}
		t = append(t, m)
	}
	return t
}

func unescape(s string) string {
	r := strings.NewReplacer(`\040`, " ", `\011`, "\t", `\012`, "\n", `\134`, `\`)
	return r.Replace(s)
}

// lookupMount returns the mount on top at PATH.
func lookupMount(t []mountInfo, path string) *mountInfo {
	var found *mountInfo
	for i := range t {
		if t[i].point == path {
			found = &t[i]
		}
	}
	return found
}

func checkMounts(c checker, s *rspec.Spec) {
	t := mountTable()
	for _, m := range s.Mounts {
		desc := fmt.Sprintf("mounts %s (%s)", m.Destination, m.Type)
		got := lookupMount(t, m.Destination)
		if got == nil {
			c.fail(desc+" is mounted "+spec(specerror.MountsInOrder), "not in /proc/self/mountinfo")
			continue
		}
		c.ok(desc + " is mounted")
		bind := m.Type == "bind"
		for _, o := range m.Options {
			bind = bind || o == "bind" || o == "rbind"
		}
		switch m.Type {
		case "proc", "sysfs", "tmpfs", "devpts", "mqueue", "cgroup2":
			if !bind {
				c.check(got.fstype == m.Type, desc+" has its type", "type %s", got.fstype)
			}
		}
		for _, o := range m.Options {
			switch o {
			case "ro", "nosuid", "nodev", "noexec":
				c.check(got.opts[o], fmt.Sprintf("%s has option %s", desc, o), "options %v", keys(got.opts))
			}
		}
	}
	for _, d := range []struct{ path, fstype string }{{"/proc", "proc"}, {"/sys", "sysfs"}, {"/dev/pts", "devpts"}, {"/dev/shm", "tmpfs"}} {
		got := lookupMount(t, d.path)
		c.check(got != nil && got.fstype == d.fstype, fmt.Sprintf("default filesystem %s is %s %s", d.path, d.fstype, spec(specerror.DefaultFilesystems)),
			"mount %+v", got)
	}
	if s.Linux != nil && s.Linux.RootfsPropagation != "" {
		root := lookupMount(t, "/")
		got := "private"
		if root != nil {
			for _, o := range root.optional {
				switch {
				case strings.HasPrefix(o, "shared:"):
					got = "shared"
				case strings.HasPrefix(o, "master:") && got != "shared":
					got = "slave"
				case o == "unbindable":
					got = "unbindable"
				}
			}
		}
		want := strings.TrimPrefix(s.Linux.RootfsPropagation, "r")
		c.check(got == want, "linux.rootfsPropagation is "+s.Linux.RootfsPropagation, "the root mount is %s (%v)", got, root)
	}
}

func keys(m map[string]bool) []string {
	var k []string
	for s := range m {
		k = append(k, s)
	}
	sort.Strings(k)
	return k
}

func checkDevices(c checker, s *rspec.Spec) {
	for _, d := range []struct {
		path         string
		major, minor uint32
	}{{"/dev/null", 1, 3}, {"/dev/zero", 1, 5}, {"/dev/full", 1, 7}, {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0}} {
		var st unix.Stat_t
		err := unix.Stat(d.path, &st)
		good := err == nil && st.Mode&unix.S_IFMT == unix.S_IFCHR &&
			unix.Major(st.Rdev) == d.major && unix.Minor(st.Rdev) == d.minor
		c.check(good, fmt.Sprintf("default device %s is char %d:%d %s", d.path, d.major, d.minor, spec(specerror.DefaultDevices)),
			"stat: mode %o rdev %d:%d (%v)", st.Mode, unix.Major(st.Rdev), unix.Minor(st.Rdev), err)
	}
	ptmx, err := filepath.EvalSymlinks("/dev/ptmx")
	var st unix.Stat_t
	serr := unix.Stat("/dev/ptmx", &st)
	good := serr == nil && (ptmx == "/dev/pts/ptmx" || (st.Mode&unix.S_IFMT == unix.S_IFCHR && unix.Major(st.Rdev) == 5 && unix.Minor(st.Rdev) == 2))
	c.check(good, "default device /dev/ptmx "+spec(specerror.DefaultDevices), "/dev/ptmx resolves to %q (%v, %v)", ptmx, err, serr)
	for _, l := range []struct{ path, target string }{{"/dev/fd", "/proc/self/fd"}, {"/dev/stdin", "/proc/self/fd/0"}, {"/dev/stdout", "/proc/self/fd/1"}, {"/dev/stderr", "/proc/self/fd/2"}} {
		got, err := os.Readlink(l.path)
		c.check(err == nil && got == l.target, fmt.Sprintf("%s links to %s %s", l.path, l.target, spec(specerror.DefaultRuntimeLinuxSymlinks)), "readlink: %q (%v)", got, err)
	}
	if s.Linux == nil {
		return
	}
	for _, d := range s.Linux.Devices {
		desc := fmt.Sprintf("linux.devices %s %s", d.Path, spec(specerror.DevicesAvailable))
		var st unix.Stat_t
		if err := unix.Stat(d.Path, &st); err != nil {
			c.fail(desc, "stat: %v", err)
			continue
		}
		want := map[string]uint32{"c": unix.S_IFCHR, "u": unix.S_IFCHR, "b": unix.S_IFBLK, "p": unix.S_IFIFO}[d.Type]
		var bad []string
		if st.Mode&unix.S_IFMT != want {
			bad = append(bad, fmt.Sprintf("type %o, want %o", st.Mode&unix.S_IFMT, want))
		}
		if d.Type != "p" && (int64(unix.Major(st.Rdev)) != d.Major || int64(unix.Minor(st.Rdev)) != d.Minor) {
			bad = append(bad, fmt.Sprintf("rdev %d:%d, want %d:%d", unix.Major(st.Rdev), unix.Minor(st.Rdev), d.Major, d.Minor))
		}
		if d.FileMode != nil && os.FileMode(st.Mode&0o7777) != d.FileMode.Perm() {
			bad = append(bad, fmt.Sprintf("mode %o, want %o", st.Mode&0o7777, d.FileMode.Perm()))
		}
		if d.UID != nil && st.Uid != *d.UID {
			bad = append(bad, fmt.Sprintf("uid %d, want %d", st.Uid, *d.UID))
		}
		if d.GID != nil && st.Gid != *d.GID {
			bad = append(bad, fmt.Sprintf("gid %d, want %d", st.Gid, *d.GID))
		}
		c.check(len(bad) == 0, desc, "%s", strings.Join(bad, "; "))
	}
}

func checkLinuxPaths(c checker, s *rspec.Spec) {
	if s.Linux == nil {
		return
	}
	for _, p := range s.Linux.MaskedPaths {
		desc := "linux.maskedPaths " + p + " is masked"
		fi, err := os.Stat(p)
		if err != nil {
			if os.IsNotExist(err) {
				c.ok(desc + " (absent)")
			} else {
				c.fail(desc, "stat: %v", err)
			}
			continue
		}
		if fi.IsDir() {
			ents, err := os.ReadDir(p)
			c.check(err == nil && len(ents) == 0, desc, "a directory with %d entries (%v)", len(ents), err)
			continue
		}
		f, err := os.Open(p)
		if err != nil {
			c.check(os.IsPermission(err), desc, "open: %v", err)
			continue
		}
		buf := make([]byte, 64)
		n, _ := f.Read(buf)
		f.Close()
		c.check(n == 0, desc, "read %d bytes", n)
	}
	for _, p := range s.Linux.ReadonlyPaths {
		desc := "linux.readonlyPaths " + p + " is read-only"
		var st unix.Statfs_t
		if err := unix.Statfs(p, &st); err != nil {
			if os.IsNotExist(err) {
				c.ok(desc + " (absent)")
			} else {
				c.fail(desc, "statfs: %v", err)
			}
			continue
		}
		c.check(st.Flags&unix.ST_RDONLY != 0, desc, "statfs flags %#x", st.Flags)
	}
	keysSorted := make([]string, 0, len(s.Linux.Sysctl))
	for k := range s.Linux.Sysctl {
		keysSorted = append(keysSorted, k)
	}
	sort.Strings(keysSorted)
	for _, k := range keysSorted {
		v := readTrim("/proc/sys/" + strings.ReplaceAll(k, ".", "/"))
		c.check(v == s.Linux.Sysctl[k], fmt.Sprintf("linux.sysctl %s is %s", k, s.Linux.Sysctl[k]), "read %q", v)
	}
}

func checkLinuxMisc(c checker, s *rspec.Spec) {
	if s.Linux == nil {
		return
	}
	status := procStatus()
	if s.Linux.Seccomp != nil {
		c.check(status["Seccomp"] == "2", "linux.seccomp loads a filter", "Seccomp: %s", status["Seccomp"])
	}
	for _, m := range []struct {
		file string
		maps []rspec.LinuxIDMapping
	}{{"uid_map", s.Linux.UIDMappings}, {"gid_map", s.Linux.GIDMappings}} {
		if len(m.maps) == 0 {
			continue
		}
		data := readTrim("/proc/self/" + m.file)
		var have []string
		for _, l := range strings.Split(data, "\n") {
			have = append(have, strings.Join(strings.Fields(l), " "))
		}
		for _, want := range m.maps {
			w := fmt.Sprintf("%d %d %d", want.ContainerID, want.HostID, want.Size)
			found := false
			for _, h := range have {
				found = found || h == w
			}
			c.check(found, fmt.Sprintf("linux %s has %s", m.file, w), "%s: %q", m.file, data)
		}
	}
	for _, ns := range s.Linux.Namespaces {
		if ns.Type != rspec.CgroupNamespace || ns.Path != "" {
			continue
		}
		data := readTrim("/proc/self/cgroup")
		good := true
		for _, l := range strings.Split(data, "\n") {
			f := strings.SplitN(l, ":", 3)
			good = good && len(f) == 3 && f[2] == "/"
		}
		c.check(good, "a new cgroup namespace is rooted at the container's cgroup", "/proc/self/cgroup:\n%s", data)
	}
	if s.Linux.Personality != nil {
		var u unix.Utsname
		_ = unix.Uname(&u)
		m := unix.ByteSliceToString(u.Machine[:])
		want := "x86_64"
		if s.Linux.Personality.Domain == rspec.PerLinux32 {
			want = "i686"
		}
		c.check(m == want, "linux.personality "+string(s.Linux.Personality.Domain), "uname -m %s", m)
	}
}

// checkProbe runs one named probe from the checker's arguments:
//
//	mkdir-errno=N   mkdir fails with errno N (a seccomp rule's errnoRet)
//	no-file=PATH    PATH does not exist
//	file=PATH       PATH exists
func checkProbe(c checker, arg string) {
	k, v, _ := strings.Cut(arg, "=")
	switch k {
	case "mkdir-errno":
		want, _ := strconv.Atoi(v)
		err := unix.Mkdir("/tmp/.oci-conformance-probe", 0o700)
		unix.Rmdir("/tmp/.oci-conformance-probe")
		c.check(err == unix.Errno(want), fmt.Sprintf("a seccomp rule makes mkdir fail with errno %d", want), "mkdir: %v", err)
	case "no-file":
		_, err := os.Lstat(v)
		c.check(os.IsNotExist(err), v+" does not exist", "lstat: %v", err)
	case "file":
		_, err := os.Lstat(v)
		c.check(err == nil, v+" exists", "lstat: %v", err)
	default:
		c.fail("probe "+arg, "unknown probe")
	}
}

func procStatus() map[string]string {
	m := map[string]string{}
	data, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok {
			m[k] = strings.TrimSpace(v)
		}
	}
	return m
}

func readTrim(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return strings.TrimSpace(string(data))
}
