// `dashboard`: the web dashboard on this machine, against the current kubeconfig with the user's own
// credentials (like `kubectl proxy`): what the user may read and change is what Kubernetes RBAC lets
// them. Prints the URL (it carries a session token) and opens a browser when it can.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { AssetsMissingError, userDashboard } from '../../dashboard/index.ts';
import { untilSignalled, type Command } from '../command.ts';
import {
  CommandError,
  connect,
  KUBE_USAGE,
  logLevelOption,
  parseCommandLine,
  portOption,
  UsageError,
} from './options.ts';
import { runReporting } from './run.ts';

const USAGE = [
  'Usage: brigade-operator dashboard [options]',
  '',
  "Serves the web dashboard locally with your kubeconfig's credentials, until Ctrl-C.",
  '',
  '  --port N             listen on this port (default 0: a free one)',
  '  --address ADDR       listen address (default 127.0.0.1)',
  '  -A, --all-namespaces show every namespace (default: the -n / context namespace)',
  '  --actions            offer cancel and rerun (the API server still authorises each as you)',
  '  --no-open            do not open a browser; just print the URL',
  '  --log-level LEVEL    trace, debug, info, warn, error (default warn)',
  ...KUBE_USAGE,
].join('\n');

const OPTIONS = {
  port: { type: 'string' },
  address: { type: 'string' },
  'all-namespaces': { type: 'boolean', short: 'A' },
  actions: { type: 'boolean' },
  'no-open': { type: 'boolean' },
  'log-level': { type: 'string' },
} as const;

export const dashboardCommand: Command = {
  summary: 'serve the web dashboard locally, with your own credentials',
  usage: USAGE,
  run: (argv, io) =>
    runReporting({ name: 'dashboard', usage: USAGE, io }, async () => {
      const { values, positionals } = parseCommandLine(argv, OPTIONS);
      if (positionals.length > 0) throw new UsageError('dashboard takes no arguments');
      const target = connect(values, io.env);
      const logger = pino(
        { name: 'dashboard', level: logLevelOption(values['log-level'] ?? 'warn') },
        pino.destination(2),
      );
      const { signal, stopped } = untilSignalled();
      const namespace = values['all-namespaces'] ? undefined : target.namespace;
      const dashboard = await userDashboard({
        kubeConfig: target.kubeConfig,
        namespace,
        actions: values.actions === true,
        token: randomBytes(18).toString('base64url'),
        port: portOption(values.port, '--port') ?? 0,
        host: values.address ?? '127.0.0.1',
        logger,
        signal,
      }).catch((err: unknown) => {
        if (err instanceof AssetsMissingError) throw new CommandError(err.message, { cause: err });
        throw err;
      });
      const scope = namespace ? `namespace ${namespace}` : 'all namespaces';
      const mode = values.actions ? 'cancel and rerun enabled' : 'read-only';
      io.stdout.write(`dashboard (${scope}, ${mode}): ${dashboard.url}\n`);
      if (!values['no-open'])
        openBrowser(dashboard.url, io.env, (why) => io.stderr.write(`note: ${why}; open the URL yourself\n`));
      await stopped;
      await dashboard.close();
      return 0;
    }),
};

/** $BROWSER, else the platform's opener; a failure is only a note (the URL is printed anyway). */
function openBrowser(url: string, env: NodeJS.ProcessEnv, note: (why: string) => void): void {
  const opener =
    env.BROWSER ?? (process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open');
  const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => {
    note(`could not start ${opener}`);
  });
  child.unref();
}
