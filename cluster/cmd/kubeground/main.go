// Command kubeground is a multi-call binary holding the components of the project's local Kubernetes
// control plane, built from pinned upstream sources. Each component runs as its own process:
// `kubeground <component> [flags]`; the components share globals (flags, klog), so never two in one.
package main

import (
	"fmt"
	"os"
	"sort"

	"github.com/spf13/cobra"
	"go.etcd.io/etcd/server/v3/etcdmain"
	"k8s.io/component-base/cli"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"

	"github.com/brigade-operator/brigade-operator/cluster/parentdeath"
	"github.com/brigade-operator/brigade-operator/cluster/pki"
)

var commands = map[string]func() *cobra.Command{
	"kube-apiserver":          apiserver.NewAPIServerCommand,
	"kube-controller-manager": controllermanager.NewControllerManagerCommand,
	"kube-scheduler":          func() *cobra.Command { return scheduler.NewSchedulerCommand() },
	"pki":                     pki.NewCommand,
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	if err := parentdeath.FromEnv(); err != nil {
		fmt.Fprintf(os.Stderr, "kubeground: %v\n", err)
		os.Exit(2)
	}
	component, args := os.Args[1], os.Args[2:]
	if component == "exec" && len(args) > 0 {
		// `kubeground exec PROGRAM ARGS...`: PROGRAM in this process, with the parent-death signal.
		if err := parentdeath.Exec(args[0], args[1:]); err != nil {
			fmt.Fprintf(os.Stderr, "kubeground: %v\n", err)
			os.Exit(2)
		}
	}
	if component == "etcd" {
		// etcd parses its own flags from an argv whose first element is the program name.
		etcdmain.Main(append([]string{"etcd"}, args...))
		return
	}
	newCommand, ok := commands[component]
	if !ok {
		usage()
	}
	cmd := newCommand()
	cmd.SetArgs(args)
	os.Exit(cli.Run(cmd))
}

func usage() {
	names := []string{"etcd", "exec"}
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	fmt.Fprintf(os.Stderr, "usage: kubeground <component> [flags]\ncomponents: %v\n", names)
	os.Exit(2)
}
