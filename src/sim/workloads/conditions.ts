// Condition lists as the API conventions define them: one entry per type, lastTransitionTime only
// moves when status changes.

import type { Condition } from './kube-types.ts';

export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}

export function findCondition(conditions: Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isConditionTrue(conditions: Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

export interface ConditionInput {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
}

/** Returns a new list with the condition set; keeps lastTransitionTime when the status is unchanged. */
export function setCondition(conditions: Condition[] | undefined, next: ConditionInput, now: Date): Condition[] {
  const list = conditions ?? [];
  const existing = findCondition(list, next.type);
  const transition =
    existing?.lastTransitionTime !== undefined && existing.status === next.status
      ? existing.lastTransitionTime
      : rfc3339(now);
  const entry: Condition = { lastProbeTime: existing?.lastProbeTime ?? null, ...next, lastTransitionTime: transition };
  if (entry.reason === undefined) delete entry.reason;
  if (entry.message === undefined) delete entry.message;
  return existing ? list.map((c) => (c.type === next.type ? entry : c)) : [...list, entry];
}
