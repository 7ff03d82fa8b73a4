// `brigade-operator run`: the operator against a real cluster (in-cluster config or a kubeconfig),
// optionally hosting the event gateway in the same process.
import pino from 'pino';
import { operatorDashboard, type ProxyIdentity } from '../dashboard/index.ts';
import { hostGateway } from '../gateway/index.ts';
import type { PackageSettings } from '../controller/shared/dependencies.ts';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { JOB_EVENTS_SETTINGS, type JobEventsSetting, type OperatorSettings } from '../controller/shared/deps.ts';
import { startOperator, type RunningOperator } from '../operator.ts';
import { untilSignalled, type Command } from './command.ts';
import {
  connect,
  KUBE_USAGE,
  logLevelOption,
  parseCommandLine,
  portOption,
  positiveNumberOption,
  UsageError,
} from './commands/options.ts';
import { limitOptions, limitUsage, limitValues } from './commands/gateway-options.ts';
import { HISTORY_OPTIONS, HISTORY_USAGE, historyValues } from './commands/history-options.ts';
import { runReporting } from './commands/run.ts';
import { archiveFromOptions, archiveOptions, archiveUsage } from './commands/archive-options.ts';
import { DEFAULTS } from '../api/defaults.ts';

const USAGE = [
  'Usage: brigade-operator run [options]',
  '',
  'Reconciles Projects, Events, Builds and Jobs (brigade.sh/v1alpha1) until SIGINT/SIGTERM.',
  '',
  '  --watch-namespace NS   reconcile only this namespace (default: all namespaces)',
  '  --leader-elect         hold a Lease so only one replica reconciles (use with replicas > 1)',
  '  --lease-namespace NS   namespace of the Lease (default: $POD_NAMESPACE, then the context namespace)',
  '  --metrics-port N       /metrics, /healthz, /readyz (default 9090; 0 picks a free port)',
  '  --metrics-host ADDR    their listen address (default 127.0.0.1; in a pod 0.0.0.0, for the probes)',
  '  --gateway-port N       also serve the event gateway on this port (see docs/intake.md)',
  '  --gateway-host ADDR    its listen address (default 127.0.0.1; in a pod 0.0.0.0, for its Service)',
  ...limitUsage('gateway-'),
  '  --dashboard-port N     serve the web dashboard on this port (off by default; see docs/operations.md)',
  '  --dashboard-host ADDR  its listen address (default 127.0.0.1)',
  '  --dashboard-allowed-hosts H1,H2  host names it answers besides localhost (e.g. its Ingress host)',
  '  --dashboard-actions    offer cancel and rerun to the users an authenticating proxy names (needs',
  '                         --dashboard-user-header; each action is checked with a SubjectAccessReview)',
  '  --dashboard-user-header H    the trusted proxy header naming the user (e.g. X-Forwarded-User)',
  '  --dashboard-groups-header H  the one with their comma-separated groups (e.g. X-Forwarded-Groups)',
  '  --log-level LEVEL      trace, debug, info, warn, error (default info)',
  '  --api-qps N            API requests per second per controller, client-side limit (default 50)',
  '  --api-burst N          requests allowed in a burst per controller (default 100)',
  '  --job-events WHICH     core Events on Job CRs: all (default) or failures (warnings only)',
  '  --max-resident-scripts N  builds whose script stays in memory while it waits on jobs (default 50,',
  '                         about 1 MiB each); past it, the longest waiting are freed and replayed when a job ends',
  '  --script-workers N     threads evaluating scripts (default 2, 1 with two cores or fewer; about 40 MiB each)',
  '  --max-job-log-bytes N  how much of each job log is kept when its Project sets no spec.logs.maxJobLogBytes',
  `                         (default ${DEFAULTS.maxJobLogBytes})`,
  ...archiveUsage('also keep every job log in object storage'),
  "  --npm-registry URL     the npm registry for scripts' dependencies (default https://registry.npmjs.org/)",
  '  --package-cache DIR    keep fetched npm packages in DIR across restarts (default: in memory)',
  ...HISTORY_USAGE,
  ...KUBE_USAGE,
].join('\n');

const OPTIONS = {
  'watch-namespace': { type: 'string' },
  'leader-elect': { type: 'boolean' },
  'lease-namespace': { type: 'string' },
  'metrics-port': { type: 'string' },
  'gateway-port': { type: 'string' },
  'metrics-host': { type: 'string' },
  'gateway-host': { type: 'string' },
  ...limitOptions('gateway-'),
  'dashboard-port': { type: 'string' },
  'dashboard-host': { type: 'string' },
  'dashboard-allowed-hosts': { type: 'string' },
  'dashboard-actions': { type: 'boolean' },
  'dashboard-user-header': { type: 'string' },
  'dashboard-groups-header': { type: 'string' },
  'log-level': { type: 'string' },
  'api-qps': { type: 'string' },
  'api-burst': { type: 'string' },
  'job-events': { type: 'string' },
  'npm-registry': { type: 'string' },
  'package-cache': { type: 'string' },
  ...HISTORY_OPTIONS,
  'max-job-log-bytes': { type: 'string' },
  'max-resident-scripts': { type: 'string' },
  'script-workers': { type: 'string' },
  ...archiveOptions,
} as const;

export const runCommand: Command = {
  summary: 'run the operator (and optionally the gateway) against the current cluster',
  usage: USAGE,
  run: (argv, io) =>
    runReporting({ name: 'run', usage: USAGE, io }, async () => {
      const { values, positionals } = parseCommandLine(argv, OPTIONS);
      if (positionals.length > 0) throw new UsageError('run takes no arguments');
      const metricsPort = portOption(values['metrics-port'], '--metrics-port') ?? 9090;
      const gatewayPort = portOption(values['gateway-port'], '--gateway-port');
      const dashboardPort = portOption(values['dashboard-port'], '--dashboard-port');
      const dashboardActions = dashboardIdentity(values);
      const settings = { ...operatorSettings(values), history: historyValues(values) };
      const logArchive = archiveFromOptions(values, io.env);
      const logger = pino({ name: 'brigade-operator', level: logLevelOption(values['log-level']) });
      const target = connect(
        { ...values, namespace: values['lease-namespace'] ?? io.env.POD_NAMESPACE ?? values.namespace },
        io.env,
      );
      const watchNamespace = values['watch-namespace'];
      const { signal, stopped, stop } = untilSignalled();

      const operator = await startOperator({
        kubeConfig: target.kubeConfig,
        namespace: watchNamespace,
        logger,
        signal,
        metricsPort,
        metricsHost: values['metrics-host'] ?? '127.0.0.1',
        leaderElection: values['leader-elect'] ? { namespace: target.namespace, identity: io.env.POD_NAME } : undefined,
        settings,
        ...(logArchive ? { logArchive } : {}),
        packages: packageSettings(values['npm-registry'], values['package-cache']),
      });
      let stopGateway = async (): Promise<void> => {};
      if (gatewayPort !== undefined) {
        // The gateway reads Projects from the operator's own informer: one watch, one cache.
        const gateway = await hostGateway({
          kubeConfig: target.kubeConfig,
          logger: logger.child({ component: 'gateway' }),
          port: gatewayPort,
          host: values['gateway-host'] ?? '127.0.0.1',
          namespace: watchNamespace ?? target.namespace,
          allNamespaces: watchNamespace === undefined,
          projectCache: operator.caches.projects,
          signal,
          limits: limitValues(values, 'gateway-'),
        });
        stopGateway = () => gateway.stop();
      }
      if (dashboardPort !== undefined)
        await serveDashboard(values, {
          port: dashboardPort,
          actions: dashboardActions,
          target,
          operator,
          logger,
          signal,
        });
      // Stop on a signal, or when the operator stops by itself (lost leadership, fatal error).
      await Promise.race([stopped, operator.done]);
      const byItself = !signal.aborted;
      stop('the operator stopped');
      await stopGateway();
      await operator.done;
      if (byItself)
        logger.error('the operator stopped by itself (lost leadership or a fatal error); exiting so it restarts');
      return byItself ? 1 : 0;
    }),
};

function packageSettings(registry: string | undefined, cacheDir: string | undefined): PackageSettings {
  return { ...(registry ? { registryURL: npmRegistryOption(registry) } : {}), ...(cacheDir ? { cacheDir } : {}) };
}

function operatorSettings(values: {
  'api-qps'?: string;
  'api-burst'?: string;
  'max-job-log-bytes'?: string;
  'max-resident-scripts'?: string;
  'script-workers'?: string;
  'job-events'?: string;
}): Partial<OperatorSettings> {
  const apiQPS = positiveNumberOption(values['api-qps'], '--api-qps');
  const apiBurst = positiveNumberOption(values['api-burst'], '--api-burst');
  const maxJobLogBytes = jobLogBytesOption(values['max-job-log-bytes']);
  const jobEvents = jobEventsOption(values['job-events']);
  const maxResidentScripts = wholeNumberOption(values['max-resident-scripts'], '--max-resident-scripts');
  const scriptWorkers = wholeNumberOption(values['script-workers'], '--script-workers');
  return {
    ...(maxResidentScripts ? { maxResidentScripts } : {}),
    ...(scriptWorkers ? { scriptWorkers } : {}),
    ...(apiQPS ? { apiQPS } : {}),
    ...(apiBurst ? { apiBurst: Math.max(1, Math.round(apiBurst)) } : {}),
    ...(maxJobLogBytes ? { maxJobLogBytes } : {}),
    ...(jobEvents ? { jobEvents } : {}),
  };
}

function wholeNumberOption(value: string | undefined, flag: string): number | undefined {
  const n = positiveNumberOption(value, flag);
  if (n !== undefined && !Number.isInteger(n))
    throw new UsageError(`${flag} must be a whole number, got "${value ?? ''}"`);
  return n;
}

function jobLogBytesOption(value: string | undefined): number | undefined {
  const n = positiveNumberOption(value, '--max-job-log-bytes');
  if (n === undefined) return undefined;
  if (!Number.isInteger(n) || n < DEFAULTS.minJobLogBytes || n > DEFAULTS.maxJobLogBytesLimit)
    throw new UsageError(
      `--max-job-log-bytes must be a whole number from ${DEFAULTS.minJobLogBytes} to ${DEFAULTS.maxJobLogBytesLimit}, got "${value}"`,
    );
  return n;
}

function npmRegistryOption(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--npm-registry: ${JSON.stringify(value)} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new UsageError('--npm-registry: the registry URL must be http or https');
  return url.href;
}

/** The operator-served dashboard, over the operator's own informers; it stops with the signal. */
async function serveDashboard(
  values: { 'dashboard-host'?: string; 'dashboard-allowed-hosts'?: string },
  o: {
    port: number;
    actions: ProxyIdentity | undefined;
    target: { kubeConfig: KubeConfig };
    operator: RunningOperator;
    logger: Logger;
    signal: AbortSignal;
  },
): Promise<void> {
  const dashboard = await operatorDashboard({
    kubeConfig: o.target.kubeConfig,
    caches: o.operator.caches,
    port: o.port,
    host: values['dashboard-host'] ?? '127.0.0.1',
    allowedHosts: listOption(values['dashboard-allowed-hosts']),
    actions: o.actions,
    logger: o.logger.child({ component: 'dashboard' }),
    signal: o.signal,
  });
  o.logger.info(
    { port: dashboard.port, host: values['dashboard-host'] ?? '127.0.0.1' },
    o.actions ? 'dashboard listening (actions for proxy-named users)' : 'dashboard listening (read-only)',
  );
}

const listOption = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

/** Actions need to know who asks: without the proxy's user header they stay off, and saying so is an error. */
function dashboardIdentity(values: {
  'dashboard-actions'?: boolean;
  'dashboard-host'?: string;
  'dashboard-user-header'?: string;
  'dashboard-groups-header'?: string;
}): ProxyIdentity | undefined {
  if (!values['dashboard-actions']) return undefined;
  // Whoever reaches the port could send the identity header themselves: only a proxy beside it may.
  const host = values['dashboard-host'] ?? '127.0.0.1';
  if (!['127.0.0.1', 'localhost', '::1'].includes(host))
    throw new UsageError(
      `--dashboard-actions needs the dashboard on a loopback address (not ${host}), reachable only through the authenticating proxy beside it in the pod`,
    );
  const userHeader = values['dashboard-user-header'];
  if (!userHeader)
    throw new UsageError(
      '--dashboard-actions needs --dashboard-user-header: actions are authorised as the user an authenticating proxy names',
    );
  const groupsHeader = values['dashboard-groups-header'];
  return { userHeader, ...(groupsHeader ? { groupsHeader } : {}) };
}

function jobEventsOption(value: string | undefined): JobEventsSetting | undefined {
  if (value === undefined) return undefined;
  const known = JOB_EVENTS_SETTINGS.find((s) => s === value);
  if (!known) throw new UsageError(`--job-events: expected one of ${JOB_EVENTS_SETTINGS.join(', ')}, got "${value}"`);
  return known;
}
