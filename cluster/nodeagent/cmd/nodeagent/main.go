// Command nodeagent serves the test ground's nodes: a regular node and a virtual-kubelet node
// behaving like Azure Container Instances, both running pods with runc. See ../../README.md.
package main

import (
	"os"

	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/app"
)

func main() {
	os.Exit(app.Run(os.Args[1:], os.Stderr))
}
