package runc

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Bundle is a container's directory: config.json, rootfs/ (an overlay mount), the overlay's
// upper and work directories, runc's log and pid file.
type Bundle struct {
	Dir string
}

// Rootfs is where the container's root filesystem is mounted.
func (b *Bundle) Rootfs() string  { return filepath.Join(b.Dir, "rootfs") }
func (b *Bundle) runcLog() string { return filepath.Join(b.Dir, "runc.log") }
func (b *Bundle) pidFile() string { return filepath.Join(b.Dir, "pid") }

// CreateBundle makes the bundle directory and mounts an overlay of lower (read-only) and a fresh
// upper directory on its rootfs.
func CreateBundle(dir, lower string) (*Bundle, error) {
	b := &Bundle{Dir: dir}
	upper, work := filepath.Join(dir, "upper"), filepath.Join(dir, "work")
	for _, d := range []string{b.Rootfs(), upper, work} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("creating bundle: %w", err)
		}
	}
	if strings.ContainsAny(lower+upper+work, ",:") {
		return nil, fmt.Errorf("overlay paths must not contain ',' or ':': %s", dir)
	}
	opts := fmt.Sprintf("lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work)
	if err := unix.Mount("overlay", b.Rootfs(), "overlay", 0, opts); err != nil {
		return nil, fmt.Errorf("mounting overlay root filesystem: %w", err)
	}
	return b, nil
}

// WriteSpec writes config.json.
func (b *Bundle) WriteSpec(s *specs.Spec) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding spec: %w", err)
	}
	if err := os.WriteFile(filepath.Join(b.Dir, "config.json"), data, 0o600); err != nil {
		return fmt.Errorf("writing spec: %w", err)
	}
	return nil
}

// Remove unmounts the root filesystem and deletes the bundle.
func (b *Bundle) Remove() error {
	if err := UnmountAll(b.Dir); err != nil {
		return err
	}
	if err := os.RemoveAll(b.Dir); err != nil {
		return fmt.Errorf("removing bundle: %w", err)
	}
	return nil
}

// UnmountAll lazily unmounts every mount point at or below dir, deepest first.
func UnmountAll(dir string) error {
	points, err := mountsUnder(dir)
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range points {
		if err := unix.Unmount(p, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
			errs = append(errs, fmt.Errorf("unmounting %s: %w", p, err))
		}
	}
	return errors.Join(errs...)
}

func mountsUnder(dir string) ([]string, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, fmt.Errorf("reading mounts: %w", err)
	}
	defer f.Close()
	dir = filepath.Clean(dir)
	var points []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		p := unescapeMountPath(fields[4])
		if p == dir || strings.HasPrefix(p, dir+"/") {
			points = append(points, p)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading mounts: %w", err)
	}
	sort.Slice(points, func(i, j int) bool { return len(points[i]) > len(points[j]) })
	return points, nil
}

// unescapeMountPath undoes mountinfo's octal escapes (\040 for a space).
func unescapeMountPath(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			var v int
			if _, err := fmt.Sscanf(s[i+1:i+4], "%03o", &v); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// HostDevices lists the host's device nodes under /dev, for privileged containers.
func HostDevices() ([]specs.LinuxDevice, error) {
	var out []specs.LinuxDevice
	err := filepath.WalkDir("/dev", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return nil // a device that vanished while walking
		}
		if d.IsDir() {
			switch path {
			case "/dev/pts", "/dev/shm", "/dev/mqueue":
				return filepath.SkipDir
			}
			return nil
		}
		var st unix.Stat_t
		if unix.Lstat(path, &st) != nil {
			return nil
		}
		typ := ""
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFCHR:
			typ = "c"
		case unix.S_IFBLK:
			typ = "b"
		default:
			return nil
		}
		mode := os.FileMode(st.Mode & 0o777)
		uid, gid := st.Uid, st.Gid
		out = append(out, specs.LinuxDevice{
			Path: path, Type: typ, Major: int64(unix.Major(uint64(st.Rdev))), Minor: int64(unix.Minor(uint64(st.Rdev))),
			FileMode: &mode, UID: &uid, GID: &gid,
		})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing host devices: %w", err)
	}
	return out, nil
}

// BoundingSet is the agent's capability bounding set: a container cannot get more.
func BoundingSet() (uint64, error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, fmt.Errorf("reading capabilities: %w", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "CapBnd:"); ok {
			mask, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			if err != nil {
				return 0, fmt.Errorf("parsing CapBnd: %w", err)
			}
			return mask, nil
		}
	}
	return 0, errors.New("no CapBnd in /proc/self/status")
}
