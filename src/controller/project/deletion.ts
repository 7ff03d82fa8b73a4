// Deleting a Project: its finalizer holds the Project until its running and queued builds are
// cancelled (the Build controller ends each one Cancelled, reason ProjectDeleted, with an Event, and
// stops its jobs), then deletes the project's Events, whose builds and everything under them go by
// garbage collection, and lets the Project go.
//
// A finalizer must never wedge a deletion for good: when the operator is gone, remove it by hand
// (docs/operations.md): kubectl patch project NAME --type=merge -p '{"metadata":{"finalizers":null}}'.
// The Events carry an ownerReference to the Project (the Event controller sets it), so they, and
// their builds, still go with it.
import { API_VERSION, GROUP } from '../../api/constants.ts';
import type { Build, BrigadeEvent, Project } from '../../api/types.ts';
import { TERMINAL_BUILD_PHASES } from '../../api/types.ts';
import { INDEX, nsKey } from '../caches.ts';
import type { Result } from '../runtime/controller.ts';
import type { ControllerDeps } from '../shared/deps.ts';

/** The Project finalizer: its builds are cancelled before it goes. */
export const PROJECT_FINALIZER = `${GROUP}/cancel-builds`;

/** Events deleted per pass at most (a project with a long history is emptied over several passes). */
const MAX_EVENTS_PER_PASS = 50;

export const hasFinalizer = (project: Project): boolean =>
  project.metadata.finalizers?.includes(PROJECT_FINALIZER) ?? false;

/** Adds the finalizer (conditional on the version read: a 409 is retried with a fresh read). */
export async function addFinalizer(deps: ControllerDeps, project: Project): Promise<void> {
  await deps.objects.patch('Project', project.metadata.namespace ?? '', project.metadata.name ?? '', {
    metadata: {
      finalizers: [...(project.metadata.finalizers ?? []), PROJECT_FINALIZER],
      resourceVersion: project.metadata.resourceVersion,
    },
  });
}

const unfinished = (b: Build): boolean => !b.status?.phase || !TERMINAL_BUILD_PHASES.includes(b.status.phase);

/** One pass of a Project's deletion. */
export async function finalizeProject(deps: ControllerDeps, project: Project): Promise<Result | undefined> {
  if (!hasFinalizer(project)) return;
  const namespace = project.metadata.namespace ?? '';
  const name = project.metadata.name ?? '';
  const builds = deps.caches.builds.byIndex(INDEX.project, nsKey(namespace, name)) as Build[];
  // The Build controller cancels them (it watches Projects); their ends wake this controller.
  const running = builds.filter(unfinished);
  if (running.length > 0) {
    deps.logger.info({ project: name, running: running.length }, 'project deleted: waiting for its builds to stop');
    return;
  }
  const events = deps.caches.events.byIndex(INDEX.project, nsKey(namespace, name)) as BrigadeEvent[];
  const pending = events.filter((e) => !e.metadata.deletionTimestamp);
  for (const e of pending.slice(0, MAX_EVENTS_PER_PASS))
    await deps.objects.delete('Event', namespace, e.metadata.name ?? '');
  if (pending.length > MAX_EVENTS_PER_PASS) return { requeueAfterMs: 0 };
  await deps.objects.patch('Project', namespace, name, {
    metadata: {
      finalizers: (project.metadata.finalizers ?? []).filter((f) => f !== PROJECT_FINALIZER),
      resourceVersion: project.metadata.resourceVersion,
    },
  });
  await deps.recorder.normal(
    { apiVersion: API_VERSION, kind: 'Project', metadata: project.metadata },
    'ProjectDeleted',
    `its builds are stopped; deleted ${pending.length} Event(s) with their builds`,
  );
  return;
}
