// Wiring of the Event controller: reconcile on Event changes, and re-check the waiting Events of a
// Project when the Project changes (it appeared or became Ready).
import type { BrigadeEvent } from '../../api/types.ts';
import { INDEX, nsKey } from '../caches.ts';
import type { ReconcileObserver } from '../runtime/controller.ts';
import { Controller } from '../runtime/controller.ts';
import type { ControllerDeps } from '../shared/deps.ts';
import { resyncOf } from '../shared/deps.ts';
import { reconcileEvent } from './reconcile.ts';

export function eventController(deps: ControllerDeps, observer?: ReconcileObserver): Controller {
  const c = new Controller({
    name: 'event',
    logger: deps.logger,
    observer,
    queue: { clock: deps.clock },
    resync: resyncOf(deps, deps.caches.events),
    reconcile: (req) => reconcileEvent(deps, req),
  });
  const { events, projects } = deps.caches;
  events.onChange((e) => {
    c.enqueue(e.metadata.namespace, e.metadata.name ?? '');
  });
  projects.onChange((p) => {
    for (const e of events.byIndex(
      INDEX.project,
      nsKey(p.metadata.namespace, p.metadata.name ?? ''),
    ) as BrigadeEvent[]) {
      const waiting = !e.status?.phase || e.status.phase === 'Pending';
      if (waiting) c.enqueue(e.metadata.namespace, e.metadata.name ?? '');
    }
  });
  return c;
}
