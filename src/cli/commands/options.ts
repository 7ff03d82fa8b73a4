// Flags every cluster-facing command shares (--kubeconfig, --context, --namespace), and turning them
// into a KubeConfig and a namespace the way kubectl does.
import type { KubeConfig } from '@kubernetes/client-node';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { currentNamespace, KubeConfigError, loadKubeConfig } from '../../kube/index.ts';

/** A wrong command line: the command prints the message and its usage, and exits 2. */
export class UsageError extends Error {
  constructor(message: string, opts?: { cause?: unknown }) {
    super(message, opts);
    this.name = 'UsageError';
  }
}

/** The command ran but failed (no such project, build failed...): exit 1 with the message. */
export class CommandError extends Error {
  constructor(message: string, opts?: { cause?: unknown }) {
    super(message, opts);
    this.name = 'CommandError';
  }
}

export const KUBE_OPTIONS = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
} as const satisfies ParseArgsConfig['options'];

export const KUBE_USAGE = [
  '  --kubeconfig FILE   kubeconfig to use (default: $KUBECONFIG, then ~/.kube/config)',
  '  --context NAME      kubeconfig context (default: the current context)',
  '  -n, --namespace NS  namespace (default: the context\'s namespace, then "default")',
];

export interface KubeTarget {
  kubeConfig: KubeConfig;
  namespace: string;
}

/** Loads the kubeconfig like kubectl: --kubeconfig, else $KUBECONFIG, else ~/.kube/config (else in-cluster). */
export function connect(
  values: { kubeconfig?: string; context?: string; namespace?: string },
  env: NodeJS.ProcessEnv,
): KubeTarget {
  let kubeConfig: KubeConfig;
  try {
    kubeConfig = loadKubeConfig({ kubeconfig: values.kubeconfig, context: values.context, env });
  } catch (err) {
    if (!(err instanceof KubeConfigError)) throw err;
    const detail = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    if (values.context && err.message.includes('no context')) throw new UsageError(err.message, { cause: err });
    throw new CommandError(`${err.message}${detail}`, { cause: err });
  }
  return { kubeConfig, namespace: values.namespace ?? currentNamespace(kubeConfig) };
}

type CommandOptions = NonNullable<ParseArgsConfig['options']>;

/** What parseArgs returns for a command's options plus the kube flags. */
export type CommandLine<O extends CommandOptions> = ReturnType<
  typeof parseArgs<{ args: string[]; options: typeof KUBE_OPTIONS & O; allowPositionals: true; strict: true }>
>;

/** parseArgs with the kube flags added; unknown flags and missing values become UsageErrors. */
export function parseCommandLine<O extends CommandOptions>(argv: string[], options: O): CommandLine<O> {
  try {
    return parseArgs({ args: argv, options: { ...KUBE_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message, { cause: err });
  }
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

export function portOption(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`${flag} must be a port number (0-65535), got "${value}"`);
  return port;
}

/** A positive number option (a rate, a count); undefined when not given. */
export function positiveNumberOption(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number, got "${value}"`);
  return n;
}

export function logLevelOption(value: string | undefined): string {
  const level = value ?? 'info';
  if (!LOG_LEVELS.includes(level)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  return level;
}
