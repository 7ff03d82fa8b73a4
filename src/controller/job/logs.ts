// Keeping a finished job's log: read the pod log once, redact it, keep it bounded in a ConfigMap
// owned by the Job CR (so it outlives the pod) and return the tail for the status.
import type { V1ConfigMap, V1Pod } from '@kubernetes/client-node';
import { API_VERSION, KINDS, LABELS, MANAGED_BY } from '../../api/constants.ts';
import type { JobCR } from '../../api/types.ts';
import { JOB_CONTAINER } from '../../jobs/index.ts';
import { KubeApiError, apiMessage, isAlreadyExists } from '../../kube/errors.ts';
import { redact } from '../../util/redact.ts';
import { headBytes } from '../../util/text.ts';
import { COMPONENT } from '../caches.ts';
import type { ControllerDeps } from '../shared/deps.ts';
import { JOB_LOG_KEY, jobLogConfigMapName } from '../shared/names.ts';
import { failedInitContainer } from './state.ts';

/** The redacted, bounded log of the pod, or a line saying why there is none. */
export async function readJobLog(
  deps: ControllerDeps,
  job: JobCR,
  pod: V1Pod | undefined,
  secrets: readonly string[],
): Promise<string> {
  const podName = pod?.metadata?.name;
  if (!podName) return '(no pod ran for this job)\n';
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
    return headBytes(lead + redact(String(raw ?? ''), secrets), deps.settings.maxJobLogBytes);
  } catch (err) {
    // The pod may be gone already (deadline exceeded, deleted): the job's end is still recorded.
    deps.logger.warn({ job: job.metadata.name, pod: podName, err: apiMessage(err) }, 'could not read the job log');
    return `(the log could not be read: ${redact(apiMessage(err), secrets)})\n`;
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
