// Pure decisions of the Event controller: accept (create the one Build), wait for the Project, or
// reject with a reason.
//
// A missing handler REJECTS the event (reason NoHandler) by default. Brigade 1 started a worker that
// found no handler and exited successfully, which left a green build that did nothing; a Rejected
// event with the reason shows a typo and costs no Build. policy.unhandledEvents: Succeed restores
// Brigade 1's behaviour. The `after`/`error` handlers do not count as handlers of an event type.
import { setCondition, getCondition } from '../../api/conditions.ts';
import { API_VERSION, KINDS, LABELS, MANAGED_BY } from '../../api/constants.ts';
import { buildName, labelSafeName } from '../../api/names.ts';
import type { Build, BrigadeEvent, DependencyLock, EventStatus, Project, ScriptOrigin } from '../../api/types.ts';
import type { InspectResult } from '../../script/index.ts';
import { READY, inspectFailureReason, syntaxMessage } from '../project/state.ts';
import type { ScriptSource } from '../shared/project-script.ts';

export type EventDecision =
  | { kind: 'done' }
  | { kind: 'wait'; reason: string; message: string; requeueAfterMs: number }
  | { kind: 'reject'; reason: string; message: string }
  | {
      kind: 'accept';
      /** Absent when the script comes from the repository: the Build's fetch job reads it. */
      script?: string;
      files?: Record<string, string>;
      dependencies?: DependencyLock;
      scriptOrigin: ScriptOrigin;
    };

export interface EventDecisionInput {
  event: BrigadeEvent;
  project: Project | undefined;
  /** The project's script as loaded now (checked against the SHA the project status describes). */
  projectScript: ScriptSource | undefined;
  projectScriptSHA256: string | undefined;
  /** Inspection of the event's own script, when it has one and the policy allows it. */
  eventScriptInspection?: InspectResult;
  now: number;
  graceMs: number;
}

export const LIFECYCLE_HANDLERS = ['after', 'error'];

export function decideEvent(input: EventDecisionInput): EventDecision {
  const { event, project } = input;
  const phase = event.status?.phase;
  if (phase === 'Accepted' || phase === 'Rejected') return { kind: 'done' };
  if (!project) return waitOrReject(input, 'ProjectNotFound', `project ${event.spec.project} does not exist`);
  if (project.metadata.deletionTimestamp)
    return { kind: 'reject', reason: 'ProjectDeleted', message: `project ${event.spec.project} is being deleted` };
  const notReady = projectNotReady(project, input.projectScriptSHA256);
  if (notReady) return waitOrReject(input, 'ProjectNotReady', notReady);
  if (event.spec.script !== undefined) return decideEventScript(input, project);
  return decideProjectScript(input, project);
}

/** An event without a script of its own runs the project's. */
function decideProjectScript(input: EventDecisionInput, project: Project): EventDecision {
  const { event } = input;
  // As in Brigade 1, whatever the event type: the handlers are known once the build has the script.
  if (scriptFromRepository(project, input.projectScript)) return { kind: 'accept', scriptOrigin: 'repository' };
  if (input.projectScript && !input.projectScript.ok && input.projectScript.reason === 'NoScript')
    return {
      kind: 'reject',
      reason: 'NoScript',
      message: `project ${project.metadata.name} has no script of its own and the event carries none`,
    };
  if (!input.projectScript?.ok) return waitOrReject(input, 'ProjectNotReady', 'the project script cannot be loaded');
  const handlers = project.status?.handlers ?? [];
  if (!handles(handlers, event.spec.type) && !runsUnhandled(project)) return noHandler(event.spec.type, handlers);
  const files = input.projectScript.files;
  // The lock the Ready status describes: a Build keeps its own copy, as it keeps the script.
  const dependencies = project.status?.dependencies;
  return {
    kind: 'accept',
    script: input.projectScript.script,
    ...(files ? { files } : {}),
    ...(dependencies ? { dependencies } : {}),
    scriptOrigin: 'project',
  };
}

/** A project with a repository and no script of its own runs the repository's brigade.js. */
export function scriptFromRepository(project: Project, source: ScriptSource | undefined): boolean {
  return source?.ok === false && source.reason === 'NoScript' && project.spec.repo?.cloneURL !== undefined;
}

function decideEventScript(input: EventDecisionInput, project: Project): EventDecision {
  if (!project.spec.policy?.allowEventScripts) {
    return {
      kind: 'reject',
      reason: 'EventScriptNotAllowed',
      message: `project ${project.metadata.name} does not allow event scripts (set spec.policy.allowEventScripts: true on the Project to allow them; Brigade 1 ran the script brig run -f sent)`,
    };
  }
  const inspection = input.eventScriptInspection;
  if (!inspection) throw new TypeError('decideEvent: an allowed event script must be inspected first');
  if (!inspection.ok)
    return {
      kind: 'reject',
      reason: inspectFailureReason(inspection),
      message: `the event's script: ${syntaxMessage(inspection)}`,
    };
  if (!handles(inspection.handlers, input.event.spec.type) && !runsUnhandled(project))
    return noHandler(input.event.spec.type, inspection.handlers);
  return { kind: 'accept', script: input.event.spec.script ?? '', scriptOrigin: 'event' };
}

/** policy.unhandledEvents: Succeed: as in Brigade 1, an unhandled event still gets a build, which succeeds. */
export function runsUnhandled(project: Project): boolean {
  return project.spec.policy?.unhandledEvents === 'Succeed';
}

function handles(handlers: readonly string[], type: string): boolean {
  return !LIFECYCLE_HANDLERS.includes(type) && handlers.includes(type);
}

function noHandler(type: string, handlers: readonly string[]): EventDecision {
  const known = handlers.filter((h) => !LIFECYCLE_HANDLERS.includes(h));
  return {
    kind: 'reject',
    reason: 'NoHandler',
    message: `the script has no handler for "${type}" (handles: ${known.join(', ') || 'nothing'}); set spec.policy.unhandledEvents: Succeed on the Project for Brigade 1's behaviour, a build that succeeds`,
  };
}

/** Why the project cannot take events yet, or undefined when it is Ready for its current spec and script. */
function projectNotReady(project: Project, loadedSHA: string | undefined): string | undefined {
  const ready = getCondition(project.status?.conditions, READY);
  if (project.status?.observedGeneration !== project.metadata.generation || !ready)
    return `project ${project.metadata.name} has not been reconciled yet`;
  if (ready.status !== 'True')
    return `project ${project.metadata.name} is not Ready: ${ready.reason ?? ''}: ${ready.message ?? ''}`;
  if (loadedSHA !== undefined && project.status?.scriptSHA256 !== loadedSHA)
    return `project ${project.metadata.name}'s script changed and is being inspected`;
  return undefined;
}

/** Waits while the event is younger than the grace period (the project may be applied with it); then rejects. */
function waitOrReject(input: EventDecisionInput, reason: string, message: string): EventDecision {
  const created = Date.parse(input.event.metadata.creationTimestamp ?? '') || input.now;
  const left = created + input.graceMs - input.now;
  if (left <= 0) return { kind: 'reject', reason, message };
  return { kind: 'wait', reason, message: `${message}; waiting`, requeueAfterMs: left };
}

export function eventStatus(
  event: BrigadeEvent,
  decision: Exclude<EventDecision, { kind: 'done' | 'accept' }> | { kind: 'accepted'; build: string },
  now: Date,
): EventStatus {
  const base = { ...event.status, observedGeneration: event.metadata.generation };
  if (decision.kind === 'accepted') {
    const conditions = setCondition(
      event.status?.conditions,
      { type: 'Accepted', status: 'True', reason: 'BuildCreated', message: `build ${decision.build}` },
      now,
    );
    return {
      ...base,
      phase: 'Accepted',
      reason: 'BuildCreated',
      message: `build ${decision.build} created`,
      build: decision.build,
      conditions,
    };
  }
  const status = decision.kind === 'reject' ? 'False' : 'Unknown';
  const conditions = setCondition(
    event.status?.conditions,
    { type: 'Accepted', status, reason: decision.reason, message: decision.message },
    now,
  );
  return {
    ...base,
    phase: decision.kind === 'reject' ? 'Rejected' : 'Pending',
    reason: decision.reason,
    message: decision.message,
    conditions,
  };
}

/**
 * The ownerReference that makes an Event (and so its builds) go with its Project, when the Event
 * does not carry it yet. Not the controller reference: an Event is written by its sender.
 */
export function projectOwnerPatch(event: BrigadeEvent, project: Project): object | undefined {
  const uid = project.metadata.uid;
  const refs = event.metadata.ownerReferences ?? [];
  if (!uid || refs.some((r) => r.uid === uid)) return undefined;
  return {
    metadata: {
      ownerReferences: [
        ...refs,
        { apiVersion: API_VERSION, kind: KINDS.Project.kind, name: project.metadata.name ?? '', uid },
      ],
      resourceVersion: event.metadata.resourceVersion,
    },
  };
}

/** The one Build of this event: deterministic name, owned by the event, a self-contained snapshot. */
export function buildFor(
  event: BrigadeEvent,
  accept: {
    script?: string;
    files?: Record<string, string>;
    dependencies?: DependencyLock;
    scriptOrigin: ScriptOrigin;
  },
): Build {
  const name = buildName(event);
  return {
    apiVersion: API_VERSION,
    kind: 'Build',
    metadata: {
      name,
      namespace: event.metadata.namespace,
      labels: {
        [LABELS.project]: labelSafeName(event.spec.project),
        [LABELS.event]: labelSafeName(event.metadata.name ?? ''),
        [LABELS.managedBy]: MANAGED_BY,
      },
      ownerReferences: [
        {
          apiVersion: API_VERSION,
          kind: KINDS.Event.kind,
          name: event.metadata.name ?? '',
          uid: event.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      project: event.spec.project,
      event: event.metadata.name ?? '',
      type: event.spec.type,
      provider: event.spec.provider ?? 'manual',
      ...(event.spec.revision ? { revision: event.spec.revision } : {}),
      ...(event.spec.payload !== undefined ? { payload: event.spec.payload } : {}),
      ...(accept.script !== undefined ? { script: accept.script } : {}),
      ...(accept.files ? { files: accept.files } : {}),
      ...(accept.dependencies ? { dependencies: accept.dependencies } : {}),
      scriptOrigin: accept.scriptOrigin,
    },
  };
}
