// Package runc runs one container per OCI bundle with the runc binary: the bundle (an overlay
// root filesystem over the image's read-only rootfs, and config.json), the foreground `runc run`
// process whose exit status is the container's, and kill, delete and list.
package runc

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Runtime is runc with its own state directory.
type Runtime struct {
	Binary string
	// Root is runc's --root: where it keeps the state of this runtime's containers.
	Root string
}

// Find locates the runc binary: on PATH, else in /usr/sbin or /usr/bin.
func Find() (string, error) {
	if p, err := exec.LookPath("runc"); err == nil {
		return p, nil
	}
	for _, p := range []string{"/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc"} {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	return "", errors.New("runc not found on PATH, in /usr/sbin or /usr/bin")
}

// Process is one `runc run` of a container.
type Process struct {
	id      string
	bundle  *Bundle
	cmd     *exec.Cmd
	done    chan struct{}
	waitErr error
}

// ExitStatus is how a container ended. StartError is set when runc could not start the
// container's process (the command does not exist, a mount failed...); Code is then 128.
type ExitStatus struct {
	Code       int
	StartError string
}

// Start runs the container in the foreground of a runc process whose stdout and stderr are the
// given files (the container's streams go there). The returned process must be waited for.
func (r *Runtime) Start(id string, b *Bundle, stdout, stderr *os.File) (*Process, error) {
	cmd := exec.Command(r.Binary, "--root", r.Root, "--log", b.runcLog(), "--log-format", "json",
		"run", "--bundle", b.Dir, "--pid-file", b.pidFile(), id)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	// Own process group: a ^C to the agent must not reach containers through runc.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting runc for %s: %w", id, err)
	}
	p := &Process{id: id, bundle: b, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// Done is closed when runc has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Started waits until the container's process runs (runc wrote its pid) and returns true, or
// until runc exits first and returns false.
func (p *Process) Started(ctx context.Context) (bool, error) {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		if _, err := os.Stat(p.bundle.pidFile()); err == nil {
			return true, nil
		}
		select {
		case <-p.done:
			_, err := os.Stat(p.bundle.pidFile())
			return err == nil, nil
		case <-ctx.Done():
			return false, ctx.Err()
		case <-tick.C:
		}
	}
}

// Wait waits for runc to exit and tells how the container ended.
func (p *Process) Wait() (ExitStatus, error) {
	<-p.done
	var exitErr *exec.ExitError
	switch {
	case p.waitErr == nil:
		return ExitStatus{}, nil
	case errors.As(p.waitErr, &exitErr):
	default:
		return ExitStatus{}, fmt.Errorf("waiting for runc: %w", p.waitErr)
	}
	if msg := runcError(p.bundle.runcLog()); msg != "" {
		return ExitStatus{Code: 128, StartError: msg}, nil
	}
	code := exitErr.ExitCode()
	if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		code = 128 + int(ws.Signal()) // runc itself was killed
	}
	return ExitStatus{Code: code}, nil
}

// runcError is the last error runc logged: it failed, rather than the container exiting non-zero.
func runcError(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	var last string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		var entry struct{ Level, Msg string }
		if json.Unmarshal(sc.Bytes(), &entry) == nil && (entry.Level == "error" || entry.Level == "fatal") {
			last = entry.Msg
		}
	}
	return last
}

// Kill sends a signal ("TERM", "KILL") to the container's init process.
func (r *Runtime) Kill(ctx context.Context, id, signal string) error {
	out, err := r.run(ctx, "kill", id, signal)
	if err != nil && !notRunning(out) {
		return fmt.Errorf("runc kill %s %s: %w: %s", id, signal, err, out)
	}
	return nil
}

// Delete removes the container's runc state (killing it if it still runs).
func (r *Runtime) Delete(ctx context.Context, id string) error {
	out, err := r.run(ctx, "delete", "--force", id)
	if err != nil && !notRunning(out) {
		return fmt.Errorf("runc delete %s: %w: %s", id, err, out)
	}
	return nil
}

// List returns the ids of the containers runc knows in this root.
func (r *Runtime) List(ctx context.Context) ([]string, error) {
	out, err := r.run(ctx, "list", "--format", "json")
	if err != nil {
		return nil, fmt.Errorf("runc list: %w: %s", err, out)
	}
	var list []struct {
		ID string `json:"id"`
	}
	if s := strings.TrimSpace(string(out)); s != "" && s != "null" {
		if err := json.Unmarshal(out, &list); err != nil {
			return nil, fmt.Errorf("runc list: %w", err)
		}
	}
	ids := make([]string, 0, len(list))
	for _, c := range list {
		ids = append(ids, c.ID)
	}
	return ids, nil
}

func (r *Runtime) run(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, r.Binary, append([]string{"--root", r.Root}, args...)...)
	return cmd.CombinedOutput()
}

func notRunning(out []byte) bool {
	s := string(out)
	return strings.Contains(s, "does not exist") || strings.Contains(s, "not running") || strings.Contains(s, "process already finished")
}

// Clean kills and deletes every container left in the root by an earlier run of the agent.
func (r *Runtime) Clean(ctx context.Context) error {
	if err := os.MkdirAll(r.Root, 0o700); err != nil {
		return fmt.Errorf("creating runc root: %w", err)
	}
	ids, err := r.List(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range ids {
		errs = append(errs, r.Delete(ctx, id))
	}
	return errors.Join(errs...)
}

// ContainerID makes a runc container id from a pod UID and a container name.
func ContainerID(podUID, container string) string {
	return podUID + "-" + container
}
