// The operator-wide build history default as `run` flags (a Project's spec.history wins field by field).
import type { HistoryBounds, HistoryPolicy } from '../../controller/project/history.ts';
import { durationOption } from './gateway-options.ts';
import { UsageError } from './options.ts';

export const HISTORY_OPTIONS = {
  'history-succeeded-limit': { type: 'string' },
  'history-failed-limit': { type: 'string' },
  'history-succeeded-ttl': { type: 'string' },
  'history-failed-ttl': { type: 'string' },
} as const;

export const HISTORY_USAGE = [
  '  --history-succeeded-limit N   keep the newest N succeeded builds of each project (default: all)',
  '  --history-failed-limit N      keep the newest N failed, timed-out or cancelled builds (default: all)',
  '  --history-succeeded-ttl D     delete succeeded builds D after they finished, e.g. 168h (default: never)',
  '  --history-failed-ttl D        the same for failed builds',
  "                                (a Project's spec.history overrides these; see docs/operations.md)",
];

type HistoryValues = Partial<Record<keyof typeof HISTORY_OPTIONS, string | undefined>>;

function limitOption(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} must be a whole number (0 or more), got "${value}"`);
  return n;
}

function bounds(values: HistoryValues, outcome: 'succeeded' | 'failed'): HistoryBounds {
  const limit = limitOption(values[`history-${outcome}-limit`], `--history-${outcome}-limit`);
  const ttlMs = durationOption(values[`history-${outcome}-ttl`], `--history-${outcome}-ttl`);
  return { ...(limit !== undefined ? { limit } : {}), ...(ttlMs !== undefined ? { ttlMs } : {}) };
}

export function historyValues(values: HistoryValues): HistoryPolicy {
  return { succeeded: bounds(values, 'succeeded'), failed: bounds(values, 'failed') };
}
