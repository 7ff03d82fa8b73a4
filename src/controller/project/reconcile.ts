// Project reconcile: load the script, inspect it (only when it or the spec changed), and write
// Ready, handlers and build counts to the status; apply the build history policy; on deletion,
// cancel the project's builds before it goes (deletion.ts).
import { API_VERSION } from '../../api/constants.ts';
import type { Build, Project } from '../../api/types.ts';
import { INDEX, nsKey } from '../caches.ts';
import type { Request, Result } from '../runtime/controller.ts';
import type { ControllerDeps } from '../shared/deps.ts';
import { projectScript, scriptSourceSHA256, type ScriptSource } from '../shared/project-script.ts';
import { declaredDependencies, declaredSHA256 } from '../shared/dependencies.ts';
import { DependencyError } from '../../npm/index.ts';
import {
  inspectionIsCurrent,
  projectStatus,
  readyTransition,
  recordedInspection,
  type DependenciesOutcome,
} from './state.ts';
import type { InspectResult, ScriptPackages } from '../../script/index.ts';
import { addFinalizer, finalizeProject, hasFinalizer } from './deletion.ts';
import type { HistoryPolicy } from './history.ts';
import { applyHistory } from './retention.ts';
import type { CollectedCounter } from './retention.ts';

/** What the Project controller needs beyond the shared deps: the operator's history default and its metric. */
export interface ProjectRuntime {
  history: HistoryPolicy;
  collected?: CollectedCounter;
}

/** A registry that did not answer is asked again after this long. */
const REGISTRY_RETRY_MS = 30_000;

export async function reconcileProject(
  deps: ControllerDeps,
  rt: ProjectRuntime,
  req: Request,
): Promise<Result | undefined> {
  const project = deps.caches.projects.get(req.namespace, req.name) as Project | undefined;
  if (!project) return;
  if (project.metadata.deletionTimestamp) return finalizeProject(deps, project);
  const source = projectScript(project, (ns, name) => deps.caches.configMaps.get(ns, name));
  const sha = scriptSourceSHA256(source);
  const dependencies = source.ok ? await resolveOnce(deps, project, source.files) : undefined;
  const inspect = await inspectWhenLoaded(deps, project, source, sha, dependencies);
  const builds = deps.caches.builds.byIndex(INDEX.project, nsKey(req.namespace, req.name)) as Build[];
  const status = projectStatus({
    project,
    source,
    inspect,
    scriptSHA256: sha,
    ...(dependencies ? { dependencies } : {}),
    builds,
    now: new Date(deps.clock.now()),
  });
  // A registry that did not answer is asked again later, even when nothing else changes.
  const retry = dependencies?.ok === false && dependencies.retry ? REGISTRY_RETRY_MS : undefined;
  if (JSON.stringify(status) !== JSON.stringify(project.status)) {
    await deps.objects.patchStatus('Project', req.namespace, req.name, status);
    await recordReadyTransition(deps, project, status);
  }
  // After the status, so the finalizer costs an Event applied with its Project no time; a build that
  // starts before it is there is still cancelled if the Project goes (the Build controller sees it gone).
  if (!hasFinalizer(project)) await addFinalizer(deps, project);
  const history = await applyHistory(deps, project, builds, rt.history, rt.collected);
  return soonest(retry, history.requeueAfterMs);
}

async function recordReadyTransition(
  deps: ControllerDeps,
  project: Project,
  status: NonNullable<Project['status']>,
): Promise<void> {
  const t = readyTransition(project.status, status);
  if (!t.changed) return;
  const obj = { apiVersion: API_VERSION, kind: 'Project', metadata: project.metadata };
  if (t.ready) await deps.recorder.normal(obj, 'ScriptLoaded', t.message);
  else await deps.recorder.warning(obj, t.reason, t.message);
}

function soonest(...delays: (number | undefined)[]): Result | undefined {
  const set = delays.filter((d): d is number => d !== undefined);
  return set.length > 0 ? { requeueAfterMs: Math.min(...set) } : undefined;
}

/**
 * The npm dependencies of brigade.json and spec.dependencies, resolved only when what was declared
 * changed (the status keeps the lock and the hash of the declaration), then loaded from the store.
 */
async function resolveOnce(
  deps: ControllerDeps,
  project: Project,
  files: Record<string, string> | undefined,
): Promise<(DependenciesOutcome & { packages?: ScriptPackages }) | undefined> {
  const declared = declaredDependencies(project.spec.dependencies, files);
  if (!declared.ok) return { ok: false, reason: 'DependenciesInvalid', message: declared.message, retry: false };
  if (Object.keys(declared.dependencies).length === 0) return undefined;
  const sha = declaredSHA256(declared.dependencies);
  try {
    const recorded = project.status?.dependenciesSHA256 === sha ? project.status.dependencies : undefined;
    const lock = recorded ?? (await deps.packages.resolve(declared.dependencies));
    return { ok: true, lock, sha, packages: await deps.packages.load(lock) };
  } catch (error) {
    if (!(error instanceof DependencyError)) throw error;
    const refused = error.kind === 'Refused';
    return {
      ok: false,
      reason: refused ? 'DependenciesRefused' : 'DependenciesUnavailable',
      message: error.message,
      retry: !refused,
    };
  }
}

/** The inspection, once the script and its dependencies are loaded; undefined when one of them is not. */
function inspectWhenLoaded(
  deps: ControllerDeps,
  project: Project,
  source: ScriptSource,
  sha: string | undefined,
  dependencies: (DependenciesOutcome & { packages?: ScriptPackages }) | undefined,
): Promise<InspectResult> | undefined {
  if (!source.ok || !sha || dependencies?.ok === false) return undefined;
  return inspectOnce(deps, project, source, sha, dependencies?.packages);
}

async function inspectOnce(
  deps: ControllerDeps,
  project: Project,
  source: { script: string; files?: Record<string, string> },
  sha: string,
  packages: ScriptPackages | undefined,
): Promise<InspectResult> {
  if (inspectionIsCurrent(project, sha)) return recordedInspection(project);
  return deps.script.inspectScript(source.script, {
    ...(source.files ? { files: source.files } : {}),
    ...(packages ? { packages } : {}),
  });
}
