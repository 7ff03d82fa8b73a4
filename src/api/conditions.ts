// Pure helpers for status.conditions, following metav1.Condition semantics: lastTransitionTime
// changes only when status changes, so it says since when a condition holds.
import type { Condition, ConditionStatus } from './common-schemas.ts';

export interface ConditionUpdate {
  type: string;
  status: ConditionStatus;
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

/** A new list with `update` applied; the input is not changed. Order of existing types is kept. */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  update: ConditionUpdate,
  now: Date,
): Condition[] {
  const list = conditions ?? [];
  const existing = list.find((c) => c.type === update.type);
  const transitioned = !existing || existing.status !== update.status;
  const next: Condition = {
    type: update.type,
    status: update.status,
    ...(update.reason === undefined ? {} : { reason: update.reason }),
    ...(update.message === undefined ? {} : { message: update.message }),
    lastTransitionTime: transitioned || !existing.lastTransitionTime ? now.toISOString() : existing.lastTransitionTime,
    ...(update.observedGeneration === undefined ? {} : { observedGeneration: update.observedGeneration }),
  };
  if (!existing) return [...list, next];
  return list.map((c) => (c.type === update.type ? next : c));
}

export function getCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return getCondition(conditions, type)?.status === 'True';
}

/** True when `update` would change nothing but lastTransitionTime (lets a reconcile skip a write). */
export function conditionUnchanged(conditions: readonly Condition[] | undefined, update: ConditionUpdate): boolean {
  const c = getCondition(conditions, update.type);
  return (
    c !== undefined &&
    c.status === update.status &&
    c.reason === update.reason &&
    c.message === update.message &&
    c.observedGeneration === update.observedGeneration
  );
}
