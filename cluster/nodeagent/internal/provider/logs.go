package provider

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/virtual-kubelet/virtual-kubelet/errdefs"
	"github.com/virtual-kubelet/virtual-kubelet/node/api"
	statsv1alpha1 "k8s.io/kubelet/pkg/apis/stats/v1alpha1"
	utilexec "k8s.io/utils/exec"

	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/logs"
	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/runc"
)

// LogOptions turns the kubelet API's log options into the log reader's.
func LogOptions(o api.ContainerLogOpts, now time.Time) logs.Options {
	opts := logs.Options{Tail: -1, Timestamps: o.Timestamps, LimitBytes: int64(o.LimitBytes), Follow: o.Follow}
	if o.Tail > 0 {
		opts.Tail = o.Tail
	}
	switch {
	case o.SinceSeconds > 0:
		opts.Since = now.Add(-time.Duration(o.SinceSeconds) * time.Second)
	case !o.SinceTime.IsZero():
		opts.Since = o.SinceTime
	}
	return opts
}

// GetContainerLogs serves a container's log; with follow it streams until the container exits.
// Containers are never restarted, so there is no previous log.
func (p *Provider) GetContainerLogs(ctx context.Context, namespace, podName, containerName string, opts api.ContainerLogOpts) (io.ReadCloser, error) {
	r := p.lookup(namespace, podName)
	if r == nil {
		return nil, errdefs.NotFoundf("pod %s/%s is not known to the provider", namespace, podName)
	}
	if opts.Previous {
		return nil, errdefs.InvalidInputf("previous terminated container %q in pod %q not found", containerName, podName)
	}
	r.mu.Lock()
	lg := r.logs[containerName]
	r.mu.Unlock()
	if lg == nil {
		return nil, errdefs.InvalidInputf("container %q in pod %q is waiting to start", containerName, podName)
	}
	pr, pw := io.Pipe()
	go func() {
		err := lg.Stream(ctx, LogOptions(opts, p.opts.Clock.Now()), pw)
		if errors.Is(err, context.Canceled) {
			err = nil
		}
		pw.CloseWithError(err)
	}()
	return pr, nil
}

// RunInContainer runs a command in a running container with `runc exec` (no TTY).
func (p *Provider) RunInContainer(ctx context.Context, namespace, podName, containerName string, cmd []string, attach api.AttachIO) error {
	r := p.lookup(namespace, podName)
	if r == nil {
		return errdefs.NotFoundf("pod %s/%s is not known to the provider", namespace, podName)
	}
	r.mu.Lock()
	st, ok := r.containers[containerName]
	r.mu.Unlock()
	if !ok || st.State.Running == nil {
		return errdefs.InvalidInputf("container %q in pod %q is not running", containerName, podName)
	}
	args := append([]string{"--root", p.opts.Runtime.Root, "exec", runc.ContainerID(string(r.uid()), containerName)}, cmd...)
	c := exec.CommandContext(ctx, p.opts.Runtime.Binary, args...)
	c.Stdin, c.Stdout, c.Stderr = attach.Stdin(), attach.Stdout(), attach.Stderr()
	err := c.Run()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return utilexec.CodeExitError{Err: err, Code: exitErr.ExitCode()}
	}
	if err != nil {
		return fmt.Errorf("runc exec: %w", err)
	}
	return nil
}

// AttachToContainer is not supported: containers have no attachable stdin.
func (p *Provider) AttachToContainer(ctx context.Context, namespace, podName, containerName string, attach api.AttachIO) error {
	return errdefs.InvalidInput("attach is not supported by the node agent")
}

// PortForward is not supported: pods share the host's network, connect to 127.0.0.1 directly.
func (p *Provider) PortForward(ctx context.Context, namespace, pod string, port int32, stream io.ReadWriteCloser) error {
	return errdefs.InvalidInput("port-forward is not supported by the node agent: pods use the host's network")
}

// GetStatsSummary reports the node and its pods without usage figures.
func (p *Provider) GetStatsSummary(ctx context.Context) (*statsv1alpha1.Summary, error) {
	return &statsv1alpha1.Summary{Node: statsv1alpha1.NodeStats{NodeName: p.opts.NodeName}}, nil
}

// GetMetricsResource reports no metrics.
func (p *Provider) GetMetricsResource(ctx context.Context) ([]*dto.MetricFamily, error) {
	return nil, nil
}
