// Pure decisions of the Project controller: its status from the script source, the inspection
// result and its builds.
import { setCondition, getCondition } from '../../api/conditions.ts';
import type { Build, DependencyLock, Project, ProjectBuildCounts, ProjectStatus } from '../../api/types.ts';
import type { InspectFailureReason, InspectResult } from '../../script/index.ts';
import type { ScriptSource } from '../shared/project-script.ts';
import { redactURL } from '../shared/redact-url.ts';

export const READY = 'Ready';

export interface ProjectStatusInput {
  project: Project;
  source: ScriptSource;
  /** Inspection of source.script; absent when the source could not be loaded. */
  inspect?: InspectResult;
  scriptSHA256?: string;
  /** The npm dependencies, when the script declares any. */
  dependencies?: DependenciesOutcome;
  builds: readonly Build[];
  now: Date;
}

/** Resolved (the lock and the hash of what was declared), or why not (retry: the registry may answer later). */
export type DependenciesOutcome =
  | { ok: true; lock: DependencyLock; sha: string }
  | {
      ok: false;
      reason: 'DependenciesInvalid' | 'DependenciesRefused' | 'DependenciesUnavailable';
      message: string;
      retry: boolean;
    };

/** True when the last inspection still describes this script and generation (no need to inspect again). */
export function inspectionIsCurrent(project: Project, scriptSHA256: string): boolean {
  const s = project.status;
  const ready = getCondition(s?.conditions, READY);
  return (
    s?.scriptSHA256 === scriptSHA256 &&
    s.observedGeneration === project.metadata.generation &&
    ready !== undefined &&
    // Not inspected at all when the dependencies failed: inspect once they resolve.
    !(ready.reason ?? '').startsWith('Dependencies')
  );
}

/** The Ready condition's reason for each way an inspection fails. */
const INSPECT_FAILURE_REASONS: Record<InspectFailureReason, string> = {
  SyntaxError: 'ScriptSyntaxError',
  ModuleNotFound: 'ScriptModuleNotFound',
  ModuleRefused: 'ScriptModuleRefused',
  TopLevelError: 'ScriptTopLevelError',
  SandboxLimit: 'ScriptInspectionFailed',
};

/** ScriptSyntaxError, ScriptModuleNotFound, ScriptModuleRefused, ScriptTopLevelError or ScriptInspectionFailed. */
export function inspectFailureReason(result: { reason?: InspectFailureReason }): string {
  return INSPECT_FAILURE_REASONS[result.reason ?? 'SyntaxError'];
}

/** The inspection the current status records, so an unchanged script is not evaluated again. */
export function recordedInspection(project: Project): InspectResult {
  const ready = getCondition(project.status?.conditions, READY);
  if (ready?.status === 'True') return { ok: true, handlers: project.status?.handlers ?? [] };
  const reason = (Object.keys(INSPECT_FAILURE_REASONS) as InspectFailureReason[]).find(
    (k) => INSPECT_FAILURE_REASONS[k] === ready?.reason,
  );
  return { ok: false, message: ready?.message ?? 'unknown', ...(reason ? { reason } : {}) };
}

export function projectStatus(input: ProjectStatusInput): ProjectStatus {
  const { project, source, inspect, now } = input;
  const generation = project.metadata.generation;
  const deps = input.dependencies;
  const ready =
    source.ok && deps && !deps.ok
      ? { status: 'False' as const, reason: deps.reason, message: deps.message }
      : readyCondition(project, source, inspect);
  const handlers = inspect?.ok ? [...inspect.handlers].sort() : [];
  const lastBuild = latestBuild(input.builds);
  // The lock is written afresh: dropped when the dependencies no longer resolve.
  const kept = { ...project.status };
  delete kept.dependencies;
  delete kept.dependenciesSHA256;
  return {
    ...kept,
    ...(deps?.ok ? { dependencies: deps.lock, dependenciesSHA256: deps.sha } : {}),
    observedGeneration: generation,
    conditions: setCondition(
      project.status?.conditions,
      { type: READY, ...ready, observedGeneration: generation },
      now,
    ),
    handlers,
    handlersSummary: handlers.join(',').slice(0, 1024),
    ...(input.scriptSHA256 ? { scriptSHA256: input.scriptSHA256 } : {}),
    ...(lastBuild ? { lastBuild } : {}),
    buildCounts: buildCounts(input.builds),
  };
}

/** Ready's reason for a project that runs the brigade.js of its repository at each event's revision. */
export const SCRIPT_FROM_REPOSITORY = 'ScriptFromRepository';

/** Ready's reason for a project without a script of its own that runs the scripts events carry. */
export const EVENT_SCRIPTS_ONLY = 'EventScriptsOnly';

function readyCondition(
  project: Project,
  source: ScriptSource,
  inspect: InspectResult | undefined,
): { status: 'True' | 'False'; reason: string; message: string } {
  if (!source.ok && source.reason === 'NoScript' && project.spec.repo?.cloneURL)
    return {
      status: 'True',
      reason: SCRIPT_FROM_REPOSITORY,
      message: `no script of its own: each build runs the brigade.js of ${redactURL(project.spec.repo.cloneURL)} at its event's revision (handlers are known once a build has fetched it)`,
    };
  if (!source.ok && source.reason === 'NoScript' && project.spec.policy?.allowEventScripts)
    return {
      status: 'True',
      reason: EVENT_SCRIPTS_ONLY,
      message: 'no script of its own: each event must carry its script (brigade-operator exec -f)',
    };
  if (!source.ok) return { status: 'False', reason: source.reason, message: source.message };
  if (!inspect) return { status: 'False', reason: 'NotInspected', message: 'the script has not been inspected yet' };
  if (!inspect.ok) return { status: 'False', reason: inspectFailureReason(inspect), message: syntaxMessage(inspect) };
  return {
    status: 'True',
    reason: 'ScriptLoaded',
    message: `handlers: ${inspect.handlers.length ? [...inspect.handlers].sort().join(', ') : '(none)'}`,
  };
}

/** "brigade.js:3:14: SyntaxError: unexpected token" (line:column when the engine reported them). */
export function syntaxMessage(result: { message: string; line?: number; column?: number }): string {
  if (result.line === undefined) return result.message;
  return `brigade.js:${result.line}:${result.column ?? 0}: ${result.message}`;
}

export function buildCounts(builds: readonly Build[]): ProjectBuildCounts {
  const counts = { running: 0, queued: 0, succeeded: 0, failed: 0 };
  for (const b of builds) {
    const phase = b.status?.phase ?? 'Pending';
    if (phase === 'Running') counts.running++;
    else if (phase === 'Pending') counts.queued++;
    else if (phase === 'Succeeded') counts.succeeded++;
    else counts.failed++;
  }
  return counts;
}

function latestBuild(builds: readonly Build[]): string | undefined {
  let latest: Build | undefined;
  for (const b of builds) {
    if (!latest || (b.metadata.creationTimestamp ?? '') > (latest.metadata.creationTimestamp ?? '')) latest = b;
  }
  return latest?.metadata.name;
}

/** The Ready condition's status and reason before and after, for an Event when it changed. */
export function readyTransition(
  before: ProjectStatus | undefined,
  after: ProjectStatus,
): { changed: boolean; ready: boolean; reason: string; message: string } {
  const old = getCondition(before?.conditions, READY);
  const now = getCondition(after.conditions, READY);
  const changed = old?.status !== now?.status || old?.reason !== now?.reason || old?.message !== now?.message;
  return { changed, ready: now?.status === 'True', reason: now?.reason ?? '', message: now?.message ?? '' };
}
