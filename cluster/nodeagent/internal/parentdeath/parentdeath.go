// Package parentdeath lets the node agent die with the process that started it: the test harness may be
// killed without a chance to stop its children, and a stray agent would hold kubelet ports
// and keep containers running. The same rule as cluster/parentdeath (a separate module cannot share it).
package parentdeath

import (
	"fmt"
	"os"

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
