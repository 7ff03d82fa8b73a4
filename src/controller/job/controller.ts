// Wiring of the Job controller: reconcile on Job CR changes, on changes of the child batch Job and
// its pods (owner mapping), and when a job's env Secret appears; a job that ends frees a slot for
// the queued jobs of its project.
import type { KubernetesObject } from '@kubernetes/client-node';
import { API_VERSION, KINDS, LABELS } from '../../api/constants.ts';
import type { JobCR } from '../../api/types.ts';
import { INDEX, nsKey } from '../caches.ts';
import type { ReconcileObserver } from '../runtime/controller.ts';
import { Controller } from '../runtime/controller.ts';
import type { ControllerDeps } from '../shared/deps.ts';
import { knownChildJob } from '../shared/child-job.ts';
import { DEFAULT_JOB_WORKERS, controllerOwner, resyncOf } from '../shared/deps.ts';
import { LastWritten } from '../shared/last-written.ts';
import { reconcileJob } from './reconcile.ts';
import type { JobRuntime } from './reconcile.ts';
import { JobSlots } from './slots.ts';
import { isTerminalPhase } from './state.ts';

export function jobController(deps: ControllerDeps, observer?: ReconcileObserver): Controller {
  const rt: JobRuntime = {
    slots: new JobSlots(deps),
    createdHere: new Set(),
    unannouncedEnds: new Map(),
    written: new LastWritten<JobCR>(),
  };
  const c = new Controller({
    name: 'job',
    logger: deps.logger,
    // Each reconcile is mostly waiting on the API server: more workers than the other controllers,
    // so a burst of new jobs is not queued behind a few sequential requests.
    workers: deps.settings.jobWorkers ?? DEFAULT_JOB_WORKERS,
    observer,
    queue: { clock: deps.clock },
    resync: resyncOf(deps, deps.caches.jobs),
    reconcile: (req) => reconcileJob(deps, rt, req),
  });
  const { jobs, batchJobs, pods, jobSecrets } = deps.caches;
  jobs.onChange((j, verb) => {
    const job = j as JobCR;
    if (verb === 'delete') rt.written.forget(job.metadata.namespace, job.metadata.name ?? '');
    else rt.written.seen(job);
    c.enqueue(job.metadata.namespace, job.metadata.name ?? '');
    if (verb === 'delete' || isTerminalPhase(job.status?.phase)) enqueueQueued(deps, c, job);
  });
  const toJobCr = (o: KubernetesObject): void => {
    const owner = controllerOwner(o, KINDS.Job.kind, API_VERSION);
    if (owner) c.enqueue(o.metadata?.namespace, owner);
  };
  batchJobs.onChange(toJobCr);
  jobSecrets.onChange(toJobCr);
  // Pods are owned by the batch Job; the batch Job and pod both carry the job label (the Job CR name).
  pods.onChange((p) => {
    const job = p.metadata?.labels?.[LABELS.job];
    if (job) c.enqueue(p.metadata?.namespace, job);
  });
  return c;
}

function enqueueQueued(deps: ControllerDeps, c: Controller, ended: JobCR): void {
  for (const j of deps.caches.jobs.byIndex(
    INDEX.project,
    nsKey(ended.metadata.namespace, ended.spec.project),
  ) as JobCR[]) {
    if (!knownChildJob(deps, j) && !isTerminalPhase(j.status?.phase))
      c.enqueue(j.metadata.namespace, j.metadata.name ?? '');
  }
}
