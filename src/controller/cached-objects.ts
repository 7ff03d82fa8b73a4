// The child batch Jobs and pods as the caches keep them: only the fields the Job controller reads.
// With a thousand builds of twenty jobs in flight the caches hold tens of thousands of these, and the
// full objects (pod specs, container images and commands, tolerations, volume mounts, the scheduler's
// long messages repeated on every pod, a batch Job's whole pod template) were most of the operator's
// heap. The types are narrow on purpose: code that reads a field the cache does not keep does not
// compile. Objects read from the API (full V1Pod, V1Job) fit these types too.
import type {
  V1ContainerState,
  V1JobStatus,
  V1OwnerReference,
  V1PodCondition,
  KubernetesObject,
} from '@kubernetes/client-node';
import { GROUP } from '../api/constants.ts';
import { intern } from './string-pool.ts';

const LABEL_PREFIX = `${GROUP}/`;

export interface CachedMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: Date;
  deletionTimestamp?: Date;
  labels?: Record<string, string>;
  ownerReferences?: V1OwnerReference[];
}

export interface CachedContainerStatus {
  name: string;
  state?: V1ContainerState;
}

export interface CachedPod extends KubernetesObject {
  metadata?: CachedMeta;
  spec?: { nodeName?: string };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    startTime?: Date;
    conditions?: Pick<V1PodCondition, 'type' | 'status' | 'reason' | 'message'>[];
    containerStatuses?: CachedContainerStatus[];
    initContainerStatuses?: CachedContainerStatus[];
  };
}

export interface CachedBatchJob extends KubernetesObject {
  metadata?: CachedMeta;
  status?: V1JobStatus;
}

function meta(m: CachedMeta | undefined): CachedMeta | undefined {
  if (!m) return undefined;
  return defined({
    name: intern(m.name),
    namespace: intern(m.namespace),
    uid: m.uid,
    resourceVersion: m.resourceVersion,
    creationTimestamp: m.creationTimestamp,
    deletionTimestamp: m.deletionTimestamp,
    labels: brigadeLabels(m.labels),
    ownerReferences: m.ownerReferences?.map((r) =>
      defined({
        apiVersion: intern(r.apiVersion),
        kind: intern(r.kind),
        name: intern(r.name),
        uid: r.uid,
        controller: r.controller,
      }),
    ),
  });
}

/** Only the operator's own labels (brigade.sh/...): the others (the Job controller's) are not read. */
function brigadeLabels(labels: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!labels) return undefined;
  const kept: Record<string, string> = {};
  let any = false;
  for (const [key, value] of Object.entries(labels)) {
    if (!key.startsWith(LABEL_PREFIX)) continue;
    kept[key] = intern(value);
    any = true;
  }
  return any ? kept : undefined;
}

const containers = (list: CachedContainerStatus[] | undefined): CachedContainerStatus[] | undefined =>
  list?.map((c) => defined({ name: intern(c.name), state: c.state }));

export function cachedPod(p: CachedPod): CachedPod {
  const s = p.status;
  return defined({
    metadata: meta(p.metadata),
    spec: p.spec?.nodeName === undefined ? undefined : { nodeName: intern(p.spec.nodeName) },
    status: s
      ? defined({
          phase: intern(s.phase),
          reason: intern(s.reason),
          message: intern(s.message),
          startTime: s.startTime,
          conditions: s.conditions?.map((c) =>
            defined({
              type: intern(c.type),
              status: intern(c.status),
              reason: intern(c.reason),
              message: intern(c.message),
            }),
          ),
          containerStatuses: containers(s.containerStatuses),
          initContainerStatuses: containers(s.initContainerStatuses),
        })
      : undefined,
  });
}

export function cachedBatchJob(j: CachedBatchJob): CachedBatchJob {
  return defined({ metadata: meta(j.metadata), status: j.status });
}

/**
 * A copy without the keys whose value is undefined (they would still take a slot in each object).
 * Built by adding keys to a fresh object, not by deleting them: a delete turns an object into a
 * dictionary, which at tens of thousands of cached objects cost more than the keys it saved.
 */
function defined<T extends object>(o: T): T {
  const out: Partial<T> = {};
  for (const key of Object.keys(o) as (keyof T)[]) if (o[key] !== undefined) out[key] = o[key];
  return out as T;
}
