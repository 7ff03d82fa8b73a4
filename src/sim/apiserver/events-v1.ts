// events.k8s.io/v1 Event as a second view of the core/v1 events: one storage, converted on the way
// in and out, as the real apiserver does. Field mapping per the events.k8s.io/v1 API reference.

import type { KubeObject } from '../types.ts';

type Obj = Record<string, unknown>;

/** Maps events.k8s.io/v1 field names to core/v1 ones. */
const TO_CORE: Array<[string, string]> = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['related', 'related'],
  ['reason', 'reason'],
  ['type', 'type'],
  ['action', 'action'],
  ['series', 'series'],
  ['eventTime', 'eventTime'],
  ['reportingController', 'reportingComponent'],
  ['reportingInstance', 'reportingInstance'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];

function copyFields(from: Obj, pairs: Array<[string, string]>): Obj {
  const out: Obj = {};
  for (const [src, dst] of pairs)
    if (from[src] !== undefined && from[src] !== null) out[dst] = structuredClone(from[src]);
  return out;
}

/** events.k8s.io/v1 -> the stored core/v1 shape. */
export function eventToCore(event: KubeObject): KubeObject {
  return { apiVersion: 'v1', kind: 'Event', metadata: structuredClone(event.metadata), ...copyFields(event, TO_CORE) };
}

/** The stored core/v1 shape -> events.k8s.io/v1. */
export function eventFromCore(core: KubeObject): KubeObject {
  const out = copyFields(
    core,
    TO_CORE.map(([a, b]) => [b, a]),
  );
  const source = (core['source'] ?? {}) as Obj;
  out['reportingController'] ??= source['component'];
  out['reportingInstance'] ??= source['host'];
  out['eventTime'] ??= null;
  return { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: structuredClone(core.metadata), ...out };
}
