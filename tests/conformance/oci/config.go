package main

// Programs that run the checker inside a container made from the generator's
// default config with one part of it changed, and report what it saw.

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	rspec "github.com/opencontainers/runtime-spec/specs-go"
)

// insideProgram registers a program that edits the default config with EDIT
// and checks the container from inside; ARGS are extra probes.
func insideProgram(name, desc string, edit func(b *bundle), args ...string) {
	register(name, desc, func(t *tap, r *runtime) {
		b := r.newBundle(t)
		if edit != nil {
			edit(b)
		}
		r.runInside(t, b, args...)
	})
}

func u32(v uint32) *uint32 { return &v }

func init() {
	insideProgram("default", "the runtime-tools generator's default config, unchanged", nil)

	insideProgram("root_readonly", "root.readonly", func(b *bundle) {
		b.g.SetRootReadonly(true)
	})

	insideProgram("process_user", "process.user, additionalGids, umask, cwd and env", func(b *bundle) {
		b.g.SetProcessUID(1000)
		b.g.SetProcessGID(1000)
		b.g.AddProcessAdditionalGid(5)
		b.g.AddProcessAdditionalGid(6)
		b.g.SetProcessUmask(0o027)
		b.g.SetProcessCwd("/tmp")
		b.g.AddProcessEnv("CONFORMANCE", "yes it is")
		b.g.AddProcessEnv("EMPTY", "")
	})

	insideProgram("process_cwd_created", "a process.cwd missing from the rootfs is created (runc does; the spec is silent)", func(b *bundle) {
		b.g.SetProcessCwd("/var/lib/conformance/cwd")
	})

	insideProgram("process_capabilities", "a reduced capability set, no ambient", func(b *bundle) {
		b.g.ClearProcessCapabilities()
		for _, c := range []string{"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"} {
			b.g.AddProcessCapabilityBounding(c)
			b.g.AddProcessCapabilityPermitted(c)
			b.g.AddProcessCapabilityEffective(c)
		}
		b.g.AddProcessCapabilityInheritable("CAP_KILL")
	})

	insideProgram("process_capabilities_none", "every capability set empty", func(b *bundle) {
		b.g.ClearProcessCapabilities()
	})

	insideProgram("process_ambient_nonroot", "ambient capabilities for a non-root user", func(b *bundle) {
		b.g.SetProcessUID(1000)
		b.g.SetProcessGID(1000)
	})

	insideProgram("process_rlimits", "process.rlimits", func(b *bundle) {
		b.g.AddProcessRlimits("RLIMIT_CORE", 4096, 2048)
		b.g.AddProcessRlimits("RLIMIT_NPROC", 4096, 1024)
		b.g.AddProcessRlimits("RLIMIT_NOFILE", 256, 128)
		b.g.AddProcessRlimits("RLIMIT_MSGQUEUE", 819200, 409600)
		b.g.AddProcessRlimits("RLIMIT_STACK", 16<<20, 8<<20)
	})

	insideProgram("process_oom_score_adj", "process.oomScoreAdj", func(b *bundle) {
		b.g.SetProcessOOMScoreAdj(500)
	})

	insideProgram("process_no_new_privileges", "process.noNewPrivileges", func(b *bundle) {
		b.g.SetProcessNoNewPrivileges(true)
	})

	insideProgram("hostname", "hostname and domainname", func(b *bundle) {
		b.g.SetHostname("conformance")
		b.g.Config.Domainname = "example.org"
	})

	insideProgram("mounts", "tmpfs and bind mounts with options", func(b *bundle) {
		src := b.dir + "/shared"
		if err := os.MkdirAll(src+"/sub", 0o755); err != nil {
			panic(err)
		}
		if err := os.WriteFile(b.dir+"/file", []byte("a file\n"), 0o644); err != nil {
			panic(err)
		}
		b.g.AddMount(rspec.Mount{Destination: "/mnt/tmpfs", Type: "tmpfs", Source: "tmpfs",
			Options: []string{"nosuid", "nodev", "noexec", "size=1m", "mode=0700"}})
		b.g.AddMount(rspec.Mount{Destination: "/mnt/bind-ro", Type: "bind", Source: src,
			Options: []string{"rbind", "ro", "nosuid"}})
		b.g.AddMount(rspec.Mount{Destination: "/mnt/bind-rw", Type: "none", Source: src,
			Options: []string{"bind", "nodev"}})
		b.g.AddMount(rspec.Mount{Destination: "/mnt/file", Type: "bind", Source: b.dir + "/file",
			Options: []string{"bind", "ro"}})
		b.g.AddMount(rspec.Mount{Destination: "/mnt/tmpfs/nested", Type: "tmpfs", Source: "tmpfs",
			Options: []string{"ro"}})
	}, "file=/mnt/bind-ro/sub", "file=/mnt/file")

	insideProgram("mounts_cgroup", "a cgroup mount", func(b *bundle) {
		b.g.AddMount(rspec.Mount{Destination: "/sys/fs/cgroup", Type: "cgroup", Source: "cgroup",
			Options: []string{"nosuid", "noexec", "nodev", "relatime", "ro"}})
	})

	insideProgram("linux_sysctl", "linux.sysctl", func(b *bundle) {
		b.g.AddLinuxSysctl("net.ipv4.ip_forward", "1")
		b.g.AddLinuxSysctl("net.ipv4.ping_group_range", "0\t2147483647")
		b.g.AddLinuxSysctl("kernel.shmmax", "68719476736")
		b.g.AddLinuxSysctl("kernel.msgmax", "16384")
	})

	insideProgram("linux_masked_readonly_paths", "linux.maskedPaths and linux.readonlyPaths", func(b *bundle) {
		b.g.Config.Linux.MaskedPaths = []string{"/proc/kcore", "/proc/keys", "/proc/timer_list",
			"/proc/sched_debug", "/sys/firmware", "/proc/scsi", "/proc/acpi", "/masked-missing"}
		b.g.Config.Linux.ReadonlyPaths = []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
			"/proc/sysrq-trigger", "/readonly-missing"}
	})

	insideProgram("linux_devices", "linux.devices", func(b *bundle) {
		b.g.Config.Linux.Devices = []rspec.LinuxDevice{
			{Path: "/dev/conformance-null", Type: "c", Major: 1, Minor: 3, FileMode: fileMode(0o600), UID: u32(1), GID: u32(2)},
			{Path: "/dev/conformance-block", Type: "b", Major: 7, Minor: 200, FileMode: fileMode(0o660)},
			{Path: "/dev/conformance-fifo", Type: "p", FileMode: fileMode(0o640)},
			{Path: "/dev/sub/conformance-zero", Type: "c", Major: 1, Minor: 5},
		}
	})

	insideProgram("linux_uid_gid_mappings", "a user namespace with uid and gid mappings", func(b *bundle) {
		b.userns(100000)
	})

	// The runtime opens a bind mount's source as itself, on the host: the
	// container's root, mapped to an unprivileged host uid, need not be able
	// to reach it.
	insideProgram("linux_uid_gid_mappings_bind_source", "a user namespace, a bind mount from a directory only root can search", func(b *bundle) {
		b.userns(100000)
		if err := os.MkdirAll(b.dir+"/private/data", 0o755); err != nil {
			panic(err)
		}
		if err := os.Chmod(b.dir+"/private", 0o700); err != nil {
			panic(err)
		}
		b.g.AddMount(rspec.Mount{Destination: "/mnt/data", Type: "bind", Source: b.dir + "/private/data",
			Options: []string{"rbind", "ro"}})
	}, "file=/mnt/data")

	for _, p := range []string{"private", "rprivate", "slave", "rslave", "shared", "rshared"} {
		prop := p
		insideProgram("linux_rootfs_propagation_"+prop, "linux.rootfsPropagation "+prop, func(b *bundle) {
			if err := b.g.SetLinuxRootPropagation(prop); err != nil {
				panic(err)
			}
			// A shared mount above the rootfs, as on a host under systemd:
			// slave and shared are then visible in the container.
			for _, c := range [][]string{{"mount", "--bind", b.dir, b.dir}, {"mount", "--make-shared", b.dir}} {
				if res := runCmd(cmdTimeout, "", c[0], c[1:]...); !res.ok() {
					panic(fmt.Sprintf("%v: %s", c, res))
				}
			}
		})
	}

	insideProgram("linux_seccomp_rule", "a seccomp profile with one errno rule", func(b *bundle) {
		b.g.Config.Linux.Seccomp = &rspec.LinuxSeccomp{
			DefaultAction: rspec.ActAllow,
			Architectures: []rspec.Arch{rspec.ArchX86_64, rspec.ArchX86, rspec.ArchX32},
			Syscalls: []rspec.LinuxSyscall{{Names: []string{"mkdir", "mkdirat"}, Action: rspec.ActErrno,
				ErrnoRet: uintp(38)}},
		}
	}, "mkdir-errno=38")

	insideProgram("linux_seccomp_nnp", "the generator's seccomp profile with noNewPrivileges", func(b *bundle) {
		b.g.SetProcessNoNewPrivileges(true)
	})

	insideProgram("linux_cgroup_namespace", "a new cgroup namespace", func(b *bundle) {
		b.g.AddOrReplaceLinuxNamespace("cgroup", "")
	})

	insideProgram("linux_personality", "linux.personality LINUX32", func(b *bundle) {
		b.g.Config.Linux.Personality = &rspec.LinuxPersonality{Domain: rspec.PerLinux32}
	})
}

func fileMode(m os.FileMode) *os.FileMode { return &m }

func uintp(v uint) *uint { return &v }

// userns puts the container in a user namespace whose root is host uid and
// gid BASE, and hands it the rootfs, as an image unpacked for it would be
// (the runtime itself should not change the ownership of the rootfs).
func (b *bundle) userns(base uint32) {
	b.g.AddOrReplaceLinuxNamespace("user", "")
	b.g.AddLinuxUIDMapping(base, 0, 65536)
	b.g.AddLinuxGIDMapping(base, 0, 65536)
	err := filepath.Walk(filepath.Join(b.dir, "rootfs"), func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		return os.Lchown(p, int(base+st.Uid), int(base+st.Gid))
	})
	if err != nil {
		panic(err)
	}
}
