package ocispec

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/imagestore"
)

func TestCommand(t *testing.T) {
	img := imagestore.Config{Entrypoint: []string{"/entry"}, Cmd: []string{"default", "cmd"}}
	noEntry := imagestore.Config{Cmd: []string{"bash"}}
	cases := []struct {
		name          string
		command, args []string
		img           imagestore.Config
		want          []string
		err           bool
	}{
		{name: "image defaults", img: img, want: []string{"/entry", "default", "cmd"}},
		{name: "command replaces entrypoint and cmd", command: []string{"sh"}, img: img, want: []string{"sh"}},
		{name: "command and args", command: []string{"sh"}, args: []string{"-c", "x"}, img: img, want: []string{"sh", "-c", "x"}},
		{name: "args replace only cmd", args: []string{"a"}, img: img, want: []string{"/entry", "a"}},
		{name: "args without entrypoint", args: []string{"echo", "hi"}, img: noEntry, want: []string{"echo", "hi"}},
		{name: "cmd only", img: noEntry, want: []string{"bash"}},
		{name: "nothing to run", img: imagestore.Config{}, err: true},
		{name: "$(VAR) expanded in command and args", command: []string{"echo", "$(WHO)"}, args: []string{"$(NOPE)", "$$(WHO)", "$(hostname)"}, img: img,
			want: []string{"echo", "you", "$(NOPE)", "$(WHO)", "$(hostname)"}},
		{name: "image entrypoint is not expanded", args: []string{"$(WHO)"}, img: imagestore.Config{Entrypoint: []string{"$(WHO)"}}, want: []string{"$(WHO)", "you"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Command(&corev1.Container{Command: c.command, Args: c.args}, c.img, []corev1.EnvVar{{Name: "WHO", Value: "you"}})
			if c.err {
				if err == nil {
					t.Fatalf("got %q, want an error", got)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

func TestWorkingDir(t *testing.T) {
	for _, c := range []struct{ pod, image, want string }{
		{"", "", "/"}, {"", "/src", "/src"}, {"/work", "/src", "/work"},
	} {
		if got := WorkingDir(&corev1.Container{WorkingDir: c.pod}, imagestore.Config{WorkingDir: c.image}); got != c.want {
			t.Errorf("WorkingDir(%q, %q) = %q, want %q", c.pod, c.image, got, c.want)
		}
	}
}

func TestEnvMergesImageUnderPod(t *testing.T) {
	got := Env(
		[]string{"PATH=/image/bin", "LANG=C.UTF-8", "EMPTY="},
		[]corev1.EnvVar{{Name: "LANG", Value: "de_DE"}, {Name: "SECRET", Value: "s3"}, {Name: "B", Value: "x=y"}},
		map[string]string{"HOSTNAME": "pod-a"},
	)
	want := []string{"B=x=y", "EMPTY=", "HOSTNAME=pod-a", "LANG=de_DE", "PATH=/image/bin", "SECRET=s3"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	if got := Env(nil, nil, nil); !reflect.DeepEqual(got, []string{"PATH=" + DefaultPath}) {
		t.Fatalf("no PATH anywhere: got %q", got)
	}
}

func TestSubPath(t *testing.T) {
	env := []corev1.EnvVar{{Name: "POD", Value: "p1"}}
	cases := []struct {
		m       corev1.VolumeMount
		want    string
		wantErr bool
	}{
		{m: corev1.VolumeMount{Name: "v"}, want: ""},
		{m: corev1.VolumeMount{Name: "v", SubPath: "a/b"}, want: "a/b"},
		{m: corev1.VolumeMount{Name: "v", SubPath: "a/./b/"}, want: "a/b"},
		{m: corev1.VolumeMount{Name: "v", SubPathExpr: "logs/$(POD)"}, want: "logs/p1"},
		{m: corev1.VolumeMount{Name: "v", SubPathExpr: "$(NOPE)/$$x"}, want: "$(NOPE)/$x"},
		{m: corev1.VolumeMount{Name: "v", SubPath: "../etc"}, wantErr: true},
		{m: corev1.VolumeMount{Name: "v", SubPath: "/etc"}, wantErr: true},
	}
	for _, c := range cases {
		got, err := SubPath(c.m, env)
		if (err != nil) != c.wantErr || got != c.want {
			t.Errorf("SubPath(%+v) = %q, %v; want %q (error %v)", c.m, got, err, c.want, c.wantErr)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func testPod(psc *corev1.PodSecurityContext) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", UID: "u1"}, Spec: corev1.PodSpec{SecurityContext: psc}}
}

func TestResolveUser(t *testing.T) {
	root := t.TempDir()
	mustWrite(t, filepath.Join(root, "etc/passwd"), "root:x:0:0::/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\napp:x:1000:1001::/app:/bin/sh\n")
	mustWrite(t, filepath.Join(root, "etc/group"), "root:x:0:\nstaff:x:50:\napp:x:1001:\n")
	db := ReadUserDB(root)
	cases := []struct {
		name      string
		imageUser string
		psc       *corev1.PodSecurityContext
		sc        *corev1.SecurityContext
		want      User
		err       string
	}{
		{name: "image default is root", want: User{}},
		{name: "image uid:gid", imageUser: "0:0", want: User{}},
		{name: "image user name", imageUser: "app", want: User{UID: 1000, GID: 1001}},
		{name: "image numeric uid takes its passwd group", imageUser: "1000", want: User{UID: 1000, GID: 1001}},
		{name: "image user and group names", imageUser: "nobody:staff", want: User{UID: 65534, GID: 50}},
		{name: "unknown image user", imageUser: "ghost", err: "unable to find user ghost"},
		{name: "runAsUser over image user", imageUser: "app", sc: &corev1.SecurityContext{RunAsUser: ptr(int64(2000))}, want: User{UID: 2000}},
		{name: "runAsGroup", psc: &corev1.PodSecurityContext{RunAsUser: ptr(int64(1000)), RunAsGroup: ptr(int64(3000))}, want: User{UID: 1000, GID: 3000}},
		{name: "container over pod", psc: &corev1.PodSecurityContext{RunAsUser: ptr(int64(1))}, sc: &corev1.SecurityContext{RunAsUser: ptr(int64(2))}, want: User{UID: 2}},
		{name: "supplemental groups and fsGroup", psc: &corev1.PodSecurityContext{SupplementalGroups: []int64{7, 5}, FSGroup: ptr(int64(2000))},
			want: User{AdditionalGids: []uint32{5, 7, 2000}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ResolveUser(testPod(c.psc), &corev1.Container{Name: "c", SecurityContext: c.sc}, c.imageUser, db)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error = %v, want %q", err, c.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %+v, %v; want %+v", got, err, c.want)
			}
		})
	}
}

func TestVerifyRunAsNonRoot(t *testing.T) {
	nonRoot := &corev1.SecurityContext{RunAsNonRoot: ptr(true)}
	cases := []struct {
		name      string
		imageUser string
		psc       *corev1.PodSecurityContext
		sc        *corev1.SecurityContext
		err       string
	}{
		{name: "not asked", imageUser: "0:0"},
		{name: "image root", imageUser: "0:0", sc: nonRoot, err: `container has runAsNonRoot and image will run as root (pod: "p_ns(u1)", container: c)`},
		{name: "image without user is root", sc: nonRoot, err: "image will run as root"},
		{name: "non-numeric image user", imageUser: "app", sc: nonRoot, err: "container has runAsNonRoot and image has non-numeric user (app), cannot verify user is non-root"},
		{name: "numeric non-root image user", imageUser: "1000:1000", sc: nonRoot},
		{name: "runAsUser non-root", imageUser: "app", psc: &corev1.PodSecurityContext{RunAsNonRoot: ptr(true), RunAsUser: ptr(int64(1000))}},
		{name: "runAsUser 0", psc: &corev1.PodSecurityContext{RunAsNonRoot: ptr(true)}, sc: &corev1.SecurityContext{RunAsUser: ptr(int64(0))}, err: "container's runAsUser breaks non-root policy"},
		{name: "container turns it off", imageUser: "0", psc: &corev1.PodSecurityContext{RunAsNonRoot: ptr(true)}, sc: &corev1.SecurityContext{RunAsNonRoot: ptr(false)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := VerifyRunAsNonRoot(testPod(c.psc), &corev1.Container{Name: "c", SecurityContext: c.sc}, c.imageUser)
			if c.err == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			var ce *ConfigError
			if err == nil || !strings.Contains(err.Error(), c.err) || !asConfigError(err, &ce) {
				t.Fatalf("error = %v, want a ConfigError with %q", err, c.err)
			}
		})
	}
}

func asConfigError(err error, target **ConfigError) bool {
	ce, ok := err.(*ConfigError)
	*target = ce
	return ok
}

func TestCapabilities(t *testing.T) {
	withCaps := func(add, drop []corev1.Capability) *corev1.Container {
		return &corev1.Container{SecurityContext: &corev1.SecurityContext{Capabilities: &corev1.Capabilities{Add: add, Drop: drop}}}
	}
	if got := Capabilities(&corev1.Container{}); len(got) != len(DefaultCapabilities) {
		t.Errorf("default set = %v", got)
	}
	if got := Capabilities(withCaps([]corev1.Capability{"NET_ADMIN"}, []corev1.Capability{"ALL"})); !reflect.DeepEqual(got, []string{"CAP_NET_ADMIN"}) {
		t.Errorf("drop ALL add NET_ADMIN = %v", got)
	}
	got := Capabilities(withCaps([]corev1.Capability{"CAP_SYS_PTRACE"}, []corev1.Capability{"net_raw"}))
	if !slices.Contains(got, "CAP_SYS_PTRACE") || slices.Contains(got, "CAP_NET_RAW") || !slices.Contains(got, "CAP_CHOWN") {
		t.Errorf("add SYS_PTRACE drop NET_RAW = %v", got)
	}
	priv := &corev1.Container{SecurityContext: &corev1.SecurityContext{Privileged: ptr(true)}}
	if got := Capabilities(priv); len(got) != len(AllCapabilities) {
		t.Errorf("privileged = %v", got)
	}
}

func TestBuild(t *testing.T) {
	c := &corev1.Container{
		Name: "c",
		Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m")},
			Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1"), corev1.ResourceMemory: resource.MustParse("64Mi")},
		},
		SecurityContext: &corev1.SecurityContext{ReadOnlyRootFilesystem: ptr(true), AllowPrivilegeEscalation: ptr(false)},
	}
	in := Input{
		Pod: testPod(nil), Container: c, Args: []string{"sh"}, Env: []string{"A=1"}, Cwd: "/w",
		User: User{UID: 1000, GID: 1000}, Rootfs: "/state/rootfs", Hostname: "p",
		Mounts: []Mount{
			{Source: "/v/sub", Destination: "/data/sub"},
			{Source: "/v/data", Destination: "/data", ReadOnly: true},
			{Source: "/pod/hosts", Destination: "/etc/hosts"},
		},
		CgroupsPath: "/nodeagent/x",
	}
	s, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Root.Readonly || s.Root.Path != "/state/rootfs" || s.Hostname != "p" || !s.Process.NoNewPrivileges {
		t.Errorf("root/hostname/noNewPrivileges wrong: %+v %q %v", s.Root, s.Hostname, s.Process.NoNewPrivileges)
	}
	for _, ns := range s.Linux.Namespaces {
		if ns.Type == "network" {
			t.Error("a network namespace was asked for: pods share the host's network")
		}
	}
	var binds []string
	for _, m := range s.Mounts {
		if m.Type == "bind" {
			binds = append(binds, m.Destination+" "+strings.Join(m.Options, ","))
		}
	}
	want := []string{"/data rbind,rprivate,ro", "/data/sub rbind,rprivate", "/etc/hosts rbind,rprivate"}
	if !reflect.DeepEqual(binds, want) {
		t.Errorf("bind mounts = %q, want %q", binds, want)
	}
	r := s.Linux.Resources
	if *r.CPU.Shares != 256 || *r.CPU.Quota != 100000 || *r.CPU.Period != 100000 || *r.Memory.Limit != 64<<20 {
		t.Errorf("resources = shares %d quota %d memory %d", *r.CPU.Shares, *r.CPU.Quota, *r.Memory.Limit)
	}
	if len(s.Linux.MaskedPaths) == 0 || r.Devices[0].Allow {
		t.Error("an unprivileged container must have masked paths and no device access")
	}

	c.SecurityContext = &corev1.SecurityContext{Privileged: ptr(true)}
	if _, err := Build(in); err != ErrPrivilegedNotAllowed {
		t.Errorf("privileged on a node refusing it: err = %v", err)
	}
	in.AllowPrivileged = true
	s, err = Build(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Linux.MaskedPaths) != 0 || !s.Linux.Resources.Devices[0].Allow || len(s.Process.Capabilities.Bounding) != len(AllCapabilities) {
		t.Error("a privileged container must get every capability, every device, and no masked paths")
	}
}

func mustWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFilterCapabilities(t *testing.T) {
	mask := uint64(1<<0 | 1<<21) // CAP_CHOWN, CAP_SYS_ADMIN
	got := FilterCapabilities([]string{"CAP_CHOWN", "CAP_SYS_ADMIN", "CAP_SYS_RESOURCE"}, mask)
	if !reflect.DeepEqual(got, []string{"CAP_CHOWN", "CAP_SYS_ADMIN"}) {
		t.Errorf("got %v", got)
	}
	if got := FilterCapabilities([]string{"CAP_SYS_RESOURCE"}, 0); len(got) != 1 {
		t.Errorf("mask 0 must not filter: %v", got)
	}
}
