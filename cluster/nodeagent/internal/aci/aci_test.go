package aci

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestUnsupportedFeature(t *testing.T) {
	yes := true
	no := false
	vol := func(name string, src corev1.VolumeSource) corev1.Volume {
		return corev1.Volume{Name: name, VolumeSource: src}
	}
	cases := []struct {
		name string
		spec corev1.PodSpec
		want string
	}{
		{name: "plain pod runs", spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Command: []string{"sh"}, Args: []string{"-c", "true"}}}}},
		{name: "pvc", spec: corev1.PodSpec{Volumes: []corev1.Volume{vol("data", corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "x"}})}},
			want: `volume "data": PersistentVolumeClaim volumes are not supported by Azure Container Instances`},
		{name: "hostPath", spec: corev1.PodSpec{Volumes: []corev1.Volume{vol("sock", corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/run"}})}},
			want: `volume "sock": hostPath volumes are not supported by Azure Container Instances`},
		{name: "downwardAPI", spec: corev1.PodSpec{Volumes: []corev1.Volume{vol("info", corev1.VolumeSource{DownwardAPI: &corev1.DownwardAPIVolumeSource{}})}},
			want: `volume "info": downwardAPI volumes are not supported by Azure Container Instances`},
		{name: "the service-account projected volume is fine", spec: corev1.PodSpec{
			Volumes: []corev1.Volume{vol("kube-api-access-x", corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
				{DownwardAPI: &corev1.DownwardAPIProjection{Items: []corev1.DownwardAPIVolumeFile{{Path: "namespace"}}}},
			}}})},
			Containers: []corev1.Container{{Name: "c"}}}},
		{name: "emptyDir, secret and configMap are fine", spec: corev1.PodSpec{Volumes: []corev1.Volume{
			vol("a", corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}),
			vol("b", corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "s"}}),
			vol("c", corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{}}),
		}}},
		{name: "args without command in an init container", spec: corev1.PodSpec{
			InitContainers: []corev1.Container{{Name: "init", Args: []string{"x"}}},
			Containers:     []corev1.Container{{Name: "c"}}},
			want: `container "init": args without command are not supported by Azure Container Instances (the image's entrypoint cannot be combined with args); set command`},
		{name: "privileged", spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "dind", SecurityContext: &corev1.SecurityContext{Privileged: &yes}}}},
			want: `container "dind": privileged containers are not supported by Azure Container Instances`},
		{name: "privileged false is fine", spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", SecurityContext: &corev1.SecurityContext{Privileged: &no}}}}},
		{name: "volumes are reported before containers", spec: corev1.PodSpec{
			Volumes:    []corev1.Volume{vol("h", corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/"}})},
			Containers: []corev1.Container{{Name: "c", Args: []string{"x"}}}},
			want: `volume "h": hostPath volumes are not supported by Azure Container Instances`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := UnsupportedFeature(&corev1.Pod{Spec: c.spec}); got != c.want {
				t.Errorf("got %q\nwant %q", got, c.want)
			}
		})
	}
}
