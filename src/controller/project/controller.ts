// Wiring of the Project controller: reconcile on Project changes, on changes of a ConfigMap a
// Project reads its script from, and on Build changes (build counts, last build, history, deletion).
import type { Build } from '../../api/types.ts';
import { INDEX, nsKey } from '../caches.ts';
import type { ReconcileObserver } from '../runtime/controller.ts';
import { Controller } from '../runtime/controller.ts';
import type { ControllerDeps } from '../shared/deps.ts';
import { resyncOf } from '../shared/deps.ts';
import { reconcileProject } from './reconcile.ts';
import type { ProjectRuntime } from './reconcile.ts';

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
  builds.onChange((b) => {
    c.enqueue(b.metadata.namespace, (b as Build).spec.project);
  });
  return c;
}
