// Package aci holds what the Azure Container Instances virtual-kubelet provider refuses. Such a pod
// fails before anything runs (phase Failed, reason ProviderFailed) with a message naming the
// feature. The wording is the one of the project's simulator (src/sim/workloads/provider.ts), so
// both test grounds report the same thing.
package aci

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

// UnsupportedFeature returns the first feature of the pod that ACI cannot run, as the message
// the pod fails with, or "" when ACI could run it.
func UnsupportedFeature(pod *corev1.Pod) string {
	for _, v := range pod.Spec.Volumes {
		switch {
		case v.PersistentVolumeClaim != nil:
			return fmt.Sprintf("volume %q: PersistentVolumeClaim volumes are not supported by Azure Container Instances", v.Name)
		case v.HostPath != nil:
			return fmt.Sprintf("volume %q: hostPath volumes are not supported by Azure Container Instances", v.Name)
		case v.DownwardAPI != nil:
			return fmt.Sprintf("volume %q: downwardAPI volumes are not supported by Azure Container Instances", v.Name)
		}
	}
	containers := append(append([]corev1.Container{}, pod.Spec.InitContainers...), pod.Spec.Containers...)
	for _, c := range containers {
		if len(c.Args) > 0 && len(c.Command) == 0 {
			return fmt.Sprintf("container %q: args without command are not supported by Azure Container Instances (the image's entrypoint cannot be combined with args); set command", c.Name)
		}
		if c.SecurityContext != nil && c.SecurityContext.Privileged != nil && *c.SecurityContext.Privileged {
			return fmt.Sprintf("container %q: privileged containers are not supported by Azure Container Instances", c.Name)
		}
	}
	return ""
}
