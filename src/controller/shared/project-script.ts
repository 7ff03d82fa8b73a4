// Where a Project's brigade.js comes from: spec.script, one key of a ConfigMap, or a whole ConfigMap
// as the script's directory (brigade.js and the files it requires). Read from the cache, so a
// ConfigMap edit re-triggers the Project through its informer.
import { createHash } from 'node:crypto';
import type { V1ConfigMap } from '@kubernetes/client-node';
import {
  MAX_SCRIPT_FILES,
  MAX_SCRIPT_FILES_LENGTH,
  MAX_SCRIPT_LENGTH,
  SCRIPT_FILE_PATH,
} from '../../api/project-schema.ts';
import type { Project } from '../../api/types.ts';

export type ScriptSource =
  | {
      ok: true;
      script: string;
      /** Files beside the script (path -> source), for require('./x'). */ files?: Record<string, string>;
    }
  | {
      ok: false;
      reason: 'NoScript' | 'ConfigMapNotFound' | 'ConfigMapKeyNotFound' | 'ScriptFilesInvalid';
      message: string;
    };

export type ConfigMapLookup = (namespace: string, name: string) => V1ConfigMap | undefined;

const DEFAULT_MAIN = 'brigade.js';
const FILE_PATH = new RegExp(SCRIPT_FILE_PATH);

export function projectScript(project: Project, configMap: ConfigMapLookup): ScriptSource {
  if (project.spec.script !== undefined) return { ok: true, script: project.spec.script };
  const from = project.spec.scriptFrom;
  const namespace = project.metadata.namespace ?? '';
  if (from?.configMap) return scriptDirectory(configMap(namespace, from.configMap.name), from.configMap);
  const ref = from?.configMapKeyRef;
  if (!ref)
    return {
      ok: false,
      reason: 'NoScript',
      message:
        "the project sets neither spec.script nor spec.scriptFrom (set one, set spec.repo.cloneURL to run the repository's brigade.js, or set spec.policy.allowEventScripts: true to run only the scripts events carry)",
    };
  const cm = configMap(namespace, ref.name);
  if (!cm) return { ok: false, reason: 'ConfigMapNotFound', message: `ConfigMap ${ref.name} not found` };
  const script = cm.data?.[ref.key];
  if (script === undefined)
    return { ok: false, reason: 'ConfigMapKeyNotFound', message: `ConfigMap ${ref.name} has no key ${ref.key}` };
  return { ok: true, script };
}

type DirectorySpec = NonNullable<NonNullable<Project['spec']['scriptFrom']>['configMap']>;

/** The ConfigMap's keys (or its `items`) as files; `main` is the script, the rest may be required. */
function scriptDirectory(cm: V1ConfigMap | undefined, spec: DirectorySpec): ScriptSource {
  if (!cm) return { ok: false, reason: 'ConfigMapNotFound', message: `ConfigMap ${spec.name} not found` };
  const data: Partial<Record<string, string>> = cm.data ?? {};
  const entries: Array<[string, string]> = [];
  for (const item of spec.items ?? Object.keys(data).map((key) => ({ key, path: key }))) {
    const content = data[item.key];
    if (content === undefined)
      return {
        ok: false,
        reason: 'ConfigMapKeyNotFound',
        message: `ConfigMap ${spec.name} has no key ${item.key} (scriptFrom.configMap.items)`,
      };
    if (!FILE_PATH.test(item.path))
      return invalid(
        `file path "${item.path}" of ConfigMap ${spec.name} is not a relative path without . or .. segments`,
      );
    entries.push([item.path, content]);
  }
  const main = spec.main ?? DEFAULT_MAIN;
  const files: Record<string, string> = Object.fromEntries(entries);
  // A lookup by a name the user chose: the file may not be there.
  const byPath: Partial<Record<string, string>> = files;
  const script = byPath[main];
  if (script === undefined)
    return {
      ok: false,
      reason: 'ConfigMapKeyNotFound',
      message: `ConfigMap ${spec.name} has no ${main} (scriptFrom.configMap.main)`,
    };
  delete files[main];
  if (script.length > MAX_SCRIPT_LENGTH) return invalid(`${main} is longer than ${MAX_SCRIPT_LENGTH} characters`);
  const count = Object.keys(files).length;
  const size = Object.values(files).reduce((n, text) => n + text.length, 0);
  if (count > MAX_SCRIPT_FILES)
    return invalid(`ConfigMap ${spec.name} has ${count} files beside ${main}; at most ${MAX_SCRIPT_FILES} are allowed`);
  if (size > MAX_SCRIPT_FILES_LENGTH)
    return invalid(
      `the files beside ${main} in ConfigMap ${spec.name} hold ${size} characters; at most ${MAX_SCRIPT_FILES_LENGTH} are allowed`,
    );
  return { ok: true, script, ...(count > 0 ? { files } : {}) };
}

function invalid(message: string): ScriptSource {
  return { ok: false, reason: 'ScriptFilesInvalid', message };
}

/** SHA-256 of what a build would run: the script and its files (so editing a file re-inspects it). */
export function scriptSourceSHA256(source: ScriptSource | undefined): string | undefined {
  if (!source?.ok) return undefined;
  const hash = createHash('sha256').update(source.script);
  // Files sorted by path and length-prefixed, so no two different sets hash alike; no files: the script's own hash.
  for (const path of Object.keys(source.files ?? {}).sort()) {
    const text = source.files?.[path] ?? '';
    hash.update(`\0${path.length}:${path}${text.length}:`).update(text);
  }
  return hash.digest('hex');
}
