package pki

import (
	"fmt"
	"net"

	"github.com/spf13/cobra"
)

// NewCommand is `kubeground pki`: it writes a fresh certificate set for one local cluster.
func NewCommand() *cobra.Command {
	var o Options
	var serviceIP string
	cmd := &cobra.Command{
		Use:   "pki",
		Short: "Write the CA, serving and client certificates, service-account keys and kubeconfigs of a local cluster",
		Args:  cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			o.ServiceIP = net.ParseIP(serviceIP)
			if o.ServiceIP == nil {
				return fmt.Errorf("--service-ip %q is not an IP address", serviceIP)
			}
			if o.Dir == "" || o.APIServerURL == "" {
				return fmt.Errorf("--dir and --apiserver-url are required")
			}
			return Generate(o)
		},
	}
	cmd.Flags().StringVar(&o.Dir, "dir", "", "directory that receives the files")
	cmd.Flags().StringVar(&o.APIServerURL, "apiserver-url", "", "URL written into every kubeconfig")
	cmd.Flags().StringVar(&serviceIP, "service-ip", "10.0.0.1", "ClusterIP of the kubernetes Service (a SAN of the serving certificate)")
	cmd.Flags().StringSliceVar(&o.Nodes, "node", nil, "node name that gets a system:node:<name> identity (repeatable)")
	return cmd
}
