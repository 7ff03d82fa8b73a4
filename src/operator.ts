// startOperator: the whole operator in one call — informers, the four controllers, the metrics and
// health endpoint, optional leader election — running until `signal` aborts. The CLI's `run` and
// `dev` commands and the end-to-end tests call it.
import { hostname } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { DEFAULTS } from './api/defaults.ts';
import type { Build, JobCR } from './api/types.ts';
import { allCaches, createCaches } from './controller/caches.ts';
import type { Caches } from './controller/caches.ts';
import { buildController } from './controller/build/controller.ts';
import { eventController } from './controller/event/controller.ts';
import { jobController } from './controller/job/controller.ts';
import { projectController } from './controller/project/controller.ts';
import { systemClock } from './controller/runtime/clock.ts';
import type { Clock } from './controller/runtime/clock.ts';
import { startHealthServer } from './controller/runtime/health-server.ts';
import type { RunningHealthServer } from './controller/runtime/health-server.ts';
import { LeaderElector } from './controller/runtime/leader.ts';
import { Manager } from './controller/runtime/manager.ts';
import { OperatorMetrics } from './controller/runtime/metrics.ts';
import type { ControllerDeps, OperatorSettings } from './controller/shared/deps.ts';
import { KeptLogHandoff } from './controller/shared/kept-log-handoff.ts';
import type { LogArchive } from './archive/index.ts';
import { packageDeps, type PackageSettings } from './controller/shared/dependencies.ts';
import { translateJob } from './jobs/index.ts';
import { BrigadeObjects } from './kube/custom-objects.ts';
import { EventRecorder } from './kube/event-recorder.ts';
import { newKubeClients } from './kube/clients.ts';
import type { KubeClients } from './kube/clients.ts';
import { apiMessage } from './kube/errors.ts';
import { TokenBucket } from './kube/rate-limiter.ts';
import type { RetryEvent } from './kube/transport.ts';
import { createScriptEngine } from './script/index.ts';
import type { ScriptEngine } from './script/index.ts';

export interface LeaderElectionSettings {
  /** Namespace of the Lease (the operator's own namespace). */
  namespace: string;
  /** Lease name; default "brigade-operator". */
  name?: string;
  /** This replica's identity; default hostname + pid. */
  identity?: string;
}

export interface OperatorOptions {
  kubeConfig: KubeConfig;
  /** Watch one namespace; all namespaces when unset (needs cluster-wide RBAC). */
  namespace?: string;
  logger: Logger;
  signal: AbortSignal;
  /** Leader election with a Lease; off when unset (dev mode). */
  leaderElection?: LeaderElectionSettings;
  /** Port of /metrics, /healthz, /readyz; 0 picks a free port; no server when unset. */
  metricsPort?: number;
  metricsHost?: string;
  settings?: Partial<OperatorSettings>;
  /** The npm registry and package cache directory for the scripts' dependencies. */
  packages?: PackageSettings;
  /** The script engine; the operator creates (and closes) its own when unset. */
  scriptEngine?: ScriptEngine;
  clock?: Clock;
  /** Object storage that keeps a copy of every kept job log (redacted); none when unset. */
  logArchive?: LogArchive;
}

export interface RunningOperator {
  /** Resolves once the caches are synced and (with leader election) this replica leads. */
  started: Promise<void>;
  /** Resolves when the operator has stopped (signal aborted, leadership lost, or a fatal error). */
  done: Promise<void>;
  /** The shared informer caches (e.g. for an embedded gateway's project cache). */
  caches: Caches;
  /** Bound port of the metrics/health server, when one was asked for. */
  metricsPort: number | undefined;
  ready(): boolean;
}

export const DEFAULT_SETTINGS: OperatorSettings = {
  eventProjectGraceMs: 60_000,
  maxJobLogBytes: DEFAULTS.maxJobLogBytes,
  logTailChars: DEFAULTS.logTailChars,
  resyncMs: 10 * 60_000,
  apiQPS: 50,
  apiBurst: 100,
};

export async function startOperator(options: OperatorOptions): Promise<RunningOperator> {
  const { logger, signal } = options;
  const clock = options.clock ?? systemClock;
  const metrics = new OperatorMetrics({ defaultMetrics: true });
  const settings = { ...DEFAULT_SETTINGS, ...options.settings };
  const clientsFor = apiClientsFactory(options.kubeConfig, settings, metrics, logger);
  const informerClients = clientsFor('informers');
  const caches = createCaches({
    clients: informerClients.clients,
    limiter: informerClients.limiter,
    namespace: options.namespace,
    logger,
    clock,
    onRestart: (name) => {
      metrics.informerRestarts.inc({ informer: name });
    },
    onRelist: (name) => {
      metrics.informerRelists.inc({ informer: name });
    },
  });
  metrics.setPhaseSources({
    builds: () => caches.builds.list().map((b) => (b as Build).status?.phase),
    jobs: () => caches.jobs.list().map((j) => (j as JobCR).status?.phase),
  });
  const engine =
    options.scriptEngine ??
    createScriptEngine({
      ...(settings.maxResidentScripts ? { maxResidentBuilds: settings.maxResidentScripts } : {}),
      ...(settings.scriptWorkers ? { workers: settings.scriptWorkers } : {}),
      onBuildStarted: (seconds) => {
        metrics.scriptStartSeconds.observe(seconds);
      },
    });
  // Stopped with the operator only when it started it.
  const ownEngine = engine === options.scriptEngine ? undefined : engine;
  metrics.setScriptStats(() => engine.stats());
  const recorder = new EventRecorder({
    core: clientsFor('events').clients.core,
    component: 'brigade-operator',
    onError: (err, e) => {
      logger.warn({ err: apiMessage(err), reason: e.reason }, 'could not record an Event');
    },
  });
  // One registry client and package store for every controller: a package is fetched once.
  const packages = packageDeps(options.packages);
  // Kept logs pass from the Job controller to the Build sessions in this process, not through the API.
  const keptLogs = new KeptLogHandoff();
  caches.jobs.onChange((job, verb) => {
    if (verb === 'delete' && job.metadata.uid) keptLogs.take(job.metadata.uid);
  });
  if (options.logArchive) logger.info({ archive: options.logArchive.description }, 'job logs are archived');
  // Each controller has API clients (and so a rate limit) of its own: a burst of one cannot starve another.
  const depsFor = (controller: string): ControllerDeps => {
    const { clients } = clientsFor(controller);
    return {
      clients,
      objects: new BrigadeObjects(clients.custom),
      caches,
      recorder,
      logger,
      clock,
      script: engine,
      translate: translateJob,
      settings,
      packages,
      keptLogs,
      ...(options.logArchive ? { logArchive: options.logArchive } : {}),
    };
  };
  // Lease renewals are never rate limited: waiting behind a busy controller could lose leadership.
  const leaseClients = newKubeClients(options.kubeConfig, { onRetry: clientsFor.onRetry('leader-election') });
  const manager = new Manager({ logger, leaderElector: leaderElector(options, leaseClients.coordination, clock) });
  for (const cache of allCaches(caches)) manager.addCache(cache);
  const builds = buildController(depsFor('build'), metrics);
  for (const c of [
    projectController(depsFor('project'), metrics, {
      history: settings.history ?? { succeeded: {}, failed: {} },
      collected: (kind, reason, n) => {
        metrics.historyCollected.inc({ kind, reason }, n);
      },
    }),
    eventController(depsFor('event'), metrics),
    builds.controller,
    jobController(depsFor('job'), metrics),
  ])
    manager.addController(c);

  const health =
    options.metricsPort === undefined
      ? undefined
      : await startHealthServer({
          port: options.metricsPort,
          host: options.metricsHost,
          registry: metrics.registry,
          ready: () => manager.ready(),
        });
  if (health)
    logger.info({ port: health.port, host: options.metricsHost ?? '127.0.0.1' }, 'health and metrics server listening');
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const done = run(manager, signal, markStarted, { logger, health, ownEngine, sessions: builds.runtime.sessions });
  return { started, done, caches, metricsPort: health?.port, ready: () => manager.ready() };
}

interface Teardown {
  logger: Logger;
  health: RunningHealthServer | undefined;
  ownEngine: ScriptEngine | undefined;
  sessions: Map<string, { stop(reason: unknown): void }>;
}

async function run(manager: Manager, signal: AbortSignal, onStarted: () => void, t: Teardown): Promise<void> {
  try {
    await manager.start(signal, onStarted);
  } finally {
    // Script sessions are a cache: stopping them is safe, a later start replays their builds.
    for (const s of t.sessions.values()) s.stop(new Error('the operator is stopping'));
    t.sessions.clear();
    await t.ownEngine?.close();
    await t.health?.close();
    onStarted(); // never leave a waiter of `started` hanging
    t.logger.info('operator stopped');
  }
}

/** API clients with a rate limit of their own, named for metrics and logs; retries are counted. */
function apiClientsFactory(
  kubeConfig: KubeConfig,
  settings: OperatorSettings,
  metrics: OperatorMetrics,
  logger: Logger,
): ((client: string) => { clients: KubeClients; limiter: TokenBucket }) & {
  onRetry: (client: string) => (e: RetryEvent) => void;
} {
  const onRetry =
    (client: string) =>
    (e: RetryEvent): void => {
      metrics.apiRetries.inc({ client, reason: e.reason });
      logger.debug({ client, ...e }, 'API request failed transiently; retrying');
    };
  const make = (client: string): { clients: KubeClients; limiter: TokenBucket } => {
    const limiter = new TokenBucket({ qps: settings.apiQPS, burst: settings.apiBurst });
    return { clients: newKubeClients(kubeConfig, { limiter, onRetry: onRetry(client) }), limiter };
  };
  return Object.assign(make, { onRetry });
}

function leaderElector(
  o: OperatorOptions,
  api: ReturnType<typeof newKubeClients>['coordination'],
  clock: Clock,
): LeaderElector | undefined {
  const le = o.leaderElection;
  if (!le) return undefined;
  return new LeaderElector({
    api,
    namespace: le.namespace,
    name: le.name ?? 'brigade-operator',
    identity: le.identity ?? `${hostname()}-${process.pid}`,
    logger: o.logger,
    clock,
  });
}
