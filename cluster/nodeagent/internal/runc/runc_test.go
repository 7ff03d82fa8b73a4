package runc

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/imagestore"
	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/logs"
	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/ocispec"
	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/testimage"
)

// needRunc skips a test that runs real containers when it cannot: not root, or no runc.
func needRunc(t *testing.T) *Runtime {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipping: running containers with runc needs root")
	}
	bin, err := Find()
	if err != nil {
		t.Skipf("skipping: runc is not installed: %v", err)
	}
	return &Runtime{Binary: bin, Root: filepath.Join(t.TempDir(), "runc")}
}

type started struct {
	p   *Process
	log *logs.Log
	wg  *sync.WaitGroup
}

// startContainer runs a busybox container with the given command and captures its output.
func startContainer(t *testing.T, rt *Runtime, id string, c *corev1.Container) started {
	t.Helper()
	store := testimage.Store(t, map[string]imagestore.Config{"busybox": testimage.Busybox136})
	dir := t.TempDir()
	b, err := CreateBundle(filepath.Join(dir, "bundle"), filepath.Join(store, "busybox", "rootfs"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := b.Remove(); err != nil {
			t.Error(err)
		}
	})
	mask, err := BoundingSet()
	if err != nil {
		t.Fatal(err)
	}
	var devices []specs.LinuxDevice
	if ocispec.Privileged(c) {
		if devices, err = HostDevices(); err != nil {
			t.Fatal(err)
		}
	}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "default", UID: "uid-1"}}
	args, err := ocispec.Command(c, testimage.Busybox136, c.Env)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := ocispec.Build(ocispec.Input{
		Pod: pod, Container: c, Args: args,
		Env:      ocispec.Env(testimage.Busybox136.Env, c.Env, map[string]string{"HOSTNAME": "p"}),
		Cwd:      ocispec.WorkingDir(c, testimage.Busybox136),
		Rootfs:   b.Rootfs(),
		Hostname: "p", CgroupsPath: "/nodeagent-test/" + id,
		AllowPrivileged: true, HostDevices: devices, CapabilityMask: mask,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.WriteSpec(spec); err != nil {
		t.Fatal(err)
	}
	l, err := logs.Create(filepath.Join(dir, "0.log"), nil)
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, _ := os.Pipe()
	errR, errW, _ := os.Pipe()
	p, err := rt.Start(id, b, outW, errW)
	outW.Close()
	errW.Close()
	if err != nil {
		t.Fatal(err)
	}
	wg := &sync.WaitGroup{}
	for stream, r := range map[string]*os.File{"stdout": outR, "stderr": errR} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer r.Close()
			if err := l.Capture(stream, r); err != nil {
				t.Error(err)
			}
		}()
	}
	return started{p: p, log: l, wg: wg}
}

func (s started) output(t *testing.T) string {
	t.Helper()
	s.wg.Wait()
	if err := s.log.Close(); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := s.log.Stream(context.Background(), logs.Options{Tail: -1}, &out); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestRunBusyboxContainer(t *testing.T) {
	rt := needRunc(t)
	c := &corev1.Container{
		Name:       "main",
		Command:    []string{"sh", "-c"},
		Args:       []string{`echo "cwd=$(pwd) pod=$POD_VAR image=$IMAGE_VAR host=$(hostname) uid=$(id -u)"; echo oops >&2; exit 3`},
		WorkingDir: "/work",
		Env:        []corev1.EnvVar{{Name: "POD_VAR", Value: "from-pod"}},
	}
	s := startContainer(t, rt, "test-run", c)
	ok, err := s.p.Started(context.Background())
	if err != nil || !ok {
		t.Fatalf("container did not start: %v", err)
	}
	st, err := s.p.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if st.Code != 3 || st.StartError != "" {
		t.Errorf("exit status = %+v, want code 3", st)
	}
	out := s.output(t)
	for _, want := range []string{"cwd=/work pod=from-pod image=from-image host=p uid=0\n", "oops\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("log %q lacks %q", out, want)
		}
	}
	if ids, err := rt.List(context.Background()); err != nil || len(ids) != 0 {
		t.Errorf("runc still lists %v (%v) after the container exited", ids, err)
	}
}

func TestMissingCommandIsAStartError(t *testing.T) {
	rt := needRunc(t)
	s := startContainer(t, rt, "test-missing", &corev1.Container{Name: "main", Command: []string{"no-such-program"}})
	st, err := s.p.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if st.Code != 128 || !strings.Contains(st.StartError, "no-such-program") {
		t.Errorf("exit status = %+v, want a start error naming the program", st)
	}
	s.output(t)
}

func TestKillStopsTheContainer(t *testing.T) {
	rt := needRunc(t)
	// A shell as pid 1 ignores SIGTERM unless it traps it, as in any container.
	s := startContainer(t, rt, "test-kill", &corev1.Container{Name: "main", Command: []string{"sh", "-c", "trap 'echo bye; exit 0' TERM; while true; do sleep 0.1; done"}})
	if ok, err := s.p.Started(context.Background()); err != nil || !ok {
		t.Fatalf("container did not start: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if ids, err := rt.List(ctx); err != nil || len(ids) != 1 || ids[0] != "test-kill" {
		t.Fatalf("runc list = %v, %v", ids, err)
	}
	if err := rt.Kill(ctx, "test-kill", "TERM"); err != nil {
		t.Fatal(err)
	}
	st, err := s.p.Wait()
	if err != nil || st.Code != 0 {
		t.Errorf("after TERM: %+v, %v; want exit 0 from the trap", st, err)
	}
	if out := s.output(t); !strings.Contains(out, "bye") {
		t.Errorf("log %q lacks the trap's output", out)
	}
	if err := rt.Delete(ctx, "test-kill"); err != nil {
		t.Errorf("deleting a finished container: %v", err)
	}
}

func TestSigkillExitCode(t *testing.T) {
	rt := needRunc(t)
	s := startContainer(t, rt, "test-sigkill", &corev1.Container{Name: "main", Command: []string{"sleep", "60"}})
	if ok, err := s.p.Started(context.Background()); err != nil || !ok {
		t.Fatalf("container did not start: %v", err)
	}
	if err := rt.Kill(context.Background(), "test-sigkill", "KILL"); err != nil {
		t.Fatal(err)
	}
	st, err := s.p.Wait()
	if err != nil || st.Code != 137 {
		t.Errorf("after KILL: %+v, %v; want 137", st, err)
	}
	s.output(t)
}

func TestPrivilegedContainer(t *testing.T) {
	rt := needRunc(t)
	yes := true
	s := startContainer(t, rt, "test-priv", &corev1.Container{
		Name: "main", Command: []string{"sh", "-c", "grep CapEff /proc/self/status; ls /dev/null /dev/loop0 >/dev/null && echo devices; mount -t tmpfs none /tmp && echo mounted"},
		SecurityContext: &corev1.SecurityContext{Privileged: &yes},
	})
	st, err := s.p.Wait()
	if err != nil || st.Code != 0 {
		t.Errorf("privileged container: %+v, %v", st, err)
	}
	out := s.output(t)
	if !strings.Contains(out, "mounted") || !strings.Contains(out, "devices") {
		t.Errorf("privileged container output %q: want host devices and mount allowed", out)
	}
}

func TestUnescapeMountPath(t *testing.T) {
	if got := unescapeMountPath(`/a\040b/c`); got != "/a b/c" {
		t.Errorf("got %q", got)
	}
}
