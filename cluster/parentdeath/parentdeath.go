// Package parentdeath lets a component die with the process that started it: the test harness may be
// killed without a chance to stop its children, and a stray kube-apiserver or etcd would hold ports
// and data directories of the next run.
package parentdeath

import (
	"fmt"
	"os"
	"os/exec"
	"strings"

	"golang.org/x/sys/unix"
)

// EnvVar names the signal (only SIGKILL or SIGTERM) the kernel sends when the parent exits.
const EnvVar = "KUBEGROUND_PARENT_DEATH_SIGNAL"

// FromEnv arms the parent-death signal when EnvVar asks for one, and exits at once when the parent
// is already gone (the signal would never come).
func FromEnv() error {
	var sig unix.Signal
	switch os.Getenv(EnvVar) {
	case "":
		return nil
	case "SIGKILL":
		sig = unix.SIGKILL
	case "SIGTERM":
		sig = unix.SIGTERM
	default:
		return fmt.Errorf("%s=%q: want SIGKILL or SIGTERM", EnvVar, os.Getenv(EnvVar))
	}
	parent := os.Getppid()
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(sig), 0, 0, 0); err != nil {
		return fmt.Errorf("prctl(PR_SET_PDEATHSIG): %w", err)
	}
	if os.Getppid() != parent {
		os.Exit(1)
	}
	return nil
}

// Exec replaces this process with program, keeping the parent-death signal armed by FromEnv (it
// survives execve), so a program that knows nothing of it dies with the harness all the same.
func Exec(program string, args []string) error {
	path, err := exec.LookPath(program)
	if err != nil {
		return fmt.Errorf("finding %s: %w", program, err)
	}
	env := make([]string, 0, len(os.Environ()))
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, EnvVar+"=") {
			env = append(env, kv)
		}
	}
	if err := unix.Exec(path, append([]string{path}, args...), env); err != nil {
		return fmt.Errorf("executing %s: %w", path, err)
	}
	return nil
}
