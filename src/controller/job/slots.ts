// policy.maxConcurrentJobs: a job whose child is not created yet waits (phase Pending, reason Queued)
// while the project has that many jobs running. The count is the cache (jobs with a child that are
// not terminal) plus the jobs this process started and the cache does not show yet, so concurrent
// workers cannot overshoot the limit.
import type { JobCR, Project } from '../../api/types.ts';
import type { Request } from '../runtime/controller.ts';
import { keyOf } from '../runtime/controller.ts';
import { INDEX, nsKey } from '../caches.ts';
import { knownChildJob } from '../shared/child-job.ts';
import type { ControllerDeps } from '../shared/deps.ts';
import { isTerminalPhase, jobSlotFree } from './state.ts';

export class JobSlots {
  readonly #deps: ControllerDeps;
  /** project key -> Job CR keys started here whose child is not in the cache yet. */
  readonly #reserved = new Map<string, Set<string>>();

  constructor(deps: ControllerDeps) {
    this.#deps = deps;
  }

  acquire(job: JobCR, project: Project): boolean {
    const max = project.spec.policy?.maxConcurrentJobs;
    if (max === undefined) return true;
    const projectKey = keyOf(job.metadata.namespace, job.spec.project);
    const reserved = this.#reserved.get(projectKey) ?? new Set<string>();
    const running = new Set<string>();
    for (const j of this.#deps.caches.jobs.byIndex(
      INDEX.project,
      nsKey(job.metadata.namespace, job.spec.project),
    ) as JobCR[]) {
      const key = keyOf(j.metadata.namespace, j.metadata.name ?? '');
      // Once the cache shows a job's child the cache is its record; a reservation made before would
      // otherwise keep counting a job that has already ended.
      const hasChild = knownChildJob(this.#deps, j) !== undefined;
      if (hasChild) reserved.delete(key);
      if (hasChild && !isTerminalPhase(j.status?.phase)) running.add(key);
    }
    const active = new Set([...reserved, ...running]);
    if (!jobSlotFree(active.size, max)) return false;
    reserved.add(keyOf(job.metadata.namespace, job.metadata.name ?? ''));
    this.#reserved.set(projectKey, reserved);
    return true;
  }

  /** Forgets the reservation of a job that ended or is gone. */
  release(req: Request): void {
    const key = keyOf(req.namespace, req.name);
    for (const set of this.#reserved.values()) set.delete(key);
  }
}
