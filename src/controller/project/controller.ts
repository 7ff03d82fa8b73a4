// Wiring of the Project controller: reconcile on Project changes, on changes of a ConfigMap a
// Project reads its script from, and on Build changes (build counts, last build, history, deletion).
import type { Build } from '../../api/types.ts';
import { INDEX, nsKey } from '../caches.ts';
import type { ReconcileObserver } from '../runtime/controller.ts';
import { Controller, keyOf } from '../runtime/controller.ts';
import type { ControllerDeps } from '../shared/deps.ts';
import { resyncOf } from '../shared/deps.ts';
import { reconcileProject } from './reconcile.ts';
import type { ProjectRuntime } from './reconcile.ts';

/** How long build changes are gathered before a Project's build counts are written again. */
const BUILD_COUNTS_COALESCE_MS = 1000;

export function projectController(
  deps: ControllerDeps,
  observer?: ReconcileObserver,
  runtime: ProjectRuntime = { history: deps.settings.history ?? { succeeded: {}, failed: {} } },
): Controller {
  const c = new Controller({
    name: 'project',
    logger: deps.logger,
    observer,
    queue: { clock: deps.clock },
    resync: resyncOf(deps, deps.caches.projects),
    reconcile: (req) => reconcileProject(deps, runtime, req),
  });
  const { projects, configMaps, builds } = deps.caches;
  projects.onChange((p) => {
    c.enqueue(p.metadata.namespace, p.metadata.name ?? '');
  });
  configMaps.onChange((cm) => {
    for (const p of projects.byIndex(INDEX.configMap, nsKey(cm.metadata?.namespace, cm.metadata?.name ?? '')))
      c.enqueue(p.metadata.namespace, p.metadata.name ?? '');
  });
  // The build counts in the status: gathered for a second into one write, not one per build change.
  builds.onChange((b) => {
    c.queue.addAfter(keyOf(b.metadata.namespace, (b as Build).spec.project), BUILD_COUNTS_COALESCE_MS);
  });
  return c;
}
