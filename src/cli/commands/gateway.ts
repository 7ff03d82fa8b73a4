// `gateway`: the event gateway alone (the operator's `run` can also host it), for clusters that run
// intake separately from the operator.
import pino from 'pino';
import { hostGateway } from '../../gateway/index.ts';
import { untilSignalled, type Command } from '../command.ts';
import { connect, KUBE_USAGE, parseCommandLine, portOption, UsageError } from './options.ts';
import { limitOptions, limitUsage, limitValues } from './gateway-options.ts';
import { runReporting } from './run.ts';

const USAGE = [
  'Usage: brigade-operator gateway [options]',
  '',
  'Serves the intakes: POST /cloudevents/v1/{namespace}/{project}, /webhook/{namespace}/{project}, /github,',
  "and Brigade 1's routes (/events/github, /events/webhook/..., /simpleevents/v1/..., /cloudevents/v02/...);",
  'GET /healthz, /readyz. See docs/intake.md.',
  '',
  '  --port N                    listen port (default 8080)',
  '  --host ADDR                 listen address (default 127.0.0.1; 0.0.0.0 to serve other hosts, as in a pod)',
  '  --all-namespaces            look up GitHub and Brigade 1 route projects in every namespace (default: --namespace)',
  ...limitUsage(''),
  '  --metrics                   also serve /metrics on the gateway port',
  ...KUBE_USAGE,
].join('\n');

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'all-namespaces': { type: 'boolean' },
  ...limitOptions(''),
  metrics: { type: 'boolean' },
} as const;

export const gatewayCommand: Command = {
  summary: 'run the event gateway (CloudEvents, webhooks, GitHub) against the current cluster',
  usage: USAGE,
  run: (argv, io) =>
    runReporting({ name: 'gateway', usage: USAGE, io }, async () => {
      const { values, positionals } = parseCommandLine(argv, OPTIONS);
      if (positionals.length > 0) throw new UsageError('gateway takes no arguments');
      const port = portOption(values.port, '--port') ?? 8080;
      const limits = limitValues(values, '');
      const target = connect({ ...values, namespace: values.namespace ?? io.env.POD_NAMESPACE }, io.env);
      const logger = pino({ name: 'gateway' }, io.stderr);
      const { signal, stopped } = untilSignalled();
      const allNamespaces = values['all-namespaces'] ?? false;
      const gateway = await hostGateway({
        kubeConfig: target.kubeConfig,
        logger,
        port,
        host: values.host ?? '127.0.0.1',
        namespace: target.namespace,
        allNamespaces,
        signal,
        exposeMetrics: values.metrics ?? false,
        limits,
      });
      io.stdout.write(`gateway listening on ${gateway.url} (namespace ${target.namespace})\n`);
      await stopped;
      await gateway.stop();
      return 0;
    }),
};
