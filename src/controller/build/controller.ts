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
import type { BuildRuntime } from './reconcile.ts';
import { reconcileBuild } from './reconcile.ts';
import type { BuildSession } from './session.ts';
import { isTerminalBuild } from './state.ts';

export interface BuildController {
  controller: Controller;
  runtime: BuildRuntime;
}

export function buildController(deps: ControllerDeps, observer?: ReconcileObserver): BuildController {
  const { builds, jobs } = deps.caches;
  const runtime: BuildRuntime = {
    sessions: new Map<string, BuildSession>(),
    waiters: new JobWaiters((ns, name) => jobs.get(ns, name)),
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
    c.enqueue(build.metadata.namespace, build.metadata.name ?? '');
    if (verb === 'delete' || isTerminalBuild(build.status?.phase)) enqueueQueuedSiblings(deps, c, build);
  });
  jobs.onChange((j) => {
    runtime.waiters.notify(j);
    const owner = controllerOwner(j, KINDS.Build.kind, API_VERSION);
    if (owner) c.enqueue(j.metadata?.namespace, owner);
  });
  return { controller: c, runtime };
}

function enqueueQueuedSiblings(deps: ControllerDeps, c: Controller, ended: Build): void {
  for (const b of deps.caches.builds.byIndex(
    INDEX.project,
    nsKey(ended.metadata.namespace, ended.spec.project),
  ) as Build[]) {
    if ((b.status?.phase ?? 'Pending') === 'Pending') c.enqueue(b.metadata.namespace, b.metadata.name ?? '');
  }
}
