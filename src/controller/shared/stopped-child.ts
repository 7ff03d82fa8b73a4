// The child batch Job of a Job CR the build stopped (Cancelled): deleted after the Cancelled write,
// and again by whichever reconcile finds it still there (an operator restart between the two).
import type { JobCR } from '../../api/types.ts';
import { KubeApiError, isNotFound } from '../../kube/errors.ts';
import { childJobNameOf } from './child-job.ts';
import type { ControllerDeps } from './deps.ts';

/** A Cancelled Job CR whose child batch Job exists and is not being deleted (from the cache). */
export function stoppedChildStillThere(deps: ControllerDeps, job: JobCR): boolean {
  if (job.status?.phase !== 'Cancelled') return false;
  const batchJob = deps.caches.batchJobs.get(job.metadata.namespace, childJobNameOf(job));
  return batchJob !== undefined && !batchJob.metadata?.deletionTimestamp;
}

/** Deletes the child batch Job (its pod goes with it); already gone is fine. */
export async function deleteChildJob(deps: ControllerDeps, job: JobCR): Promise<void> {
  const namespace = job.metadata.namespace ?? '';
  const name = childJobNameOf(job);
  try {
    await deps.clients.batch.deleteNamespacedJob({ namespace, name, propagationPolicy: 'Background' });
  } catch (err) {
    if (!isNotFound(err)) throw new KubeApiError(`delete batch Job ${namespace}/${name}`, { cause: err });
  }
}
