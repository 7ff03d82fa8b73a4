// The child batch Job of a Job CR the build stopped (Cancelled): deleted after the Cancelled write,
// and again by whichever reconcile finds it still there (an operator restart between the two).
import { childJobName } from '../../api/names.ts';
import type { JobCR } from '../../api/types.ts';
import { KubeApiError, isNotFound } from '../../kube/errors.ts';
import type { ControllerDeps } from './deps.ts';

/** A Cancelled Job CR whose child batch Job exists and is not being deleted (from the cache). */
export function stoppedChildStillThere(deps: ControllerDeps, job: JobCR): boolean {
  if (job.status?.phase !== 'Cancelled') return false;
  const batchJob = deps.caches.batchJobs.get(job.metadata.namespace, batchJobName(job));
  return batchJob !== undefined && !batchJob.metadata?.deletionTimestamp;
}

/** Deletes the child batch Job (its pod goes with it); already gone is fine. */
export async function deleteChildJob(deps: ControllerDeps, job: JobCR): Promise<void> {
  const namespace = job.metadata.namespace ?? '';
  const name = batchJobName(job);
  try {
    await deps.clients.batch.deleteNamespacedJob({ namespace, name, propagationPolicy: 'Background' });
  } catch (err) {
    if (!isNotFound(err)) throw new KubeApiError(`delete batch Job ${namespace}/${name}`, { cause: err });
  }
}

const batchJobName = (job: JobCR): string => job.status?.jobName ?? childJobName(job.metadata.name ?? '');
