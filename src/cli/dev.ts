// `brigade-operator dev`: everything on one machine with no cluster. Starts the Kubernetes API
// simulator (docs/simulator.md), installs the CRDs, runs the operator and the gateway against it,
// applies the samples and prints how their builds go. Writes a kubeconfig so kubectl works beside it.
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import pino from 'pino';
import { GROUP, VERSION } from '../api/constants.ts';
import { crdManifests } from '../api/crds.ts';
import type { Build } from '../api/types.ts';
import { hostGateway } from '../gateway/index.ts';
import { applyCustomResourceDefinition } from '../kube/index.ts';
import { startLocalCluster } from '../localcluster/index.ts';
import { startOperator } from '../operator.ts';
import { startSimulator } from '../sim/index.ts';
import { untilSignalled, type Command, type CommandIO } from './command.ts';
import { CommandError, logLevelOption, parseCommandLine, portOption, UsageError } from './commands/options.ts';
import { runReporting } from './commands/run.ts';
import { applySamples, loadSamples, sampleNames } from './dev-samples.ts';
import { printProgress } from './dev-progress.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const USAGE = [
  'Usage: brigade-operator dev [options]',
  '',
  'Runs the operator and the gateway against the embedded Kubernetes API simulator (not a real',
  'cluster: pod commands run as local processes, images are not pulled; see docs/simulator.md),',
  'or with --ground cluster against a real local control plane (docs/real-cluster.md), applies the',
  'samples and prints their builds as they progress. Stops on SIGINT/SIGTERM.',
  '',
  '  --ground GROUND      sim (default) or cluster: upstream Kubernetes components built from source',
  '  --dir DIR            where the kubeconfig, pod data and operator log go (default .dev)',
  '  --api-port N         simulator API port (default: any free port; sim only)',
  '  --gateway-port N     gateway port (default 7744; 0 picks a free port)',
  '  --samples LIST       comma-separated samples to apply (default: all in samples/); "none" for none',
  '  --exit-when-done     exit once every sample build has finished (exit 1 if any did not succeed)',
  '  --log-level LEVEL    operator log level (default info); the log goes to DIR/operator.log',
].join('\n');

const OPTIONS = {
  dir: { type: 'string' },
  ground: { type: 'string' },
  'api-port': { type: 'string' },
  'gateway-port': { type: 'string' },
  samples: { type: 'string' },
  'exit-when-done': { type: 'boolean' },
  'log-level': { type: 'string' },
} as const;

async function installCrds(kubeConfig: KubeConfig, signal: AbortSignal): Promise<void> {
  for (const crd of crdManifests()) await applyCustomResourceDefinition(kubeConfig, crd);
  // A CRD's resources are served once it is established (at once on the simulator, moments later on a
  // real API server); confirm with one list each.
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  for (const crd of crdManifests()) {
    for (let attempt = 0; ; attempt++) {
      signal.throwIfAborted();
      try {
        await custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: crd.spec.names.plural });
        break;
      } catch (err) {
        if (attempt >= 100) throw new Error(`CRD ${crd.metadata.name} is not served`, { cause: err });
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
}

interface DevGround {
  kubeconfigPath: string;
  description: string;
  stop(): Promise<void>;
}

/** The cluster dev runs on: the embedded simulator, or the real local control plane (docs/real-cluster.md). */
async function startDevGround(
  kind: string,
  dir: string,
  apiPort: number,
  io: CommandIO,
  signal: AbortSignal,
): Promise<DevGround> {
  if (kind === 'sim') {
    const sim = await startSimulator({
      kubeconfigPath: join(dir, 'kubeconfig'),
      dataDir: join(dir, 'data'),
      port: apiPort,
    });
    return {
      kubeconfigPath: sim.kubeconfigPath,
      description: 'the embedded Kubernetes API simulator (not a real cluster)',
      stop: () => sim.stop(),
    };
  }
  const cluster = await startLocalCluster({
    dir: join(dir, 'cluster'),
    signal,
    onProgress: (line) => io.stderr.write(`dev: cluster: ${line}\n`),
  });
  const kubeconfigPath = join(dir, 'kubeconfig');
  await copyFile(cluster.kubeconfigPath, kubeconfigPath);
  return {
    kubeconfigPath,
    description: `a real local control plane (${cluster.apiServerURL}; component logs in ${cluster.logDir})`,
    stop: () => cluster.stop(),
  };
}

async function chooseSamples(requested: string | undefined): Promise<string[]> {
  const available = await sampleNames(join(ROOT, 'samples'));
  if (requested === undefined) return available;
  if (requested === 'none') return [];
  const names = requested
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !available.includes(n));
  if (unknown.length)
    throw new UsageError(`unknown sample(s) ${unknown.join(', ')}; available: ${available.join(', ')}`);
  return names;
}

export const devCommand: Command = {
  summary: 'run the operator, gateway and samples on the embedded Kubernetes simulator (no cluster needed)',
  usage: USAGE,
  run: (argv, io) =>
    runReporting({ name: 'dev', usage: USAGE, io }, async () => {
      const { values, positionals } = parseCommandLine(argv, OPTIONS);
      if (positionals.length > 0) throw new UsageError('dev takes no arguments');
      const dir = resolve(values.dir ?? '.dev');
      const samples = await chooseSamples(values.samples);
      const gatewayPort = portOption(values['gateway-port'], '--gateway-port') ?? 7744;
      const groundKind = values.ground ?? 'sim';
      if (groundKind !== 'sim' && groundKind !== 'cluster')
        throw new UsageError(`--ground ${groundKind}: want sim or cluster`);
      await mkdir(dir, { recursive: true });
      const logFile = join(dir, 'operator.log');
      const logger = pino(
        { name: 'brigade-operator', level: logLevelOption(values['log-level']) },
        pino.destination({ dest: logFile, sync: false }),
      );

      const { signal, stopped, stop } = untilSignalled();
      const ground = await startDevGround(
        groundKind,
        dir,
        portOption(values['api-port'], '--api-port') ?? 0,
        io,
        signal,
      );
      const stopAll: Array<() => Promise<void>> = [() => ground.stop()];
      try {
        const kubeConfig = new KubeConfig();
        kubeConfig.loadFromFile(ground.kubeconfigPath);
        await installCrds(kubeConfig, signal);
        const operator = await startOperator({ kubeConfig, logger, signal });
        stopAll.unshift(() => operator.done);
        await operator.started;
        const gateway = await hostGateway({
          kubeConfig,
          logger: logger.child({ component: 'gateway' }),
          port: gatewayPort,
          host: '127.0.0.1',
          namespace: 'default',
          allNamespaces: true,
          projectCache: operator.caches.projects,
          signal,
        }).catch((err: unknown) => {
          if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
          throw new CommandError(
            `gateway port ${gatewayPort} is in use (is another dev running?); choose one with --gateway-port, or 0 for any free port`,
            { cause: err },
          );
        });
        stopAll.unshift(() => gateway.stop());

        io.stdout.write(
          [
            `brigade-operator dev: the operator is running on ${ground.description}.`,
            `  kubeconfig: ${ground.kubeconfigPath}   e.g. npx kubectl --kubeconfig ${ground.kubeconfigPath} get brigade`,
            `  gateway:    ${gateway.url}   (see docs/intake.md)`,
            `  operator log: ${logFile}`,
            '',
          ].join('\n'),
        );

        const finished = new Map<string, Build>();
        const sampleObjects = await loadSamples(join(ROOT, 'samples'), samples);
        const expected = new Set(
          sampleObjects
            .filter((o) => o.kind === 'Event')
            .map((o) => `${o.metadata?.namespace ?? 'default'}/${o.metadata?.name}`),
        );
        let allDone!: () => void;
        const done = new Promise<void>((res) => (allDone = res));
        printProgress({
          builds: operator.caches.builds,
          jobs: operator.caches.jobs,
          out: io.stdout,
          onBuildFinished: (b) => {
            finished.set(`${b.metadata.namespace}/${b.spec.event}`, b);
            if ([...expected].every((e) => finished.has(e))) allDone();
          },
        });
        const applied = await applySamples(kubeConfig, sampleObjects);
        io.stdout.write(
          `applied samples ${samples.join(', ') || '(none)'}: ${applied.created.length} objects created, ${applied.existing.length} already there\n`,
        );
        if (expected.size === 0) allDone();

        if (values['exit-when-done']) {
          await Promise.race([done, stopped]);
          const failed = [...finished.values()].filter((b) => b.status?.phase !== 'Succeeded');
          io.stdout.write(`${finished.size} sample build(s) finished, ${failed.length} did not succeed\n`);
          return failed.length || finished.size < expected.size ? 1 : 0;
        }
        io.stdout.write('press Ctrl-C to stop\n');
        await stopped;
        return 0;
      } finally {
        stop('dev finished');
        for (const stop of stopAll) await stop();
        logger.flush();
      }
    }),
};
