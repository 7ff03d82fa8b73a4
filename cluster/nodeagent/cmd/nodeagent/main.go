// Command nodeagent serves the test ground's nodes: a regular node and a virtual-kubelet node
// behaving like Azure Container Instances, both running pods with runc. See ../../README.md.
package main

import (
	"fmt"
	"os"

	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/app"
	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/parentdeath"
)

func main() {
	if err := parentdeath.FromEnv(); err != nil {
		fmt.Fprintf(os.Stderr, "nodeagent: %v\n", err)
		os.Exit(2)
	}
	os.Exit(app.Run(os.Args[1:], os.Stderr))
}
