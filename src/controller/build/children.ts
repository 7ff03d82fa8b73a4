// The Job CRs of a build, from the cache (by the build label the Build controller puts on them).
import { LABELS } from '../../api/constants.ts';
import { labelSafeName } from '../../api/names.ts';
import type { Build, JobCR } from '../../api/types.ts';
import type { ControllerDeps } from '../shared/deps.ts';

export function childJobs(deps: ControllerDeps, build: Build): JobCR[] {
  return deps.caches.jobs.byLabels({ [LABELS.build]: labelSafeName(build.metadata.name ?? '') }, build.metadata.namespace) as JobCR[];
}
