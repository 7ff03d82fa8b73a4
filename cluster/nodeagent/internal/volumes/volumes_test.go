package volumes

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func ptr[T any](v T) *T { return &v }

func TestProjectKeys(t *testing.T) {
	data := map[string][]byte{"b": []byte("2"), "a": []byte("1")}
	cases := []struct {
		name     string
		items    []corev1.KeyToPath
		def      *int32
		optional bool
		want     []File
		err      string
	}{
		{name: "every key, default mode", want: []File{{"a", []byte("1"), 0o644}, {"b", []byte("2"), 0o644}}},
		{name: "defaultMode", def: ptr(int32(0o400)), want: []File{{"a", []byte("1"), 0o400}, {"b", []byte("2"), 0o400}}},
		{name: "items with paths and modes", items: []corev1.KeyToPath{{Key: "b", Path: "dir/b.txt", Mode: ptr(int32(0o600))}},
			want: []File{{"dir/b.txt", []byte("2"), 0o600}}},
		{name: "missing key", items: []corev1.KeyToPath{{Key: "c", Path: "c"}}, err: `secret "s" references non-existent key: c`},
		{name: "missing key, optional", items: []corev1.KeyToPath{{Key: "c", Path: "c"}}, optional: true},
		{name: "escaping path", items: []corev1.KeyToPath{{Key: "a", Path: "../x"}}, err: "invalid file path"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ProjectKeys("secret", "s", data, c.items, c.def, c.optional)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error = %v, want %q", err, c.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %v, %v; want %v", got, err, c.want)
			}
		})
	}
}

func testPod() *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", UID: "uid-1",
			Labels: map[string]string{"app": "x", "tier": "be"}, Annotations: map[string]string{"note": `say "hi"`}},
		Spec: corev1.PodSpec{NodeName: "node-1", ServiceAccountName: "builder", Containers: []corev1.Container{{
			Name: "c",
			Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m")},
				Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("64Mi")},
			},
		}}},
	}
}

type fakeKube struct {
	secrets    map[string]*corev1.Secret
	configMaps map[string]*corev1.ConfigMap
	pvcs       map[string]*corev1.PersistentVolumeClaim
	pvs        map[string]*corev1.PersistentVolume
	tokens     []*authenticationv1.TokenRequest
}

func notFound(res, name string) error {
	return apierrors.NewNotFound(schema.GroupResource{Resource: res}, name)
}

func (f *fakeKube) Secret(_ context.Context, _, name string) (*corev1.Secret, error) {
	if s, ok := f.secrets[name]; ok {
		return s, nil
	}
	return nil, notFound("secrets", name)
}

func (f *fakeKube) ConfigMap(_ context.Context, _, name string) (*corev1.ConfigMap, error) {
	if c, ok := f.configMaps[name]; ok {
		return c, nil
	}
	return nil, notFound("configmaps", name)
}

func (f *fakeKube) PVC(_ context.Context, _, name string) (*corev1.PersistentVolumeClaim, error) {
	if c, ok := f.pvcs[name]; ok {
		return c, nil
	}
	return nil, notFound("persistentvolumeclaims", name)
}

func (f *fakeKube) PV(_ context.Context, name string) (*corev1.PersistentVolume, error) {
	if v, ok := f.pvs[name]; ok {
		return v, nil
	}
	return nil, notFound("persistentvolumes", name)
}

func (f *fakeKube) Token(_ context.Context, _, sa string, req *authenticationv1.TokenRequest) (*authenticationv1.TokenRequest, error) {
	f.tokens = append(f.tokens, req)
	out := req.DeepCopy()
	out.Status.Token = "token-for-" + sa
	return out, nil
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestPrepare(t *testing.T) {
	hostDir := t.TempDir()
	kube := &fakeKube{
		secrets:    map[string]*corev1.Secret{"creds": {Data: map[string][]byte{"user": []byte("bob")}}},
		configMaps: map[string]*corev1.ConfigMap{"kube-root-ca.crt": {Data: map[string]string{"ca.crt": "PEM"}}},
		pvcs: map[string]*corev1.PersistentVolumeClaim{"data": {
			Spec: corev1.PersistentVolumeClaimSpec{VolumeName: "pv-1"}, Status: corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimBound}}},
		pvs: map[string]*corev1.PersistentVolume{"pv-1": {Spec: corev1.PersistentVolumeSpec{
			PersistentVolumeSource: corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: filepath.Join(hostDir, "pv-1")}}}}},
	}
	pod := testPod()
	pod.Spec.Volumes = []corev1.Volume{
		{Name: "scratch", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
		{Name: "creds", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "creds", DefaultMode: ptr(int32(0o400))}}},
		{Name: "maybe", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: "absent"}, Optional: ptr(true)}}},
		{Name: "kube-api-access-abc", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
			DefaultMode: ptr(int32(0o644)),
			Sources: []corev1.VolumeProjection{
				{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{ExpirationSeconds: ptr(int64(3607)), Path: "token"}},
				{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "kube-root-ca.crt"},
					Items: []corev1.KeyToPath{{Key: "ca.crt", Path: "ca.crt"}}}},
				{DownwardAPI: &corev1.DownwardAPIProjection{Items: []corev1.DownwardAPIVolumeFile{
					{Path: "namespace", FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.namespace"}}}}},
			}}}},
		{Name: "data", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "data"}}},
	}
	dir := t.TempDir()
	set, err := Prepare(context.Background(), kube, pod, dir, Options{AllowHost: true})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Teardown()

	if v, _ := set.Get("scratch"); v.ReadOnly {
		t.Error("emptyDir must be writable")
	}
	if st, err := os.Stat(filepath.Join(dir, "scratch")); err != nil || st.Mode().Perm() != 0o777 {
		t.Errorf("emptyDir mode: %v %v", st.Mode(), err)
	}
	creds, _ := set.Get("creds")
	if !creds.ReadOnly || readFile(t, filepath.Join(creds.Path, "user")) != "bob" {
		t.Errorf("secret volume %+v", creds)
	}
	if st, _ := os.Stat(filepath.Join(creds.Path, "user")); st.Mode().Perm() != 0o400 {
		t.Errorf("secret file mode %v, want 0400", st.Mode().Perm())
	}
	sa, _ := set.Get("kube-api-access-abc")
	for file, want := range map[string]string{"token": "token-for-builder", "ca.crt": "PEM", "namespace": "ns"} {
		if got := readFile(t, filepath.Join(sa.Path, file)); got != want {
			t.Errorf("projected %s = %q, want %q", file, got, want)
		}
	}
	if len(kube.tokens) != 1 {
		t.Fatalf("token requests: %d", len(kube.tokens))
	}
	req := kube.tokens[0].Spec
	if *req.ExpirationSeconds != 3607 || req.BoundObjectRef.Kind != "Pod" || req.BoundObjectRef.Name != "p" || req.BoundObjectRef.UID != "uid-1" {
		t.Errorf("token request not bound to the pod: %+v", req)
	}
	if data, _ := set.Get("data"); data.Path != filepath.Join(hostDir, "pv-1") {
		t.Errorf("pvc volume = %+v", data)
	}
}

func TestPrepareFailures(t *testing.T) {
	kube := &fakeKube{pvcs: map[string]*corev1.PersistentVolumeClaim{"pending": {Status: corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimPending}}}}
	cases := []struct {
		name  string
		vol   corev1.VolumeSource
		allow bool
		want  string
	}{
		{name: "missing secret", vol: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "nope"}}, want: `MountVolume.SetUp failed for volume "v" : secret "nope"`},
		{name: "unbound claim", vol: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "pending"}}, allow: true, want: "is not bound"},
		{name: "hostPath where not allowed", vol: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/"}}, want: "not allowed on this node"},
		{name: "hostPath type check", vol: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/nonexistent/x", Type: ptr(corev1.HostPathDirectory)}}, allow: true, want: "not a directory"},
		{name: "unsupported type", vol: corev1.VolumeSource{NFS: &corev1.NFSVolumeSource{}}, want: "unsupported volume type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pod := testPod()
			pod.Spec.Volumes = []corev1.Volume{{Name: "v", VolumeSource: c.vol}}
			_, err := Prepare(context.Background(), kube, pod, t.TempDir(), Options{AllowHost: c.allow})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v, want %q", err, c.want)
			}
		})
	}
}
