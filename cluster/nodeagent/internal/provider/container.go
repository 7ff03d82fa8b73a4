package provider

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/virtual-kubelet/virtual-kubelet/log"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/imagestore"
	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/logs"
	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/ocispec"
	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/podstatus"
	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/runc"
	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/volumes"
)

// Waiting reasons of the kubelet for containers that cannot start.
const (
	ReasonErrImagePull       = "ErrImagePull"
	ReasonImagePullBackOff   = "ImagePullBackOff"
	ReasonCreateContainerErr = "CreateContainerError"
	ReasonStartError         = "StartError"
)

// Image "pull" back-off, as the kubelet's: 10 s doubling up to 5 min.
const (
	pullBackOffInitial = 10 * time.Second
	pullBackOffMax     = 5 * time.Minute
)

// containerEnv is what every container of the pod shares.
type containerEnv struct {
	vols  *volumes.Set
	files podFiles
}

func waitingState(reason, message string) podstatus.Container {
	return podstatus.Container{State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: message}}}
}

// runContainer runs one container to its end and tells whether it exited 0. It returns false at
// once when the pod stops before the container could start.
func (r *podRun) runContainer(c *corev1.Container, env containerEnv) bool {
	res, ok := r.pullImage(c)
	if !ok {
		return false
	}
	podEnv, ok := r.resolveEnv(c)
	if !ok {
		return false
	}
	id := runc.ContainerID(string(r.uid()), c.Name)
	bundle, termLog, err := r.createContainer(c, res, env, podEnv, id)
	if err != nil {
		reason := ReasonCreateContainerErr
		var ce *ocispec.ConfigError
		if errors.As(err, &ce) {
			reason = ocispec.ReasonCreateContainerConfigError
		}
		r.setContainer(c.Name, waitingState(reason, err.Error()))
		r.event(corev1.EventTypeWarning, "Failed", "Error: %v", err)
		<-r.ctx.Done() // the spec cannot change: wait for the pod to be deleted
		return false
	}
	defer func() {
		if err := bundle.Remove(); err != nil {
			log.G(r.ctx).WithError(err).WithField("container", id).Warn("removing the bundle")
		}
	}()
	if r.ctx.Err() != nil {
		return false
	}
	return r.start(c, res, bundle, termLog, id)
}

// resolveEnv resolves the container's environment, retrying while a referenced Secret or
// ConfigMap is missing (the container waits with CreateContainerConfigError, as with the
// kubelet); false when the pod stops first.
func (r *podRun) resolveEnv(c *corev1.Container) ([]corev1.EnvVar, bool) {
	delay := time.Second
	for {
		r.mu.Lock()
		pod := r.pod.DeepCopy()
		r.mu.Unlock()
		env, err := r.p.environment(r.ctx, pod, c)
		if err == nil {
			return env, true
		}
		if r.ctx.Err() != nil {
			return nil, false
		}
		r.setContainer(c.Name, waitingState(ocispec.ReasonCreateContainerConfigError, err.Error()))
		r.event(corev1.EventTypeWarning, "Failed", "Error: %v", err)
		select {
		case <-r.ctx.Done():
			return nil, false
		case <-r.p.opts.Clock.After(delay):
		}
		delay = min(delay*2, 30*time.Second)
	}
}

// pullImage resolves the image in the local store; an unknown image fails as a kubelet pull
// does (ErrImagePull, then ImagePullBackOff, retried with back-off) until it appears or the pod
// stops.
func (r *podRun) pullImage(c *corev1.Container) (imagestore.Resolution, bool) {
	backoff := pullBackOffInitial
	for {
		res, err := r.p.opts.Images.Resolve(c.Image)
		if err == nil {
			switch res.Via {
			case imagestore.ViaAlias:
				r.event(corev1.EventTypeNormal, "ImageAliased", "Image %q is an alias of %q in the local image store", c.Image, res.Resolved)
			case imagestore.ViaStandIn:
				r.event(corev1.EventTypeNormal, "ImageStandIn", "Image %q is replaced by the stand-in %q from the local image store", c.Image, res.Resolved)
			}
			r.event(corev1.EventTypeNormal, "Pulled", "Container image %q already present on machine", c.Image)
			return res, true
		}
		r.setContainer(c.Name, waitingState(ReasonErrImagePull, err.Error()))
		r.event(corev1.EventTypeWarning, "Failed", "Failed to pull image %q: %v", c.Image, err)
		r.event(corev1.EventTypeWarning, "Failed", "Error: %s", ReasonErrImagePull)
		select {
		case <-r.ctx.Done():
			return imagestore.Resolution{}, false
		case <-r.p.opts.Clock.After(time.Second):
		}
		r.setContainer(c.Name, waitingState(ReasonImagePullBackOff, fmt.Sprintf("Back-off pulling image %q: %s: %v", c.Image, ReasonErrImagePull, err)))
		r.event(corev1.EventTypeNormal, "BackOff", "Back-off pulling image %q", c.Image)
		r.event(corev1.EventTypeWarning, "Failed", "Error: %s", ReasonImagePullBackOff)
		select {
		case <-r.ctx.Done():
			return imagestore.Resolution{}, false
		case <-r.p.opts.Clock.After(backoff):
		}
		backoff = min(backoff*2, pullBackOffMax)
	}
}

// createContainer builds the spec and the bundle of a container; it also returns the host path
// of the container's termination log.
func (r *podRun) createContainer(c *corev1.Container, res imagestore.Resolution, env containerEnv, podEnv []corev1.EnvVar, id string) (*runc.Bundle, string, error) {
	r.mu.Lock()
	pod := r.pod.DeepCopy()
	r.mu.Unlock()
	img := res.Image.Config
	if err := ocispec.VerifyRunAsNonRoot(pod, c, img.User); err != nil {
		return nil, "", err
	}
	user, err := ocispec.ResolveUser(pod, c, img.User, ocispec.ReadUserDB(res.Image.Rootfs))
	if err != nil {
		return nil, "", &ocispec.ConfigError{Message: err.Error()}
	}
	args, err := ocispec.Command(c, img, podEnv)
	if err != nil {
		return nil, "", err
	}
	mounts, err := r.mounts(c, env, podEnv)
	if err != nil {
		return nil, "", err
	}
	in := ocispec.Input{
		Pod: pod, Container: c, Args: args,
		Env: ocispec.Env(img.Env, podEnv, map[string]string{"HOSTNAME": r.hostname()}),
		Cwd: ocispec.WorkingDir(c, img), User: user, Hostname: r.hostname(), Mounts: mounts,
		AllowPrivileged: r.p.opts.AllowPrivileged, CapabilityMask: r.p.opts.CapabilityMask,
		CgroupsPath: "/nodeagent/" + r.p.opts.NodeName + "/" + id,
	}
	if ocispec.Privileged(c) && r.p.opts.AllowPrivileged {
		if in.HostDevices, err = r.p.opts.HostDevices(); err != nil {
			return nil, "", err
		}
	}
	bundle, err := runc.CreateBundle(filepath.Join(r.dir, "containers", c.Name), res.Image.Rootfs)
	if err != nil {
		return nil, "", err
	}
	in.Rootfs = bundle.Rootfs()
	spec, err := ocispec.Build(in)
	if err == nil {
		err = bundle.WriteSpec(spec)
	}
	if err != nil {
		return nil, "", errors.Join(err, bundle.Remove())
	}
	return bundle, r.terminationLog(c.Name), nil
}

func (r *podRun) terminationLog(container string) string {
	return filepath.Join(r.dir, "termination", container)
}

// mounts are the container's volume mounts plus the pod's /etc files and termination log.
func (r *podRun) mounts(c *corev1.Container, env containerEnv, podEnv []corev1.EnvVar) ([]ocispec.Mount, error) {
	var out []ocispec.Mount
	for _, m := range c.VolumeMounts {
		v, ok := env.vols.Get(m.Name)
		if !ok {
			return nil, &ocispec.ConfigError{Message: fmt.Sprintf("cannot find volume %q to mount into container %q", m.Name, c.Name)}
		}
		sub, err := ocispec.SubPath(m, podEnv)
		if err != nil {
			return nil, &ocispec.ConfigError{Message: err.Error()}
		}
		src := v.Path
		if sub != "" {
			src = filepath.Join(v.Path, sub)
			if _, err := os.Stat(src); os.IsNotExist(err) {
				if err := os.MkdirAll(src, 0o755); err != nil {
					return nil, fmt.Errorf("creating subPath %q: %w", sub, err)
				}
			}
		}
		out = append(out, ocispec.Mount{Source: src, Destination: m.MountPath, ReadOnly: m.ReadOnly || v.ReadOnly})
	}
	term := r.terminationLog(c.Name)
	if err := os.MkdirAll(filepath.Dir(term), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(term, nil, 0o666); err != nil {
		return nil, err
	}
	path := c.TerminationMessagePath
	if path == "" {
		path = corev1.TerminationMessagePathDefault
	}
	out = append(out,
		ocispec.Mount{Source: env.files.hosts, Destination: "/etc/hosts"},
		ocispec.Mount{Source: env.files.hostname, Destination: "/etc/hostname"},
		ocispec.Mount{Source: env.files.resolvConf, Destination: "/etc/resolv.conf"},
		ocispec.Mount{Source: term, Destination: path},
	)
	return out, nil
}

// start runs the container with runc and follows it to its end.
func (r *podRun) start(c *corev1.Container, res imagestore.Resolution, b *runc.Bundle, termLog, id string) bool {
	lg, capture, stdout, stderr, err := r.openLog(c.Name)
	if err != nil {
		r.setContainer(c.Name, waitingState(ReasonCreateContainerErr, err.Error()))
		<-r.ctx.Done()
		return false
	}
	proc, err := r.p.opts.Runtime.Start(id, b, stdout, stderr)
	stdout.Close()
	stderr.Close()
	ids := podstatus.Container{ImageID: res.Image.Digest, ContainerID: "runc://" + id}
	started := r.p.opts.Clock.Now()
	if err == nil {
		r.event(corev1.EventTypeNormal, "Created", "Created container: %s", c.Name)
		var ok bool
		if ok, err = proc.Started(r.p.root); err == nil && ok {
			started = r.p.opts.Clock.Now()
			ids.State = corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(started)}}
			r.setContainer(c.Name, ids)
			r.event(corev1.EventTypeNormal, "Started", "Started container %s", c.Name)
			select {
			case <-proc.Done():
			case <-r.ctx.Done():
				r.stop(c.Name, id, proc)
			}
		}
	}
	var status runc.ExitStatus
	if err == nil {
		status, err = proc.Wait()
	}
	capture.Wait()
	if cerr := lg.Close(); cerr != nil {
		log.G(r.ctx).WithError(cerr).WithField("container", id).Warn("closing the log")
	}
	if derr := r.p.opts.Runtime.Delete(r.p.root, id); derr != nil {
		log.G(r.ctx).WithError(derr).WithField("container", id).Warn("deleting the container")
	}
	finished := r.p.opts.Clock.Now()
	switch {
	case err != nil:
		status = runc.ExitStatus{Code: 128, StartError: err.Error()}
		fallthrough
	case status.StartError != "":
		ids.State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
			ExitCode: 128, Reason: ReasonStartError, Message: status.StartError,
			StartedAt: metav1.NewTime(time.Unix(0, 0)), FinishedAt: metav1.NewTime(finished),
		}}
		r.event(corev1.EventTypeWarning, "Failed", "Error: failed to start container %q: %s", c.Name, status.StartError)
	default:
		ids.State = podstatus.Terminated(int32(status.Code), started, finished, terminationMessage(c, termLog, lg, status.Code))
	}
	r.setContainer(c.Name, ids)
	return status.Code == 0 && status.StartError == ""
}

// openLog creates the container's log and the pipes its streams are captured from.
func (r *podRun) openLog(name string) (*logs.Log, *sync.WaitGroup, *os.File, *os.File, error) {
	dir := filepath.Join(r.dir, "logs", name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, nil, nil, err
	}
	lg, err := logs.Create(filepath.Join(dir, "0.log"), r.p.opts.Clock.Now)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, nil, nil, nil, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		return nil, nil, nil, nil, err
	}
	var wg sync.WaitGroup
	for stream, rd := range map[string]*os.File{"stdout": outR, "stderr": errR} {
		wg.Go(func() {
			defer rd.Close()
			if err := lg.Capture(stream, rd); err != nil {
				log.G(r.ctx).WithError(err).WithField("container", name).Warn("capturing output")
				_, _ = io.Copy(io.Discard, rd)
			}
		})
	}
	r.mu.Lock()
	r.logs[name] = lg
	r.mu.Unlock()
	return lg, &wg, outW, errW, nil
}

// stop asks the container to stop (SIGTERM), and kills it (SIGKILL) after the grace period.
func (r *podRun) stop(name, id string, proc *runc.Process) {
	r.event(corev1.EventTypeNormal, "Killing", "Stopping container %s", name)
	if err := r.p.opts.Runtime.Kill(r.p.root, id, "TERM"); err != nil {
		log.G(r.p.root).WithError(err).WithField("container", id).Warn("SIGTERM")
	}
	select {
	case <-proc.Done():
		return
	case <-r.p.opts.Clock.After(r.stopGrace()):
	}
	if err := r.p.opts.Runtime.Kill(r.p.root, id, "KILL"); err != nil {
		log.G(r.p.root).WithError(err).WithField("container", id).Warn("SIGKILL")
	}
	<-proc.Done()
}

// terminationMessage is what the container wrote to its termination log (at most 4 KiB), or, with
// FallbackToLogsOnError and a failure, the end of its log (80 lines, 2 KiB), as with the kubelet.
func terminationMessage(c *corev1.Container, path string, lg *logs.Log, exitCode int) string {
	data, err := os.ReadFile(path)
	if err == nil && len(data) > 0 {
		if len(data) > 4096 {
			data = data[:4096]
		}
		return string(data)
	}
	if c.TerminationMessagePolicy == corev1.TerminationMessageFallbackToLogsOnError && exitCode != 0 {
		return lg.Last(80, 2048)
	}
	return ""
}
