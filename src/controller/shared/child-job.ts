// Whether a Job CR has its child batch Job, and its name. The status records it (status.jobName),
// but not at once: the first status write after the child is created is the one that has something
// to say (the pod running, unschedulable, or the end), so until then the cache of batch Jobs is the
// record. The child's name is derived from the Job CR's, so either source gives the same answer.
import { childJobName } from '../../api/names.ts';
import type { JobCR } from '../../api/types.ts';
import type { ControllerDeps } from './deps.ts';

/** The child's name when the status records it or the cache has it; undefined when none is known. */
export function knownChildJob(deps: ControllerDeps, job: JobCR): string | undefined {
  if (job.status?.jobName) return job.status.jobName;
  const name = childJobName(job.metadata.name ?? '');
  return deps.caches.batchJobs.get(job.metadata.namespace, name) ? name : undefined;
}

/** The child's name, known or not: what it is, or will be, called. */
export const childJobNameOf = (job: JobCR): string => job.status?.jobName ?? childJobName(job.metadata.name ?? '');
