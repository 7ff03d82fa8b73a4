// Keeping a finished job's log: read the pod log once, redact it, bound it by the project's cap (with
// a line saying so when cut), and keep it where it costs least: in the Job status tail when it fits
// there, else split across ConfigMaps owned by the Job CR (so it outlives the pod and goes with the
// Job). The Job status says which (status.log); kept-log.ts reads it back.
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { CachedPod } from '../cached-objects.ts';
import { API_VERSION, KINDS, LABELS, MANAGED_BY } from '../../api/constants.ts';
import type { JobCR } from '../../api/types.ts';
import { JOB_CONTAINER } from '../../jobs/index.ts';
import { KubeApiError, apiMessage, isAlreadyExists, isTransient } from '../../kube/errors.ts';
import { redact } from '../../util/redact.ts';
import { splitUtf8, utf8Bytes } from '../../util/text.ts';
import { capLog, withoutCutEnd } from '../shared/log-bounds.ts';
import { COMPONENT } from '../caches.ts';
import type { ControllerDeps } from '../shared/deps.ts';
import { JOB_LOG_CHUNK_BYTES } from '../shared/kept-log.ts';
import { JOB_LOG_KEY, jobLogConfigMapName } from '../shared/names.ts';
import { failedInitContainer } from './state.ts';

/** A job's log as read from its pod: the text, or why there is none (never an error text as the log). */
export type JobLog = { kind: 'read'; text: string; truncated: boolean } | { kind: 'unavailable'; why: string };

/** Where a kept log is: what status.log records. */
export interface KeptLogPlace {
  bytes: number;
  chunks: number;
  truncated?: boolean;
}

/**
 * The redacted, bounded log of the pod. A transient failure (429, 5xx, a cut connection) is thrown,
 * so the reconcile reads again after back-off; a permanent one (the pod is gone, access refused)
 * says so as `unavailable`.
 */
export async function readJobLog(
  deps: ControllerDeps,
  job: JobCR,
  pod: CachedPod,
  secrets: readonly string[],
  maxBytes: number,
): Promise<JobLog> {
  const podName = pod.metadata?.name ?? '';
  const namespace = job.metadata.namespace ?? '';
  // When an init container (the source clone) failed, the job container never ran: its log is the story.
  const init = failedInitContainer(pod);
  const container = init?.name ?? JOB_CONTAINER;
  // Redaction may shorten the text (a secret becomes ***): read more than the cap, cut after redacting.
  const limitBytes = maxBytes * 2;
  try {
    const raw = await deps.clients.core.readNamespacedPodLog({ namespace, name: podName, container, limitBytes });
    const lead = init
      ? `(init container "${init.name}" failed with exit code ${init.exitCode}; its log follows)\n`
      : '';
    const cutByRead = utf8Bytes(raw) >= limitBytes;
    const whole = lead + redact(cutByRead ? withoutCutEnd(raw, secrets) : raw, secrets);
    return { kind: 'read', ...capLog(whole, maxBytes, cutByRead) };
  } catch (err) {
    if (isTransient(err)) throw new KubeApiError(`read the log of pod ${namespace}/${podName}`, { cause: err });
    // The pod may be gone already (deadline exceeded, deleted): the job's end is still recorded.
    const why = `the log of pod ${podName} could not be read: ${redact(apiMessage(err), secrets)}`;
    deps.logger.warn({ job: job.metadata.name, pod: podName }, why);
    return { kind: 'unavailable', why };
  }
}

/**
 * How a log is kept: in the status tail alone when it fits (no ConfigMap), else in parts of at most
 * `chunkBytes`.
 */
export function planKeptLog(text: string, tailChars: number, chunkBytes = JOB_LOG_CHUNK_BYTES): string[] {
  return text.length <= tailChars ? [] : splitUtf8(text, chunkBytes);
}

/**
 * Keeps the log (ConfigMaps only when it does not fit the status tail) and says where it is. Parts
 * an earlier pass created before it stopped are left as they are: the pod's log has not changed.
 */
export async function keepJobLog(
  deps: ControllerDeps,
  job: JobCR,
  log: { text: string; truncated: boolean },
): Promise<KeptLogPlace> {
  const parts = planKeptLog(log.text, deps.settings.logTailChars);
  await Promise.all(parts.map((part, index) => createLogConfigMap(deps, job, index, part)));
  return { bytes: utf8Bytes(log.text), chunks: parts.length, ...(log.truncated ? { truncated: true } : {}) };
}

async function createLogConfigMap(deps: ControllerDeps, job: JobCR, index: number, text: string): Promise<void> {
  const namespace = job.metadata.namespace ?? '';
  const name = jobLogConfigMapName(job.metadata.name ?? '', index);
  const body: V1ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      namespace,
      labels: {
        [LABELS.component]: COMPONENT.jobLog,
        [LABELS.job]: job.metadata.name ?? '',
        [LABELS.managedBy]: MANAGED_BY,
      },
      ownerReferences: [
        {
          apiVersion: API_VERSION,
          kind: KINDS.Job.kind,
          name: job.metadata.name ?? '',
          uid: job.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    data: { [JOB_LOG_KEY]: text },
  };
  try {
    await deps.clients.core.createNamespacedConfigMap({ namespace, body });
  } catch (err) {
    // Already kept by an earlier pass that stopped before the status write: the first copy stands.
    if (!isAlreadyExists(err)) throw new KubeApiError(`create ConfigMap ${namespace}/${name}`, { cause: err });
  }
}
