// Wiring of the Build controller: reconcile on Build changes and on changes of its Job CRs (owner
// mapping), wake script sessions waiting on Job CRs, and start queued builds of a project when one
// of its builds ends.
import { API_VERSION, KINDS } from '../../api/constants.ts';
import type { Build, JobCR } from '../../api/types.ts';
import { INDEX, nsKey } from '../caches.ts';
import type { ReconcileObserver } from '../runtime/controller.ts';
import { Controller } from '../runtime/controller.ts';
import type { ControllerDeps } from '../shared/deps.ts';
import { controllerOwner, resyncOf } from '../shared/deps.ts';
import { JobWaiters } from './job-waiters.ts';
import { ReplayGate } from './replay-gate.ts';
import type { BuildRuntime } from './reconcile.ts';
import { STATUS_COALESCE_MS, reconcileBuild } from './reconcile.ts';
import { LastWritten } from '../shared/last-written.ts';
import type { BuildSession } from './session.ts';
import { isTerminalBuild, isTerminalJob } from './state.ts';

/** Replays catching up at once after a restart (the sandbox has two workers by default). */
const DEFAULT_CONCURRENT_REPLAYS = 4;
/** A replay that has not caught up after this long (it waits on a timer, say) frees its slot. */
const REPLAY_HOLD_MS = 10_000;

export interface BuildController {
  controller: Controller;
  runtime: BuildRuntime;
}

export function buildController(deps: ControllerDeps, observer?: ReconcileObserver): BuildController {
  const { builds, jobs, projects } = deps.caches;
  const runtime: BuildRuntime = {
    sessions: new Map<string, BuildSession>(),
    admitted: new Set<string>(),
    unconfirmedStarts: new Map(),
    unannouncedEnds: new Map(),
    waiters: new JobWaiters((ns, name) => jobs.get(ns, name)),
    written: new LastWritten<Build>(),
    replays: new ReplayGate({
      limit: deps.settings.maxConcurrentReplays ?? DEFAULT_CONCURRENT_REPLAYS,
      holdMs: REPLAY_HOLD_MS,
    }),
    enqueue: (ns, name, afterMs) => {
      if (afterMs) c.queue.addAfter(`${ns}/${name}`, afterMs);
      else c.enqueue(ns, name);
    },
  };
  const c: Controller = new Controller({
    name: 'build',
    logger: deps.logger,
    observer,
    queue: { clock: deps.clock },
    resync: resyncOf(deps, deps.caches.builds),
    reconcile: (req) => reconcileBuild(deps, runtime, req),
  });
  builds.onChange((b, verb) => {
    const build = b as Build;
    if (verb === 'delete') runtime.written.forget(build.metadata.namespace, build.metadata.name ?? '');
    else runtime.written.seen(build);
    // Start-up cost must not grow with history: a finished build seen by the initial list has
    // nothing left to do (a terminal build never has running jobs; a running one would enqueue it).
    if (verb === 'add' && isTerminalBuild(build.status?.phase)) return;
    c.enqueue(build.metadata.namespace, build.metadata.name ?? '');
    if (verb === 'delete' || isTerminalBuild(build.status?.phase)) enqueueQueuedSiblings(deps, c, build);
  });
  // A Project being deleted (or gone) cancels its unfinished builds.
  projects.onChange((p, verb) => {
    if (!p.metadata.deletionTimestamp && verb !== 'delete') return;
    for (const b of builds.byIndex(INDEX.project, nsKey(p.metadata.namespace, p.metadata.name ?? '')) as Build[])
      if (!isTerminalBuild(b.status?.phase)) c.enqueue(b.metadata.namespace, b.metadata.name ?? '');
  });
  jobs.onChange((j, verb) => {
    const job = j as JobCR;
    runtime.waiters.notify(job);
    const owner = controllerOwner(j, KINDS.Build.kind, API_VERSION);
    if (!owner) return;
    if (verb === 'add' && isTerminalJob(job) && settledBuild(deps, job.metadata.namespace, owner)) return;
    // Only the summary waits for these (gathered into one write); the script was woken just above.
    runtime.enqueue(job.metadata.namespace ?? '', owner, STATUS_COALESCE_MS);
  });
  return { controller: c, runtime };
}

/** A finished build (or one not in the cache yet, whose own add decides). */
function settledBuild(deps: ControllerDeps, namespace: string | undefined, name: string): boolean {
  const build = deps.caches.builds.get(namespace, name) as Build | undefined;
  return !build || isTerminalBuild(build.status?.phase);
}

function enqueueQueuedSiblings(deps: ControllerDeps, c: Controller, ended: Build): void {
  for (const b of deps.caches.builds.byIndex(
    INDEX.project,
    nsKey(ended.metadata.namespace, ended.spec.project),
  ) as Build[]) {
    if ((b.status?.phase ?? 'Pending') === 'Pending') c.enqueue(b.metadata.namespace, b.metadata.name ?? '');
  }
}
