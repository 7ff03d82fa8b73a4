// The gateway's limits as command-line flags, shared by `gateway` and `run` (where each flag carries
// a `gateway-` prefix), so both hosts of the gateway are tuned the same way.
import type { GatewayLimits } from '../../gateway/index.ts';
import { UsageError } from './options.ts';

const UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `30s`, `10m`, `24h`, `500ms`; a bare number is seconds. */
export function durationOption(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+)(ms|s|m|h)?$/.exec(value.trim());
  if (!match) throw new UsageError(`${flag} must be a duration such as 30s, 10m or 24h`);
  // An optional group that did not match is undefined, whatever RegExpExecArray's type says.
  const [, amount, unit = 's'] = match as unknown as [string, string, string?];
  const ms = Number(amount) * UNITS_MS[unit];
  if (ms <= 0) throw new UsageError(`${flag} must be longer than 0`);
  return ms;
}

function countOption(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} must be a positive integer`);
  return n;
}

const FLAGS = {
  'max-body-bytes': 'largest request body (default: the Event payload bound, 512 KiB)',
  'header-timeout': 'deadline for a request\u2019s headers (default 10s)',
  'request-timeout': 'deadline for a whole request, body included (default 30s)',
  'max-connections': 'connections served at once; more are closed (default 256)',
  'replay-window': 'how long a signed GitHub body stays one delivery whatever its delivery id (default 24h)',
} as const;

type Flag = keyof typeof FLAGS;

/** The parseArgs options of the limit flags, each named `${prefix}${flag}`. */
export function limitOptions(prefix: string): Record<string, { type: 'string' }> {
  return Object.fromEntries(Object.keys(FLAGS).map((f) => [`${prefix}${f}`, { type: 'string' as const }]));
}

/** Usage lines of the limit flags. */
export function limitUsage(prefix: string): string[] {
  return Object.entries(FLAGS).map(
    ([flag, what]) =>
      `  --${`${prefix}${flag} ${flag.includes('timeout') || flag === 'replay-window' ? 'D' : 'N'}`.padEnd(28)}${what}`,
  );
}

/** The limits given on the command line; the gateway's defaults apply to the others. */
export function limitValues(values: Record<string, unknown>, prefix: string): Partial<GatewayLimits> {
  const get = (flag: Flag): string | undefined => {
    const v = values[`${prefix}${flag}`];
    return typeof v === 'string' ? v : undefined;
  };
  const named = (flag: Flag): string => `--${prefix}${flag}`;
  const given: Array<[keyof GatewayLimits, number | undefined]> = [
    ['maxBodyBytes', countOption(get('max-body-bytes'), named('max-body-bytes'))],
    ['headersTimeoutMs', durationOption(get('header-timeout'), named('header-timeout'))],
    ['requestTimeoutMs', durationOption(get('request-timeout'), named('request-timeout'))],
    ['maxConnections', countOption(get('max-connections'), named('max-connections'))],
    ['replayWindowMs', durationOption(get('replay-window'), named('replay-window'))],
  ];
  const limits: Partial<GatewayLimits> = {};
  for (const [key, value] of given) if (value !== undefined) limits[key] = value;
  return limits;
}
