// Where a Project's brigade.js comes from: spec.script, or a key of a ConfigMap (read from the cache,
// so a ConfigMap edit re-triggers the Project through its informer).
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { Project } from '../../api/types.ts';

export type ScriptSource =
  | { ok: true; script: string }
  | { ok: false; reason: 'NoScript' | 'ConfigMapNotFound' | 'ConfigMapKeyNotFound'; message: string };

export type ConfigMapLookup = (namespace: string, name: string) => V1ConfigMap | undefined;

export function projectScript(project: Project, configMap: ConfigMapLookup): ScriptSource {
  if (project.spec.script !== undefined) return { ok: true, script: project.spec.script };
  const ref = project.spec.scriptFrom?.configMapKeyRef;
  if (!ref) return { ok: false, reason: 'NoScript', message: 'the project sets neither spec.script nor spec.scriptFrom' };
  const cm = configMap(project.metadata.namespace ?? '', ref.name);
  if (!cm) return { ok: false, reason: 'ConfigMapNotFound', message: `ConfigMap ${ref.name} not found` };
  const script = cm.data?.[ref.key];
  if (script === undefined) return { ok: false, reason: 'ConfigMapKeyNotFound', message: `ConfigMap ${ref.name} has no key ${ref.key}` };
  return { ok: true, script };
}
