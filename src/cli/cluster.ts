// `brigade-operator cluster`: the real local control plane in the foreground (upstream etcd,
// kube-apiserver, kube-controller-manager, kube-scheduler and the node agent serving node-1 and
// virtual-kubelet; docs/real-cluster.md). Builds what it needs first, prints one line once the
// cluster is ready and stops every process on SIGINT/SIGTERM.
import { resolve } from 'node:path';
import { startLocalCluster } from '../localcluster/index.ts';
import { untilSignalled, type Command } from './command.ts';
import { CommandError, parseCommandLine, UsageError } from './commands/options.ts';
import { runReporting } from './commands/run.ts';

const USAGE = [
  'Usage: brigade-operator cluster --dir DIR',
  '',
  'Runs a real Kubernetes control plane on this machine (built from upstream sources on first use,',
  'which takes a while; progress is printed), writes DIR/kubeconfig (cluster-admin) once everything',
  'is ready, prints one line saying so and runs until SIGINT/SIGTERM. Needs root, Go, runc and',
  'debootstrap (docs/real-cluster.md).',
  '',
  '  --dir DIR   where certificates, etcd data, node state, logs and the kubeconfig go (emptied first)',
].join('\n');

const OPTIONS = { dir: { type: 'string' } } as const;

export const clusterCommand: Command = {
  summary: 'run a real local Kubernetes control plane (upstream components, virtual-kubelet node agent)',
  usage: USAGE,
  run: (argv, io) =>
    runReporting({ name: 'cluster', usage: USAGE, io }, async () => {
      const { values, positionals } = parseCommandLine(argv, OPTIONS);
      if (positionals.length > 0) throw new UsageError('cluster takes no arguments');
      if (!values.dir) throw new UsageError('--dir DIR is required');
      const { signal, stopped } = untilSignalled();
      const cluster = await startLocalCluster({
        dir: resolve(values.dir),
        signal,
        onProgress: (line) => io.stderr.write(`cluster: ${line}\n`),
      }).catch((err: unknown) => {
        if (signal.aborted) throw new CommandError('cluster: stopped before it was ready', { cause: err });
        throw err;
      });
      io.stdout.write(
        `cluster ready: kubeconfig ${cluster.kubeconfigPath} (API ${cluster.apiServerURL}, logs ${cluster.logDir})\n`,
      );
      try {
        await Promise.race([stopped, cluster.failure]);
      } finally {
        await cluster.stop();
      }
      return 0;
    }),
};
