// The Job CRs of a build, from the cache's build index.
import type { Build, JobCR } from '../../api/types.ts';
import { INDEX, nsKey } from '../caches.ts';
import type { ControllerDeps } from '../shared/deps.ts';

export function childJobs(deps: ControllerDeps, build: Build): JobCR[] {
  return deps.caches.jobs.byIndex(INDEX.build, nsKey(build.metadata.namespace, build.metadata.name ?? ''));
}
