// Project reconcile: load the script, inspect it (only when it or the spec changed), and write
// Ready, handlers and build counts to the status.
import { API_VERSION } from '../../api/constants.ts';
import type { Build, Project } from '../../api/types.ts';
import { INDEX, nsKey } from '../caches.ts';
import type { Request, Result } from '../runtime/controller.ts';
import type { ControllerDeps } from '../shared/deps.ts';
import { projectScript, scriptSourceSHA256 } from '../shared/project-script.ts';
import { inspectionIsCurrent, projectStatus, readyTransition, recordedInspection } from './state.ts';
import type { InspectResult } from '../../script/index.ts';

export async function reconcileProject(deps: ControllerDeps, req: Request): Promise<Result | void> {
  const project = deps.caches.projects.get(req.namespace, req.name) as Project | undefined;
  if (!project || project.metadata.deletionTimestamp) return;
  const source = projectScript(project, (ns, name) => deps.caches.configMaps.get(ns, name));
  const sha = scriptSourceSHA256(source);
  const inspect = source.ok && sha ? await inspectOnce(deps, project, source, sha) : undefined;
  const builds = deps.caches.builds.byIndex(INDEX.project, nsKey(req.namespace, req.name)) as Build[];
  const status = projectStatus({
    project,
    source,
    inspect,
    scriptSHA256: sha,
    builds,
    now: new Date(deps.clock.now()),
  });
  if (JSON.stringify(status) === JSON.stringify(project.status)) return;
  await deps.objects.patchStatus('Project', req.namespace, req.name, status);
  const t = readyTransition(project.status, status);
  if (!t.changed) return;
  const obj = { apiVersion: API_VERSION, kind: 'Project', metadata: project.metadata };
  if (t.ready) await deps.recorder.normal(obj, 'ScriptLoaded', t.message);
  else await deps.recorder.warning(obj, t.reason, t.message);
}

async function inspectOnce(
  deps: ControllerDeps,
  project: Project,
  source: { script: string; files?: Record<string, string> },
  sha: string,
): Promise<InspectResult> {
  if (inspectionIsCurrent(project, sha)) return recordedInspection(project);
  return deps.script.inspectScript(source.script, source.files ? { files: source.files } : undefined);
}
