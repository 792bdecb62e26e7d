package main

// Programs about linux.resources and linux.cgroupsPath
// (config-linux.md#control-groups): each limit is read back from the
// container's cgroup.  On cgroup v1 (and hybrid) hosts the library's v1
// readers (runtime-tools/cgroups) read memory, cpu, pids and devices; the
// files it does not read are read here.  A controller the host lacks is a
// skipped point, with the reason.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/opencontainers/runtime-tools/cgroups"
	"github.com/opencontainers/runtime-tools/specerror"
)

func cgroupV2() bool { return exists("/sys/fs/cgroup/cgroup.controllers") }

// cgFile reads FILE of the container's cgroup in CONTROLLER's hierarchy (v1)
// or in the unified one (v2).
func cgFile(controller, path, file string) string {
	dir := filepath.Join("/sys/fs/cgroup", controller, path)
	if cgroupV2() {
		dir = filepath.Join("/sys/fs/cgroup", path)
	}
	return readTrim(filepath.Join(dir, file))
}

func hasController(c string) bool {
	if cgroupV2() {
		return strings.Contains(" "+readTrim("/sys/fs/cgroup/cgroup.controllers")+" ", " "+c+" ")
	}
	return exists(filepath.Join("/sys/fs/cgroup", c, "cgroup.procs"))
}

func i64(v int64) *int64   { return &v }
func itoa(v int64) string  { return fmt.Sprint(v) }
func utoa(v uint64) string { return fmt.Sprint(v) }

func init() {
	register("linux_cgroups_path", "the process is in linux.cgroupsPath", cgroupsPathProgram)
	register("linux_cgroups_memory", "linux.resources.memory", cgroupsMemory)
	register("linux_cgroups_memory_kernel", "linux.resources.memory.kernel and kernelTCP (deprecated)", cgroupsMemoryKernel)
	register("linux_cgroups_cpu", "linux.resources.cpu", cgroupsCPU)
	register("linux_cgroups_pids", "linux.resources.pids", cgroupsPids)
	register("linux_cgroups_blkio", "linux.resources.blockIO", cgroupsBlkio)
	register("linux_cgroups_devices", "linux.resources.devices", cgroupsDevices)
	register("linux_cgroups_hugetlb", "linux.resources.hugepageLimits", cgroupsHugetlb)
	register("linux_cgroups_network", "linux.resources.network", cgroupsNetwork)
}

// withLimits starts a container from the default config edited by EDIT and
// calls CHECK with its pid and cgroups path.
func withLimits(t *tap, r *runtime, what string, edit func(b *bundle), check func(pid int, path string)) {
	b := r.newBundle(t)
	edit(b)
	if startSleeper(t, r, b, "a container with "+what) {
		check(r.pid(b.id), b.spec().Linux.CgroupsPath)
	}
	r.exec("", "delete", "--force", b.id)
}

func cgroupsPathProgram(t *tap, r *runtime) {
	withLimits(t, r, "an absolute cgroupsPath", func(b *bundle) {}, func(pid int, path string) {
		data := readTrim(fmt.Sprintf("/proc/%d/cgroup", pid))
		for _, l := range strings.Split(data, "\n") {
			f := strings.SplitN(l, ":", 3)
			if len(f) != 3 || strings.HasPrefix(f[1], "name=") || f[1] == "rdma" || f[1] == "misc" {
				continue
			}
			if f[1] == "" && !cgroupV2() {
				// The unified hierarchy of a hybrid host: runc puts the
				// container there too, at the same path.
				f[1] = "unified"
			}
			t.ok(f[2] == path, fmt.Sprintf("the process is in %s of %s %s", path, f[1], spec(specerror.CgroupsPathAttach)), "it is in %s", f[2])
		}
	})
}

func cgroupsMemory(t *tap, r *runtime) {
	limit, reservation, swap := int64(64<<20), int64(32<<20), int64(128<<20)
	withLimits(t, r, "memory limits", func(b *bundle) {
		b.g.SetLinuxResourcesMemoryLimit(limit)
		b.g.SetLinuxResourcesMemoryReservation(reservation)
		b.g.SetLinuxResourcesMemorySwap(swap)
		if !cgroupV2() {
			b.g.SetLinuxResourcesMemorySwappiness(30)
		}
		b.g.SetLinuxResourcesMemoryDisableOOMKiller(true)
	}, func(pid int, path string) {
		if cgroupV2() {
			t.ok(cgFile("", path, "memory.max") == itoa(limit), "memory.limit is memory.max", "memory.max %s", cgFile("", path, "memory.max"))
			t.ok(cgFile("", path, "memory.low") == itoa(reservation), "memory.reservation is memory.low", "memory.low %s", cgFile("", path, "memory.low"))
			t.ok(cgFile("", path, "memory.swap.max") == itoa(swap-limit), "memory.swap is memory.swap.max + memory.max", "memory.swap.max %s", cgFile("", path, "memory.swap.max"))
			return
		}
		cg, err := cgroups.FindCgroup()
		if err != nil {
			t.fail("find the cgroup mounts", "%v", err)
			return
		}
		m, err := cg.GetMemoryData(pid, path)
		if !t.ok(err == nil, "read the memory cgroup "+spec(specerror.CgroupsAbsPathRelToMount), "%v", err) {
			return
		}
		t.ok(m.Limit != nil && *m.Limit == limit, "memory.limit is set", "memory.limit_in_bytes %v", deref(m.Limit))
		t.ok(m.Reservation != nil && *m.Reservation == reservation, "memory.reservation is set", "memory.soft_limit_in_bytes %v", deref(m.Reservation))
		t.ok(m.Swap != nil && *m.Swap == swap, "memory.swap is set", "memory.memsw.limit_in_bytes %v", deref(m.Swap))
		t.ok(m.Swappiness != nil && *m.Swappiness == 30, "memory.swappiness is set", "memory.swappiness %v", deref(m.Swappiness))
		t.ok(m.DisableOOMKiller != nil && *m.DisableOOMKiller, "memory.disableOOMKiller is set", "oom_kill_disable %v", deref(m.DisableOOMKiller))
	})
}

func deref[T any](p *T) interface{} {
	if p == nil {
		return "(unset)"
	}
	return *p
}

// cgroupsMemoryKernel: runtime-spec marks both fields deprecated ("runtimes
// MAY ignore"), and kernels from 6.1 on no longer limit kernel memory: the
// container must still start.
func cgroupsMemoryKernel(t *tap, r *runtime) {
	withLimits(t, r, "memory.kernel and memory.kernelTCP (deprecated: runtimes may ignore them)", func(b *bundle) {
		b.g.SetLinuxResourcesMemoryLimit(64 << 20)
		b.g.SetLinuxResourcesMemoryKernel(32 << 20)
		b.g.SetLinuxResourcesMemoryKernelTCP(16 << 20)
	}, func(pid int, path string) {
		t.ok(cgFile("memory", path, "memory.limit_in_bytes") == itoa(64<<20) || cgroupV2(), "the memory limit beside them is set",
			"memory.limit_in_bytes %s", cgFile("memory", path, "memory.limit_in_bytes"))
	})
}

func cgroupsCPU(t *tap, r *runtime) {
	shares, quota, period := uint64(512), int64(50000), uint64(100000)
	withLimits(t, r, "cpu limits", func(b *bundle) {
		b.g.SetLinuxResourcesCPUShares(shares)
		b.g.SetLinuxResourcesCPUQuota(quota)
		b.g.SetLinuxResourcesCPUPeriod(period)
		b.g.SetLinuxResourcesCPUCpus("0")
		b.g.SetLinuxResourcesCPUMems("0")
	}, func(pid int, path string) {
		if cgroupV2() {
			t.ok(cgFile("", path, "cpu.max") == fmt.Sprintf("%d %d", quota, period), "cpu.quota and cpu.period are cpu.max", "cpu.max %s", cgFile("", path, "cpu.max"))
			t.ok(cgFile("", path, "cpuset.cpus") == "0", "cpu.cpus is set", "cpuset.cpus %s", cgFile("", path, "cpuset.cpus"))
			return
		}
		t.ok(cgFile("cpu", path, "cpu.shares") == utoa(shares), "cpu.shares is set", "cpu.shares %s", cgFile("cpu", path, "cpu.shares"))
		t.ok(cgFile("cpu", path, "cpu.cfs_quota_us") == itoa(quota), "cpu.quota is set", "cpu.cfs_quota_us %s", cgFile("cpu", path, "cpu.cfs_quota_us"))
		t.ok(cgFile("cpu", path, "cpu.cfs_period_us") == utoa(period), "cpu.period is set", "cpu.cfs_period_us %s", cgFile("cpu", path, "cpu.cfs_period_us"))
		t.ok(cgFile("cpuset", path, "cpuset.cpus") == "0", "cpu.cpus is set", "cpuset.cpus %s", cgFile("cpuset", path, "cpuset.cpus"))
		t.ok(cgFile("cpuset", path, "cpuset.mems") == "0", "cpu.mems is set", "cpuset.mems %s", cgFile("cpuset", path, "cpuset.mems"))
	})
}

func cgroupsPids(t *tap, r *runtime) {
	withLimits(t, r, "a pids limit", func(b *bundle) {
		b.g.SetLinuxResourcesPidsLimit(100)
	}, func(pid int, path string) {
		if cgroupV2() {
			t.ok(cgFile("", path, "pids.max") == "100", "pids.limit is set", "pids.max %s", cgFile("", path, "pids.max"))
			return
		}
		cg, err := cgroups.FindCgroup()
		if err != nil {
			t.fail("find the cgroup mounts", "%v", err)
			return
		}
		p, err := cg.GetPidsData(pid, path)
		t.ok(err == nil && p.Limit == 100, "pids.limit is set", "%v %v", p, err)
	})
}

// blockDevice is the major:minor of a whole disk of this host.
func blockDevice() (int64, int64, bool) {
	ents, _ := os.ReadDir("/sys/block")
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "loop") || strings.HasPrefix(e.Name(), "zram") || strings.HasPrefix(e.Name(), "ram") {
			continue
		}
		var maj, min int64
		if _, err := fmt.Sscanf(readTrim("/sys/block/"+e.Name()+"/dev"), "%d:%d", &maj, &min); err == nil {
			return maj, min, true
		}
	}
	return 0, 0, false
}

func cgroupsBlkio(t *tap, r *runtime) {
	maj, min, ok := blockDevice()
	if !ok || !hasController("blkio") && !hasController("io") {
		t.skip("linux.resources.blockIO", "no disk or no blkio/io controller on this host")
		return
	}
	hasWeight := exists("/sys/fs/cgroup/blkio/blkio.weight") || exists("/sys/fs/cgroup/blkio/blkio.bfq.weight")
	withLimits(t, r, "block I/O throttling", func(b *bundle) {
		b.g.AddLinuxResourcesBlockIOThrottleReadBpsDevice(maj, min, 1<<20)
		b.g.AddLinuxResourcesBlockIOThrottleWriteBpsDevice(maj, min, 2<<20)
		b.g.AddLinuxResourcesBlockIOThrottleReadIOPSDevice(maj, min, 300)
		b.g.AddLinuxResourcesBlockIOThrottleWriteIOPSDevice(maj, min, 400)
		if hasWeight {
			b.g.SetLinuxResourcesBlockIOWeight(500)
		}
	}, func(pid int, path string) {
		dev := fmt.Sprintf("%d:%d", maj, min)
		if cgroupV2() {
			t.ok(strings.Contains(cgFile("", path, "io.max"), dev+" rbps=1048576 wbps=2097152 riops=300 wiops=400"), "blockIO throttling is io.max", "io.max %s", cgFile("", path, "io.max"))
			return
		}
		for _, f := range []struct{ file, want string }{
			{"blkio.throttle.read_bps_device", dev + " 1048576"}, {"blkio.throttle.write_bps_device", dev + " 2097152"},
			{"blkio.throttle.read_iops_device", dev + " 300"}, {"blkio.throttle.write_iops_device", dev + " 400"},
		} {
			got := cgFile("blkio", path, f.file)
			t.ok(strings.Contains(got, f.want), f.file+" is set", "%s: %q", f.file, got)
		}
		if hasWeight {
			got := cgFile("blkio", path, "blkio.weight")
			if !exists(filepath.Join("/sys/fs/cgroup/blkio", path, "blkio.weight")) {
				got = cgFile("blkio", path, "blkio.bfq.weight")
			}
			t.ok(strings.HasPrefix(got, "500") || strings.Contains(got, "default 500"), "blockIO.weight is set", "weight %q", got)
		} else {
			t.skip("blockIO.weight", "this host's I/O scheduler has no blkio.weight (no BFQ)")
		}
	})
}

func cgroupsDevices(t *tap, r *runtime) {
	if cgroupV2() {
		t.skip("linux.resources.devices", "cgroup v2 device rules are an eBPF program; the integration tests check them")
		return
	}
	withLimits(t, r, "device rules", func(b *bundle) {
		b.g.AddLinuxResourcesDevice(true, "c", i64(10), i64(200), "rwm")
		b.g.AddLinuxResourcesDevice(true, "b", i64(7), nil, "r")
	}, func(pid int, path string) {
		cg, err := cgroups.FindCgroup()
		if err != nil {
			t.fail("find the cgroup mounts", "%v", err)
			return
		}
		list, err := cg.GetDevicesData(pid, path)
		if !t.ok(err == nil, "read devices.list", "%v", err) {
			return
		}
		has := func(ty string, maj, min int64, access string) bool {
			for _, d := range list {
				if d.Type == ty && *d.Major == maj && *d.Minor == min && d.Access == access {
					return true
				}
			}
			return false
		}
		t.ok(!has("a", 0, 0, "rwm"), "the default deny-all rule takes away all access "+spec(specerror.DevicesApplyInOrder), "devices.list: %s", cgFile("devices", path, "devices.list"))
		t.ok(has("c", 10, 200, "rwm"), "an allowed char device is in devices.list "+spec(specerror.DevicesApplyInOrder), "devices.list: %s", cgFile("devices", path, "devices.list"))
		t.ok(has("b", 7, 0, "r"), "an allowed block major with any minor is in devices.list", "devices.list: %s", cgFile("devices", path, "devices.list"))
		t.ok(has("c", 1, 3, "rwm"), "the default device /dev/null is allowed "+spec(specerror.DefaultDevices), "devices.list: %s", cgFile("devices", path, "devices.list"))
	})
}

func cgroupsHugetlb(t *tap, r *runtime) {
	if !hasController("hugetlb") {
		t.skip("linux.resources.hugepageLimits", "this host has no hugetlb controller")
		return
	}
	withLimits(t, r, "a hugetlb limit", func(b *bundle) {
		b.g.AddLinuxResourcesHugepageLimit("2MB", 4<<20)
	}, func(pid int, path string) {
		f := "hugetlb.2MB.limit_in_bytes"
		if cgroupV2() {
			f = "hugetlb.2MB.max"
		}
		t.ok(cgFile("hugetlb", path, f) == itoa(4<<20), "hugepageLimits 2MB is set", "%s %s", f, cgFile("hugetlb", path, f))
	})
}

func cgroupsNetwork(t *tap, r *runtime) {
	if !hasController("net_cls") {
		t.skip("linux.resources.network", "this host has no net_cls/net_prio controller")
		return
	}
	withLimits(t, r, "a net_cls class id", func(b *bundle) {
		b.g.SetLinuxResourcesNetworkClassID(0x100001)
	}, func(pid int, path string) {
		t.ok(cgFile("net_cls", path, "net_cls.classid") == "1048577", "network.classID is set", "net_cls.classid %s", cgFile("net_cls", path, "net_cls.classid"))
	})
}
