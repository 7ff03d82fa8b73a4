// Event reconcile: decide, then create exactly one Build (AlreadyExists is the replay of a create
// that happened before a restart) and record the outcome in the event's status.
import { API_VERSION } from '../../api/constants.ts';
import type { BrigadeEvent, Project } from '../../api/types.ts';
import type { InspectResult } from '../../script/index.ts';
import type { Request, Result } from '../runtime/controller.ts';
import type { ControllerDeps } from '../shared/deps.ts';
import { projectScript, scriptSourceSHA256 } from '../shared/project-script.ts';
import { buildFor, decideEvent, eventStatus, projectOwnerPatch } from './state.ts';

export async function reconcileEvent(deps: ControllerDeps, req: Request): Promise<Result | undefined> {
  const event = deps.caches.events.get(req.namespace, req.name) as BrigadeEvent | undefined;
  if (!event || event.metadata.deletionTimestamp) return;
  if (event.status?.phase === 'Accepted' || event.status?.phase === 'Rejected') return;
  const project = deps.caches.projects.get(req.namespace, event.spec.project) as Project | undefined;
  const source = project ? projectScript(project, (ns, n) => deps.caches.configMaps.get(ns, n)) : undefined;
  const decision = decideEvent({
    event,
    project,
    projectScript: source,
    projectScriptSHA256: scriptSourceSHA256(source),
    eventScriptInspection: await inspectEventScript(deps, event, project),
    now: deps.clock.now(),
    graceMs: deps.settings.eventProjectGraceMs,
  });
  const now = new Date(deps.clock.now());
  const obj = { apiVersion: API_VERSION, kind: 'Event', metadata: event.metadata };
  if (decision.kind === 'done') return;
  if (decision.kind !== 'wait') await ownEventByProject(deps, event, project);
  if (decision.kind === 'accept') {
    const { object: build, existed } = await deps.objects.create('Build', buildFor(event, decision));
    const name = build.metadata.name ?? '';
    await deps.objects.patchStatus(
      'Event',
      req.namespace,
      req.name,
      eventStatus(event, { kind: 'accepted', build: name }, now),
    );
    if (!existed) await deps.recorder.normal(obj, 'BuildCreated', `created build ${name}`);
    return;
  }
  const status = eventStatus(event, decision, now);
  if (JSON.stringify(status) !== JSON.stringify(event.status))
    await deps.objects.patchStatus('Event', req.namespace, req.name, status);
  if (decision.kind === 'reject') {
    await deps.recorder.warning(obj, 'Rejected', `${decision.reason}: ${decision.message}`);
    return;
  }
  return { requeueAfterMs: decision.requeueAfterMs };
}

/** Before the Build exists: deleting the Project then deletes the Event and, through it, its builds. */
async function ownEventByProject(
  deps: ControllerDeps,
  event: BrigadeEvent,
  project: Project | undefined,
): Promise<void> {
  const owner = project ? projectOwnerPatch(event, project) : undefined;
  if (owner) await deps.objects.patch('Event', event.metadata.namespace ?? '', event.metadata.name ?? '', owner);
}

async function inspectEventScript(
  deps: ControllerDeps,
  event: BrigadeEvent,
  project: Project | undefined,
): Promise<InspectResult | undefined> {
  if (event.spec.script === undefined || !project?.spec.policy?.allowEventScripts) return undefined;
  return deps.script.inspectScript(event.spec.script);
}
