package ocispec

import (
	"errors"
	"path"
	"slices"
	"sort"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	corev1 "k8s.io/api/core/v1"
)

// Mount is a host path mounted into the container (a volume, /etc/hosts, the termination log).
type Mount struct {
	Source, Destination string
	ReadOnly            bool
}

// Input is everything the spec of one container is built from.
type Input struct {
	Pod       *corev1.Pod
	Container *corev1.Container
	Args      []string
	Env       []string
	Cwd       string
	User      User
	// Rootfs is the container's mounted root filesystem on the host.
	Rootfs   string
	Hostname string
	Mounts   []Mount
	// AllowPrivileged is false on nodes where privileged containers are refused.
	AllowPrivileged bool
	// HostDevices are given to privileged containers.
	HostDevices []specs.LinuxDevice
	// CapabilityMask is the bounding set of the agent (bit n is capability n); capabilities outside
	// it cannot be given and are left out. Zero means no filtering.
	CapabilityMask uint64
	CgroupsPath    string
}

// ErrPrivilegedNotAllowed is returned for a privileged container on a node that refuses them.
var ErrPrivilegedNotAllowed = errors.New("privileged containers are not allowed on this node")

// DefaultCapabilities are the capabilities container runtimes give a non-privileged container.
var DefaultCapabilities = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
	"CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
	"CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

// AllCapabilities are the capabilities of a privileged container.
var AllCapabilities = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
	"CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
	"CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
	"CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
	"CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
	"CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
}

// Privileged says whether the container asks to be privileged.
func Privileged(c *corev1.Container) bool {
	return c.SecurityContext != nil && c.SecurityContext.Privileged != nil && *c.SecurityContext.Privileged
}

// Capabilities applies securityContext.capabilities (drop first, "ALL" allowed, then add) to the
// default set; a privileged container gets every capability.
func Capabilities(c *corev1.Container) []string {
	if Privileged(c) {
		return append([]string(nil), AllCapabilities...)
	}
	set := map[string]bool{}
	for _, cp := range DefaultCapabilities {
		set[cp] = true
	}
	if sc := c.SecurityContext; sc != nil && sc.Capabilities != nil {
		for _, d := range sc.Capabilities.Drop {
			if strings.EqualFold(string(d), "ALL") {
				set = map[string]bool{}
				continue
			}
			delete(set, capName(d))
		}
		for _, a := range sc.Capabilities.Add {
			if strings.EqualFold(string(a), "ALL") {
				for _, cp := range AllCapabilities {
					set[cp] = true
				}
				continue
			}
			set[capName(a)] = true
		}
	}
	out := make([]string, 0, len(set))
	for cp := range set {
		out = append(out, cp)
	}
	sort.Strings(out)
	return out
}

// FilterCapabilities keeps the capabilities whose bit is set in mask (all when mask is 0).
func FilterCapabilities(caps []string, mask uint64) []string {
	if mask == 0 {
		return caps
	}
	out := make([]string, 0, len(caps))
	for _, c := range caps {
		if n := slices.Index(AllCapabilities, c); n < 0 || mask&(1<<uint(n)) != 0 {
			out = append(out, c)
		}
	}
	return out
}

func capName(c corev1.Capability) string {
	s := strings.ToUpper(string(c))
	if !strings.HasPrefix(s, "CAP_") {
		s = "CAP_" + s
	}
	return s
}

// Build makes the runc spec of a container.
func Build(in Input) (*specs.Spec, error) {
	privileged := Privileged(in.Container)
	if privileged && !in.AllowPrivileged {
		return nil, ErrPrivilegedNotAllowed
	}
	sc := in.Container.SecurityContext
	caps := FilterCapabilities(Capabilities(in.Container), in.CapabilityMask)
	s := &specs.Spec{
		Version:  specs.Version,
		Hostname: in.Hostname,
		Root:     &specs.Root{Path: in.Rootfs, Readonly: sc != nil && sc.ReadOnlyRootFilesystem != nil && *sc.ReadOnlyRootFilesystem},
		Process: &specs.Process{
			Args: in.Args,
			Env:  in.Env,
			Cwd:  in.Cwd,
			User: specs.User{UID: in.User.UID, GID: in.User.GID, AdditionalGids: in.User.AdditionalGids},
			Capabilities: &specs.LinuxCapabilities{
				Bounding: caps, Effective: caps, Permitted: caps,
			},
			NoNewPrivileges: sc != nil && sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation,
		},
		Mounts: defaultMounts(privileged),
		Linux: &specs.Linux{
			// No network namespace: pods use the host's network.
			Namespaces: []specs.LinuxNamespace{
				{Type: specs.PIDNamespace}, {Type: specs.MountNamespace}, {Type: specs.IPCNamespace}, {Type: specs.UTSNamespace},
			},
			CgroupsPath: in.CgroupsPath,
			Resources:   resources(in.Container, privileged),
			Sysctl:      sysctls(in.Pod),
		},
	}
	if privileged {
		s.Linux.Devices = in.HostDevices
	} else {
		s.Linux.MaskedPaths = maskedPaths
		s.Linux.ReadonlyPaths = readonlyPaths
	}
	s.Mounts = append(s.Mounts, bindMounts(in.Mounts)...)
	return s, nil
}

var maskedPaths = []string{
	"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
	"/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
}

var readonlyPaths = []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}

func defaultMounts(privileged bool) []specs.Mount {
	sysOpts := []string{"nosuid", "noexec", "nodev", "ro"}
	cgroupOpts := []string{"nosuid", "noexec", "nodev", "relatime", "ro"}
	if privileged {
		sysOpts = []string{"nosuid", "noexec", "nodev", "rw"}
		cgroupOpts = []string{"nosuid", "noexec", "nodev", "relatime", "rw"}
	}
	return []specs.Mount{
		{Destination: "/proc", Type: "proc", Source: "proc", Options: []string{"nosuid", "noexec", "nodev"}},
		{Destination: "/dev", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
		{Destination: "/dev/pts", Type: "devpts", Source: "devpts", Options: []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
		{Destination: "/dev/shm", Type: "tmpfs", Source: "shm", Options: []string{"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
		{Destination: "/dev/mqueue", Type: "mqueue", Source: "mqueue", Options: []string{"nosuid", "noexec", "nodev"}},
		{Destination: "/sys", Type: "sysfs", Source: "sysfs", Options: sysOpts},
		{Destination: "/sys/fs/cgroup", Type: "cgroup", Source: "cgroup", Options: cgroupOpts},
	}
}

// bindMounts orders mounts so that a parent directory is mounted before what is mounted below it.
func bindMounts(ms []Mount) []specs.Mount {
	sorted := append([]Mount(nil), ms...)
	depth := func(p string) int { return strings.Count(path.Clean(p), "/") }
	sort.SliceStable(sorted, func(i, j int) bool { return depth(sorted[i].Destination) < depth(sorted[j].Destination) })
	out := make([]specs.Mount, 0, len(sorted))
	for _, m := range sorted {
		opts := []string{"rbind", "rprivate"}
		if m.ReadOnly {
			opts = append(opts, "ro")
		}
		out = append(out, specs.Mount{Destination: m.Destination, Type: "bind", Source: m.Source, Options: opts})
	}
	return out
}

func resources(c *corev1.Container, privileged bool) *specs.LinuxResources {
	r := &specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{{Allow: privileged, Access: "rwm"}}}
	cpu := &specs.LinuxCPU{}
	if q, ok := c.Resources.Requests[corev1.ResourceCPU]; ok {
		shares := uint64(q.MilliValue() * 1024 / 1000)
		cpu.Shares = &shares
	}
	if q, ok := c.Resources.Limits[corev1.ResourceCPU]; ok {
		period := uint64(100000)
		quota := q.MilliValue() * int64(period) / 1000
		if quota < 1000 {
			quota = 1000
		}
		cpu.Period, cpu.Quota = &period, &quota
		if cpu.Shares == nil {
			shares := uint64(q.MilliValue() * 1024 / 1000)
			cpu.Shares = &shares
		}
	}
	if cpu.Shares != nil && *cpu.Shares < 2 {
		*cpu.Shares = 2
	}
	if cpu.Shares != nil || cpu.Quota != nil {
		r.CPU = cpu
	}
	if q, ok := c.Resources.Limits[corev1.ResourceMemory]; ok {
		limit := q.Value()
		r.Memory = &specs.LinuxMemory{Limit: &limit}
	}
	return r
}

// sysctls keeps the pod's IPC sysctls; network ones would change the host, whose network
// namespace the pod shares.
func sysctls(pod *corev1.Pod) map[string]string {
	if pod.Spec.SecurityContext == nil || len(pod.Spec.SecurityContext.Sysctls) == 0 {
		return nil
	}
	out := map[string]string{}
	for _, s := range pod.Spec.SecurityContext.Sysctls {
		if strings.HasPrefix(s.Name, "kernel.shm") || strings.HasPrefix(s.Name, "kernel.msg") ||
			s.Name == "kernel.sem" || strings.HasPrefix(s.Name, "fs.mqueue.") {
			out[s.Name] = s.Value
		}
	}
	return out
}
