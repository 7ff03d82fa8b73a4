// Keeping a finished job's log: read the pod log once, redact it, keep it bounded in a ConfigMap
// owned by the Job CR (so it outlives the pod) and return the tail for the status.
import type { V1ConfigMap, V1Pod } from '@kubernetes/client-node';
import { API_VERSION, KINDS, LABELS, MANAGED_BY } from '../../api/constants.ts';
import type { JobCR } from '../../api/types.ts';
import { JOB_CONTAINER } from '../../jobs/index.ts';
import { KubeApiError, apiMessage, isAlreadyExists, isTransient } from '../../kube/errors.ts';
import { redact } from '../../util/redact.ts';
import { headBytes } from '../../util/text.ts';
import { COMPONENT } from '../caches.ts';
import type { ControllerDeps } from '../shared/deps.ts';
import { JOB_LOG_KEY, jobLogConfigMapName } from '../shared/names.ts';
import { failedInitContainer } from './state.ts';

/** A job's log as read from its pod: the text, or why there is none (never an error text as the log). */
export type JobLog = { kind: 'read'; text: string } | { kind: 'unavailable'; why: string };

/**
 * The redacted, bounded log of the pod. A transient failure (429, 5xx, a cut connection) is thrown,
 * so the reconcile reads again after back-off; a permanent one (the pod is gone, access refused)
 * says so as `unavailable`.
 */
export async function readJobLog(
  deps: ControllerDeps,
  job: JobCR,
  pod: V1Pod,
  secrets: readonly string[],
): Promise<JobLog> {
  const podName = pod.metadata?.name ?? '';
  const namespace = job.metadata.namespace ?? '';
  // When an init container (the source clone) failed, the job container never ran: its log is the story.
  const init = failedInitContainer(pod);
  const container = init?.name ?? JOB_CONTAINER;
  try {
    const raw = await deps.clients.core.readNamespacedPodLog({
      namespace,
      name: podName,
      container,
      limitBytes: deps.settings.maxJobLogBytes * 2,
    });
    const lead = init
      ? `(init container "${init.name}" failed with exit code ${init.exitCode}; its log follows)\n`
      : '';
    return { kind: 'read', text: headBytes(lead + redact(raw, secrets), deps.settings.maxJobLogBytes) };
  } catch (err) {
    if (isTransient(err)) throw new KubeApiError(`read the log of pod ${namespace}/${podName}`, { cause: err });
    // The pod may be gone already (deadline exceeded, deleted): the job's end is still recorded.
    const why = `the log of pod ${podName} could not be read: ${redact(apiMessage(err), secrets)}`;
    deps.logger.warn({ job: job.metadata.name, pod: podName }, why);
    return { kind: 'unavailable', why };
  }
}

export async function keepJobLog(deps: ControllerDeps, job: JobCR, log: string): Promise<void> {
  const namespace = job.metadata.namespace ?? '';
  const name = jobLogConfigMapName(job.metadata.name ?? '');
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
    data: { [JOB_LOG_KEY]: log },
  };
  try {
    await deps.clients.core.createNamespacedConfigMap({ namespace, body });
  } catch (err) {
    // Already kept by an earlier pass that stopped before the status write: the first copy stands.
    if (!isAlreadyExists(err)) throw new KubeApiError(`create ConfigMap ${namespace}/${name}`, { cause: err });
  }
}
